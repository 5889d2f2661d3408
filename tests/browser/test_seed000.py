"""The supervisor's own checklists from the customer-service standard, filled once each on a
phone; 未遇 and 停工 recorded without the owner's or contractor's signature; and what the
compliance screen says about them."""

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect
from pwa_steps import PASSWORD, add_photo, answer, log_in, make_photo, sign, start_renovation_patrol

LAPTOP = {"viewport": {"width": 1280, "height": 860}, "locale": "zh-CN"}
NEW_CHECKLISTS = ["supervisor_inspection", "renovation_register_check", "team_meeting",
                  "staff_talk", "customer_file_check"]


def stored(live_server, code):
    from server.core.db import db
    from server.inspections.models import Inspection
    with live_server.app.app_context():
        rows = [(r.subject_type, r.subject_id, r.inspector.username, r.answers)
                for r in db.session.scalars(sa.select(Inspection).filter_by(checklist_code=code))]
        db.session.remove()
        return rows


def fill_every_item(page: Page, definition: dict, tmp_path):
    """Answer every item the way a supervisor with nothing to report would."""
    for section in definition["sections"]:
        for item in section["items"]:
            block = page.locator(f"[data-item='{item['id']}']")
            kind = item["type"]
            if kind == "pass_fail":
                answer(page, item["id"], "合格")
            elif kind == "yes_no":
                answer(page, item["id"], "否")
            elif kind in ("single_choice", "multi_choice"):
                answer(page, item["id"], item["options"][0]["label"]["zh-CN"])
            elif kind == "text":
                block.locator("textarea, input").first.fill("情况正常，无异常。")
            elif kind == "number":
                block.locator("input[type=number]").fill("12")
            elif kind == "time":
                block.locator("input[type=time]").fill("08:30")
            elif kind == "photo" and item["min"] > 0:
                add_photo(page, item["id"], make_photo(tmp_path / f"{item['id']}.jpg", 1200, 900))
            elif kind == "signature":
                sign(page, item["id"])


def test_each_new_checklist_is_filled_once_on_the_supervisors_phone(page, live_server, tmp_path):
    token = live_server.token("supervisor1")
    definitions = {c["code"]: c["definition"] for c in live_server.api("/api/checklists", token=token)}
    log_in(page, live_server.url, "supervisor1")
    for code in NEW_CHECKLISTS:
        page.get_by_test_id("new-inspection").click()
        page.get_by_test_id("checklist-select").select_option(code)
        if definitions[code]["subject"] == "staff":
            # The one-to-one talk is about one of the property's staff, picked by name.
            page.get_by_test_id("subject-list").get_by_role("button", name="李巡查").click()
        else:
            page.get_by_role("button", name=re.compile("^开始")).click()
        expect(page.get_by_test_id("form")).to_be_visible()
        fill_every_item(page, definitions[code], tmp_path)
        page.get_by_test_id("seal").click()
        expect(page.get_by_test_id("outbox-empty")).to_be_visible(timeout=20000)
        [(subject_type, _, inspector, answers)] = stored(live_server, code)
        assert inspector == "supervisor1", code
        assert subject_type == definitions[code]["subject"], code
        signatures = [i["id"] for s in definitions[code]["sections"] for i in s["items"]
                      if i["type"] == "signature"]
        assert all(answers[item]["signature"] for item in signatures), code
    [(_, staff_id, _, _)] = stored(live_server, "staff_talk")
    patrol = live_server.api("/api/me", token=live_server.token("patrol1"))
    assert staff_id == patrol["id"]


def test_nobody_home_and_work_stopped_need_a_photo_not_a_signature(browser, live_server, tmp_path):
    from server.core.db import db
    from server.properties.models import Unit
    from server.users.models import User
    with live_server.app.app_context():
        supervisor = db.session.scalar(sa.select(User).filter_by(username="supervisor1"))
        unit = db.session.scalars(sa.select(Unit).where(
            Unit.property_id == supervisor.memberships[0].property_id).order_by(Unit.id)
            .offset(3)).first()
        building, room, label = unit.building, unit.room, unit.label
        db.session.remove()

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                  has_touch=True)
    page = context.new_page()
    log_in(page, live_server.url, "supervisor1")
    page.get_by_test_id("new-inspection").click()
    page.get_by_test_id("checklist-select").select_option("home_visit")
    page.get_by_test_id("subject-search").fill(f"{building} {room}")
    page.get_by_test_id("subject-list").get_by_role("button", name=label).click()
    answer(page, "visit_outcome", "未遇")
    # Only what a closed door allows is asked: a photo of the door and the visitor's signature.
    expect(page.locator("[data-item='owner_signature']")).to_have_count(0)
    expect(page.locator("[data-item='satisfaction']")).to_have_count(0)
    page.get_by_test_id("seal").click()
    expect(page.locator("[data-item='door_photo'] .problems")).to_be_visible()
    add_photo(page, "door_photo", make_photo(tmp_path / "door.jpg", 1200, 900, seed=5))
    sign(page, "inspector_signature")
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible(timeout=20000)
    [visit] = [row for row in stored(live_server, "home_visit")
               if row[3]["visit_outcome"]["value"] == "not_home"]
    assert "owner_signature" not in visit[3] and len(visit[3]["door_photo"]["photos"]) == 1
    context.close()

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                  has_touch=True)
    page = context.new_page()
    log_in(page, live_server.url, "patrol1")
    start_renovation_patrol(page)
    answer(page, "site_status", "停工")
    expect(page.locator("[data-item='contractor_signature']")).to_have_count(0)
    expect(page.locator("[data-item='walls']")).to_have_count(0)
    add_photo(page, "site_photos", make_photo(tmp_path / "site.jpg", 1200, 900, seed=6))
    sign(page, "inspector_signature")
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible(timeout=20000)
    [patrol] = [row for row in stored(live_server, "renovation_patrol")
                if (row[3].get("site_status") or {}).get("value") == "stopped"]
    assert "contractor_signature" not in patrol[3]
    context.close()


def test_compliance_screen_names_set_up_problems_and_shows_each_person(browser, live_server):
    token = live_server.token("supervisor1")
    me = live_server.api("/api/me", token=token)
    properties = {p["code"]: p["id"] for p in live_server.api("/api/properties", token=token)}
    east = properties["binhewan-east"]  # nobody there is the key keeper

    context = browser.new_context(**LAPTOP)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("用户名").fill("supervisor1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_test_id("nav-compliance").click()
    page.get_by_test_id("c-property").select_option(str(east))
    section = page.locator(f"[data-testid='compliance-property'][data-property-id='{east}']")
    keeper = section.locator("[data-testid='rule-row'][data-rule='keeper_daily']")
    expect(keeper.get_by_test_id("setup-problem")).to_contain_text("未指定钥匙管理员")
    expect(keeper.get_by_test_id("rule-status")).to_have_text("需完善设置")
    # Before the month ends nothing reads "missed".
    expect(section.get_by_test_id("rule-status").filter(has_text="未达标")).to_have_count(0)

    people = page.get_by_test_id("people")
    mine = people.locator(f"[data-testid='person'][data-user-id='{me['id']}']")
    expect(mine).to_contain_text("张主管")
    expect(mine.locator("[data-testid='person-rule'][data-rule='twice_monthly']")).to_be_visible()
    expect(mine.locator("[data-testid='person-rule'][data-checklist='renovation_patrol']")).to_have_count(0)
    context.close()
