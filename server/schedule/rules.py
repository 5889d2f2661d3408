"""Frequency rules: how often each inspection must happen, and what is still due.

A checklist's `frequency` rules (checklists/README.md) are evaluated per property and per
period (day / week / month, in the property's own time zone). The phone's due list and the
supervisor's compliance view both go through `judge_records` and `results_for`, so they can
never disagree.

A record counts toward a rule only if it was done by the rule's people (`performed_by`),
inside its time window (a night check at 10:00 is recorded, not counted), with an outcome the
rule accepts (未遇 does not make a home visit), and, for household rules with a cycle, on a
household not already visited within the cycle. Records left out are kept with the reason, so
compliance can list them instead of silently ignoring them.

Renovations are counted in the periods they were active (`Renovation.active_during`), so a
renovation completed mid-month still owed its daily patrols before that day.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, partial
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server.checklists.operations import latest_versions
from server.core.db import db, today_in
from server.inspections.models import Inspection, InspectionStatus
from server.properties.models import Renovation, RenovationStatus, Unit
from server.users.models import ROSTER_ROLES, PropertyMember, User
from server.users.staff import staff_of

from . import kept
from .generations import EVERY_PROPERTY, marks, scope_of


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

# Why a record was left out of a rule (compliance lists them; the PWA names each reason).
NOT_PERFORMER, OUTSIDE_WINDOW, OUTCOME, LATE, REPEAT = (
    "performer", "window", "outcome", "late", "repeat")


@dataclass
class DoneInspection:
    subject_id: int
    completed_at: datetime
    late: bool = False
    inspector_id: int | None = None
    record_id: str | None = None
    # The answer of the checklist's outcome item when it is not the work done (未遇, 停工).
    outcome: str | None = None
    # Why it does not count, or None when it does.
    reason: str | None = None


def in_window(moment: datetime, window: dict) -> bool:
    """Is the local time of ``moment`` inside ``window`` (which may span midnight)?"""
    start = time.fromisoformat(window["from"])
    end = time.fromisoformat(window["to"])
    clock = moment.time()
    return start <= clock < end if start < end else (clock >= start or clock < end)


def judge_records(code: str, property_id: int, start: datetime, end: datetime, rule: dict,
                  outcome: dict | None = None, with_ids: bool = False,
                  ) -> tuple[list[DoneInspection], list[DoneInspection]]:
    """Records of checklist ``code`` between start and end (aware, property time zone), split
    into those that count for ``rule`` and those that do not (each with its reason).

    Records that do not match the rule's `when` (a night check without a drill, for the drill
    rule) are about something else and are in neither list.
    """
    condition = rule.get("when")
    # Only the two answers the rule reads are taken out of the JSON, in the database: loading
    # whole answers (a key audit's rows, a visit's notes) would cost more than the counting.
    columns = [Inspection.id if with_ids else sa.null().label("id"), Inspection.subject_id,
               Inspection.completed_at, Inspection.late, Inspection.inspector_id, User.role,
               _answer_value(condition["item"] if condition else None).label("when_value"),
               _answer_value(outcome["item"] if outcome else None).label("outcome_value")]
    rows = db.session.execute(
        sa.select(*columns).join(User, User.id == Inspection.inspector_id)
        .where(Inspection.property_id == property_id, Inspection.checklist_code == code,
               Inspection.completed_at >= start, Inspection.completed_at < end,
               Inspection.status.in_(COUNTING_STATUSES))
        .order_by(Inspection.completed_at, Inspection.id)).all()
    performer = rule.get("performed_by")
    keepers = set(db.session.scalars(sa.select(PropertyMember.user_id).filter_by(
        property_id=property_id, is_key_keeper=True))) if performer == "keeper" else set()
    window = rule.get("window")
    zone = start.tzinfo
    accepted = set(rule.get("counts_outcomes", []))
    counted, left_out = [], []
    for row in rows:
        if condition and row.when_value != condition["equals"]:
            continue
        record = DoneInspection(row.subject_id, row.completed_at, row.late, row.inspector_id,
                                str(row.id) if with_ids else None)
        # Records of a version without the outcome item were all of the work done.
        if outcome and row.outcome_value is not None and row.outcome_value != outcome["done"]:
            record.outcome = row.outcome_value
        if (performer == "keeper" and row.inspector_id not in keepers) or (
                performer in ("supervisor", "patrol") and row.role != performer):
            record.reason = NOT_PERFORMER
        elif window and not in_window(row.completed_at.astimezone(zone), window):
            record.reason = OUTSIDE_WINDOW
        elif record.outcome is not None and record.outcome not in accepted:
            record.reason = OUTCOME
        elif row.late and not rule.get("late_counts", True):
            record.reason = LATE
        (left_out if record.reason else counted).append(record)
    return counted, left_out


def _answer_value(item: str | None):
    """The ``value`` of answer ``item`` as text (NULL when unanswered), or a NULL column."""
    if item is None:
        return sa.null()
    return Inspection.answers[item]["value"].as_string()


def fetch_done(code: str, property_id: int, start: datetime, end: datetime,
               rule: dict, outcome: dict | None = None) -> list[DoneInspection]:
    """Inspections of checklist ``code`` that count for ``rule`` between start and end."""
    return judge_records(code, property_id, start, end, rule, outcome)[0]


def months_before(moment: datetime, months: int) -> datetime:
    """The same local day ``months`` earlier (clamped to the month's end), at the same time."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    next_first = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last_day = (next_first - timedelta(days=1)).day
    return moment.replace(year=year, month=month + 1, day=min(moment.day, last_day))


def visited_before(code: str, property_id: int, period: "Period", rule: dict,
                   outcome: dict | None = None) -> set[int]:
    """Households that counted for ``rule`` within its cycle before ``period`` began: they do
    not count again ("户数不重复", across months, not only within one)."""
    months = rule.get("cycle_months")
    if not months or months == 1:
        return set()
    # The cycle is the N months ending with this period's month: the N-1 months before it.
    start = months_before(period.start, months - 1)
    if rule.get("window"):  # hours are judged in the property's zone, in Python
        return {row.subject_id for row in fetch_done(code, property_id, start, period.start,
                                                     rule, outcome)}
    # A year of visits: asked as distinct households, with the same conditions in SQL.
    query = (sa.select(Inspection.subject_id).distinct()
             .join(User, User.id == Inspection.inspector_id)
             .where(Inspection.property_id == property_id, Inspection.checklist_code == code,
                    Inspection.completed_at >= start, Inspection.completed_at < period.start,
                    Inspection.status.in_(COUNTING_STATUSES)))
    performer = rule.get("performed_by")
    if performer == "keeper":
        query = query.where(Inspection.inspector_id.in_(sa.select(PropertyMember.user_id)
                                                        .filter_by(property_id=property_id,
                                                                   is_key_keeper=True)))
    elif performer in ("supervisor", "patrol"):
        query = query.where(User.role == performer)
    if rule.get("when"):
        query = query.where(_answer_value(rule["when"]["item"]) == rule["when"]["equals"])
    if outcome:
        value = _answer_value(outcome["item"])
        query = query.where(value.is_(None) | value.in_(
            [outcome["done"], *rule.get("counts_outcomes", [])]))
    if not rule.get("late_counts", True):
        query = query.where(Inspection.late.is_(False))
    return set(db.session.scalars(query))


class Population:
    """What a property's rules are counted against, loaded once per property.

    ``since``: renovations that stopped being active before this moment are not loaded.
    """

    def __init__(self, property_id: int, since: datetime | None = None):
        self.property_id = property_id
        self.since = since

    @cached_property
    def all_renovations(self) -> list[Renovation]:
        ended = Renovation.active_until.is_not(None)
        if self.since is not None:
            ended = ended & (Renovation.active_until > self.since)
        return list(db.session.scalars(
            sa.select(Renovation).where(Renovation.property_id == self.property_id,
                                        (Renovation.status == RenovationStatus.ACTIVE) | ended)
            .order_by(Renovation.id)))

    def renovations(self, period: "Period") -> list[Renovation]:
        return [r for r in self.all_renovations if r.active_during(period.start, period.end)]

    @cached_property
    def occupied_units(self) -> list[int]:
        return list(db.session.scalars(sa.select(Unit.id).filter_by(
            property_id=self.property_id, is_occupied=True).order_by(Unit.id)))

    @cached_property
    def key_customers(self) -> list[int]:
        return list(db.session.scalars(sa.select(Unit.id).filter_by(
            property_id=self.property_id, is_key_customer=True).order_by(Unit.id)))

    @cached_property
    def staff(self) -> list[tuple[int, str]]:
        return [(user.id, user.display_name) for user in staff_of(self.property_id)]

    @cached_property
    def members(self) -> list[tuple[User, PropertyMember]]:
        rows = db.session.execute(
            sa.select(User, PropertyMember).join(PropertyMember,
                                                 PropertyMember.user_id == User.id)
            .where(PropertyMember.property_id == self.property_id, User.is_active.is_(True))
            .order_by(User.display_name, User.id)).all()
        return [(user, member) for user, member in rows]

    def performers(self, rule: dict) -> list[User]:
        """The people at this property whose work the rule is."""
        return [user for user, member in self.members if applies_to(rule, user, member)]


# Set-up problems: a rule nobody can meet shows as such, never as a silent 0%.
SETUP_NO_PERFORMER = {"keeper": "compliance.setup.no_keeper",
                      "supervisor": "compliance.setup.no_supervisor",
                      "patrol": "compliance.setup.no_patrol"}


def setup_problem(rule: dict, population: Population) -> str | None:
    performer = rule.get("performed_by")
    if performer and not population.performers(rule):
        return SETUP_NO_PERFORMER[performer]
    scope = rule["scope"]
    if scope == "staff" and not population.staff:
        return "compliance.setup.no_staff"
    if scope == "key_customer" and not population.key_customers:
        return "compliance.setup.no_key_customers"
    if scope == "unit" and not population.occupied_units:
        return "compliance.setup.no_units"
    return None


def rule_applies_on(rule: dict, period: Period) -> bool:
    """Day rules with `weekdays` (e.g. working days only) ask nothing on the other days."""
    days = rule.get("weekdays")
    return not days or period.kind != "day" or period.first_day.isoweekday() in days


def results_for(rule: dict, population: Population, period: Period,
                done: list[DoneInspection],
                visited_earlier: set[int] | frozenset = frozenset()) -> list[RuleResult]:
    """The rule's outcome in ``period``, given the counting inspections of that period and,
    for a household rule with a cycle, the households already visited within it."""
    scope = rule["scope"]
    if scope in ("renovation", "staff"):
        counts: dict[int, int] = {}
        for row in done:
            counts[row.subject_id] = counts.get(row.subject_id, 0) + 1
        subjects = ([(r.id, r.unit.label) for r in population.renovations(period)]
                    if scope == "renovation" else population.staff)
        return [RuleResult(scope, sid, label, counts.get(sid, 0), rule["min_count"])
                for sid, label in subjects]
    if scope == "property":
        return [RuleResult("property", population.property_id, "", len(done), rule["min_count"])]
    unit_ids = population.key_customers if scope == "key_customer" else population.occupied_units
    in_scope = set(unit_ids)
    visits = [row.subject_id for row in done
              if row.subject_id in in_scope and row.subject_id not in visited_earlier]
    visited = set(visits)
    done_count = len(visited) if rule.get("distinct") else len(visits)
    if "min_share" in rule:
        required = math.ceil(rule["min_share"] * len(unit_ids))
    else:
        required = min(rule["min_count"], len(unit_ids))
    candidates = []
    if rule.get("distinct"):
        # Households not yet visited in the cycle, key customers first.
        open_ids = [uid for uid in unit_ids if uid not in visited and uid not in visited_earlier]
        key = set(population.key_customers)
        candidates = [uid for uid in open_ids if uid in key] + [
            uid for uid in open_ids if uid not in key]
    return [RuleResult("unit", None, "", done_count, required, candidates)]


def evaluate_rule(code: str, rule: dict, property_id: int, period: Period,
                  population: Population | None = None,
                  outcome: dict | None = None) -> list[RuleResult]:
    done = fetch_done(code, property_id, period.start, period.end, rule, outcome)
    earlier = visited_before(code, property_id, period, rule, outcome)
    return results_for(rule, population or Population(property_id), period, done, earlier)


def applies_to(rule: dict, user: User, membership: PropertyMember | None) -> bool:
    """Does this rule put work on ``user``'s due list at this property?"""
    performer = rule.get("performed_by")
    if membership is None:
        return False
    if performer == "keeper":
        return membership.is_key_keeper
    if performer in ("supervisor", "patrol"):
        return user.role == performer
    # A rule for anyone is the field staff's and the supervisors' work, not the manager's.
    return user.role in ROSTER_ROLES


def newest_checklists() -> list:
    """The newest published version of each checklist (`latest_versions`), kept under the mark
    of all properties, which every publication renews: every pull counts against them, and
    their definitions are the largest JSON the database hands back.

    The rows are detached from the session, so that a commit does not expire them; a published
    version is never changed, only followed by a newer one.
    """
    def load():
        rows = latest_versions()
        for row in rows:
            db.session.expunge(row)
        return rows

    current = marks(())
    if current is None:
        return latest_versions()
    return kept.results.get(("checklists", current[EVERY_PROPERTY]), load)


def due_for(user: User, checklists, now: datetime) -> list[dict]:
    """This period's inspections for ``user`` across the properties they serve, done or not:
    only the rules that are this person's work (`performed_by`).

    A rule's outcome at a property is the same for everyone whose work it is, and changes only
    with a write the rules count (its property's mark) or with the property's day; it is kept
    under both, so a pull where nothing changed asks the database for the marks alone.
    """
    due = []
    current = marks([membership.property_id for membership in user.memberships])
    for membership in user.memberships:
        prop = membership.property
        today = today_in(prop.timezone, now)
        # Renovations that ended before yesterday began count in no period a due list shows
        # (renovation rules are daily). Bounded by the day, not the moment, so that everything
        # computed here is the same all day long until a write changes it.
        population = Population(prop.id, since=datetime.combine(
            today - timedelta(days=1), time(), ZoneInfo(prop.timezone)))
        for checklist in checklists:
            outcome = checklist.definition.get("outcome")
            for rule in checklist.definition["frequency"]:
                if not applies_to(rule, user, membership):
                    continue
                period = period_containing(rule["period"], now, prop.timezone)
                if not rule_applies_on(rule, period):
                    continue
                evaluate = partial(evaluate_rule, checklist.code, rule, prop.id, period,
                                   population, outcome)
                if current is None:
                    results = evaluate()
                else:
                    results = kept.results.get(
                        ("due", prop.id, current[scope_of(prop.id)], current[EVERY_PROPERTY],
                         today, checklist.id, rule["id"]), evaluate)
                # Entries already met stay on the list (done n/n): the patrol sees the day's
                # work done, and the phone can tell a record it just sent from one still to do.
                for result in results:
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
                        "required": result.required, "window": rule.get("window"),
                        # Households to pick from (not yet visited in the cycle, key customers
                        # first), first 50.
                        "candidate_unit_ids": result.candidate_unit_ids[:50],
                    })
    return due
