"""A shift on the phone: the due list keeps count of the work done here, offline too; nothing
sealed waits for a trigger while the server is reachable; a photo being processed is in the
sealed record; drafts and refused records can be thrown away; notices never move a button."""

import uuid

import sqlalchemy as sa
from playwright.sync_api import expect
from pwa_steps import (
    add_photo,
    answer,
    fill_renovation_items,
    log_in,
    make_photo,
    sign,
    wait_for_service_worker,
)

RENOVATION_ITEMS = ["surface_protection", "debris", "working_hours", "walls", "waterproofing",
                    "guard_rails", "terrace_balcony", "installations"]

# How many blobs (photo and signature bytes) the phone holds, and whether the given ones are there.
BLOBS = """async (hashes) => {
  const db = await new Promise((ok) => {
    const r = indexedDB.open('xuncha'); r.onsuccess = () => ok(r.result); });
  const all = await new Promise((ok) => {
    const r = db.transaction('blobs').objectStore('blobs').getAllKeys(); r.onsuccess = () => ok(r.result); });
  db.close();
  return hashes.filter((h) => all.includes(h));
}"""

# The hashes a local record refers to (its photos and signatures).
RECORD_HASHES = """async (id) => {
  const db = await new Promise((ok) => {
    const r = indexedDB.open('xuncha'); r.onsuccess = () => ok(r.result); });
  const record = await new Promise((ok) => {
    const r = db.transaction('records').objectStore('records').get(id); r.onsuccess = () => ok(r.result); });
  db.close();
  return JSON.stringify(record.answers).match(/[0-9a-f]{64}/g) || [];
}"""

# Change a sealed record on the phone, so the server refuses it (its seal no longer matches).
TAMPER = """async (id) => {
  const db = await new Promise((ok) => {
    const r = indexedDB.open('xuncha'); r.onsuccess = () => ok(r.result); });
  const store = () => db.transaction('records', 'readwrite').objectStore('records');
  const record = await new Promise((ok) => { const r = store().get(id); r.onsuccess = () => ok(r.result); });
  record.answers.debris.value = 'fail';
  await new Promise((ok) => { const r = store().put(record); r.onsuccess = () => ok(); });
  db.close();
}"""


# The app registers its service worker only when the test says so.
HOLD_SERVICE_WORKER = """(() => {
  const container = navigator.serviceWorker;
  const register = container.register.bind(container);
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  window.releaseServiceWorker = release;
  container.register = (...args) => released.then(() => register(...args));
})()"""


def stored(live_server, record_id):
    from server.core.db import db
    from server.inspections.models import Inspection
    with live_server.app.app_context():
        rows = db.session.scalars(sa.select(Inspection).where(
            Inspection.id == uuid.UUID(record_id))).all()
        result = [(row.revision, row.answers) for row in rows]
        db.session.remove()
        return result


def phone(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", has_touch=True)
    page = context.new_page()
    log_in(page, live_server.url)
    return context, page


def first_open_renovation(page):
    """The due entry of a renovation not yet patrolled today, and its subject line."""
    entry = page.get_by_test_id("due-list").locator("li[data-done='false']", has_text="在施装修").first
    return entry.get_by_test_id("due-name").inner_text()  # "装修巡查 · 4栋1单元102"


def due_entry(page, name):
    return page.get_by_test_id("due-list").locator("li").filter(
        has=page.get_by_test_id("due-name").get_by_text(name, exact=True))


def complete_renovation(page, tmp_path, seed=1):
    answer(page, "site_status", "正在施工")
    for item_id in RENOVATION_ITEMS:
        answer(page, item_id, "合格")
    add_photo(page, "site_photos", make_photo(tmp_path / f"site-{seed}.jpg", 1200, 900, seed=seed))
    sign(page, "inspector_signature")
    sign(page, "contractor_signature", name="王师傅")


def test_the_due_list_counts_a_draft_a_sealed_and_a_sent_record_and_offers_to_continue(
        browser, live_server, tmp_path):
    context, page = phone(browser, live_server)
    wait_for_service_worker(page)
    context.set_offline(True)
    subject = first_open_renovation(page)
    entry = due_entry(page, subject)
    expect(entry.get_by_test_id("due-count")).to_have_text("未完成 0/1")

    # Started, not finished: the entry says so, and tapping it offers the draft, not a second one.
    entry.get_by_role("button").first.click()
    record_id = page.get_by_test_id("form").get_attribute("data-record-id")
    answer(page, "surface_protection", "合格")
    page.get_by_role("link", name="返回").click()
    expect(entry.get_by_test_id("due-count")).to_have_text("进行中 0/1")
    expect(entry).to_contain_text("有一份未完成的记录")
    entry.get_by_role("button").first.click()
    entry.get_by_test_id("due-continue").click()
    expect(page.get_by_test_id("form")).to_have_attribute("data-record-id", record_id)
    expect(page.locator("[data-item='surface_protection'] .choice-pass.chosen")).to_be_visible()

    # Sealed with no signal: counted at once, waiting to upload; tapping it shows the record.
    complete_renovation(page, tmp_path)
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("outbox-record")).to_have_count(1)
    expect(entry.get_by_test_id("due-count")).to_have_text("已完成 1/1")
    expect(entry).to_contain_text("1 条已提交，待上传")
    entry.get_by_role("button").first.click()
    expect(entry.get_by_test_id("due-choice")).to_contain_text("本期已完成 1/1")
    entry.get_by_test_id("due-view").click()
    expect(page.get_by_test_id("form")).to_have_attribute("data-record-id", record_id)
    expect(page.get_by_test_id("sealed")).to_be_visible()
    page.get_by_role("link", name="返回").click()
    expect(page.get_by_test_id("drafts").get_by_test_id("draft")).to_have_count(0)

    # Back online: sent, and the entry stays done (the server's count now).
    context.set_offline(False)
    page.get_by_test_id("sync-now").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible(timeout=20000)
    expect(entry.get_by_test_id("due-count")).to_have_text("已完成 1/1")
    expect(entry).not_to_contain_text("待上传")
    assert [revision for revision, _ in stored(live_server, record_id)] == [1]

    # Doing it again is a choice, never a silent duplicate.
    entry.get_by_role("button").first.click()
    entry.get_by_test_id("due-another").click()
    expect(page.get_by_test_id("form")).not_to_have_attribute("data-record-id", record_id)
    context.close()


def test_work_arriving_during_a_sync_is_sent_by_another_run_without_a_new_trigger(
        browser, live_server, tmp_path):
    context, page = phone(browser, live_server)
    subject = first_open_renovation(page)
    due_entry(page, subject).get_by_role("button").first.click()
    record_id = page.get_by_test_id("form").get_attribute("data-record-id")
    complete_renovation(page, tmp_path, seed=2)

    # Hold the next pull: a sync is now running and has already read the (empty) outbox.
    held, pulls, hold = [], [], [True]
    page.route("**/api/sync/pull*", lambda route: held.append(route) if hold[0] else route.continue_())
    page.on("request", lambda request: "/api/sync/pull" in request.url and pulls.append(request.url))
    page.get_by_test_id("sync-now").click()
    for _ in range(150):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the sync never asked for a pull"

    # Meanwhile a record is sealed and "sync now" is tapped again.
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("outbox-record")).to_have_count(1)
    page.get_by_test_id("sync-now").click()
    hold[0] = False
    for route in held:
        route.continue_()

    # No further trigger: the run that follows sends the record and pulls again.
    expect(page.get_by_test_id("outbox-empty")).to_be_visible(timeout=20000)
    assert [revision for revision, _ in stored(live_server, record_id)] == [1]
    assert len(pulls) >= 2
    context.close()


def test_a_photo_still_being_processed_is_in_the_sealed_record(browser, live_server, tmp_path):
    context, page = phone(browser, live_server)
    subject = first_open_renovation(page)
    due_entry(page, subject).get_by_role("button").first.click()
    record_id = page.get_by_test_id("form").get_attribute("data-record-id")
    fill_renovation_items(page, failed_item="surface_protection")  # a failed item needs a photo
    add_photo(page, "site_photos", make_photo(tmp_path / "site.jpg", 1200, 900, seed=4))
    sign(page, "inspector_signature")
    sign(page, "contractor_signature", name="王师傅")

    # "Seal" right after choosing a camera-sized photo, before it is downscaled and saved.
    big = make_photo(tmp_path / "big.jpg", 4000, 3000, seed=5)
    page.get_by_test_id("photo-input-surface_protection").set_input_files(str(big))
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible(timeout=30000)
    [(_, answers)] = stored(live_server, record_id)
    assert len(answers["surface_protection"]["photos"]) == 1
    context.close()


def test_a_draft_and_a_refused_record_can_be_discarded_with_their_images(browser, live_server, tmp_path):
    context, page = phone(browser, live_server)
    subject = first_open_renovation(page)
    due_entry(page, subject).get_by_role("button").first.click()
    draft_id = page.get_by_test_id("form").get_attribute("data-record-id")
    answer(page, "surface_protection", "不合格")
    add_photo(page, "surface_protection", make_photo(tmp_path / "draft.jpg", 1200, 900, seed=8))
    draft_hashes = page.evaluate(RECORD_HASHES, draft_id)
    assert len(draft_hashes) == 1 and page.evaluate(BLOBS, draft_hashes) == draft_hashes
    page.get_by_role("link", name="返回").click()

    drafts = page.get_by_test_id("drafts")
    expect(drafts.get_by_test_id("draft")).to_have_count(1)
    drafts.get_by_test_id("discard").click()
    expect(drafts).to_contain_text("无法恢复")
    drafts.get_by_role("button", name="取消").click()  # changed their mind: nothing happens
    expect(drafts.get_by_test_id("draft")).to_have_count(1)
    drafts.get_by_test_id("discard").click()
    drafts.get_by_test_id("discard-confirm").click()
    expect(drafts.get_by_test_id("draft")).to_have_count(0)
    assert page.evaluate(BLOBS, draft_hashes) == []
    expect(due_entry(page, subject).get_by_test_id("due-count")).to_have_text("未完成 0/1")

    # A record the server refuses can be given up too, after the same question.
    context.set_offline(True)
    due_entry(page, subject).get_by_role("button").first.click()
    record_id = page.get_by_test_id("form").get_attribute("data-record-id")
    complete_renovation(page, tmp_path, seed=3)
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("outbox-record")).to_have_count(1)
    hashes = page.evaluate(RECORD_HASHES, record_id)
    page.evaluate(TAMPER, record_id)
    context.set_offline(False)
    page.get_by_test_id("sync-now").click()
    outbox = page.get_by_test_id("outbox")
    expect(outbox.locator(".record-error")).to_be_visible(timeout=20000)
    outbox.get_by_test_id("discard").click()
    expect(outbox).to_contain_text("不会再上传")
    outbox.get_by_test_id("discard-confirm").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    expect(page.get_by_test_id("pending")).to_contain_text("0 条记录")
    assert page.evaluate(BLOBS, hashes) == []
    assert stored(live_server, record_id) == []
    context.close()


def test_a_notice_appearing_on_its_own_never_moves_the_button_about_to_be_tapped(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", has_touch=True)
    page = context.new_page()
    # The service worker finishes installing a moment after the first visit and says so; hold
    # its script back until the login form is measured, so the notice surely comes after.
    page.add_init_script(HOLD_SERVICE_WORKER)
    page.goto(live_server.url + "/")
    button = page.get_by_role("button", name="登录")
    expect(button).to_be_visible()
    before = button.bounding_box()
    expect(page.get_by_text("已可离线使用")).to_have_count(0)
    page.evaluate("window.releaseServiceWorker()")
    expect(page.get_by_text("已可离线使用")).to_be_visible(timeout=20000)
    assert button.bounding_box() == before
    context.close()
