"""Suggested scores from the month's data, each with the figures behind it.

Only sub-items the data speaks to get a suggestion (form.yaml `suggestion:`); the others are
the supervisor's judgement alone. Every figure comes from what another package already counts:

- duties (勤·工作出勤): `server.compliance.operations.people_view`, the same per-person view of
  frequency rules the compliance screen shows. A rule shared by several people (two patrol
  staff, one daily renovation patrol) asks each for their share, rounded up; work beyond one's
  share does not cover another rule's gap.
- returns (绩·工作效果): the person's records completed in the month, and those a supervisor
  sent back at least once (`server.reviews` return events).
- followups (绩·工作效率): follow-ups assigned to the person that fell due in the month (up to
  today), and those marked fixed by the end of their due day, in the property's time zone.

A suggestion is the sub-item's points times the rate, rounded to the form's step.
"""

import math
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server.compliance.operations import people_view
from server.core.db import db, today_in, utcnow
from server.core.i18n import translate
from server.followups.models import FollowUp, FollowUpAction, FollowUpEvent
from server.followups.reports import month_bounds
from server.inspections.models import Inspection
from server.reviews.models import ReviewAction, ReviewEvent

from .form import assessment_form, round_to_step


def duty_figures(prop, staff, first_day: date, now: datetime) -> dict:
    due = done = 0
    for person in people_view(prop, first_day, now=now):
        if person["user"]["id"] != staff.id:
            continue
        for rule in person["rules"]:
            if not rule["theirs"]:
                continue
            share = math.ceil(rule["required"] / (rule["shared_with"] + 1))
            due += share
            done += min(rule["done"], share)
    return {"done": done, "due": due}


def return_figures(prop, staff, first_day: date) -> dict:
    start, end = month_bounds(prop, first_day.strftime("%Y-%m"))
    mine = (sa.select(Inspection.id).where(
        Inspection.property_id == prop.id, Inspection.inspector_id == staff.id,
        Inspection.completed_at >= start, Inspection.completed_at < end))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(mine.subquery()))
    returned = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(ReviewEvent.inspection_id)))
        .where(ReviewEvent.action == ReviewAction.RETURN, ReviewEvent.inspection_id.in_(mine)))
    return {"returned": returned, "total": total}


def followup_figures(prop, staff, first_day: date, now: datetime) -> dict:
    next_month = (first_day + timedelta(days=32)).replace(day=1)
    # A follow-up due later this month is not late yet: count those due up to yesterday, and
    # any already fixed.
    last_day = min(next_month - timedelta(days=1), today_in(prop.timezone, now) - timedelta(days=1))
    rows = db.session.execute(
        sa.select(FollowUp.id, FollowUp.due_date, sa.func.min(FollowUpEvent.created_at))
        .outerjoin(FollowUpEvent, sa.and_(FollowUpEvent.follow_up_id == FollowUp.id,
                                          FollowUpEvent.action == FollowUpAction.FIX))
        .where(FollowUp.property_id == prop.id, FollowUp.assignee_id == staff.id,
               FollowUp.due_date >= first_day, FollowUp.due_date < next_month)
        .group_by(FollowUp.id, FollowUp.due_date)).all()
    tz = ZoneInfo(prop.timezone)
    due = on_time = 0
    for _id, due_date, fixed_at in rows:
        if fixed_at is not None and fixed_at.tzinfo is None:
            fixed_at = fixed_at.replace(tzinfo=ZoneInfo("UTC"))  # SQLite aggregate: naive UTC
        if due_date > last_day and fixed_at is None:
            continue
        due += 1
        deadline = datetime.combine(due_date + timedelta(days=1), time(), tz)
        on_time += fixed_at is not None and fixed_at < deadline
    return {"on_time": on_time, "due": due}


def _rate(kind: str, figures: dict) -> float | None:
    if kind == "duties":
        return figures["done"] / figures["due"] if figures["due"] else None
    if kind == "returns":
        total = figures["total"]
        return (total - figures["returned"]) / total if total else None
    return figures["on_time"] / figures["due"] if figures["due"] else None


def suggestions(prop, staff, first_day: date, now: datetime | None = None) -> dict:
    """{sub-item id: {"kind", "figures", "points", "value"}}; ``value`` is None when the month
    holds nothing to judge by (no duty due, no record, no follow-up due)."""
    now = now or utcnow()
    computed = {
        "duties": lambda: duty_figures(prop, staff, first_day, now),
        "returns": lambda: return_figures(prop, staff, first_day),
        "followups": lambda: followup_figures(prop, staff, first_day, now),
    }
    out = {}
    for part in assessment_form()["parts"]:
        for item in part["items"]:
            kind = item.get("suggestion")
            if not kind:
                continue
            figures = computed[kind]()
            rate = _rate(kind, figures)
            out[item["id"]] = {"kind": kind, "figures": figures, "points": item["points"],
                               "value": None if rate is None else round_to_step(item["points"] * rate)}
    return out


def explain(suggestion: dict, language: str | None = None) -> str:
    """The figures behind a suggestion, as the supervisor and the staff member read them:
    "完成 18/20 项应做巡查"."""
    kind, figures = suggestion["kind"], suggestion["figures"]
    if suggestion["value"] is None:
        return translate(f"assessment.figure.{kind}_none", language)
    return translate(f"assessment.figure.{kind}", language, **figures)
