"""Monthly staff assessments in the PWA: the supervisor's form on a laptop, with each suggested
score explained by its figures and refusals shown at their field; then the staff member's
phone (360 px): reading it, offline too, and acknowledging it once back online.

A patrol officer of their own is added at 广场家园 (supervisor2's property), so other browser
tests, which share the server and work in this month, cannot change last month's figures: the
officer sent key audits on the 1st to the 5th of last month (not theirs to do: only the key
keeper's count as duties, so none of their duties was done) and the supervisor sent one of
those records back. No property is added: other tests count the demo's three.
"""

import uuid
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from playwright.sync_api import expect
from pwa_steps import PASSWORD, wait_for_service_worker

LAPTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN"}
PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "zh-CN", "has_touch": True}
CST = timezone(timedelta(hours=8))


def last_month():
    from server.core.db import today_in
    first = today_in().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def make_team(live_server) -> dict:
    from server.assessments import figures
    from server.checklists.operations import find_version
    from server.core.db import db
    from server.inspections.models import Inspection
    from server.properties.models import Property
    from server.reviews.models import ReviewEvent
    from server.users.models import User
    from server.users.operations import create_user, set_memberships
    month = last_month()
    with live_server.app.app_context():
        prop = db.session.scalar(sa.select(Property).filter_by(code="guangchang-jiayuan"))
        keeper = create_user("kaohe1", PASSWORD, "周静", "patrol")
        supervisor = db.session.scalar(sa.select(User).filter_by(username="supervisor2"))
        set_memberships(keeper, {prop.id: False})
        version = find_version("key_audit", 1)
        for day in range(1, 6):
            moment = datetime(month.year, month.month, day, 18, tzinfo=CST)
            record = Inspection(
                id=uuid.uuid4(), property_id=prop.id, checklist_version_id=version.id,
                checklist_code="key_audit", subject_type="key_register", subject_id=prop.id,
                inspector_id=keeper.id, status="approved", revision=1 + (day == 2), answers={},
                has_failures=False, started_at_device=moment.isoformat(),
                completed_at_device=moment.isoformat(), completed_at=moment, seal_hash="0" * 64)
            db.session.add(record)
            if day == 2:
                db.session.flush()
                db.session.add(ReviewEvent(inspection_id=record.id, revision=1, action="return",
                                           actor_id=supervisor.id, comment="未核对备用钥匙"))
        db.session.commit()
        found = figures.suggestions(prop, keeper, month)
        expected = {key: figures.explain(value, "zh-CN") for key, value in found.items()}
        db.session.remove()
    return {"month": month.strftime("%Y-%m"), "month_label": f"{month.year}年{month.month}月",
            "figures": expected, "found": found}


def test_supervisor_scores_with_reasons_and_the_staff_member_acknowledges_on_the_phone(
        browser, base_url, live_server):
    team = make_team(live_server)
    # What the screen must show, counted by the server's own function for this hand-made month.
    assert team["figures"]["effect"] == "退回 1/5 条记录"
    assert team["figures"]["attendance"].startswith("完成 0/")
    suggested = team["found"]["attendance"]["value"]
    assert (suggested, team["found"]["effect"]["value"]) == (0.0, 6.0)

    laptop = browser.new_context(**LAPTOP)
    page = laptop.new_page()
    page.goto(base_url + "/")
    page.get_by_label("用户名").fill("supervisor2")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_test_id("nav-assessments").click()
    page.get_by_test_id("as-month").select_option(team["month"])
    row = page.get_by_test_id("as-row").filter(has_text="周静")
    expect(row.get_by_test_id("as-status")).to_have_text("未考核")
    row.get_by_test_id("as-open").click()

    form = page.get_by_test_id("assessment-edit")
    expect(form.get_by_test_id("as-staff")).to_have_text("周静")
    attendance = form.locator("[data-item='attendance']")
    expect(attendance.get_by_test_id("as-figures")).to_have_text(team["figures"]["attendance"])
    expect(attendance.get_by_test_id("as-suggestion")).to_contain_text(f"建议 {suggested:g} 分")
    expect(form.locator("[data-item='effect']").get_by_test_id("as-figures")).to_have_text(
        "退回 1/5 条记录")
    expect(form.locator("[data-item='efficiency']").get_by_test_id("as-figures")).to_have_text(
        "本月没有到期的整改，无建议分")

    # Full marks everywhere: attendance then differs from its suggestion and needs a reason.
    for item in form.locator(".as-item").all():
        box = item.locator("input[type=number]")
        box.fill(box.get_attribute("max"))
    form.get_by_test_id("as-reward").fill("11")
    form.get_by_test_id("as-reward-reason").fill("业主来信表扬")
    form.get_by_test_id("as-submit").click()
    error = form.locator("[data-field='reward']")
    expect(error).to_have_text("奖励分须在 1 到 10 分之间。")
    expect(form.get_by_test_id("as-status")).to_have_text("草稿（员工还看不到）")
    form.get_by_test_id("as-reward").fill("2")
    form.get_by_test_id("as-submit").click()
    expect(form.locator("[data-field='reasons.attendance']")).to_have_text(
        f"得分与建议分 {suggested:g} 分不同，请填写理由。")
    form.get_by_test_id("as-reason-attendance").fill("月中调岗，后半月钥匙由主管代管")
    expect(form.locator("[data-field='reasons.effect']")).to_have_text("得分与建议分 6 分不同，请填写理由。")
    form.get_by_test_id("as-reason-effect").fill("退回的一条当天已改正")
    form.get_by_test_id("as-submit").click()
    expect(form.get_by_test_id("as-status")).to_have_text("待员工确认")
    expect(form.get_by_test_id("as-total")).to_have_text("102 / 100")
    for word in ("hash", "seal", "draft", "submitted"):
        assert word not in page.locator("main").inner_text()
    laptop.close()

    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    page.goto(base_url + "/")
    page.get_by_label("用户名").fill("kaohe1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    wait_for_service_worker(page)
    page.get_by_test_id("my-assessments-link").click()
    page.get_by_test_id("as-mine-row").filter(has_text=team["month_label"]).click()
    sheet = page.get_by_test_id("as-sheet")
    expect(sheet.locator("[data-item='attendance']").get_by_test_id("as-figures")).to_have_text(
        team["figures"]["attendance"])
    expect(sheet.locator("[data-item='attendance']")).to_contain_text("月中调岗，后半月钥匙由主管代管")
    expect(page.get_by_test_id("as-status")).to_have_text("待员工确认")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

    # No signal: the assessment is still there to read, and the screen says acknowledging waits.
    phone.set_offline(True)
    page.goto(base_url + "/#/my-assessments")
    page.reload()
    page.get_by_test_id("as-mine-row").first.click()
    expect(page.get_by_test_id("as-offline")).to_be_visible()
    expect(page.get_by_test_id("as-ack-offline")).to_have_text("确认需要联网：请联网后再点确认。")
    expect(page.get_by_test_id("as-acknowledge")).to_be_disabled()
    expect(sheet.get_by_test_id("as-total")).to_have_text("102 / 100")

    phone.set_offline(False)
    page.reload()
    expect(page.get_by_test_id("as-offline")).to_have_count(0)
    page.get_by_test_id("as-remark-input").fill("同意，下月按时核对")
    page.get_by_test_id("as-acknowledge").click()
    expect(page.get_by_test_id("as-status")).to_have_text("员工已确认")
    expect(page.get_by_test_id("as-code")).to_contain_text("防篡改校验码")
    expect(page.get_by_test_id("as-code")).to_contain_text("校验通过")
    expect(page.get_by_test_id("as-remark")).to_have_text("同意，下月按时核对")
    expect(page.get_by_test_id("as-ack")).to_have_count(0)
    phone.close()


