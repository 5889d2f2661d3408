"""Compliance numbers against hand-computed expectations, in the property's time zone."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from server.checklists.operations import latest_versions, load_checklists
from server.compliance.operations import evaluate_property
from server.core.db import db
from server.properties.models import Renovation
from tests.test_checklists import REPO_CHECKLISTS, SEED_CODES

CST = timezone(timedelta(hours=8))
NOVEMBER = date(2026, 11, 1)


@pytest.fixture
def estate(app_ctx, make_property, make_user, make_unit):
    load_checklists(REPO_CHECKLISTS)
    prop = make_property(code="estate", timezone="Asia/Shanghai")
    units = [make_unit(prop, room=f"{100 + n}", is_key_customer=n < 3) for n in range(50)]
    renovation = Renovation(property_id=prop.id, unit=units[10], contractor_name="某装饰",
                            permit_start=date(2026, 10, 1), permit_end=date(2027, 1, 1),
                            status="active")
    db.session.add(renovation)
    db.session.commit()
    return {"property": prop, "units": units, "renovation": renovation,
            "patrol": make_user("patrol", properties=[prop]),
            "keeper": make_user("patrol", properties=[prop], keeper_at=[prop]),
            "supervisor": make_user("supervisor", properties=[prop])}


def rules(estate, now):
    result = evaluate_property(estate["property"], NOVEMBER, latest_versions(), now=now)
    return {(r["checklist_code"], r["rule_id"]): r for r in result}


def test_home_visits_8_percent_distinct_with_month_boundaries(estate, insert_inspection):
    prop, units, patrol = estate["property"], estate["units"], estate["patrol"]

    def visit(unit, moment):
        insert_inspection(prop, "home_visit", "unit", unit.id, moment, patrol)

    visit(units[20], datetime(2026, 11, 3, 10, tzinfo=CST))
    visit(units[21], datetime(2026, 11, 4, 10, tzinfo=CST))
    visit(units[22], datetime(2026, 11, 5, 10, tzinfo=CST))
    visit(units[22], datetime(2026, 11, 6, 10, tzinfo=CST))  # same household again: no credit
    visit(units[23], datetime(2026, 11, 30, 16, 30, tzinfo=UTC))  # 00:30 1 Dec in Shanghai
    end_of_month = datetime(2026, 11, 30, 23, tzinfo=CST)
    share = rules(estate, end_of_month)[("home_visit", "monthly_share")]
    # 50 occupied households × 8% = 4 required; 3 distinct households visited in November.
    assert (share["required"], share["done"], share["met"]) == (4, 3, False)
    visit(units[24], datetime(2026, 10, 31, 16, 30, tzinfo=UTC))  # 00:30 1 Nov in Shanghai
    share = rules(estate, end_of_month)[("home_visit", "monthly_share")]
    assert (share["required"], share["done"], share["met"]) == (4, 4, True)
    key_customers = rules(estate, end_of_month)[("home_visit", "key_customers_monthly")]
    assert (key_customers["required"], key_customers["done"]) == (2, 0)


def test_daily_renovation_patrol_counts_each_day_once(estate, insert_inspection):
    prop, renovation, patrol = estate["property"], estate["renovation"], estate["patrol"]
    for moment in (datetime(2026, 11, 1, 9, tzinfo=CST), datetime(2026, 11, 1, 15, tzinfo=CST),
                   datetime(2026, 11, 3, 9, tzinfo=CST)):
        insert_inspection(prop, "renovation_patrol", "renovation", renovation.id, moment, patrol)
    now = datetime(2026, 11, 5, 12, tzinfo=CST)  # days 1–5 have begun
    daily = rules(estate, now)[("renovation_patrol", "daily_per_renovation")]
    assert (daily["required"], daily["done"], daily["periods"], daily["periods_met"]) == (5, 2, 5, 2)
    # Today (the 5th) is not over: not a gap yet, and not yet due.
    assert [g["period_start"][:10] for g in daily["gaps"]] == ["2026-11-02", "2026-11-04"]
    assert daily["rate"] == 0.4
    assert (daily["due_by_now"], daily["status"]) == (4, "behind")
    # The calendar: every day of November, done / missed / today open / to come.
    calendar = {day["date"]: day["state"] for day in daily["days"]}
    assert len(calendar) == 30
    assert [calendar[f"2026-11-0{n}"] for n in range(1, 7)] == [
        "done", "missed", "done", "missed", "open", "upcoming"]
    assert calendar["2026-11-30"] == "upcoming"
    # Gaps as the property's calendar days, for people to read.
    assert [(g["first_day"], g["last_day"]) for g in daily["gaps"]] == [
        ("2026-11-02", "2026-11-02"), ("2026-11-04", "2026-11-04")]
    assert daily["gaps"][0]["subject"]["label"] == estate["renovation"].unit.label
    # Rules of other periods have no calendar.
    assert rules(estate, now)[("night_check", "twice_monthly")]["days"] is None


def test_night_checks_twice_a_month_with_a_monthly_drill(estate, insert_inspection):
    prop, patrol = estate["property"], estate["supervisor"]
    insert_inspection(prop, "night_check", "property", prop.id,
                      datetime(2026, 11, 10, 23, tzinfo=CST), patrol,
                      answers={"drill_held": {"value": "no"}})
    now = datetime(2026, 11, 20, tzinfo=CST)
    result = rules(estate, now)
    assert (result[("night_check", "twice_monthly")]["done"],
            result[("night_check", "monthly_drill")]["done"]) == (1, 0)
    insert_inspection(prop, "night_check", "property", prop.id,
                      datetime(2026, 11, 18, 23, tzinfo=CST), patrol,
                      answers={"drill_held": {"value": "yes"}, "drill_scenario": {"value": "fire"}})
    result = rules(estate, now)
    assert result[("night_check", "twice_monthly")]["met"] is True
    assert result[("night_check", "monthly_drill")]["met"] is True


def test_key_audits_count_only_the_right_people(estate, insert_inspection):
    prop = estate["property"]
    # 2 Nov (Mon) to 4 Nov: the keeper audits on 2 and 3 Nov; a patrol officer who is not the
    # keeper audits on 4 Nov (does not count for the keeper's rule); the supervisor on 3 Nov.
    for day, who in ((2, "keeper"), (3, "keeper"), (4, "patrol"), (3, "supervisor")):
        insert_inspection(prop, "key_audit", "key_register", prop.id,
                          datetime(2026, 11, day, 18, tzinfo=CST), estate[who])
    now = datetime(2026, 11, 4, 20, tzinfo=CST)
    result = rules(estate, now)
    keeper = result[("key_audit", "keeper_daily")]
    assert (keeper["required"], keeper["done"]) == (4, 2)  # 1–4 Nov
    weekly = result[("key_audit", "supervisor_weekly_spot_check")]
    assert (weekly["periods"], weekly["required"], weekly["done"]) == (1, 1, 1)  # week of 2 Nov


def test_compliance_api_and_who_may_see_it(client, estate, make_property, make_user, auth_headers):
    other = make_property(code="elsewhere")
    response = client.get(f"/api/compliance?month=2026-11&property_id={estate['property'].id}",
                          headers=auth_headers(estate["supervisor"]))
    assert response.status_code == 200
    body = response.get_json()
    assert body["month"] == "2026-11" and len(body["properties"]) == 1
    assert {r["checklist_code"] for r in body["properties"][0]["rules"]} == SEED_CODES
    assert client.get(f"/api/compliance?property_id={other.id}",
                      headers=auth_headers(estate["supervisor"])).status_code == 403
    assert client.get("/api/compliance", headers=auth_headers(estate["patrol"])).status_code == 403
    manager = client.get("/api/compliance", headers=auth_headers(make_user("manager"))).get_json()
    assert len(manager["properties"]) == 2
    trend = client.get("/api/compliance/trend?months=3",
                       headers=auth_headers(estate["supervisor"])).get_json()
    assert len({p["month"] for p in trend}) == 3
    assert client.get("/api/compliance?month=2026-13",
                      headers=auth_headers(estate["supervisor"])).status_code == 422


def test_a_returned_record_stops_counting_until_it_is_resubmitted(estate, insert_inspection):
    prop, supervisor = estate["property"], estate["supervisor"]
    end_of_month = datetime(2026, 11, 30, 23, tzinfo=CST)
    first = insert_inspection(prop, "night_check", "property", prop.id,
                              datetime(2026, 11, 5, 23, tzinfo=CST), supervisor)
    insert_inspection(prop, "night_check", "property", prop.id,
                      datetime(2026, 11, 19, 23, tzinfo=CST), supervisor, status="approved")
    assert rules(estate, end_of_month)[("night_check", "twice_monthly")]["done"] == 2
    first.status = "returned"
    db.session.commit()
    night = rules(estate, end_of_month)[("night_check", "twice_monthly")]
    assert (night["done"], night["met"]) == (1, False)
    first.status = "submitted"  # resubmitted
    db.session.commit()
    assert rules(estate, end_of_month)[("night_check", "twice_monthly")]["met"] is True


def test_late_records_count_and_are_listed_apart_unless_a_rule_excludes_them(
        estate, insert_inspection):
    prop, supervisor = estate["property"], estate["supervisor"]
    end_of_month = datetime(2026, 11, 30, 23, tzinfo=CST)
    for day, late in ((5, False), (19, True)):
        insert_inspection(prop, "night_check", "property", prop.id,
                          datetime(2026, 11, day, 23, tzinfo=CST), supervisor, late=late)
    night = rules(estate, end_of_month)[("night_check", "twice_monthly")]
    assert (night["done"], night["late"], night["met"]) == (2, 1, True)

    # A version whose rule says late records do not count.
    version = next(c for c in latest_versions() if c.code == "night_check")
    definition = {**version.definition, "frequency": [
        {**rule, "late_counts": False} if rule["id"] == "twice_monthly" else rule
        for rule in version.definition["frequency"]]}
    version.definition = definition
    db.session.commit()
    night = rules(estate, end_of_month)[("night_check", "twice_monthly")]
    assert (night["done"], night["late"], night["met"]) == (1, 0, False)


def test_the_trend_has_no_bar_before_the_first_record_and_pro_rates_the_running_month(
        estate, insert_inspection):
    from server.compliance.operations import trend_points
    prop, renovation, patrol = estate["property"], estate["renovation"], estate["patrol"]
    now = datetime(2026, 11, 5, 12, tzinfo=CST)  # days 1–4 are over, the 5th is running
    assert {p["rate"] for p in trend_points([prop], 3, now)} == {None}  # nothing recorded yet
    insert_inspection(prop, "renovation_patrol", "renovation", renovation.id,
                      datetime(2026, 10, 20, 9, tzinfo=CST), patrol)
    for day in (1, 2, 3):
        insert_inspection(prop, "renovation_patrol", "renovation", renovation.id,
                          datetime(2026, 11, day, 9, tzinfo=CST), patrol)
    points = {p["month"]: p for p in trend_points([prop], 3, now)
              if p["checklist_code"] == "renovation_patrol"}
    assert points["2026-09"]["rate"] is None  # before the first record: no bar
    assert points["2026-10"]["rate"] == round(1 / 31, 4)  # a real month: one day in 31
    assert not points["2026-10"]["pro_rated"]
    november = points["2026-11"]
    # Due by now: the four days that are over (the 5th is due only in part, rounded down).
    assert (november["required"], november["done"], november["pro_rated"]) == (4, 3, True)
    assert november["rate"] == 0.75
    assert november["checklist_title"]["zh-CN"] == "装修巡查"
