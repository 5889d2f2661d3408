"""The supervisor's standard (seed 000) read against one hand-computed month, November 2026.

1 November 2026 is a Sunday; weeks start on Monday (2, 9, 16, 23 and 30 November). Times are
China time (UTC+8), the property's zone. Every expected number is worked out in the comments.
"""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from server.checklists.operations import latest_versions, load_checklists
from server.compliance.operations import evaluate_property, people_view
from server.core.db import db
from server.properties.models import Renovation
from server.schedule.rules import Population, due_for, evaluate_rule, in_window, period_starting
from tests.test_checklists import REPO_CHECKLISTS

CST = timezone(timedelta(hours=8))
NOVEMBER = date(2026, 11, 1)
MONTH_OVER = datetime(2026, 12, 10, 12, tzinfo=CST)  # every period of November is over
TENTH_NOON = datetime(2026, 11, 10, 12, tzinfo=CST)

VISITED = {"visit_outcome": {"value": "visited"}}
NOT_HOME = {"visit_outcome": {"value": "not_home"}, "door_photo": {"value": ["a" * 64]}}


@pytest.fixture
def estate(app_ctx, make_property, make_user, make_unit):
    load_checklists(REPO_CHECKLISTS)
    prop = make_property(code="estate", timezone="Asia/Shanghai")
    # 50 occupied households (8% → 4 a month); the first three are key customers.
    units = [make_unit(prop, room=f"{100 + n}", is_key_customer=n < 3) for n in range(50)]
    db.session.commit()
    return {"property": prop, "units": units,
            "patrol": make_user("patrol", properties=[prop], display_name="张敏"),
            "keeper": make_user("patrol", properties=[prop], keeper_at=[prop],
                                display_name="李娜"),
            "supervisor": make_user("supervisor", properties=[prop], display_name="王主管")}


def rules_of(prop, now):
    result = evaluate_property(prop, NOVEMBER, latest_versions(), now=now)
    return {(r["checklist_code"], r["rule_id"]): r for r in result}


def not_counted(rule):
    return {(line["reason"], line["outcome"]): line["count"] for line in rule["not_counted"]}


def test_a_household_visited_within_twelve_months_does_not_count_again(
        estate, insert_inspection):
    prop, units, patrol = estate["property"], estate["units"], estate["patrol"]

    def visit(unit, moment):
        insert_inspection(prop, "home_visit", "unit", unit.id, moment, patrol, answers=VISITED)

    visit(units[20], datetime(2026, 10, 15, 10, tzinfo=CST))   # October: in the cycle
    visit(units[23], datetime(2025, 12, 1, 0, 30, tzinfo=CST))  # first day of the cycle
    visit(units[24], datetime(2025, 11, 30, 23, tzinfo=CST))   # 12 months ago: cycle is over
    for unit, day in ((units[20], 3), (units[21], 4), (units[22], 5), (units[23], 6),
                      (units[24], 7)):
        visit(unit, datetime(2026, 11, day, 10, tzinfo=CST))
    share = rules_of(prop, MONTH_OVER)[("home_visit", "monthly_share")]
    # 20 and 23 were visited within the cycle: 21, 22 and 24 count. 3 of 4.
    assert (share["required"], share["done"], share["status"]) == (4, 3, "missed")
    assert not_counted(share) == {("repeat", None): 2}

    # The phone suggests households not visited in the cycle, key customers first.
    month = period_starting("month", NOVEMBER, prop.timezone)
    rule = next(r for r in latest_versions() if r.code == "home_visit").definition
    [result] = evaluate_rule("home_visit", rule["frequency"][0], prop.id, month,
                             Population(prop.id), rule["outcome"])
    visited = {units[n].id for n in (20, 21, 22, 23, 24)}
    assert result.candidate_unit_ids[:3] == [units[0].id, units[1].id, units[2].id]
    assert not visited & set(result.candidate_unit_ids)
    assert len(result.candidate_unit_ids) == 45

    # Nobody home in October is not a visit: the household counts when visited in November.
    insert_inspection(prop, "home_visit", "unit", units[25].id,
                      datetime(2026, 10, 20, 10, tzinfo=CST), patrol, answers=NOT_HOME)
    visit(units[25], datetime(2026, 11, 8, 10, tzinfo=CST))
    share = rules_of(prop, MONTH_OVER)[("home_visit", "monthly_share")]
    assert (share["done"], share["status"]) == (4, "met")


def test_night_checks_are_the_supervisors_and_only_at_night(estate, insert_inspection):
    prop, supervisor, patrol = estate["property"], estate["supervisor"], estate["patrol"]

    def night_check(who, moment, drill="no"):
        insert_inspection(prop, "night_check", "property", prop.id, moment, who,
                          answers={"drill_held": {"value": drill}})

    night_check(supervisor, datetime(2026, 11, 5, 23, tzinfo=CST))              # counts
    night_check(supervisor, datetime(2026, 11, 12, 10, tzinfo=CST), drill="yes")  # daytime
    night_check(patrol, datetime(2026, 11, 18, 22, tzinfo=CST), drill="yes")    # not theirs
    night_check(supervisor, datetime(2026, 11, 20, 19, 59, tzinfo=CST))         # before 20:00
    result = rules_of(prop, MONTH_OVER)
    twice = result[("night_check", "twice_monthly")]
    assert (twice["done"], twice["required"], twice["status"]) == (1, 2, "missed")
    assert not_counted(twice) == {("window", None): 2, ("performer", None): 1}
    drill = result[("night_check", "monthly_drill")]
    assert (drill["done"], not_counted(drill)) == (0, {("window", None): 1,
                                                       ("performer", None): 1})

    night_check(supervisor, datetime(2026, 11, 21, 2, 30, tzinfo=CST), drill="yes")  # past midnight
    result = rules_of(prop, MONTH_OVER)
    assert result[("night_check", "twice_monthly")]["status"] == "met"
    assert result[("night_check", "monthly_drill")]["status"] == "met"


def test_the_window_spans_midnight_in_the_propertys_time_zone():
    window = {"from": "20:00", "to": "06:00"}
    local = [datetime(2026, 11, 5, h, m, tzinfo=CST) for h, m in
             ((20, 0), (23, 59), (0, 0), (5, 59), (6, 0), (19, 59), (10, 0))]
    assert [in_window(moment, window) for moment in local] == [
        True, True, True, True, False, False, False]
    # 22:00 in China is 14:00 UTC: judged in the property's zone, not the server's.
    assert in_window(datetime(2026, 11, 5, 14, tzinfo=UTC).astimezone(CST), window)


def test_nobody_home_is_recorded_listed_and_not_counted(estate, insert_inspection):
    prop, units, supervisor = estate["property"], estate["units"], estate["supervisor"]
    insert_inspection(prop, "home_visit", "unit", units[0].id,
                      datetime(2026, 11, 8, 15, tzinfo=CST), supervisor, answers=VISITED)
    insert_inspection(prop, "home_visit", "unit", units[1].id,
                      datetime(2026, 11, 9, 15, tzinfo=CST), supervisor, answers=NOT_HOME)
    result = rules_of(prop, MONTH_OVER)
    key = result[("home_visit", "key_customers_monthly")]
    assert (key["done"], key["required"]) == (1, 2)
    [line] = key["not_counted"]
    assert (line["reason"], line["outcome"], line["count"]) == ("outcome", "not_home", 1)
    assert line["outcome_label"]["zh-CN"] == "未遇"
    share = result[("home_visit", "monthly_share")]
    assert (share["done"], not_counted(share)) == (1, {("outcome", "not_home"): 1})
    # Nobody home leaves the household open for another visit this month.
    month = period_starting("month", NOVEMBER, prop.timezone)
    definition = next(r for r in latest_versions() if r.code == "home_visit").definition
    [result] = evaluate_rule("home_visit", definition["frequency"][1], prop.id, month,
                             Population(prop.id), definition["outcome"])
    assert result.candidate_unit_ids == [units[1].id, units[2].id]


def test_a_stopped_site_counts_as_the_days_patrol_and_only_patrol_staff_count(
        estate, insert_inspection):
    prop, units, patrol, supervisor = (estate["property"], estate["units"], estate["patrol"],
                                       estate["supervisor"])
    renovation = Renovation(property_id=prop.id, unit=units[30], contractor_name="鑫诚装饰",
                            permit_start=date(2026, 10, 1), permit_end=date(2027, 1, 31),
                            status="active")
    db.session.add(renovation)
    db.session.commit()
    for day in range(1, 6):  # 1–5 November
        answers = {"site_status": {"value": "stopped" if day == 3 else "working"}}
        insert_inspection(prop, "renovation_patrol", "renovation", renovation.id,
                          datetime(2026, 11, day, 10, tzinfo=CST),
                          supervisor if day == 5 else patrol, answers=answers)
    now = datetime(2026, 11, 6, 0, 30, tzinfo=CST)  # days 1–5 are over, the 6th just begun
    daily = rules_of(prop, now)[("renovation_patrol", "daily_per_renovation")]
    # 1–4 by the patrol officer (the 3rd stopped, still a patrol); the 5th by the supervisor
    # does not count: 4 of 6 days begun, 5 due by now (the 6th is barely begun).
    assert (daily["required"], daily["done"], daily["due_by_now"]) == (6, 4, 5)
    assert (daily["status"], not_counted(daily)) == ("behind", {("performer", None): 1})
    assert [gap["period_start"][:10] for gap in daily["gaps"]] == ["2026-11-05"]


def test_a_rule_nobody_can_perform_is_a_set_up_problem_not_zero(
        app_ctx, make_property, make_user, auth_headers, client):
    load_checklists(REPO_CHECKLISTS)
    prop = make_property(code="no-keeper")
    supervisor = make_user("supervisor", properties=[prop])
    db.session.commit()
    result = rules_of(prop, MONTH_OVER)
    keeper = result[("key_audit", "keeper_daily")]
    assert (keeper["required"], keeper["done"], keeper["met"], keeper["status"]) == (
        30, 0, False, "setup")
    assert keeper["setup_problem"]["code"] == "compliance.setup.no_keeper"
    assert result[("staff_talk", "weekly_per_staff")]["setup_problem"]["code"] == (
        "compliance.setup.no_staff")
    assert result[("renovation_patrol", "daily_per_renovation")]["setup_problem"]["code"] == (
        "compliance.setup.no_patrol")
    # The supervisor's own rules can be performed: no problem there.
    assert result[("night_check", "twice_monthly")]["setup_problem"] is None
    body = client.get(f"/api/compliance?month=2026-11&property_id={prop.id}",
                      headers=auth_headers(supervisor)).get_json()
    line = next(r for r in body["properties"][0]["rules"] if r["rule_id"] == "keeper_daily")
    assert line["status"] == "setup" and "钥匙管理员" in line["setup_problem"]["message"]
    english = client.get(f"/api/compliance?month=2026-11&property_id={prop.id}",
                         headers=auth_headers(supervisor, lang="en")).get_json()
    line = next(r for r in english["properties"][0]["rules"] if r["rule_id"] == "keeper_daily")
    assert "key keeper" in line["setup_problem"]["message"]
    # The trend leaves the rule out rather than drawing a 0% month: this month's key audits are
    # the supervisor's weekly spot checks only.
    now = client.get(f"/api/compliance?property_id={prop.id}",
                     headers=auth_headers(supervisor)).get_json()["properties"][0]["rules"]
    weekly = next(r for r in now if r["rule_id"] == "supervisor_weekly_spot_check")
    [point] = [p for p in client.get(f"/api/compliance/trend?months=1&property_id={prop.id}",
                                     headers=auth_headers(supervisor)).get_json()
               if p["checklist_code"] == "key_audit"]
    # The running month is pro-rated: what was due by now, not the whole month's count.
    assert point["pro_rated"]
    assert point["required"] == weekly["due_by_now"]


def test_a_renovation_completed_mid_month_is_owed_patrols_only_while_active(
        estate, insert_inspection):
    prop, units, patrol = estate["property"], estate["units"], estate["patrol"]
    finished = Renovation(property_id=prop.id, unit=units[31], contractor_name="鑫诚装饰",
                          permit_start=date(2026, 10, 1), permit_end=date(2026, 12, 31),
                          status="completed",
                          active_until=datetime(2026, 11, 15, 12, tzinfo=CST))
    started = Renovation(property_id=prop.id, unit=units[32], contractor_name="安居装饰",
                         permit_start=date(2026, 11, 18), permit_end=date(2027, 2, 18),
                         status="active", active_since=datetime(2026, 11, 20, 9, tzinfo=CST))
    db.session.add_all([finished, started])
    db.session.commit()
    for day in range(1, 16):
        insert_inspection(prop, "renovation_patrol", "renovation", finished.id,
                          datetime(2026, 11, day, 10, tzinfo=CST), patrol)
    for day in range(20, 31):
        insert_inspection(prop, "renovation_patrol", "renovation", started.id,
                          datetime(2026, 11, day, 10, tzinfo=CST), patrol)
    daily = rules_of(prop, MONTH_OVER)[("renovation_patrol", "daily_per_renovation")]
    # The finished one: 1–15 November (active until midday on the 15th) = 15 days.
    # The new one: active from the 20th = 20–30 November = 11 days. All patrolled.
    assert (daily["required"], daily["done"], daily["status"]) == (26, 26, "met")
    # A later change to the register does not rewrite November.
    started.status = "suspended"
    started.active_until = datetime(2026, 12, 2, tzinfo=CST)
    db.session.commit()
    daily = rules_of(prop, MONTH_OVER)[("renovation_patrol", "daily_per_renovation")]
    assert (daily["required"], daily["done"]) == (26, 26)


def test_the_register_keeps_each_renovations_active_period(app_ctx, make_property, make_unit):
    from server.properties.operations import create_renovation, update_register_row
    prop = make_property()
    unit = make_unit(prop)
    renovation = create_renovation(prop, {"unit_id": unit.id, "contractor_name": "某装饰",
                                          "permit_start": date(2026, 11, 1),
                                          "permit_end": date(2026, 12, 1),
                                          "status": "pending"})
    assert (renovation.active_since, renovation.active_until) == (None, None)
    update_register_row(renovation, {"status": "active"})
    since = renovation.active_since
    assert since is not None and renovation.active_until is None
    update_register_row(renovation, {"status": "suspended"})
    assert renovation.active_until is not None and renovation.active_since == since
    update_register_row(renovation, {"status": "active"})  # the stop is lifted
    assert (renovation.active_since, renovation.active_until) == (since, None)
    update_register_row(renovation, {"status": "completed"})
    assert renovation.active_until is not None


def test_on_the_tenth_rules_due_by_month_end_read_on_track_or_behind(
        estate, insert_inspection):
    prop, supervisor = estate["property"], estate["supervisor"]
    for day in (2, 3, 4, 5, 6, 9):  # team meetings Monday 2 to Monday 9 November
        insert_inspection(prop, "team_meeting", "property", prop.id,
                          datetime(2026, 11, day, 8, 30, tzinfo=CST), supervisor)
    result = rules_of(prop, TENTH_NOON)
    # Night checks, 2 a month: by noon on the 10th, 9.5 of 30 days have gone, 2 × 9.5/30
    # rounds down to 0 due. None done: on track, not "missed".
    night = result[("night_check", "twice_monthly")]
    assert (night["required"], night["due_by_now"], night["done"], night["status"]) == (
        2, 0, 0, "on_track")
    # Site inspections, 4 a month: 4 × 9.5/30 = 1.27 → 1 due by now; none done: behind.
    site = result[("supervisor_inspection", "four_monthly")]
    assert (site["due_by_now"], site["status"]) == (1, "behind")
    # Team meetings on working days only: 2–6 and 9–10 November = 7 days begun; the 10th
    # is under way (due 0 of it yet): 6 due, 6 held.
    meeting = result[("team_meeting", "every_working_day")]
    assert (meeting["periods"], meeting["required"], meeting["due_by_now"], meeting["done"],
            meeting["status"]) == (7, 7, 6, 6, "on_track")
    assert meeting["gaps"] == []
    insert_inspection(prop, "supervisor_inspection", "property", prop.id,
                      datetime(2026, 11, 10, 9, tzinfo=CST), supervisor)
    assert rules_of(prop, TENTH_NOON)[("supervisor_inspection", "four_monthly")][
        "status"] == "on_track"
    # Once November is over, the same records read as missed.
    over = rules_of(prop, MONTH_OVER)
    assert over[("night_check", "twice_monthly")]["status"] == "missed"
    assert over[("team_meeting", "every_working_day")]["required"] == 21  # working days


def test_one_to_one_talks_are_counted_per_staff_member_and_week(estate, insert_inspection):
    prop, supervisor, patrol, keeper = (estate["property"], estate["supervisor"],
                                        estate["patrol"], estate["keeper"])
    mondays = [2, 9, 16, 23, 30]
    for day in mondays:
        insert_inspection(prop, "staff_talk", "staff", patrol.id,
                          datetime(2026, 11, day, 16, tzinfo=CST), supervisor)
    for day in mondays[:3]:
        insert_inspection(prop, "staff_talk", "staff", keeper.id,
                          datetime(2026, 11, day, 17, tzinfo=CST), supervisor)
    talks = rules_of(prop, MONTH_OVER)[("staff_talk", "weekly_per_staff")]
    # 5 weeks × 2 staff members = 10; 5 + 3 held.
    assert (talks["periods"], talks["required"], talks["done"], talks["status"]) == (
        5, 10, 8, "missed")
    assert {(gap["subject"]["label"], gap["period_start"][:10]) for gap in talks["gaps"]} == {
        ("李娜", "2026-11-23"), ("李娜", "2026-11-30")}


def test_each_persons_due_list_holds_only_their_work(estate, insert_inspection):
    prop, supervisor, patrol = estate["property"], estate["supervisor"], estate["patrol"]
    db.session.add(Renovation(property_id=prop.id, unit=estate["units"][40],
                              contractor_name="某装饰", permit_start=date(2026, 10, 1),
                              permit_end=date(2027, 1, 31), status="active"))
    db.session.commit()
    sunday, tuesday = (datetime(2026, 11, 8, 9, tzinfo=CST), datetime(2026, 11, 10, 9, tzinfo=CST))
    mine = {d["checklist_code"] for d in due_for(supervisor, latest_versions(), tuesday)}
    theirs = {d["checklist_code"] for d in due_for(patrol, latest_versions(), tuesday)}
    assert mine == {"night_check", "supervisor_inspection", "renovation_register_check",
                    "team_meeting", "staff_talk", "customer_file_check", "home_visit",
                    "key_audit"}
    assert theirs == {"renovation_patrol", "home_visit"}
    # No team meeting on a Sunday; one talk per staff member on the supervisor's list.
    on_sunday = due_for(supervisor, latest_versions(), sunday)
    assert not any(d["checklist_code"] == "team_meeting" for d in on_sunday)
    talks = [d["subject"] for d in on_sunday if d["checklist_code"] == "staff_talk"]
    assert sorted(s["label"] for s in talks) == ["张敏", "李娜"]
    assert {s["type"] for s in talks} == {"staff"}
    # Key customers are the supervisor's to visit: only the 8% is on the patrol's list.
    assert {d["rule_id"] for d in due_for(patrol, latest_versions(), tuesday)
            if d["checklist_code"] == "home_visit"} == {"monthly_share"}


def test_the_per_person_view_shows_what_each_did_against_their_work(
        estate, insert_inspection, client, auth_headers):
    prop, supervisor, patrol = estate["property"], estate["supervisor"], estate["patrol"]
    insert_inspection(prop, "night_check", "property", prop.id,
                      datetime(2026, 11, 5, 23, tzinfo=CST), supervisor,
                      answers={"drill_held": {"value": "no"}})
    insert_inspection(prop, "night_check", "property", prop.id,
                      datetime(2026, 11, 18, 22, tzinfo=CST), patrol,
                      answers={"drill_held": {"value": "no"}})
    people = {p["user"]["display_name"]: {(r["checklist_code"], r["rule_id"]): r
                                          for r in p["rules"]}
              for p in people_view(prop, NOVEMBER, latest_versions(), MONTH_OVER)}
    own = people["王主管"][("night_check", "twice_monthly")]
    assert (own["theirs"], own["done"], own["required"], own["shared_with"]) == (
        True, 1, 2, 0)
    wrong = people["张敏"][("night_check", "twice_monthly")]
    assert (wrong["theirs"], wrong["done"], wrong["required"]) == (False, 0, 0)
    assert [line["reason"] for line in wrong["not_counted"]] == ["performer"]
    keeper_rules = people["李娜"]
    assert keeper_rules[("key_audit", "keeper_daily")]["theirs"] is True
    assert ("night_check", "twice_monthly") not in keeper_rules

    response = client.get(f"/api/compliance/people?month=2026-11&property_id={prop.id}",
                          headers=auth_headers(supervisor))
    assert response.status_code == 200
    assert {p["user"]["display_name"] for p in response.get_json()["people"]} == {
        "王主管", "张敏", "李娜"}
    assert client.get(f"/api/compliance/people?property_id={prop.id}",
                      headers=auth_headers(patrol)).status_code == 403
    assert client.get("/api/compliance/people",
                      headers=auth_headers(supervisor)).status_code == 422


def test_this_month_is_the_propertys_at_half_past_midnight_china_time(
        estate, client, auth_headers, monkeypatch):
    import server.core.db
    half_past_midnight = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 00:30 1 Dec in China
    monkeypatch.setattr(server.core.db, "utcnow", lambda: half_past_midnight)
    body = client.get(f"/api/compliance?property_id={estate['property'].id}",
                      headers=auth_headers(estate["supervisor"])).get_json()
    assert body["month"] == "2026-12"
    people = client.get(f"/api/compliance/people?property_id={estate['property'].id}",
                        headers=auth_headers(estate["supervisor"])).get_json()
    assert people["month"] == "2026-12"
