"""Which records a caller may read.

Property assignments decide which properties' records exist for someone; within a property,
patrol staff read only their own records (their list shows nothing else, so neither may a URL),
while supervisors, managers and admins read their colleagues' (``record.read_others``). A
record someone may not read answers 404 everywhere (GET, history, PDF, and a PUT to its id),
exactly like one that does not exist.
"""

import uuid

from server.users.access import can, current_user, visible_or_404
from server.users.models import User
from server.users.permissions import Permission

from .models import Inspection


def may_read_record(record: Inspection, user: User | None = None) -> bool:
    """Beyond the property check: one's own record, or anyone's with ``record.read_others``."""
    user = user or current_user()
    return record.inspector_id == user.id or can(Permission.RECORD_READ_OTHERS, user)


def readable_record_or_404(record_id: uuid.UUID, **kwargs) -> Inspection:
    """The record under ``record_id`` if the caller may read it; otherwise 404."""
    return visible_or_404(Inspection, record_id, also=may_read_record, **kwargs)
