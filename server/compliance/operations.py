"""Compliance: did every required inspection happen as often as the standard demands?

For one month and each property, every frequency rule of every checklist is evaluated over
the periods of that month (each day, each week starting in it, or the month) with the same
`server.schedule.rules.results_for` the phones' due lists use. A period's surplus never covers
another period's gap: three patrols on Monday do not make up for none on Tuesday.
"""

from bisect import bisect_left
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.checklists.operations import latest_versions
from server.core.db import utcnow
from server.schedule.rules import Population, fetch_done, period_starting, results_for

MAX_GAPS = 50


def month_periods(kind: str, first_day: date, timezone: str, now: datetime):
    """The periods of ``kind`` that belong to the month starting ``first_day`` and have begun."""
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
    return [period for period in candidates if period.start <= local_now]


def evaluate_property(prop, first_day: date, checklists=None, now=None) -> list[dict]:
    now = now or utcnow()
    checklists = checklists if checklists is not None else latest_versions()
    population = Population(prop.id)
    rules_out = []
    for checklist in checklists:
        for rule in checklist.definition["frequency"]:
            periods = month_periods(rule["period"], first_day, prop.timezone, now)
            required = done = periods_met = late = 0
            gaps = []
            if periods:
                rows = sorted(fetch_done(checklist.code, prop.id, periods[0].start,
                                         periods[-1].end, rule), key=lambda r: r.completed_at)
                times = [r.completed_at for r in rows]
                late = sum(row.late for row in rows)
                for period in periods:
                    in_period = rows[bisect_left(times, period.start):bisect_left(times, period.end)]
                    results = results_for(rule, population, period, in_period)
                    period_met = True
                    for result in results:
                        required += result.required
                        done += min(result.done, result.required)
                        if not result.met:
                            period_met = False
                            if len(gaps) < MAX_GAPS:
                                gaps.append({"period_start": period.start.isoformat(),
                                             "period_end": period.end.isoformat(),
                                             "subject": {"type": result.subject_type,
                                                         "id": result.subject_id,
                                                         "label": result.subject_label},
                                             "done": result.done, "required": result.required})
                    periods_met += period_met
            rules_out.append({
                "checklist_code": checklist.code,
                "checklist_title": {"zh-CN": checklist.title_zh, "en": checklist.title_en},
                "rule_id": rule["id"], "label": rule["label"], "period": rule["period"],
                "required": required, "done": done,
                "rate": round(done / required, 4) if required else 1.0,
                "met": done >= required, "periods": len(periods), "periods_met": periods_met,
                # Late records among those the rule looked at (a rule may exclude them).
                "late": late,
                "gaps": gaps,
            })
    return rules_out
