"""The monthly report (月报) against a month built here and counted by hand.

October 2026 at 河畔花园 (Asia/Shanghai), 50 occupied households (3 key customers); 王主管
(supervisor), 李巡查 (patrol), a key keeper whose display name starts like a formula. Every
expected figure below is worked out in the comment next to it from the data the fixture writes.
"""

import io
import json
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook

from server.checklists.items import record_score
from server.checklists.operations import latest_versions, load_checklists
from server.core.db import db
from server.followups.models import Escalation, FollowUp, FollowUpEvent
from server.inspections.models import Inspection
from server.properties.models import Renovation
from server.reviews.models import ReviewEvent
from tests.pdf.conftest import _poppler
from tests.test_checklists import REPO_CHECKLISTS

CST = timezone(timedelta(hours=8))
OCTOBER = "2026-10"
VERIFY = Path(__file__).resolve().parent.parent / "scripts" / "verify_seal.py"


def at(month, day, hour=10, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=CST)


def visit_answers(satisfaction):
    return {"visit_outcome": {"value": "visited"}, "visit_standard_followed": {"value": "pass"},
            "rectification_needed": {"value": "no"}, "satisfaction": {"value": satisfaction}}


def night_answers(drill="no", scenario=None, failed=(), na=()):
    items = ("post_duties_known", "emergency_procedure_known", "unfinished_items_handed_over",
             "duty_log_complete", "handover_items_complete")
    answers = {item: {"value": "fail" if item in failed else "na" if item in na else "pass"}
               for item in items}
    answers["drill_held"] = {"value": drill}
    if scenario:
        answers["drill_scenario"] = {"value": scenario}
    return answers


@pytest.fixture
def record(app_ctx):
    versions = {}

    def insert(prop, code, subject_type, subject_id, completed_at, inspector, answers,
               late=False):
        if not versions:
            versions.update({v.code: v for v in latest_versions()})
        row = Inspection(
            id=uuid.uuid4(), property_id=prop.id, checklist_version_id=versions[code].id,
            checklist_code=code, subject_type=subject_type, subject_id=subject_id,
            inspector_id=inspector.id, status="submitted", revision=1, answers=answers,
            started_at_device=completed_at.isoformat(),
            completed_at_device=completed_at.isoformat(), completed_at=completed_at,
            seal_hash="0" * 64, late=late)
        db.session.add(row)
        db.session.commit()
        return row
    return insert


def follow_up(prop, creator, assignee, *, source, found, due, closed=None, callback=True,
              events=()):
    row = FollowUp(id=uuid.uuid4(), property_id=prop.id, description="问题", source=source,
                   found_at=found, callback_required=callback, assignee_id=assignee.id,
                   due_date=due, status="verified" if closed else "open",
                   created_by_id=creator.id, closed_at=closed)
    row.events = [FollowUpEvent(id=uuid.uuid4(), action=action, actor_id=creator.id,
                                created_at=moment, satisfaction=satisfaction)
                  for action, moment, satisfaction in events]
    db.session.add(row)
    db.session.commit()
    return row


def escalation(prop, reason, raised, follow_up_row=None):
    db.session.add(Escalation(id=uuid.uuid4(), property_id=prop.id, reason=reason,
                              follow_up_id=follow_up_row.id if follow_up_row else None,
                              summary="预警", raised_at=raised))
    db.session.commit()


@pytest.fixture
def month(app_ctx, make_property, make_user, make_unit, record):
    load_checklists(REPO_CHECKLISTS)
    prop = make_property(code="riverside", name="河畔花园", name_en="Riverside Garden",
                         timezone="Asia/Shanghai")
    units = [make_unit(prop, room=f"{100 + n}", is_key_customer=n < 3) for n in range(50)]
    boss = make_user("supervisor", properties=[prop], display_name="王主管")
    patrol = make_user("patrol", properties=[prop], display_name="李巡查")
    keeper = make_user("patrol", properties=[prop], keeper_at=[prop],
                       display_name="=1+2 赵钥匙")

    # Home visits. 00:30 on 1 October in Shanghai is still 30 September in UTC: October's.
    first = record(prop, "home_visit", "unit", units[20].id, at(10, 1, 0, 30), patrol,
                   visit_answers("satisfied"))                                   # score 100
    record(prop, "home_visit", "unit", units[21].id, at(10, 4), patrol,
           visit_answers("basically_satisfied"), late=True)                      # 100, late
    record(prop, "home_visit", "unit", units[21].id, at(10, 9), patrol,
           visit_answers("dissatisfied"))           # same household again; 60 (40 of 100 lost)
    record(prop, "home_visit", "unit", units[0].id, at(10, 10), boss,
           visit_answers("satisfied"))              # a key customer, by the supervisor; 100
    record(prop, "home_visit", "unit", units[22].id, at(10, 12), patrol,
           {"visit_outcome": {"value": "not_home"}})                    # 未遇: no score
    record(prop, "home_visit", "unit", units[23].id, at(9, 15), patrol,
           visit_answers("satisfied"))              # September
    record(prop, "home_visit", "unit", units[23].id, at(10, 15), patrol,
           visit_answers("satisfied"))              # visited within 12 months: repeat; 100

    # One renovation under way all month: patrolled twice on the 3rd (one counts), once on the 4th.
    renovation = Renovation(property_id=prop.id, unit=units[40], contractor_name="某装饰",
                            permit_start=date(2026, 9, 1), permit_end=date(2027, 1, 1),
                            status="active")
    db.session.add(renovation)
    db.session.flush()
    renovation.active_since = at(9, 1)
    db.session.commit()
    for moment in (at(10, 3, 9), at(10, 3, 15), at(10, 4, 9)):
        record(prop, "renovation_patrol", "renovation", renovation.id, moment, patrol,
               {"site_status": {"value": "working"}})                    # no item scored

    # Night checks (the supervisor's, 20:00–06:00).
    record(prop, "night_check", "property", prop.id, at(10, 8, 22), boss,
           night_answers("yes", "fire"))                                 # counts; drill; 100
    record(prop, "night_check", "property", prop.id, at(10, 20, 23, 30), boss,
           night_answers(failed=("duty_log_complete",)))                 # counts; 80
    record(prop, "night_check", "property", prop.id, at(10, 25, 10), boss,
           night_answers(na=("handover_items_complete",)))               # 10:00: window; 100
    record(prop, "night_check", "property", prop.id, at(10, 28, 21), patrol,
           night_answers(failed=("post_duties_known",)))                 # not the supervisor; 80
    record(prop, "night_check", "property", prop.id, at(11, 1, 1), boss,
           night_answers("yes", "climbing"))                             # November's

    # The first visit returned twice in October (and sent again: it still counts).
    for day in (5, 6):
        db.session.add(ReviewEvent(inspection_id=first.id, revision=1, action="return",
                                   actor_id=boss.id, comment="补充", created_at=at(10, day)))
    db.session.commit()

    # Work orders and follow-ups.
    c1 = follow_up(prop, boss, patrol, source="complaint", found=at(10, 2), due=date(2026, 10, 5),
                   closed=at(10, 6, 12), events=[("contact", at(10, 4, 9), None),
                                                 ("callback", at(10, 5, 15), "dissatisfied"),
                                                 ("callback", at(10, 6, 11), "satisfied")])
    follow_up(prop, boss, patrol, source="repair", found=at(10, 10, 9), due=date(2026, 10, 13),
              closed=at(10, 12), events=[("callback", at(10, 12, 9), "basically_satisfied")])
    r2 = follow_up(prop, boss, keeper, source="repair", found=at(10, 20), due=date(2026, 10, 23))
    follow_up(prop, boss, patrol, source="inspection", found=at(9, 28), due=date(2026, 10, 1),
              closed=at(10, 1, 15), callback=False, events=[("contact", at(9, 30), None)])
    c2 = follow_up(prop, boss, boss, source="complaint", found=at(10, 30), due=date(2026, 11, 2))
    escalation(prop, "overdue", at(10, 31), r2)
    escalation(prop, "group_risk", at(10, 30, 11), c2)
    escalation(prop, "told_pm", at(10, 15))
    escalation(prop, "overdue", at(11, 2), c1)  # November's
    return {"property": prop, "units": units, "boss": boss, "patrol": patrol, "keeper": keeper}


def get_report(client, headers, **params):
    response = client.get("/api/reports/monthly", query_string={"month": OCTOBER, **params},
                          headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_hand_counted_month(client, month, auth_headers):
    prop, boss = month["property"], month["boss"]
    report = get_report(client, auth_headers(boss), property_id=prop.id)
    assert report["month"] == OCTOBER and report["month_over"] is True
    assert report["totals"] is None  # one property
    (section,) = report["properties"]
    rules = {(r["checklist_code"], r["rule_id"]): r for r in section["rules"]}

    share = rules[("home_visit", "monthly_share")]
    # 8% of 50 = 4 households; new ones: units 20, 21, 0 (21 twice, 23 within the cycle).
    assert (share["required"], share["done"], share["late"], share["status"]) == (
        4, 3, 1, "missed")
    # Credit by person: the first visit to each household (unit 21's second visit earns none).
    assert [(p["name"], p["counted"]) for p in share["by_person"]] == [("李巡查", 2), ("王主管", 1)]
    assert section["home_visits"] == {
        "households": 50, "required": 4, "visits": 6, "nobody_home": 1,
        "households_visited": 3, "repeated": 2, "met": False, "status": "missed",
        "key_customers_required": 2, "key_customers_done": 1}

    daily = rules[("renovation_patrol", "daily_per_renovation")]
    assert (daily["required"], daily["done"]) == (31, 2)
    assert [(p["name"], p["counted"]) for p in daily["by_person"]] == [("李巡查", 2)]
    # Credit by person always adds up to what the rule counted.
    for rule in section["rules"]:
        assert sum(p["counted"] for p in rule["by_person"]) == rule["done"], rule["rule_id"]

    night = rules[("night_check", "twice_monthly")]
    assert (night["required"], night["done"], night["status"], night["not_counted"]) == (
        2, 2, "met", 2)
    assert [(p["name"], p["counted"]) for p in night["by_person"]] == [("王主管", 2)]
    assert section["night_checks"]["done"] == 2
    assert [(o["at"], o["by"], o["reason"]) for o in section["night_checks"]["occasions"]] == [
        ("2026-10-08T22:00+08:00", "王主管", None),
        ("2026-10-20T23:30+08:00", "王主管", None),
        ("2026-10-25T10:00+08:00", "王主管", "window"),
        ("2026-10-28T21:00+08:00", "李巡查", "performer")]
    assert section["drills"] == {"required": 1, "done": 1, "status": "met", "occasions": [
        {"at": "2026-10-08T22:00+08:00", "by": "王主管", "counted": True, "reason": None,
         "scenario": "fire"}]}

    # Visits asked 5 owners (未遇 asks nobody): 3 satisfied, 1 fairly, 1 not → 4/5.
    assert section["satisfaction"]["visits"] == {
        "asked": 5, "satisfied": 3, "basically_satisfied": 1, "dissatisfied": 1, "rate": 0.8}
    # Callbacks made in October: not satisfied, satisfied (C1), fairly (R1) → 2/3.
    assert section["satisfaction"]["callbacks"] == {
        "asked": 3, "satisfied": 1, "basically_satisfied": 1, "dissatisfied": 1,
        "rate": 0.6667}
    # Closed in October needing a callback: C1 and R1 (F1 needs none); both called back.
    assert section["satisfaction"]["callback"] == {"needed": 2, "done": 2, "rate": 1.0}

    assert section["work_orders"] == {
        # C1 and C2 opened; C1 closed late (due 5th, closed 6th) with a contact on day 2;
        # C2 sent to the project manager (群诉风险), its due date is in November.
        "complaint": {"opened": 2, "closed": 1, "due": 1, "overdue": 1, "escalated": 1,
                      "contact_due": 1, "contacted_on_time": 1},
        # R1 closed before its due date and before three days; R2 still open: overdue,
        # escalated, three days passed with no contact.
        "repair": {"opened": 2, "closed": 1, "due": 2, "overdue": 1, "escalated": 1,
                   "contact_due": 1, "contacted_on_time": 0},
        # F1 found in September, due and closed on 1 October (on time), contacted in time.
        "follow_up": {"opened": 0, "closed": 1, "due": 1, "overdue": 0, "escalated": 0,
                      "contact_due": 1, "contacted_on_time": 1}}
    assert section["escalations"] == {"told_pm": 1, "group_risk": 1, "overdue": 1}

    # 6 visits + 3 patrols + 4 night checks in October (the 1 November one is not); one late;
    # returned twice, one record.
    assert section["records"] == {"completed": 13, "late": 1, "returned": 2,
                                  "returned_records": 1}
    scores = {line["checklist_code"]: line for line in section["scores"]}
    # Visits: 100, 100, 60, 100, 100 (未遇 unscored); night checks: 100, 80, 100, 80.
    assert {k: scores["home_visit"][k] for k in ("records", "average", "lowest", "below_80")} == {
        "records": 5, "average": 92.0, "lowest": 60.0, "below_80": 1}
    assert {k: scores["night_check"][k] for k in ("records", "average", "lowest", "below_80")} == {
        "records": 4, "average": 90.0, "lowest": 80.0, "below_80": 0}

    people = {p["name"]: p for p in section["people"]}
    mine = people["李巡查"]
    # On their own rules: the 8% (credit for units 20 and 21; not: 21 again, 未遇, 23 again)
    # and the daily patrols (the 3rd and the 4th; not: the 3rd again).
    assert (mine["counted"], mine["not_counted"], mine["completed"], mine["late"],
            mine["returned"], mine["average_score"]) == (4, 4, 9, 1, 2, 88.0)
    # Assigned C1 (late), R1, F1: due 3, overdue 1, closed 3.
    assert (mine["follow_ups_due"], mine["follow_ups_overdue"], mine["follow_ups_closed"]) == (
        3, 1, 3)
    chief = people["王主管"]
    # Key-customer visit (twice: the 8% and the key customers), two night checks, the drill.
    assert (chief["counted"], chief["not_counted"], chief["completed"],
            chief["average_score"]) == (5, 1, 4, 95.0)
    keeper = people["=1+2 赵钥匙"]
    assert (keeper["completed"], keeper["follow_ups_due"], keeper["follow_ups_overdue"]) == (
        0, 1, 1)
    assert report["verification_code"] and len(report["verification_code"]) == 64


def test_score_weights_skip_not_applicable_and_unanswered():
    definition = {"sections": [{"items": [
        {"id": "a", "type": "pass_fail", "weight": 50},
        {"id": "b", "type": "pass_fail", "weight": 30},
        {"id": "c", "type": "pass_fail", "weight": 20},
        {"id": "d", "type": "text", "weight": 0}]}]}
    assert record_score(definition, {"a": {"value": "pass"}, "b": {"value": "fail"},
                                     "c": {"value": "pass"}}) == 70.0
    assert record_score(definition, {"a": {"value": "pass"}, "b": {"value": "fail"},
                                     "c": {"value": "na"}}) == 62.5  # 50 of 80
    assert record_score(definition, {"d": {"value": "x"}}) is None


def test_across_properties_for_a_manager(client, month, make_property, make_unit, make_user,
                                         auth_headers, record):
    other = make_property(code="lakeside", name="湖畔家园", timezone="Asia/Shanghai")
    units = [make_unit(other, room=f"{200 + n}") for n in range(10)]
    patrol = make_user("patrol", properties=[other], display_name="周巡查")
    record(other, "home_visit", "unit", units[0].id, at(10, 3), patrol, visit_answers("satisfied"))
    manager = make_user("manager")
    report = get_report(client, auth_headers(manager))
    assert [s["property"]["code"] for s in report["properties"]] == ["lakeside", "riverside"]
    totals = report["totals"]
    # 8% of 10 → 1, plus 4; visited 1 + 3. Satisfaction on visits: 4 + 1 of 5 + 1.
    assert (totals["home_visits"]["required"], totals["home_visits"]["households_visited"]) == (
        5, 4)
    assert totals["satisfaction"]["visits"]["asked"] == 6
    assert totals["satisfaction"]["visits"]["rate"] == 0.8333
    share = next(r for r in totals["rules"] if r["rule_id"] == "monthly_share")
    assert (share["required"], share["done"], share["met"], share["properties"]) == (5, 4, 1, 2)
    assert totals["records"]["completed"] == 14
    # Several named: the same two sections.
    named = get_report(client, auth_headers(manager),
                       property_id=[month["property"].id, other.id])
    assert len(named["properties"]) == 2 and named["totals"] is not None


def test_who_may_read_it(client, month, make_property, make_user, auth_headers):
    prop = month["property"]
    elsewhere = make_property(code="elsewhere")
    response = client.get("/api/reports/monthly", query_string={"month": OCTOBER},
                          headers=auth_headers(month["patrol"]))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "access.role_denied"
    for suffix in ("", ".xlsx", ".pdf"):
        response = client.get(f"/api/reports/monthly{suffix}", headers=auth_headers(month["boss"]),
                              query_string={"month": OCTOBER, "property_id": elsewhere.id})
        assert response.status_code == 403, suffix
        assert response.get_json()["error"]["code"] == "access.property_denied"
    response = client.get("/api/reports/monthly", headers=auth_headers(month["boss"]),
                          query_string={"month": OCTOBER, "property_id": [prop.id, elsewhere.id]})
    assert response.status_code == 403
    response = client.get("/api/reports/monthly", headers=auth_headers(month["boss"]),
                          query_string={"month": OCTOBER, "property_id": 999999})
    assert response.status_code == 404
    # Without a property: only theirs.
    report = get_report(client, auth_headers(month["boss"]))
    assert [s["property"]["code"] for s in report["properties"]] == ["riverside"]


def test_a_bad_month_is_refused_in_the_callers_language(client, month, auth_headers):
    for lang, word in (("zh-CN", "请求"), ("en", "request")):
        response = client.get("/api/reports/monthly", query_string={"month": "2026-13"},
                              headers=auth_headers(month["boss"], lang=lang))
        assert response.status_code == 422
        body = response.get_json()["error"]
        assert "month" in json.dumps(body["details"]) and word in body["message"].lower()


def test_the_spreadsheet(client, month, auth_headers):
    response = client.get("/api/reports/monthly.xlsx", headers=auth_headers(month["boss"]),
                          query_string={"month": OCTOBER, "lang": "en"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Summary", "Frequencies", "Work orders",
                                   "Night checks and drills", "Scores", "People"]
    summary = {row[0].value: row[1].value for row in workbook["Summary"].iter_rows(min_row=2)}
    assert summary["Month"] == "October 2026"
    assert summary["Households visited (not repeated)"] == 3
    assert summary["Home visits · Satisfaction rate"] == 0.8
    night = list(workbook["Night checks and drills"].iter_rows(min_row=2, values_only=True))
    assert night[0][2] == datetime(2026, 10, 8, 22, 0)  # a real date, in the property's time
    assert (night[2][3], night[2][5]) == ("王主管", "Outside the set hours")
    people = workbook["People"]
    names = [row[1] for row in people.iter_rows(min_row=2)]
    keeper_cell = next(cell for cell in names if cell.value == "=1+2 赵钥匙")
    assert keeper_cell.data_type == "s"  # text, never a formula
    statuses = [row[8] for row in workbook["Frequencies"].iter_rows(min_row=2, values_only=True)]
    assert "met" not in statuses and "Met" in statuses


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_pdf_prints_the_figures_and_verifies(client, month, auth_headers, lang, tmp_path):
    response = client.get("/api/reports/monthly.pdf", headers=auth_headers(month["boss"]),
                          query_string={"month": OCTOBER, "lang": lang})
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.data)
    fonts = _poppler("pdffonts", path)
    cjk = [line for line in fonts.splitlines() if "Noto-Sans-CJK" in line]
    assert len(cjk) == 1 and " yes yes " in cjk[0], fonts  # one CJK face, embedded
    text = "".join(_poppler("pdftotext", path).split())
    # The embedded figures verify offline, and the code they verify against is the one printed.
    checked = subprocess.run([sys.executable, str(VERIFY), str(path)], capture_output=True,
                             text=True)
    assert checked.returncode == 0, checked.stdout
    code = checked.stdout.split("stated code:")[1].split()[0]
    assert f"recomputed code: {code}" in checked.stdout and "matches" in checked.stdout
    assert len(code) == 64 and code in text
    if lang == "zh-CN":
        for words in ("月报·2026年10月", "河畔花园", "防篡改校验码", "已走访户数（不重复）3",
                      "未遇1", "重复走访（不计入）2", "应急演练按夜间检查", "着火", "80.0%",
                      "66.7%", "王主管", "李巡查"):
            assert words in text, words
    else:
        for words in ("Monthlyreport·October2026", "RiversideGarden", "Verificationcode",
                      "Householdsvisited(notrepeated)3", "Fire", "80.0%"):
            assert words in text, words


def test_a_changed_figure_does_not_verify(client, month, auth_headers, tmp_path):
    response = client.get("/api/reports/monthly.pdf", headers=auth_headers(month["boss"]),
                          query_string={"month": OCTOBER})
    sys.path.insert(0, str(VERIFY.parent))
    try:
        import verify_seal
    finally:
        sys.path.remove(str(VERIFY.parent))
    path = tmp_path / "report.pdf"
    path.write_bytes(response.data)
    (document,) = verify_seal.records_in(path)
    assert verify_seal.check(document, None) is True
    document["report"]["properties"][0]["home_visits"]["households_visited"] = 4
    assert verify_seal.check(document, None) is False
    (tmp_path / "changed.json").write_text(json.dumps(document), encoding="utf-8")
    checked = subprocess.run([sys.executable, str(VERIFY), str(tmp_path / "changed.json")],
                             capture_output=True, text=True)
    assert checked.returncode == 1 and "does not match" in checked.stdout


def test_now_never_changes_a_finished_month(month, app_ctx):
    from server.reports.operations import monthly_report, verification_code
    first = monthly_report([month["property"]], date(2026, 10, 1),
                           now=datetime(2026, 12, 1, tzinfo=UTC))
    later = monthly_report([month["property"]], date(2026, 10, 1),
                           now=datetime(2027, 1, 5, tzinfo=UTC))
    assert verification_code(first) == verification_code(later)
    first.pop("generated_at"), later.pop("generated_at")
    assert first == later
