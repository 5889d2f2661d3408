"""The supervisor's monthly report (月报): one month of a property's figures, computed on demand.

Seed 000 asks the 客服主管 to watch the frequencies (each rule: required, done, late, by whom),
the home visits (走访比例8%，户数不重复; 走访月报 for the satisfaction figures), the callbacks
(回访率100%), the work orders and their three-day contacts, the emergency drills (每月1次) and
the night checks (每月不少于两次), to look through the work records (records returned), and to
assess the staff (a per-person table). Nothing here counts anything a second way: the rules come
from `compliance.operations.evaluate_property`, callbacks and work orders from
`followups.reports`, a record's score from `checklists.items.record_score`.

The result is a plain dict of JSON values (numbers, text, lists): the screen, the spreadsheet
and the PDF print the same figures, and the PDF's verification code is computed over exactly
this dict.
"""

import uuid
from collections import Counter, defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server.checklists.items import record_score
from server.checklists.models import ChecklistVersion
from server.checklists.operations import latest_versions
from server.compliance.operations import evaluate_property, month_periods, people_view
from server.core.db import db, utcnow
from server.followups.models import Satisfaction
from server.followups.reports import KINDS, callback_figures, month_bounds, work_order_figures
from server.inspections.models import Inspection
from server.inspections.seal import seal_hash
from server.reviews.models import ReviewAction, ReviewEvent
from server.schedule.rules import COUNTING_STATUSES, REPEAT, Population
from server.users.models import User

REPORT_FORMAT = "xuncha-monthly-report"
REPORT_FORMAT_VERSION = 1

HOME_VISIT, NIGHT_CHECK = "home_visit", "night_check"
VISIT_SHARE_RULE, KEY_CUSTOMER_RULE = "monthly_share", "key_customers_monthly"
NIGHT_RULE, DRILL_RULE = "twice_monthly", "monthly_drill"
SATISFACTION_ITEM, DRILL_SCENARIO_ITEM = "satisfaction", "drill_scenario"
CONTENT = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)


def rate(part: int, whole: int) -> float | None:
    """part / whole to four places; None (shown as "—") when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def monthly_report(properties: list, first_day: date, now: datetime | None = None) -> dict:
    """The report of ``properties`` for the month starting ``first_day``: one section per
    property and, for several, the totals."""
    now = now or utcnow()
    checklists = latest_versions()
    sections = [_property_section(prop, first_day, checklists, now) for prop in properties]
    scores = [section.pop("_scores") for section in sections]
    return {
        "format": REPORT_FORMAT, "format_version": REPORT_FORMAT_VERSION,
        "month": first_day.strftime("%Y-%m"),
        "generated_at": now.astimezone(ZoneInfo(properties[0].timezone)).isoformat(
            timespec="seconds") if properties else now.isoformat(timespec="seconds"),
        "month_over": all(section["month_over"] for section in sections),
        "properties": sections,
        "totals": _totals(sections, scores) if len(sections) > 1 else None,
    }


def covered(report: dict) -> dict:
    """The figures the verification code covers: everything but the moment it was generated,
    so a finished month's report has the same code however often it is asked for."""
    return {key: value for key, value in report.items() if key != "generated_at"}


def verification_code(report: dict) -> str:
    """SHA-256 of the RFC 8785 canonical JSON of the covered figures: what the PDF prints,
    and what scripts/verify_seal.py recomputes from the JSON embedded in the PDF."""
    return seal_hash(covered(report))


# ---------------------------------------------------------------------------- one property

def _property_section(prop, first_day: date, checklists, now: datetime) -> dict:
    month = first_day.strftime("%Y-%m")
    start, end = month_bounds(prop, month)
    rules = evaluate_property(prop, first_day, checklists, now, with_records=True)
    records = db.session.execute(
        sa.select(Inspection.id, Inspection.checklist_code, Inspection.inspector_id,
                  Inspection.status, Inspection.late, Inspection.answers,
                  Inspection.checklist_version_id)
        .where(Inspection.property_id == prop.id, Inspection.completed_at >= start,
               Inspection.completed_at < end)
        .order_by(Inspection.completed_at, Inspection.id)).all()
    returns = db.session.execute(
        sa.select(ReviewEvent.inspection_id, Inspection.inspector_id)
        .join(Inspection, Inspection.id == ReviewEvent.inspection_id)
        .where(Inspection.property_id == prop.id, ReviewEvent.action == ReviewAction.RETURN,
               ReviewEvent.created_at >= start, ReviewEvent.created_at < end)).all()
    definitions = _definitions({row.checklist_version_id for row in records})
    work = work_order_figures(prop, month, now)
    names = _names({row.inspector_id for row in records}
                   | {row.inspector_id for row in returns} | set(work["assignees"]))
    scores = _scores(records, definitions)
    by_rule = {(rule["checklist_code"], rule["rule_id"]): rule for rule in rules}
    population = Population(prop.id)
    credit = {(rule["checklist_code"], rule["rule_id"]): _credited(
        rule, population, month_periods(rule["period"], first_day, prop.timezone, now, rule["rule"]))
        for rule in rules}
    section = {
        "property": {"id": prop.id, "code": prop.code, "name": prop.name,
                     "name_en": prop.name_en},
        "month_over": now >= end,
        "rules": [_rule_line(rule, credit[(rule["checklist_code"], rule["rule_id"])], names)
                  for rule in rules],
        "home_visits": _home_visits(population, by_rule),
        "satisfaction": _satisfaction(prop, month, records),
        "work_orders": {kind: work["kinds"][kind] for kind in KINDS},
        "escalations": {reason: work["escalations"].get(reason, 0)
                        for reason in ("told_pm", "group_risk", "overdue")},
        "night_checks": _occasions(by_rule.get((NIGHT_CHECK, NIGHT_RULE)), names, prop),
        "drills": _occasions(by_rule.get((NIGHT_CHECK, DRILL_RULE)), names, prop,
                             with_scenario=True),
        "records": {"completed": len(records),
                    "late": sum(1 for row in records if row.late),
                    "returned": len(returns),
                    "returned_records": len({row.inspection_id for row in returns})},
        "scores": _score_lines(scores, checklists),
        "people": _people(prop, first_day, checklists, now, rules, records, returns, scores,
                          work["assignees"], names, population, credit),
        "_scores": scores,
    }
    return section


def _definitions(version_ids: set[int]) -> dict[int, dict]:
    if not version_ids:
        return {}
    return dict(db.session.execute(sa.select(ChecklistVersion.id, ChecklistVersion.definition)
                                   .where(ChecklistVersion.id.in_(version_ids))).all())


def _names(user_ids: set[int]) -> dict[int, dict]:
    if not user_ids:
        return {}
    return {user.id: {"name": user.display_name, "role": user.role}
            for user in db.session.scalars(sa.select(User).where(User.id.in_(user_ids)))}


def _credited(rule: dict, population: Population, periods: list) -> list:
    """The records that earned the rule its ``done``, counted the way
    `schedule.rules.results_for` counts: per period, per subject in scope that period (an
    active renovation, a staff member, the property), at most the rule's count each; for
    households, the first visit to each household in scope, up to the number required."""
    spec = rule["rule"]
    rows = sorted((row for row in rule["records"] if row.reason is None),
                  key=lambda row: row.completed_at)
    scope = spec["scope"]
    if scope in ("unit", "key_customer"):
        allowed = set(population.key_customers if scope == "key_customer"
                      else population.occupied_units)
        seen: set[int] = set()
        first_visits = []
        for row in rows:
            if row.subject_id in allowed and (not spec.get("distinct") or row.subject_id not in seen):
                seen.add(row.subject_id)
                first_visits.append(row)
        return first_visits[:rule["required"]]
    credited = []
    for period in periods:
        if scope == "renovation":
            subjects = {renovation.id for renovation in population.renovations(period)}
        elif scope == "staff":
            subjects = {staff_id for staff_id, _name in population.staff}
        else:
            subjects = None  # the property itself
        per_subject: Counter = Counter()
        for row in rows:
            if not period.start <= row.completed_at < period.end:
                continue
            key = row.subject_id if subjects is not None else None
            if (subjects is None or key in subjects) and per_subject[key] < spec["min_count"]:
                per_subject[key] += 1
                credited.append(row)
    return credited


def _rule_line(rule: dict, credited: list, names: dict) -> dict:
    """A rule's required / done / late and, by person, the records that earned it credit (they
    add up to ``done``)."""
    counted = Counter(row.inspector_id for row in credited)
    for user_id in counted:
        names.setdefault(user_id, _names({user_id}).get(user_id, {"name": "", "role": ""}))
    return {
        "checklist_code": rule["checklist_code"], "checklist_title": rule["checklist_title"],
        "rule_id": rule["rule_id"], "label": rule["label"], "period": rule["period"],
        "required": rule["required"], "done": rule["done"], "rate": rule["rate"],
        "late": rule["late"], "status": rule["status"],
        "setup_problem": rule["setup_problem"]["code"] if rule["setup_problem"] else None,
        "not_counted": sum(entry["count"] for entry in rule["not_counted"]),
        "by_person": [{"user_id": user_id, "name": names[user_id]["name"], "counted": count}
                      for user_id, count in sorted(counted.items(),
                                                   key=lambda item: (-item[1], item[0]))],
    }


def _home_visits(population: Population, by_rule: dict) -> dict:
    """8% of occupied households, none repeated within the rule's cycle (seed: 户数不重复)."""
    share = by_rule.get((HOME_VISIT, VISIT_SHARE_RULE))
    key = by_rule.get((HOME_VISIT, KEY_CUSTOMER_RULE))
    rows = share["records"] if share else []
    occupied = set(population.occupied_units)
    # Every new household, also beyond the 8% (the rule's done stops at what is required).
    households = {row.subject_id for row in rows if row.reason is None and row.subject_id in occupied}
    visited = [row for row in rows if row.reason in (None, REPEAT) and row.subject_id in occupied]
    return {
        "households": len(occupied),
        "required": share["required"] if share else 0,
        "visits": len(rows),
        "nobody_home": sum(1 for row in rows if row.reason == "outcome"),
        "households_visited": len(households),
        # A household visited again (this month, or already within the cycle): no credit.
        "repeated": len(visited) - len(households),
        "met": bool(share and share["met"]),
        "status": share["status"] if share else None,
        "key_customers_required": key["required"] if key else 0,
        "key_customers_done": key["done"] if key else 0,
    }


def _satisfaction(prop, month: str, records) -> dict:
    """Owners' satisfaction asked on home visits and on callbacks, and the callback rate."""
    visits = Counter()
    for row in records:
        if row.checklist_code == HOME_VISIT and row.status in COUNTING_STATUSES:
            value = ((row.answers or {}).get(SATISFACTION_ITEM) or {}).get("value")
            if value in Satisfaction.__members__.values():
                visits[value] += 1
    asked = sum(visits.values())
    calls = callback_figures(prop, month)
    return {
        "visits": {"asked": asked, "satisfied": visits[Satisfaction.SATISFIED],
                   "basically_satisfied": visits[Satisfaction.BASICALLY_SATISFIED],
                   "dissatisfied": visits[Satisfaction.DISSATISFIED],
                   "rate": rate(sum(visits[v] for v in CONTENT), asked)},
        "callbacks": {"asked": calls["callbacks"], "satisfied": calls["satisfied"],
                      "basically_satisfied": calls["basically_satisfied"],
                      "dissatisfied": calls["dissatisfied"], "rate": calls["satisfaction_rate"]},
        "callback": {"needed": calls["closed_needing_callback"], "done": calls["called_back"],
                     "rate": calls["callback_rate"]},
    }


def _occasions(rule: dict | None, names: dict, prop, with_scenario: bool = False) -> dict:
    """Night checks or drills: the rule's figures and each occasion (when, by whom, counted or
    why not). Drills are what the product records of them: a night check answering "an
    emergency drill was held this time", with its scenario."""
    if rule is None:
        return {"required": 0, "done": 0, "status": None, "occasions": []}
    rows = sorted(rule["records"], key=lambda row: row.completed_at)
    scenarios = {}
    if with_scenario and rows:
        scenarios = {str(record_id): value for record_id, value in db.session.execute(
            sa.select(Inspection.id, Inspection.answers[DRILL_SCENARIO_ITEM]["value"].as_string())
            .where(Inspection.id.in_([uuid.UUID(row.record_id) for row in rows])))}
    zone = ZoneInfo(prop.timezone)
    occasions = []
    for row in rows:
        person = names.get(row.inspector_id) or _names({row.inspector_id}).get(
            row.inspector_id, {"name": ""})
        entry = {"at": row.completed_at.astimezone(zone).isoformat(timespec="minutes"),
                 "by": person["name"], "counted": row.reason is None, "reason": row.reason}
        if with_scenario:
            entry["scenario"] = scenarios.get(row.record_id)
        occasions.append(entry)
    return {"required": rule["required"], "done": rule["done"], "status": rule["status"],
            "occasions": occasions}


def _scores(records, definitions: dict) -> list[tuple[str, int, float]]:
    """(checklist code, inspector, score) of each counting record a score applies to."""
    found = []
    for row in records:
        if row.status not in COUNTING_STATUSES:
            continue
        score = record_score(definitions[row.checklist_version_id], row.answers or {})
        if score is not None:
            found.append((row.checklist_code, row.inspector_id, score))
    return found


def _average(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _score_lines(scores, checklists) -> list[dict]:
    by_code = defaultdict(list)
    for code, _user, score in scores:
        by_code[code].append(score)
    titles = {c.code: {"zh-CN": c.title_zh, "en": c.title_en} for c in checklists}
    return [{"checklist_code": code, "checklist_title": titles.get(code, {"zh-CN": code,
                                                                          "en": code}),
             "records": len(values), "average": _average(values), "lowest": min(values),
             "below_80": sum(1 for value in values if value < 80)}
            for code, values in sorted(by_code.items())]


def _people(prop, first_day, checklists, now, rules, records, returns, scores, assignees,
            names, population: Population, credit: dict) -> list[dict]:
    """One line per person at the property (and anyone else who worked there that month)."""
    view = {person["user"]["id"]: person for person in people_view(prop, first_day, checklists,
                                                                   now, rules=rules)}
    completed = Counter(row.inspector_id for row in records)
    late = Counter(row.inspector_id for row in records if row.late)
    returned = Counter(row.inspector_id for row in returns)
    person_scores = defaultdict(list)
    for _code, user_id, score in scores:
        person_scores[user_id].append(score)
    user_ids = list(view) + sorted((set(completed) | set(assignees)) - set(view))
    # On their own rules only (a patrol's visit says nothing about the supervisor's key-customer
    # rule): records that earned credit, and the rest (未遇, repeats, outside the hours …).
    tally = defaultdict(lambda: [0, 0])
    for rule in rules:
        performers = {user.id for user in population.performers(rule["rule"])}
        credited = Counter(row.inspector_id
                           for row in credit[(rule["checklist_code"], rule["rule_id"])])
        for row in rule["records"]:
            if row.inspector_id in performers:
                tally[row.inspector_id][1] += 1
        for user_id, count in credited.items():
            if user_id in performers:
                tally[user_id][0] += count
                tally[user_id][1] -= count
    lines = []
    for user_id in user_ids:
        person = view.get(user_id)
        theirs = [line for line in person["rules"] if line["theirs"]] if person else []
        info = person["user"] if person else {"display_name": names[user_id]["name"],
                                              "role": names[user_id]["role"]}
        mine = assignees.get(user_id, {})
        lines.append({
            "user_id": user_id, "name": info["display_name"], "role": info["role"],
            "duties": len(theirs),
            "duties_met": sum(1 for line in theirs if line["status"] == "met"),
            "counted": tally[user_id][0], "not_counted": tally[user_id][1],
            "completed": completed[user_id], "late": late[user_id],
            "returned": returned[user_id],
            "average_score": _average(person_scores[user_id]),
            "follow_ups_due": mine.get("due", 0), "follow_ups_overdue": mine.get("overdue", 0),
            "follow_ups_closed": mine.get("closed", 0),
        })
    return lines


# ---------------------------------------------------------------------------- across properties

def _sum(dicts: list[dict], keys) -> dict:
    return {key: sum(d[key] or 0 for d in dicts) for key in keys}


def _totals(sections: list[dict], scores: list[list]) -> dict:
    """The properties added up; rates recomputed from the sums, never averaged."""
    rules: dict[tuple, dict] = {}
    for section in sections:
        for line in section["rules"]:
            if line["setup_problem"]:
                continue  # nobody there can do it: not a 0 in the totals
            entry = rules.setdefault((line["checklist_code"], line["rule_id"]), {
                "checklist_code": line["checklist_code"],
                "checklist_title": line["checklist_title"], "rule_id": line["rule_id"],
                "label": line["label"], "required": 0, "done": 0, "late": 0, "met": 0,
                "properties": 0})
            entry["required"] += line["required"]
            entry["done"] += line["done"]
            entry["late"] += line["late"]
            entry["met"] += line["status"] == "met"
            entry["properties"] += 1
    for entry in rules.values():
        entry["rate"] = rate(entry["done"], entry["required"])
    visits = _sum([s["home_visits"] for s in sections],
                  ("households", "required", "visits", "nobody_home", "households_visited",
                   "repeated", "key_customers_required", "key_customers_done"))
    satisfaction = {}
    for part in ("visits", "callbacks"):
        summed = _sum([s["satisfaction"][part] for s in sections],
                      ("asked", "satisfied", "basically_satisfied", "dissatisfied"))
        summed["rate"] = rate(summed["satisfied"] + summed["basically_satisfied"],
                              summed["asked"])
        satisfaction[part] = summed
    callback = _sum([s["satisfaction"]["callback"] for s in sections], ("needed", "done"))
    callback["rate"] = rate(callback["done"], callback["needed"])
    satisfaction["callback"] = callback
    all_scores = [score for property_scores in scores for _c, _u, score in property_scores]
    return {
        "rules": list(rules.values()),
        "home_visits": visits,
        "satisfaction": satisfaction,
        "work_orders": {kind: _sum([s["work_orders"][kind] for s in sections],
                                   sections[0]["work_orders"][kind].keys()) for kind in KINDS},
        "escalations": _sum([s["escalations"] for s in sections],
                            sections[0]["escalations"].keys()),
        "night_checks": _sum([s["night_checks"] for s in sections], ("required", "done")),
        "drills": _sum([s["drills"] for s in sections], ("required", "done")),
        "records": _sum([s["records"] for s in sections],
                        ("completed", "late", "returned", "returned_records")),
        "average_score": _average(all_scores), "scored_records": len(all_scores),
    }
