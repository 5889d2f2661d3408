"""Loading a property the caller may see: the property-level twin of `visible_or_404`.

It lives here rather than in `server/users/access.py` because users sit below properties:
access knows who serves which property (by id), properties know what a property is.
"""

from server.core.db import db
from server.core.errors import Problem
from server.users.access import can_see_property

from .models import Property


def require_property(property_id: int) -> Property:
    """The property, if the caller may see it.

    Answers 404 for a property that does not exist and 403 for one the caller is not
    assigned to: the caller learns it exists but nothing about it.
    """
    prop = db.session.get(Property, property_id)
    if prop is None:
        raise Problem("not_found")
    if not can_see_property(property_id):
        raise Problem("access.property_denied")
    return prop
