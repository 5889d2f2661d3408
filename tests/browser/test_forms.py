"""Checklist forms as patrol staff fill them: register rows, unit search, required_when,
and what the phone does when the server refuses a record."""

import uuid

import sqlalchemy as sa
from playwright.sync_api import expect
from pwa_steps import add_photo, answer, log_in, make_photo, open_due, sign

TAMPER = """async (id) => {
  const db = await new Promise((ok) => {
    const r = indexedDB.open('xuncha'); r.onsuccess = () => ok(r.result); });
  const store = () => db.transaction('records', 'readwrite').objectStore('records');
  const record = await new Promise((ok) => { const r = store().get(id); r.onsuccess = () => ok(r.result); });
  record.answers.escalate_to_pm.value = 'yes';
  await new Promise((ok) => { const r = store().put(record); r.onsuccess = () => ok(); });
}"""


def stored_inspection(live_server, record_id):
    from server.core.db import db
    from server.inspections.models import Inspection
    with live_server.app.app_context():
        rows = db.session.scalars(sa.select(Inspection).where(Inspection.id == uuid.UUID(record_id))).all()
        db.session.remove()
        return rows


def keys_in_custody(live_server, username="patrol1"):
    from server.core.db import db
    from server.properties.models import Key
    from server.users.models import User
    with live_server.app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(username=username))
        property_id = user.memberships[0].property_id
        ids = db.session.scalars(sa.select(Key.id).where(Key.property_id == property_id,
                                                         Key.status.in_(Key.AUDITED_STATUSES))).all()
        db.session.remove()
        return sorted(ids)


def test_key_audit_has_a_row_per_key_in_custody_and_needs_a_photo_for_a_missing_key(
        page, live_server, tmp_path):
    log_in(page, live_server.url)
    open_due(page, "管理员每日核对")
    form = page.get_by_test_id("form")
    record_id = form.get_attribute("data-record-id")
    key_ids = keys_in_custody(live_server)
    assert len(key_ids) > 3
    expect(page.locator("li[data-row]")).to_have_count(len(key_ids))
    for item_id in ["keeper_assigned", "keeper_knows_procedure", "keys_tagged_tidy", "missing_keys_approved",
                    "responsibility_followed_up", "records_updated", "borrowing_procedures_complete",
                    "owner_signature_on_collection"]:
        answer(page, item_id, "合格")
    missing = key_ids[0]
    for key_id in key_ids:
        page.locator(f"li[data-row='{key_id}']").get_by_label(
            "缺失" if key_id == missing else "在位", exact=True).check()
    sign(page, "keeper_signature", name="李巡查")

    page.get_by_test_id("seal").click()  # refused on the phone: the missing key has no photo
    expect(page.get_by_test_id("problems")).to_be_visible()
    expect(page.locator("[data-item='key_rows'] .problems")).to_contain_text("至少需要 1 张照片")
    add_photo(page, f"key_rows-{missing}", make_photo(tmp_path / "cabinet.jpg", 1200, 900, seed=3))
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()

    [record] = stored_inspection(live_server, record_id)
    rows = record.answers["key_rows"]["rows"]
    assert sorted(int(key) for key in rows) == key_ids
    assert rows[str(missing)]["value"] == "missing" and len(rows[str(missing)]["photos"]) == 1


def test_home_visit_picks_a_unit_by_search_and_a_refused_record_is_kept_with_the_reason(
        page, context, live_server):
    from server.core.db import db
    from server.properties.models import Unit
    from server.users.models import User
    with live_server.app.app_context():
        patrol = db.session.scalar(sa.select(User).filter_by(username="patrol1"))
        unit = db.session.scalars(sa.select(Unit).where(Unit.property_id == patrol.memberships[0].property_id)
                                  .order_by(Unit.id.desc())).first()
        unit_id, building, room, label = unit.id, unit.building, unit.room, unit.label
        db.session.remove()

    log_in(page, live_server.url)
    context.set_offline(True)
    open_due(page, "每月走访比例")
    page.get_by_test_id("subject-search").fill(f"{building} {room}")
    page.get_by_test_id("subject-list").get_by_role("button", name=label).click()
    record_id = page.get_by_test_id("form").get_attribute("data-record-id")

    answer(page, "visit_outcome", "已入户走访")
    answer(page, "visit_standard_followed", "合格")
    answer(page, "rectification_needed", "是")
    answer(page, "satisfaction", "满意")
    answer(page, "escalate_to_pm", "否")
    sign(page, "owner_signature", name="陈先生")
    sign(page, "inspector_signature")
    page.get_by_test_id("seal").click()
    # required_when: a rectification needs its description.
    expect(page.locator("[data-item='rectification_description'] .problems")).to_contain_text("必填")
    page.locator("[data-item='rectification_description'] textarea, "
                 "[data-item='rectification_description'] input").first.fill("厨房漏水，已报修")
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("outbox-record")).to_have_count(1)

    # The record is changed on the phone after sealing: the server must refuse it, and the phone
    # must keep it and say why.
    page.evaluate(TAMPER, record_id)
    context.set_offline(False)
    page.get_by_test_id("sync-now").click()
    record_error = page.get_by_test_id("outbox-record").locator(".record-error")
    expect(record_error).to_contain_text("与防篡改校验码不符")
    expect(record_error).to_contain_text("重新打开修改")
    expect(page.get_by_test_id("pending")).to_contain_text("1 条记录")
    assert stored_inspection(live_server, record_id) == []

    # Reopen, sign again, seal again: accepted.
    record_error.get_by_role("button", name="重新打开修改（需重新签名）").click()
    expect(page.get_by_test_id("form")).to_be_visible()
    sign(page, "owner_signature", name="陈先生")
    sign(page, "inspector_signature")
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    [record] = stored_inspection(live_server, record_id)
    assert record.subject_id == unit_id
    assert record.answers["escalate_to_pm"]["value"] == "yes"
    assert record.answers["rectification_description"]["value"] == "厨房漏水，已报修"


def test_record_returned_by_a_supervisor_is_fixed_resigned_and_resubmitted(page, live_server):
    from server.core.db import db
    from server.properties.models import Unit
    from server.users.models import User
    with live_server.app.app_context():
        patrol = db.session.scalar(sa.select(User).filter_by(username="patrol1"))
        unit = db.session.scalars(sa.select(Unit).where(Unit.property_id == patrol.memberships[0].property_id)
                                  .order_by(Unit.id)).first()
        building, room, label = unit.building, unit.room, unit.label
        db.session.remove()

    log_in(page, live_server.url)
    page.get_by_test_id("new-inspection").click()
    page.get_by_test_id("checklist-select").select_option("home_visit")
    page.get_by_test_id("subject-search").fill(f"{building} {room}")
    page.get_by_test_id("subject-list").get_by_role("button", name=label).click()
    record_id = page.get_by_test_id("form").get_attribute("data-record-id")
    answer(page, "visit_outcome", "已入户走访")
    answer(page, "visit_standard_followed", "不合格")
    page.locator("[data-item='visit_standard_followed']").get_by_label("备注").fill("未出示工牌")
    answer(page, "rectification_needed", "否")
    answer(page, "satisfaction", "基本满意")
    answer(page, "escalate_to_pm", "否")
    sign(page, "owner_signature", name="林女士")
    sign(page, "inspector_signature")
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()

    # The failed item raised a follow-up assigned to the inspector: it shows after the next pull.
    page.get_by_test_id("sync-now").click()
    expect(page.get_by_test_id("follow-ups")).to_contain_text("未出示工牌")

    # The supervisor returns the record with a note on one item.
    supervisor = live_server.token("supervisor1")
    live_server.api(f"/api/inspections/{record_id}/review", token=supervisor, method="POST",
                    body={"action": "return", "revision": 1, "comment": "请补充业主意见",
                          "item_comments": {"owner_opinions": "写明业主的具体意见"}})
    page.get_by_test_id("sync-now").click()
    returned = page.get_by_test_id("returned")
    expect(returned).to_contain_text("请补充业主意见")
    returned.get_by_role("button").first.click()
    expect(page.get_by_test_id("review-comment")).to_contain_text("请补充业主意见")
    expect(page.get_by_test_id("item-review")).to_contain_text("写明业主的具体意见")
    # The old signatures held for the old content: removed, and the form says whose and why.
    expect(page.get_by_test_id("signatures-cleared")).to_contain_text("李巡查、林女士")
    expect(page.get_by_test_id("signature-owner_signature").locator("img")).to_have_count(0)
    page.locator("[data-item='owner_opinions'] input, [data-item='owner_opinions'] textarea").first.fill(
        "希望加强夜间巡逻")
    sign(page, "owner_signature", name="林女士")
    sign(page, "inspector_signature")
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()
    page.get_by_test_id("sync-now").click()
    expect(page.get_by_test_id("returned")).not_to_contain_text("请补充业主意见")

    stored = live_server.api(f"/api/inspections/{record_id}", token=supervisor)
    assert stored["revision"] == 2 and stored["status"] == "submitted"
    assert stored["answers"]["owner_opinions"]["value"] == "希望加强夜间巡逻"
    assert stored["seal"]["verified"] is True
