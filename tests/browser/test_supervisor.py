"""The supervisor workspace in the PWA: review with return and approve, follow-ups through to
verification (the fix done on the phone, offline), and the compliance numbers on screen.

Two browser contexts: the supervisor on a laptop-sized window, the inspector on a phone."""

import re
import uuid
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import expect
from pwa_steps import PASSWORD, answer, log_in, make_photo, sign, wait_for_service_worker

from server.core.db import today_in

LAPTOP = {"viewport": {"width": 1280, "height": 860}, "locale": "zh-CN"}
PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "zh-CN", "has_touch": True}


def supervisor_page(browser, base_url, username="supervisor1"):
    context = browser.new_context(**LAPTOP)
    page = context.new_page()
    page.goto(base_url + "/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("nav-records")).to_be_visible()
    return context, page


def a_unit(live_server, offset):
    from server.core.db import db
    from server.properties.models import Unit
    from server.users.models import User
    with live_server.app.app_context():
        patrol = db.session.scalar(sa.select(User).filter_by(username="patrol1"))
        unit = db.session.scalars(sa.select(Unit).where(
            Unit.property_id == patrol.memberships[0].property_id).order_by(Unit.id)
            .offset(offset)).first()
        result = unit.building, unit.room, unit.label
        db.session.remove()
        return result


def home_visit(page, live_server, offset, failed_comment):
    """A sealed home visit with one failed item, pushed from the phone; returns its id."""
    building, room, label = a_unit(live_server, offset)
    page.get_by_test_id("new-inspection").click()
    page.get_by_test_id("checklist-select").select_option("home_visit")
    page.get_by_test_id("subject-search").fill(f"{building} {room}")
    page.get_by_test_id("subject-list").get_by_role("button", name=label).click()
    record_id = page.get_by_test_id("form").get_attribute("data-record-id")
    answer(page, "visit_outcome", "已入户走访")
    answer(page, "visit_standard_followed", "不合格")
    page.locator("[data-item='visit_standard_followed']").get_by_label("备注").fill(failed_comment)
    answer(page, "rectification_needed", "否")
    answer(page, "satisfaction", "基本满意")
    answer(page, "escalate_to_pm", "否")
    sign(page, "owner_signature", name="林女士")
    sign(page, "inspector_signature")
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    return record_id


def test_supervisor_returns_a_record_the_phone_fixes_it_offline_and_the_supervisor_approves(
        browser, live_server):
    phone_context = browser.new_context(**PHONE)
    phone = phone_context.new_page()
    log_in(phone, live_server.url)
    wait_for_service_worker(phone)
    record_id = home_visit(phone, live_server, 5, "未出示工牌")

    context, page = supervisor_page(browser, live_server.url)
    page.get_by_test_id("nav-records").click()
    page.get_by_test_id("f-status").select_option("submitted")
    page.get_by_test_id("f-failures").check()
    page.get_by_test_id("f-apply").click()
    row = page.locator(f"[data-testid='record-row'][data-record-id='{record_id}']")
    expect(row).to_contain_text("待审核")
    row.click()
    view = page.get_by_test_id("record-view")
    expect(view.locator("[data-item='visit_standard_followed']")).to_have_attribute("data-failed", "true")
    expect(view.get_by_test_id("seal-status")).to_have_text("校验通过")
    expect(view.get_by_test_id("phone-time")).not_to_be_empty()
    expect(view.get_by_test_id("server-time")).not_to_be_empty()
    expect(view.locator(".sig-img")).to_have_count(2)  # both signatures, fetched with the token
    # A comment box only where the supervisor wants one.
    expect(view.locator("[data-testid^='review-item-']")).to_have_count(0)
    page.get_by_test_id("review-open-owner_opinions").click()
    page.get_by_test_id("review-item-owner_opinions").fill("写明业主的具体意见")
    expect(view.locator("[data-testid^='review-item-']")).to_have_count(1)
    page.get_by_test_id("review-comment-input").fill("请补充业主意见")
    page.get_by_test_id("return").click()
    expect(view.get_by_test_id("record-status")).to_have_text("已退回")
    expect(view.get_by_test_id("history")).to_contain_text("张主管：退回")
    # What, where, who and when, in the property's time; the history names items by their label.
    expect(view.get_by_test_id("record-subject")).to_contain_text("滨河湾河西")
    expect(view.get_by_test_id("record-inspector")).to_have_text("李巡查")
    expect(view.get_by_test_id("zone-note")).to_contain_text("中国标准时间")
    expect(view.get_by_test_id("history")).to_contain_text("业主意见")
    expect(view.get_by_test_id("history")).not_to_contain_text("owner_opinions")

    # The inspector's phone gets it on the next sync, then fixes and re-signs it with no signal.
    phone.get_by_test_id("sync-now").click()
    returned = phone.get_by_test_id("returned")
    expect(returned).to_contain_text("请补充业主意见")
    phone_context.set_offline(True)
    returned.get_by_role("button").first.click()
    expect(phone.get_by_test_id("item-review")).to_contain_text("写明业主的具体意见")
    phone.locator("[data-item='owner_opinions'] input, [data-item='owner_opinions'] textarea").first.fill(
        "希望加强夜间巡逻")
    sign(phone, "owner_signature", name="林女士")
    sign(phone, "inspector_signature")
    phone.get_by_test_id("seal").click()
    expect(phone.get_by_test_id("outbox-record")).to_have_count(1)
    phone_context.set_offline(False)
    expect(phone.get_by_test_id("outbox-empty")).to_be_visible()

    # Revision 2 is waiting for review; the supervisor approves it.
    page.reload()
    expect(view.get_by_test_id("record-status")).to_have_text("待审核")
    expect(view.locator("h1")).to_contain_text("第 2 版")
    expect(view.locator("[data-item='owner_opinions']")).to_contain_text("希望加强夜间巡逻")
    page.get_by_test_id("approve").click()
    expect(view.get_by_test_id("record-status")).to_have_text("已通过")
    expect(view.get_by_test_id("history")).to_contain_text("第 2 版提交")
    stored = live_server.api(f"/api/inspections/{record_id}", token=live_server.token("supervisor1"))
    assert stored["status"] == "approved" and stored["revision"] == 2
    assert [r["action"] for r in stored["reviews"]] == ["return", "approve"]
    context.close()
    phone_context.close()


def test_follow_up_fixed_offline_on_the_phone_then_called_back_and_verified(browser, live_server, tmp_path):
    context, page = supervisor_page(browser, live_server.url)
    page.get_by_test_id("nav-followups").click()
    page.get_by_test_id("fu-raise").click()
    form = page.get_by_test_id("fu-raise-form")
    form.get_by_label("项目").select_option(label="滨河湾河西")  # the phone's current property
    form.get_by_test_id("fu-subject").fill("3栋大堂")
    form.get_by_test_id("fu-description").fill("大堂吊顶破损待修复")
    expect(form.locator("[data-username='patrol1']")).to_have_count(1)
    form.get_by_test_id("fu-assignee").select_option(label="李巡查")
    form.get_by_test_id("fu-owner").check()  # an owner reported it: it is called back
    form.get_by_test_id("fu-save").click()
    row = page.get_by_test_id("fu-row").filter(has_text="大堂吊顶破损待修复")
    expect(row.get_by_test_id("fu-status")).to_have_text("待整改")
    follow_up_id = row.get_attribute("data-followup-id")

    phone_context = browser.new_context(**PHONE)
    phone = phone_context.new_page()
    log_in(phone, live_server.url)
    wait_for_service_worker(phone)
    item = phone.locator(f"[data-testid='follow-up'][data-followup-id='{follow_up_id}']")
    expect(item).to_contain_text("大堂吊顶破损待修复")

    # No signal: the fix and its photo wait on the phone, even across a reload.
    phone_context.set_offline(True)
    item.get_by_test_id("fu-fix").click()
    phone.get_by_test_id("fix-photo-input").set_input_files(str(make_photo(tmp_path / "fixed.jpg", seed=7)))
    expect(phone.get_by_test_id("fix-photo")).to_have_count(1)
    phone.get_by_test_id("fix-note").fill("已更换吊顶板")
    phone.get_by_test_id("fix-submit").click()
    expect(item.get_by_test_id("fu-queued")).to_contain_text("待上传")
    expect(phone.get_by_test_id("pending-events")).to_have_text("1 条整改")
    phone.reload()
    expect(item.get_by_test_id("fu-queued")).to_contain_text("待上传")
    phone_context.set_offline(False)
    expect(item.get_by_test_id("fu-state")).to_have_text("已整改，待复查")
    expect(phone.get_by_test_id("pending-events")).to_have_count(0)

    # The supervisor sees the fix with its photo, cannot verify before a callback, then does.
    page.goto(live_server.url + f"/#/followup/{follow_up_id}")
    view = page.get_by_test_id("followup")
    expect(view.get_by_test_id("fu-status")).to_have_text("已整改，待复查")
    events = view.get_by_test_id("fu-events")
    expect(events.locator("[data-action='fix']")).to_contain_text("已更换吊顶板")
    expect(events.locator("[data-action='fix'] img")).to_be_visible()
    events.locator("[data-action='fix'] .img-button").click()
    expect(page.get_by_test_id("lightbox").locator("img")).to_be_visible()
    page.get_by_test_id("lightbox").get_by_role("button").click()
    view.get_by_test_id("fu-pick-verify").click()
    view.get_by_test_id("fu-verify").click()
    expect(view.get_by_test_id("fu-error")).to_have_text("需先回访业主，且业主满意或基本满意，才能验证关闭。")
    view.get_by_test_id("fu-pick-callback").click()
    view.get_by_test_id("fu-sat-satisfied").check()
    view.get_by_test_id("fu-note").fill("已回访业主，对维修满意")
    view.get_by_test_id("fu-callback").click()
    expect(events.locator("[data-action='callback']")).to_contain_text("对维修满意")
    expect(events.locator("[data-action='callback']")).to_contain_text("满意")
    view.get_by_test_id("fu-pick-verify").click()
    view.get_by_test_id("fu-verify").click()
    expect(view.get_by_test_id("fu-status")).to_have_text("复查合格")

    stored = live_server.api(f"/api/followups/{follow_up_id}", token=live_server.token("supervisor1"))
    assert [e["action"] for e in stored["events"]] == ["create", "fix", "callback", "verify"]
    assert len(stored["events"][1]["photos"]) == 1
    context.close()
    phone_context.close()


def test_compliance_screen_shows_the_numbers_the_api_returns(browser, live_server):
    month = today_in().strftime("%Y-%m")  # the property's month, not the machine's
    token = live_server.token("manager1")
    data = live_server.api(f"/api/compliance?month={month}", token=token)
    assert len(data["properties"]) == 3  # a manager sees every property
    prop = data["properties"][0]
    rule = next(r for r in prop["rules"] if r["required"] > 0)

    context, page = supervisor_page(browser, live_server.url, "manager1")
    page.get_by_test_id("nav-compliance").click()
    property_id = prop["property"]["id"]
    section = page.locator(f"[data-testid='compliance-property'][data-property-id='{property_id}']")
    row = section.locator(f"[data-testid='rule-row'][data-rule='{rule['rule_id']}']"
                          f"[data-checklist='{rule['checklist_code']}']")
    expect(row.get_by_test_id("rule-required")).to_have_text(str(rule["required"]))
    expect(row.get_by_test_id("rule-done")).to_have_text(str(rule["done"]))
    expect(page.get_by_test_id("compliance-property")).to_have_count(3)
    expect(section.get_by_test_id("trend").first).to_be_visible()
    # Each trend is captioned by its checklist's title, never its code.
    captions = section.get_by_test_id("trend").locator("figcaption").all_inner_texts()
    assert captions and not any(re.fullmatch(r"[a-z_]+", caption) for caption in captions), captions
    assert "装修巡查" in captions

    # A gap leads to the records list filtered to that checklist and month.
    if any(r["gaps"] for r in prop["rules"]):
        section.get_by_test_id("gaps").locator("summary").click()
        section.get_by_test_id("gap-records").first.click()
        expect(page.get_by_test_id("records")).to_be_visible()
        expect(page.get_by_test_id("f-from")).to_have_value(f"{month}-01")
    context.close()


def test_records_export_downloads_the_filtered_selection_with_the_token(browser, live_server):
    context, page = supervisor_page(browser, live_server.url)
    page.goto(live_server.url + "/#/records?status=approved")
    expect(page.get_by_test_id("records-total")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("记录编号,项目,检查表")
    rows = text.splitlines()[1:]
    assert rows and all(",已通过," in row for row in rows)  # statuses in the reader's words
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"  # a zip: the XLSX container
    context.close()


def test_signed_pdfs_of_the_selection_with_progress_and_one_from_the_record(browser, live_server):
    phone_context = browser.new_context(**PHONE)
    phone = phone_context.new_page()
    log_in(phone, live_server.url)
    wait_for_service_worker(phone)
    record_id = home_visit(phone, live_server, 9, "门禁卡未登记")
    phone_context.close()
    from server.core.db import db
    from server.inspections.models import Inspection
    with live_server.app.app_context():
        property_id = db.session.get(Inspection, uuid.UUID(record_id)).property_id
        db.session.remove()

    context, page = supervisor_page(browser, live_server.url)
    page.goto(live_server.url + f"/#/records?property_id={property_id}&checklist=home_visit")
    expect(page.get_by_test_id("records-total")).to_be_visible()
    with page.expect_download(timeout=120_000) as download:
        page.get_by_test_id("export-pdf").click()
        # The job's progress is on screen while the server renders.
        expect(page.get_by_test_id("pdf-progress")).to_be_visible()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF") and download.value.suggested_filename.endswith(".pdf")
    expect(page.get_by_test_id("pdf-progress")).to_contain_text("PDF")
    total = page.get_by_test_id("pdf-progress").locator("progress").get_attribute("max")
    done = page.get_by_test_id("pdf-progress").locator("progress").get_attribute("value")
    assert total == done and int(total) >= 1
    # Where the file went, in words.
    expect(page.get_by_test_id("pdf-saved")).to_contain_text("已下载 xuncha-records-")
    expect(page.get_by_test_id("pdf-saved")).to_contain_text("下载")
    # One record's PDF from its own page.
    page.goto(live_server.url + f"/#/record/{record_id}")
    with page.expect_download(timeout=60_000) as single:
        page.get_by_test_id("pdf").click()
    assert Path(single.value.path()).read_bytes().startswith(b"%PDF")
    context.close()


def test_bad_filters_are_marked_at_their_field_and_a_disabled_export_says_why(browser, live_server):
    context, page = supervisor_page(browser, live_server.url)
    # A reversed range in a pasted link: said at the end date, not an empty list.
    page.goto(live_server.url + "/#/records?date_from=2026-11-20&date_to=2026-11-01")
    expect(page.get_by_test_id("f-error-date_to")).to_have_text("结束日期不能早于开始日期。")
    expect(page.get_by_test_id("f-to")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("records")).not_to_contain_text("没有符合条件的记录")
    expect(page.get_by_test_id("records")).not_to_contain_text("加载中")
    # Fixed in the form: the error goes and the list comes.
    page.get_by_test_id("f-to").fill("2026-11-30")
    page.get_by_test_id("f-apply").click()
    expect(page.get_by_test_id("f-error-date_to")).to_have_count(0)
    expect(page.get_by_test_id("records-total")).to_be_visible()
    # A date that is no date.
    page.goto(live_server.url + "/#/records?date_from=2026-13-01")
    page.reload()
    expect(page.get_by_test_id("f-error-date_from")).to_have_text("不是有效的日期。")
    # PDF export needs a property: the page says so in words, not only with a grey button.
    expect(page.get_by_test_id("export-pdf")).to_be_disabled()
    expect(page.get_by_test_id("pdf-hint")).to_contain_text("请先在筛选中选择项目")
    context.close()
