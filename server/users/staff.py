"""A property's staff: the active patrol staff (客服员) assigned to it.

They are the subject of the supervisor's one-to-one talks (员工沟通, "每周一次"), so a rule
with scope `staff` asks for one per staff member per period.
"""

import sqlalchemy as sa

from server.core.db import db

from .models import STAFF_ROLES, PropertyMember, User


def staff_statement(property_ids):
    """(property_id, user) rows of the staff of ``property_ids``, by name."""
    return (sa.select(PropertyMember.property_id, User)
            .join(User, User.id == PropertyMember.user_id)
            .where(PropertyMember.property_id.in_(property_ids), User.role.in_(STAFF_ROLES),
                   User.is_active.is_(True))
            .order_by(PropertyMember.property_id, User.display_name, User.id))


def staff_of(property_id: int) -> list[User]:
    return [user for _, user in db.session.execute(staff_statement([property_id])).all()]
