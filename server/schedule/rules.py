"""Frequency rules: how often each inspection must happen, and what is still due.

A checklist's `frequency` rules (checklists/README.md) are evaluated per property and per
period (day / week / month, in the property's own time zone). The phone's due list and the
supervisor's compliance view both go through `results_for`, so they can never disagree.

Renovations in scope are those active now whose permit started before the period ended: the
register keeps a renovation's current status, not its history, so a renovation finished since
drops out of past periods too (see the compliance notes in README).
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server.core.db import db
from server.inspections.models import Inspection, InspectionStatus
from server.properties.models import Renovation, RenovationStatus, Unit
from server.users.models import PropertyMember, User


@dataclass
class Period:
    kind: str
    start: datetime  # aware, property time zone
    end: datetime

    @property
    def first_day(self) -> date:
        return self.start.date()


@dataclass
class RuleResult:
    """One line of a rule's outcome: a subject (or the whole property) with done / required."""

    subject_type: str
    subject_id: int | None
    subject_label: str
    done: int
    required: int
    candidate_unit_ids: list[int] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return self.done >= self.required


def period_containing(kind: str, moment: datetime, timezone: str) -> Period:
    return period_starting(kind, moment.astimezone(ZoneInfo(timezone)).date(), timezone)


def period_starting(kind: str, day: date, timezone: str) -> Period:
    """The period of ``kind`` that contains the calendar day ``day``."""
    tz = ZoneInfo(timezone)
    if kind == "day":
        first, after = day, day + timedelta(days=1)
    elif kind == "week":
        first = day - timedelta(days=day.weekday())  # weeks start on Monday
        after = first + timedelta(days=7)
    else:
        first = day.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
    return Period(kind, datetime.combine(first, time(), tz), datetime.combine(after, time(), tz))


# A returned record is work still to be corrected: it counts again once resubmitted.
COUNTING_STATUSES = (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED)


@dataclass
class DoneInspection:
    subject_id: int
    completed_at: datetime
    late: bool = False


def fetch_done(code: str, property_id: int, start: datetime, end: datetime,
               rule: dict) -> list[DoneInspection]:
    """Inspections of checklist ``code`` that count for ``rule`` between start and end."""
    columns = [Inspection.subject_id, Inspection.completed_at, Inspection.late]
    condition = rule.get("when")
    if condition:
        columns.append(Inspection.answers)
    query = (sa.select(*columns)
             .where(Inspection.property_id == property_id, Inspection.checklist_code == code,
                    Inspection.completed_at >= start, Inspection.completed_at < end,
                    Inspection.status.in_(COUNTING_STATUSES)))
    if not rule.get("late_counts", True):
        query = query.where(Inspection.late.is_(False))
    performer = rule.get("performed_by")
    if performer == "keeper":
        query = query.where(Inspection.inspector_id.in_(
            sa.select(PropertyMember.user_id).filter_by(property_id=property_id,
                                                        is_key_keeper=True)))
    elif performer in ("supervisor", "patrol"):
        query = query.where(Inspection.inspector_id.in_(
            sa.select(User.id).filter_by(role=performer)))
    rows = db.session.execute(query).all()
    if condition:
        rows = [row for row in rows
                if (row.answers.get(condition["item"]) or {}).get("value") == condition["equals"]]
    return [DoneInspection(row.subject_id, row.completed_at, row.late) for row in rows]


class Population:
    """What a property's rules are counted against, loaded once per property."""

    def __init__(self, property_id: int):
        self.property_id = property_id

    @cached_property
    def renovations(self) -> list[tuple[int, str, date]]:
        rows = db.session.scalars(
            sa.select(Renovation).filter_by(property_id=self.property_id,
                                            status=RenovationStatus.ACTIVE)
            .order_by(Renovation.id)).all()
        return [(r.id, r.unit.label, r.permit_start) for r in rows]

    @cached_property
    def occupied_units(self) -> list[int]:
        return list(db.session.scalars(sa.select(Unit.id).filter_by(
            property_id=self.property_id, is_occupied=True).order_by(Unit.id)))

    @cached_property
    def key_customers(self) -> list[int]:
        return list(db.session.scalars(sa.select(Unit.id).filter_by(
            property_id=self.property_id, is_key_customer=True).order_by(Unit.id)))


def results_for(rule: dict, population: Population, period: Period,
                done: list[DoneInspection]) -> list[RuleResult]:
    """The rule's outcome in ``period``, given the counting inspections of that period."""
    scope = rule["scope"]
    if scope == "renovation":
        counts: dict[int, int] = {}
        for row in done:
            counts[row.subject_id] = counts.get(row.subject_id, 0) + 1
        return [RuleResult("renovation", rid, label, counts.get(rid, 0), rule["min_count"])
                for rid, label, started in population.renovations
                if started < period.end.date()]
    if scope == "property":
        return [RuleResult("property", population.property_id, "", len(done), rule["min_count"])]
    unit_ids = population.key_customers if scope == "key_customer" else population.occupied_units
    in_scope = set(unit_ids)
    visits = [row.subject_id for row in done if row.subject_id in in_scope]
    visited = set(visits)
    done_count = len(visited) if rule.get("distinct") else len(visits)
    if "min_share" in rule:
        required = math.ceil(rule["min_share"] * len(unit_ids))
    else:
        required = min(rule["min_count"], len(unit_ids))
    candidates = [uid for uid in unit_ids if uid not in visited] if rule.get("distinct") else []
    return [RuleResult("unit", None, "", done_count, required, candidates)]


def evaluate_rule(code: str, rule: dict, property_id: int, period: Period,
                  population: Population | None = None) -> list[RuleResult]:
    done = fetch_done(code, property_id, period.start, period.end, rule)
    return results_for(rule, population or Population(property_id), period, done)


def applies_to(rule: dict, user: User, membership: PropertyMember | None) -> bool:
    """Does this rule put work on ``user``'s due list at this property?"""
    performer = rule.get("performed_by")
    if membership is None:
        return False
    if performer == "keeper":
        return membership.is_key_keeper
    if performer in ("supervisor", "patrol"):
        return user.role == performer
    return True


def due_for(user: User, checklists, now: datetime) -> list[dict]:
    """This period's inspections for ``user`` across the properties they serve, done or not."""
    due = []
    for membership in user.memberships:
        prop = membership.property
        population = Population(prop.id)
        for checklist in checklists:
            for rule in checklist.definition["frequency"]:
                if not applies_to(rule, user, membership):
                    continue
                period = period_containing(rule["period"], now, prop.timezone)
                # Entries already met stay on the list (done n/n): the patrol sees the day's
                # work done, and the phone can tell a record it just sent from one still to do.
                for result in evaluate_rule(checklist.code, rule, prop.id, period, population):
                    # A property-wide rule is about the checklist's own subject (the duty post,
                    # the key register), which is identified by the property.
                    subject_type = (checklist.subject if result.subject_type == "property"
                                    else result.subject_type)
                    due.append({
                        "rule_id": rule["id"], "label": rule["label"],
                        "checklist_code": checklist.code, "checklist_version": checklist.version,
                        "property_id": prop.id,
                        "subject": {"type": subject_type, "id": result.subject_id,
                                    "label": result.subject_label},
                        "period": rule["period"], "period_start": period.start.isoformat(),
                        "period_end": period.end.isoformat(), "done": result.done,
                        "required": result.required,
                        # Households to pick from (no repeats in the period), first 50.
                        "candidate_unit_ids": result.candidate_unit_ids[:50],
                    })
    return due
