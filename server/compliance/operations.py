"""Compliance: did every required inspection happen as often as the standard demands?

For one month and each property, every frequency rule of every checklist is evaluated over
the periods of that month (each day, each week starting in it, or the month) with the same
`server.schedule.rules` functions the phones' due lists use. A period's surplus never covers
another period's gap: three patrols on Monday do not make up for none on Tuesday.

While the month is running, a rule is read against what was due by now: a period not yet over
asks for its share of the way (two night checks a month are not late on the 10th), so the
month reads "on track" or "behind", never "missed", before it ends. A rule nobody at the
property can perform (no key keeper, no supervisor assigned) is a set-up problem, shown as
such instead of 0%. Records left out of a rule (done by the wrong person, outside the time
window, 未遇) are counted by reason, so the supervisor sees why they did not count.
"""

import math
from bisect import bisect_left
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server.checklists.operations import latest_versions
from server.core.db import db, today_in, utcnow
from server.core.i18n import translate
from server.inspections.models import Inspection
from server.schedule import kept
from server.schedule.generations import EVERY_PROPERTY, marks, scope_of
from server.schedule.rules import (
    REPEAT,
    Population,
    judge_records,
    period_starting,
    results_for,
    rule_applies_on,
    setup_problem,
    visited_before,
)

MAX_GAPS = 50


class Status:
    MET = "met"            # everything required (so far) is done
    ON_TRACK = "on_track"  # month running: at least what was due by now is done
    BEHIND = "behind"      # month running: less than what was due by now
    MISSED = "missed"      # month over, not met
    SETUP = "setup"        # nobody at the property can perform the rule


def month_periods(kind: str, first_day: date, timezone: str, now: datetime, rule=None):
    """The periods of ``kind`` that belong to the month starting ``first_day`` and have begun
    (and, for a day rule limited to some weekdays, fall on one of them)."""
    next_month = (first_day + timedelta(days=32)).replace(day=1)
    local_now = now.astimezone(ZoneInfo(timezone))
    if kind == "month":
        candidates = [period_starting("month", first_day, timezone)]
    elif kind == "week":
        # A week belongs to the month its Monday falls in.
        monday = first_day + timedelta(days=(7 - first_day.weekday()) % 7)
        candidates = []
        while monday < next_month:
            candidates.append(period_starting("week", monday, timezone))
            monday += timedelta(days=7)
    else:
        candidates = [period_starting("day", first_day + timedelta(days=n), timezone)
                      for n in range((next_month - first_day).days)]
    return [period for period in candidates if period.start <= local_now
            and (rule is None or rule_applies_on(rule, period))]


def expected_by(required: int, period, now: datetime) -> int:
    """How much of a period's requirement was due by ``now``: all of it once it is over, its
    share of the elapsed time (rounded down) while it runs."""
    if now >= period.end:
        return required
    elapsed = (now - period.start) / (period.end - period.start)
    return math.floor(required * max(0.0, elapsed))


def rule_status(required: int, done: int, due_by_now: int, month_over: bool,
                problem: str | None) -> str:
    if problem:
        return Status.SETUP
    if done >= required:
        return Status.MET
    if month_over:
        return Status.MISSED
    return Status.ON_TRACK if done >= due_by_now else Status.BEHIND


def evaluate_property(prop, first_day: date, checklists=None, now=None,
                      with_records: bool = False) -> list[dict]:
    """Each rule's outcome at ``prop`` in the month starting ``first_day``. With
    ``with_records``, each rule also carries every record it looked at (counted or not), for
    the per-person view.

    What was done in each period that has begun depends only on the records and registers (the
    property's mark, `server.schedule.generations`) and on the property's day; it is kept under
    both. What was due by now, and the status, are worked out from it on every call.
    """
    now = now or utcnow()
    checklists = checklists if checklists is not None else latest_versions()
    month_start = period_starting("month", first_day, prop.timezone)
    month_over = now >= month_start.end
    current = None if with_records else marks([prop.id])
    if current is None:
        facts = _month_facts(prop, first_day, checklists, now, with_records)
    else:
        # Which periods have begun changes with the day only, and not at all once it is over.
        day = min(today_in(prop.timezone, now), month_start.end.date())
        facts = kept.results.get(
            ("compliance", prop.id, current[scope_of(prop.id)], current[EVERY_PROPERTY],
             first_day, day, tuple(checklist.id for checklist in checklists)),
            partial(_month_facts, prop, first_day, checklists, now, False))
    return [_rule_outcome(fact, now, month_over, with_records) for fact in facts]


def _month_facts(prop, first_day: date, checklists, now: datetime,
                 with_records: bool) -> list[dict]:
    """Per rule: what each period of the month begun by ``now`` holds, and the records left out.
    Nothing here depends on the time of day (see evaluate_property); nothing is changed by it
    later, as it may be kept and served to others."""
    month_start = period_starting("month", first_day, prop.timezone)
    population = Population(prop.id, since=month_start.start)
    facts = []
    for checklist in checklists:
        outcome = checklist.definition.get("outcome")
        for rule in checklist.definition["frequency"]:
            periods = month_periods(rule["period"], first_day, prop.timezone, now, rule)
            counted: list = []
            left_out: list = []
            in_periods = []
            if periods:
                counted, left_out = judge_records(checklist.code, prop.id, periods[0].start,
                                                  periods[-1].end, rule, outcome, with_records)
                times = [r.completed_at for r in counted]
                for period in periods:
                    in_period = counted[bisect_left(times, period.start):
                                        bisect_left(times, period.end)]
                    earlier = visited_before(checklist.code, prop.id, period, rule, outcome)
                    for row in in_period:
                        if row.subject_id in earlier:
                            row.reason = REPEAT
                    in_periods.append((period, tuple(
                        results_for(rule, population, period, in_period, earlier))))
            repeats = [row for row in counted if row.reason == REPEAT]
            left_out = left_out + repeats
            fact = {
                # Plain values, not the row: a kept fact outlives the session that loaded it.
                "checklist_code": checklist.code,
                "checklist_title": {"zh-CN": checklist.title_zh, "en": checklist.title_en},
                "rule": rule, "periods": tuple(in_periods),
                # Late records among those the rule looked at (a rule may exclude them).
                "late": sum(row.late for row in counted),
                "not_counted": _by_reason(left_out, outcome, checklist.definition),
                "setup_problem": setup_problem(rule, population),
                "first_day": first_day, "timezone": prop.timezone,
            }
            if with_records:
                fact["records"] = [row for row in counted if row.reason is None] + left_out
            facts.append(fact)
    return facts


def _rule_outcome(fact: dict, now: datetime, month_over: bool, with_records: bool) -> dict:
    """One rule's line of the month at ``now``, from its facts (which it leaves as they are)."""
    rule, problem = fact["rule"], fact["setup_problem"]
    required = done = periods_met = due_by_now = 0
    gaps: list[dict] = []
    days: dict[date, str] = {}
    for period, results in fact["periods"]:
        period_met, period_required = True, 0
        for result in results:
            period_required += result.required
            required += result.required
            done += min(result.done, result.required)
            due_by_now += expected_by(result.required, period, now)
            if not result.met:
                period_met = False
                if now >= period.end and len(gaps) < MAX_GAPS:
                    gaps.append({"period_start": period.start.isoformat(),
                                 "period_end": period.end.isoformat(),
                                 "subject": {"type": result.subject_type,
                                             "id": result.subject_id,
                                             "label": result.subject_label},
                                 "done": result.done, "required": result.required,
                                 **_local_days(period)})
        periods_met += period_met
        if rule["period"] == "day":
            days[period.start.date()] = (
                DayState.NOT_DUE if not period_required  # nothing to inspect
                else DayState.DONE if period_met
                else DayState.MISSED if now >= period.end else DayState.OPEN)
    entry = {
        "checklist_code": fact["checklist_code"],
        "checklist_title": dict(fact["checklist_title"]),
        "rule_id": rule["id"], "label": rule["label"], "period": rule["period"],
        "performed_by": rule.get("performed_by"), "window": rule.get("window"),
        "required": required, "done": done, "due_by_now": due_by_now,
        "rate": round(done / required, 4) if required else 1.0,
        "met": done >= required and not problem,
        "status": rule_status(required, done, due_by_now, month_over, problem),
        "month_over": month_over,
        "setup_problem": ({"code": problem, "message": translate(problem)}
                          if problem else None),
        "periods": len(fact["periods"]), "periods_met": periods_met,
        "late": fact["late"],
        "not_counted": [dict(line) for line in fact["not_counted"]],
        "gaps": gaps,
        "days": (_calendar(fact["first_day"], days, rule, fact["timezone"])
                 if rule["period"] == "day" else None),
    }
    if with_records:
        entry["records"] = fact["records"]
        entry["rule"] = rule
    return entry


class DayState:
    """A day of a daily rule, as the calendar shows it."""
    DONE = "done"          # every inspection the day asked for was done
    MISSED = "missed"      # the day is over and something was not done
    OPEN = "open"          # today, not (yet) done
    UPCOMING = "upcoming"  # later this month
    NOT_DUE = "not_due"    # the rule does not ask for anything that day (weekday rules)


def _local_days(period) -> dict:
    """A period as the property's calendar days, first and last (inclusive), for people."""
    return {"first_day": period.start.date().isoformat(),
            "last_day": (period.end - timedelta(days=1)).date().isoformat()}


def _calendar(first_day: date, states: dict[date, str], rule: dict, timezone: str) -> list[dict]:
    """Every day of the month with its state: the periods evaluated, the days to come."""
    next_month = (first_day + timedelta(days=32)).replace(day=1)
    result = []
    day = first_day
    while day < next_month:
        state = states.get(day)
        if state is None:
            started = period_starting("day", day, timezone)
            state = (DayState.UPCOMING if rule_applies_on(rule, started) else DayState.NOT_DUE)
        result.append({"date": day.isoformat(), "state": state})
        day += timedelta(days=1)
    return result


def _by_reason(rows, outcome: dict | None, definition: dict) -> list[dict]:
    """Records left out, counted by reason (and by outcome: 未遇 3, not one line per record)."""
    labels = _outcome_labels(outcome, definition)
    counts: dict[tuple[str, str | None], int] = {}
    for row in rows:
        key = (row.reason, row.outcome if row.reason == "outcome" else None)
        counts[key] = counts.get(key, 0) + 1
    return [{"reason": reason, "outcome": value, "outcome_label": labels.get(value),
             "count": count} for (reason, value), count in sorted(
                 counts.items(), key=lambda item: (item[0][0], item[0][1] or ""))]


def _outcome_labels(outcome: dict | None, definition: dict) -> dict:
    if not outcome:
        return {}
    for section in definition["sections"]:
        for item in section["items"]:
            if item["id"] == outcome["item"]:
                return {option["value"]: option["label"] for option in item["options"]}
    return {}


def people_view(prop, first_day: date, checklists=None, now=None,
                rules: list[dict] | None = None) -> list[dict]:
    """For one month, what each person at ``prop`` did against what was theirs to do: every
    rule that is their work, with the records of theirs that counted and those that did not.
    ``rules``: the month's `evaluate_property(..., with_records=True)`, when the caller has it."""
    now = now or utcnow()
    if rules is None:
        rules = evaluate_property(prop, first_day, checklists, now, with_records=True)
    population = Population(prop.id)
    people = []
    for user, _member in population.members:
        lines = []
        for rule in rules:
            mine = [row for row in rule["records"] if row.inspector_id == user.id]
            performers = population.performers(rule["rule"])
            theirs = any(person.id == user.id for person in performers)
            if not theirs and not mine:
                continue
            lines.append({
                "checklist_code": rule["checklist_code"],
                "checklist_title": rule["checklist_title"], "rule_id": rule["rule_id"],
                "label": rule["label"], "theirs": theirs,
                # Shared with the others whose work it also is (two supervisors, one rule).
                "shared_with": max(0, len(performers) - 1) if theirs else 0,
                "required": rule["required"] if theirs else 0,
                "rule_done": rule["done"], "status": rule["status"],
                "done": sum(1 for row in mine if row.reason is None),
                "not_counted": [{"reason": row.reason, "outcome": row.outcome,
                                 "completed_at": row.completed_at.isoformat(),
                                 "record_id": row.record_id}
                                for row in mine if row.reason is not None],
            })
        people.append({"user": {"id": user.id, "display_name": user.display_name,
                                "role": user.role}, "rules": lines})
    return people


def trend_points(properties, months: int, now=None) -> list[dict]:
    """Monthly compliance per property and checklist for the last ``months`` months, oldest
    first. The running month is pro-rated (done against what was due by now), so it does not
    read as a failure on the 3rd; a month before the property's first record has no rate
    (nothing was recorded with this system yet: no bar, rather than a 0% one)."""
    now = now or utcnow()
    checklists = latest_versions()
    points = []
    for prop in properties:
        this_month = now.astimezone(ZoneInfo(prop.timezone)).date().replace(day=1)
        first_month = _first_record_month(prop)
        month_list = [this_month]
        while len(month_list) < months:
            month_list.insert(0, (month_list[0] - timedelta(days=1)).replace(day=1))
        for month in month_list:
            totals: dict[str, dict] = {}
            for rule in evaluate_property(prop, month, checklists, now):
                if rule["setup_problem"]:
                    continue  # shown as what to set up in the table, not as a 0% month here
                entry = totals.setdefault(rule["checklist_code"], {
                    "title": rule["checklist_title"], "required": 0, "done": 0})
                running = not rule["month_over"]
                entry["required"] += rule["due_by_now"] if running else rule["required"]
                entry["done"] += rule["done"]
                entry["pro_rated"] = running
            for code, entry in totals.items():
                required, done = entry["required"], entry["done"]
                no_data = first_month is None or month < first_month
                rate = None if no_data else (min(1.0, round(done / required, 4)) if required else 1.0)
                points.append({"month": month.strftime("%Y-%m"), "property_id": prop.id,
                               "checklist_code": code, "checklist_title": entry["title"],
                               "required": required, "done": done, "rate": rate,
                               "pro_rated": entry["pro_rated"]})
    return points


def _first_record_month(prop) -> date | None:
    first = db.session.scalar(sa.select(sa.func.min(Inspection.completed_at))
                              .where(Inspection.property_id == prop.id))
    if first is None:
        return None
    if first.tzinfo is None:  # SQLite hands back naive UTC
        first = first.replace(tzinfo=ZoneInfo("UTC"))
    return first.astimezone(ZoneInfo(prop.timezone)).date().replace(day=1)
