"""When a follow-up is late: its due date is a calendar day of its property, so "today" is the
property's today (its time zone), not the server's nor a default zone's."""

from datetime import date, timedelta

import sqlalchemy as sa

from server.core.db import db, today_in
from server.properties.models import Property

from .models import FollowUp


def property_today(follow_up: FollowUp) -> date:
    """Today at the follow-up's property."""
    return today_in(db.session.get(Property, follow_up.property_id).timezone)


def past_due(today: date | None = None, grace_days: int = 0):
    """SQL condition: due more than ``grace_days`` before today at each follow-up's property.

    ``today`` (tests, a cron run for a given day) applies one day to every property. Otherwise
    there is one comparison per time zone in use: a handful at most, so the query stays simple.
    """
    grace = timedelta(days=grace_days)
    if today is not None:
        return FollowUp.due_date < today - grace
    zones = db.session.scalars(sa.select(Property.timezone).distinct()).all()
    return sa.or_(sa.false(), *(
        sa.and_(FollowUp.property_id.in_(sa.select(Property.id).where(Property.timezone == zone)),
                FollowUp.due_date < today_in(zone) - grace)
        for zone in zones))
