"""The work-order loop in the browser: an owner's complaint entered offline on the phone, synced
and assigned; three days on, a contact record is required, and the patrol records it on the phone,
offline; fixed with a photo; called back by
someone else, not satisfied, so it opens again; fixed again; called back satisfied; closed. And a
group-complaint risk reaching the project manager's escalation queue."""

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from playwright.sync_api import expect
from pwa_steps import log_in, make_photo, wait_for_service_worker
from test_supervisor import PHONE, a_unit, supervisor_page


def enter_complaint(phone, unit_label, description, group_risk=False):
    phone.get_by_test_id("new-work-order").click()
    form = phone.get_by_test_id("work-order")
    form.get_by_test_id("wo-kind-complaint").check()
    form.get_by_test_id("wo-category").select_option(label="噪音 / 邻里纠纷")
    form.get_by_test_id("wo-channel").select_option(label="电话")
    form.get_by_test_id("wo-caller").fill("陈女士")
    form.get_by_test_id("wo-phone").fill("13800000000")
    form.get_by_test_id("wo-unit-search").fill(unit_label)
    form.get_by_test_id("wo-unit").select_option(index=1)
    form.get_by_test_id("wo-description").fill(description)
    if group_risk:
        form.get_by_test_id("wo-group-risk").check()
    form.get_by_test_id("wo-submit").click()
    expect(phone.get_by_test_id("new-work-order")).to_be_visible()


def fix_on_phone(phone, order_id, photo):
    item = phone.locator(f"[data-testid='follow-up'][data-followup-id='{order_id}']")
    item.get_by_test_id("fu-fix").click()
    phone.get_by_test_id("fix-photo-input").set_input_files(str(photo))
    expect(phone.get_by_test_id("fix-photo")).to_have_count(1)
    phone.get_by_test_id("fix-submit").click()
    expect(item.get_by_test_id("fu-state")).to_have_text("已整改，待复查")


def step(view, action):
    view.get_by_test_id(f"fu-pick-{action}").click()


def test_a_complaint_goes_round_the_whole_loop(browser, live_server, tmp_path):
    _building, _room, label = a_unit(live_server, 7)
    # Other tests share this server: count from what is assigned already.
    assigned = live_server.api("/api/followups/notices", token=live_server.token())["assigned"]
    phone_context = browser.new_context(**PHONE)
    phone = phone_context.new_page()
    log_in(phone, live_server.url)
    wait_for_service_worker(phone)

    # Offline in a stairwell: the complaint waits on the phone, even across a reload.
    phone_context.set_offline(True)
    enter_complaint(phone, label, "楼上夜间装修噪音，影响休息")
    expect(phone.get_by_test_id("wo-queued")).to_have_text("1 张工单待上传")
    phone.reload()
    expect(phone.get_by_test_id("wo-queued")).to_have_text("1 张工单待上传")
    phone_context.set_offline(False)
    phone.get_by_test_id("sync-now").click()
    expect(phone.get_by_test_id("wo-queued")).to_have_count(0)
    item = phone.get_by_test_id("follow-up").filter(has_text="楼上夜间装修噪音")
    expect(item).to_have_count(1)
    order_id = item.get_attribute("data-followup-id")
    expect(phone.get_by_test_id("notice-counts")).to_contain_text(f"分派给我 {assigned + 1} ")

    # The supervisor finds it among the work orders and assigns it with a due date.
    context, page = supervisor_page(browser, live_server.url)
    page.get_by_test_id("nav-followups").click()
    page.get_by_test_id("fu-f-orders").check()
    row = page.locator(f"[data-testid='fu-row'][data-followup-id='{order_id}']")
    expect(row).to_contain_text("投诉 · 楼上夜间装修噪音")
    expect(row).to_contain_text(label)
    row.click()
    view = page.get_by_test_id("followup")
    expect(view.get_by_test_id("wo-details")).to_contain_text("噪音 / 邻里纠纷 · 电话 · 陈女士")
    step(view, "assign")
    view.get_by_test_id("fu-assign-to").select_option(label="李巡查")
    view.get_by_test_id("fu-assign-due").fill((datetime.now() + timedelta(days=1)).strftime("%Y-%m-%d"))
    view.get_by_test_id("fu-assign").click()
    expect(view.get_by_test_id("fu-events").locator("[data-action='assign']")).to_have_count(1)

    # Four days after the owner called, still unresolved: a contact record is required.
    from server.core.db import db
    from server.followups.models import FollowUp
    with live_server.app.app_context():
        db.session.execute(sa.update(FollowUp).where(FollowUp.id == uuid.UUID(order_id))
                           .values(found_at=datetime.now(UTC) - timedelta(days=4)))
        db.session.commit()
        db.session.remove()

    fix_on_phone(phone, order_id, make_photo(tmp_path / "fix1.jpg", seed=21))

    page.reload()
    view = page.get_by_test_id("followup")
    expect(view.get_by_test_id("fu-needs-contact")).to_have_text("需联系业主")
    step(view, "verify")
    view.get_by_test_id("fu-verify").click()
    expect(view.get_by_test_id("fu-error")).to_have_text(
        "问题发现已超过3天，须先填写沟通记录才能关闭。")
    # The patrol records the contact on the phone, in the stairwell with no signal.
    phone.get_by_test_id("sync-now").click()
    expect(item.get_by_test_id("fu-needs-contact")).to_have_text("需联系业主")
    phone_context.set_offline(True)
    item.get_by_test_id("fu-fix").click()
    expect(phone.get_by_test_id("fix-submit")).to_have_count(0)  # fixed already: only the contact
    contact = phone.get_by_test_id("contact-form")
    contact.get_by_test_id("contact-submit").click()
    expect(contact.get_by_role("alert")).to_have_text("请选择沟通方式。")
    contact.get_by_label("电话").check()
    contact.get_by_test_id("contact-with").fill("陈女士")
    contact.get_by_test_id("contact-note").fill("已与楼上住户沟通，约定晚间不施工")
    contact.get_by_test_id("contact-submit").click()
    expect(item.get_by_test_id("fu-queued")).to_have_text("沟通记录 · 待上传")
    expect(item.get_by_test_id("fu-needs-contact")).to_have_count(0)
    phone_context.set_offline(False)
    phone.get_by_test_id("sync-now").click()
    expect(item.get_by_test_id("fu-queued")).to_have_count(0)
    page.reload()
    view = page.get_by_test_id("followup")
    expect(view.get_by_test_id("fu-events").locator("[data-action='contact']")).to_contain_text("陈女士")
    expect(view.get_by_test_id("fu-needs-contact")).to_have_count(0)

    # The callback, by the supervisor (not the fixer): not satisfied, so it opens again.
    step(view, "callback")
    view.get_by_test_id("fu-sat-dissatisfied").check()
    view.get_by_test_id("fu-note").fill("业主反映夜间仍有噪音")
    view.get_by_test_id("fu-callback").click()
    expect(view.get_by_test_id("fu-status")).to_contain_text("待整改")
    expect(view.get_by_test_id("fu-events").locator("[data-action='callback']")).to_contain_text("不满意")

    # The phone sees it open again at the next sync, and it is fixed again.
    phone.get_by_test_id("sync-now").click()
    expect(item.get_by_test_id("fu-state")).to_contain_text("待整改")
    fix_on_phone(phone, order_id, make_photo(tmp_path / "fix2.jpg", seed=22))

    page.reload()
    view = page.get_by_test_id("followup")
    step(view, "callback")
    view.get_by_test_id("fu-sat-satisfied").check()
    view.get_by_test_id("fu-callback").click()
    expect(view.get_by_test_id("fu-events").locator("[data-action='callback']").last).to_contain_text("满意")
    step(view, "verify")
    view.get_by_test_id("fu-verify").click()
    expect(view.get_by_test_id("fu-status")).to_have_text("复查合格")
    stored = live_server.api(f"/api/followups/{order_id}", token=live_server.token("supervisor1"))
    assert [e["action"] for e in stored["events"]] == [
        "create", "assign", "fix", "contact", "callback", "fix", "callback", "verify"]
    assert [e["satisfaction"] for e in stored["events"] if e["action"] == "callback"] == [
        "dissatisfied", "satisfied"]
    assert "(open)" not in page.content() and "open" not in view.get_by_test_id("fu-status").inner_text()

    # A group-complaint risk reaches the project manager's queue; the manager acknowledges it.
    enter_complaint(phone, label, "多户业主联名反映地库渗水", group_risk=True)
    expect(phone.get_by_test_id("wo-queued")).to_have_count(0)
    manager_context, manager = supervisor_page(browser, live_server.url, username="manager1")
    manager.get_by_test_id("nav-escalations").click()
    entry = manager.get_by_test_id("esc-row").filter(has_text="多户业主联名反映地库渗水")
    expect(entry).to_contain_text("群诉风险")
    expect(entry).to_contain_text(label)
    entry.get_by_test_id("esc-comment").fill("已通知工程部明日排查并回复业主")
    entry.get_by_test_id("esc-acknowledge").click()
    manager.get_by_test_id("esc-open-only").uncheck()
    done = manager.get_by_test_id("esc-row").filter(has_text="多户业主联名反映地库渗水")
    expect(done.get_by_test_id("esc-ack")).to_contain_text("刘经理")
    for ctx in (manager_context, context, phone_context):
        ctx.close()
