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
from zoneinfo import ZoneInfo

from server.checklists.operations import latest_versions
from server.core.db import utcnow
from server.core.i18n import translate
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
    the per-person view."""
    now = now or utcnow()
    checklists = checklists if checklists is not None else latest_versions()
    month_start = period_starting("month", first_day, prop.timezone)
    month_over = now >= month_start.end
    population = Population(prop.id, since=month_start.start)
    rules_out = []
    for checklist in checklists:
        outcome = checklist.definition.get("outcome")
        for rule in checklist.definition["frequency"]:
            periods = month_periods(rule["period"], first_day, prop.timezone, now, rule)
            required = done = periods_met = late = due_by_now = 0
            gaps: list[dict] = []
            counted: list = []
            left_out: list = []
            if periods:
                counted, left_out = judge_records(checklist.code, prop.id, periods[0].start,
                                                  periods[-1].end, rule, outcome, with_records)
                times = [r.completed_at for r in counted]
                late = sum(row.late for row in counted)
                for period in periods:
                    in_period = counted[bisect_left(times, period.start):
                                        bisect_left(times, period.end)]
                    earlier = visited_before(checklist.code, prop.id, period, rule, outcome)
                    for row in in_period:
                        if row.subject_id in earlier:
                            row.reason = REPEAT
                    results = results_for(rule, population, period, in_period, earlier)
                    period_met = True
                    for result in results:
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
                                             "done": result.done, "required": result.required})
                    periods_met += period_met
            repeats = [row for row in counted if row.reason == REPEAT]
            left_out = left_out + repeats
            problem = setup_problem(rule, population)
            entry = {
                "checklist_code": checklist.code,
                "checklist_title": {"zh-CN": checklist.title_zh, "en": checklist.title_en},
                "rule_id": rule["id"], "label": rule["label"], "period": rule["period"],
                "performed_by": rule.get("performed_by"), "window": rule.get("window"),
                "required": required, "done": done, "due_by_now": due_by_now,
                "rate": round(done / required, 4) if required else 1.0,
                "met": done >= required and not problem,
                "status": rule_status(required, done, due_by_now, month_over, problem),
                "month_over": month_over,
                "setup_problem": ({"code": problem, "message": translate(problem)}
                                  if problem else None),
                "periods": len(periods), "periods_met": periods_met,
                # Late records among those the rule looked at (a rule may exclude them).
                "late": late,
                "not_counted": _by_reason(left_out, outcome, checklist.definition),
                "gaps": gaps,
            }
            if with_records:
                entry["records"] = [row for row in counted if row.reason is None] + left_out
                entry["rule"] = rule
            rules_out.append(entry)
    return rules_out


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
