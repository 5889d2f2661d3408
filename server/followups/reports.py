"""Monthly figures: callback and satisfaction rates, and the sampled telephone checks.

Seed 000: 电话回访100%; 有效投诉满意度100%; 派工单、服务记录表及保修单…当月抽查20%. Months are
counted in each property's time zone.
"""

import math
import random
import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from server.core.db import db, utcnow
from server.core.errors import Problem
from server.properties.models import Property
from server.users.models import User

from .models import (
    WORK_ORDER_SOURCES,
    Escalation,
    FollowUp,
    FollowUpAction,
    FollowUpEvent,
    FollowUpSource,
    FollowUpStatus,
    SampleCheck,
    SampleDraw,
    Satisfaction,
)
from .operations import CONTACT_AFTER_DAYS


def month_bounds(prop: Property, month: str) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in the property's time zone."""
    year, number = (int(part) for part in month.split("-"))
    tz = ZoneInfo(prop.timezone)
    start = datetime(year, number, 1, tzinfo=tz)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=tz)
    return start, end


def callback_figures(prop: Property, month: str) -> dict:
    """Closed follow-ups that needed a callback and how many got one; the callbacks made that
    month by the owner's satisfaction."""
    start, end = month_bounds(prop, month)
    closed = db.session.scalars(
        sa.select(FollowUp).options(selectinload(FollowUp.events))
        .where(FollowUp.property_id == prop.id, FollowUp.status == FollowUpStatus.VERIFIED,
               FollowUp.callback_required, FollowUp.closed_at >= start,
               FollowUp.closed_at < end)).all()
    called = sum(1 for f in closed if any(e.action == FollowUpAction.CALLBACK for e in f.events))
    answers = Counter(db.session.scalars(
        sa.select(FollowUpEvent.satisfaction).join(FollowUp)
        .where(FollowUp.property_id == prop.id, FollowUpEvent.action == FollowUpAction.CALLBACK,
               FollowUpEvent.created_at >= start, FollowUpEvent.created_at < end)))
    callbacks = sum(answers.values())
    content = answers[Satisfaction.SATISFIED] + answers[Satisfaction.BASICALLY_SATISFIED]
    return {
        "property_id": prop.id, "month": month,
        "closed_needing_callback": len(closed), "called_back": called,
        "callback_rate": round(called / len(closed), 4) if closed else None,
        "callbacks": callbacks,
        "satisfied": answers[Satisfaction.SATISFIED],
        "basically_satisfied": answers[Satisfaction.BASICALLY_SATISFIED],
        "dissatisfied": answers[Satisfaction.DISSATISFIED],
        "satisfaction_rate": round(content / callbacks, 4) if callbacks else None,
    }


# The kinds a month's figures are split into: the two work orders entered by hand, and the
# follow-ups (整改) raised by failed items or by a supervisor on a walk-round.
FOLLOW_UP_KIND = "follow_up"
KINDS = (FollowUpSource.COMPLAINT, FollowUpSource.REPAIR, FOLLOW_UP_KIND)
CONTACT_AFTER = timedelta(days=CONTACT_AFTER_DAYS)  # seed 000: 三天未完成，留有沟通记录


def kind_of(follow_up: FollowUp) -> str:
    return follow_up.source if follow_up.source in WORK_ORDER_SOURCES else FOLLOW_UP_KIND


def work_order_figures(prop: Property, month: str, now: datetime | None = None) -> dict:
    """A month's work orders and follow-ups at ``prop``, by kind and by assignee.

    - opened: found (reported) in the month; closed: verified in the month;
    - due: due date in the month and already past (today's are not late yet); overdue: of
      those, not verified by the end of their due date, in the property's calendar;
    - escalated: sent to the project manager's queue in the month;
    - contact_due: reached three days unresolved in the month; contacted_on_time: of those,
      with a contact recorded within the three days.
    """
    now = now or utcnow()
    start, end = month_bounds(prop, month)
    tz = ZoneInfo(prop.timezone)
    today = now.astimezone(tz).date()
    cutoff = min(end, now)
    follow_ups = db.session.scalars(
        sa.select(FollowUp).options(selectinload(FollowUp.events))
        .where(FollowUp.property_id == prop.id, FollowUp.found_at < end,
               (FollowUp.closed_at.is_(None)) | (FollowUp.closed_at >= start)
               | (FollowUp.due_date >= start.date()))
        .order_by(FollowUp.found_at, FollowUp.id)).all()
    escalated = set(db.session.scalars(
        sa.select(Escalation.follow_up_id).where(
            Escalation.property_id == prop.id, Escalation.follow_up_id.is_not(None),
            Escalation.raised_at >= start, Escalation.raised_at < end)))
    names = ("opened", "closed", "due", "overdue", "escalated", "contact_due",
             "contacted_on_time")
    kinds = {kind: dict.fromkeys(names, 0) for kind in KINDS}
    assignees: dict[int, dict] = {}
    for follow_up in follow_ups:
        counts = kinds[kind_of(follow_up)]
        mine = assignees.setdefault(follow_up.assignee_id, dict.fromkeys(names, 0))
        closed = follow_up.status == FollowUpStatus.VERIFIED and follow_up.closed_at is not None
        found = []
        if start <= follow_up.found_at < end:
            found.append("opened")
        if closed and start <= follow_up.closed_at < end:
            found.append("closed")
        if start.date() <= follow_up.due_date < min(end.date(), today):
            found.append("due")
            closed_day = follow_up.closed_at.astimezone(tz).date() if closed else None
            if closed_day is None or closed_day > follow_up.due_date:
                found.append("overdue")
        if follow_up.id in escalated:
            found.append("escalated")
        mark = follow_up.found_at + CONTACT_AFTER
        if start <= mark < cutoff and not (closed and follow_up.closed_at <= mark):
            found.append("contact_due")
            if any(e.action == FollowUpAction.CONTACT and e.created_at <= mark
                   for e in follow_up.events):
                found.append("contacted_on_time")
        for name in found:
            counts[name] += 1
            mine[name] += 1
    escalations = Counter(db.session.scalars(
        sa.select(Escalation.reason).where(Escalation.property_id == prop.id,
                                           Escalation.raised_at >= start,
                                           Escalation.raised_at < end)))
    return {"kinds": kinds, "assignees": assignees, "escalations": dict(escalations)}


def closed_repairs(prop: Property, month: str):
    start, end = month_bounds(prop, month)
    return (sa.select(FollowUp.id)
            .where(FollowUp.property_id == prop.id, FollowUp.source == FollowUpSource.REPAIR,
                   FollowUp.status == FollowUpStatus.VERIFIED,
                   FollowUp.closed_at >= start, FollowUp.closed_at < end)
            .order_by(FollowUp.id))


def draw_sample(user: User, prop: Property, month: str) -> SampleDraw:
    """Draw the month's share of closed repair work orders at random, once: asking again
    answers the draw already made, so nobody can draw until the sample suits them."""
    existing = db.session.scalar(sa.select(SampleDraw).filter_by(property_id=prop.id, month=month))
    if existing is not None:
        return existing
    start, _end = month_bounds(prop, month)
    if start.date() > utcnow().astimezone(ZoneInfo(prop.timezone)).date():
        raise Problem("sample.month_not_started")
    population = list(db.session.scalars(closed_repairs(prop, month)))
    percent = current_app.config["FOLLOWUP_SAMPLE_PERCENT"]
    size = math.ceil(len(population) * percent / 100)
    chosen = random.SystemRandom().sample(population, size)
    draw = SampleDraw(property_id=prop.id, month=month, share_percent=percent,
                      population=len(population), drawn_by_id=user.id)
    draw.checks = [SampleCheck(follow_up_id=follow_up_id) for follow_up_id in sorted(chosen)]
    db.session.add(draw)
    db.session.flush()
    return draw


def record_check(user: User, draw: SampleDraw, follow_up_id: uuid.UUID, result: str,
                 note: str | None) -> SampleDraw:
    check = next((c for c in draw.checks if c.follow_up_id == follow_up_id), None)
    if check is None:
        raise Problem("not_found")
    check.result = result
    check.note = (note or "").strip() or None
    check.checked_at = utcnow()
    check.checked_by_id = user.id
    db.session.flush()
    return draw


def sample_counts(draw: SampleDraw) -> dict:
    results = Counter(check.result for check in draw.checks)
    return {"sampled": len(draw.checks), "checked": len(draw.checks) - results[None],
            "confirmed": results["confirmed"], "problem": results["problem"]}


def this_month(prop: Property) -> str:
    today: date = utcnow().astimezone(ZoneInfo(prop.timezone)).date()
    return f"{today.year:04d}-{today.month:02d}"
