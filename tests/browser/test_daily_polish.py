"""What is left of daily use, polished: a signer who is not there, a returned draft's photos,
compliance at a glance, exports people can open, and one time zone per screen.

The inspector on a 360 px phone, the supervisor on a 1366 px laptop, both in zh-CN."""

import re

from playwright.sync_api import expect
from pwa_steps import PASSWORD, add_photo, answer, log_in, make_photo, sign, wait_for_service_worker
from test_supervisor import a_unit, supervisor_page

PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "zh-CN", "has_touch": True}


def test_a_returned_visit_marks_the_owner_not_available_and_shows_the_earlier_photo(
        browser, live_server, tmp_path):
    phone_context = browser.new_context(**PHONE)
    phone = phone_context.new_page()
    log_in(phone, live_server.url)
    wait_for_service_worker(phone)
    building, room, label = a_unit(live_server, 11)
    phone.get_by_test_id("new-inspection").click()
    phone.get_by_test_id("checklist-select").select_option("home_visit")
    phone.get_by_test_id("subject-search").fill(f"{building} {room}")
    phone.get_by_test_id("subject-list").get_by_role("button", name=label).click()
    record_id = phone.get_by_test_id("form").get_attribute("data-record-id")
    answer(phone, "visit_outcome", "已入户走访")
    answer(phone, "visit_standard_followed", "不合格")
    phone.locator("[data-item='visit_standard_followed']").get_by_label("备注").fill("未出示工牌")
    add_photo(phone, "visit_standard_followed", make_photo(tmp_path / "badge.jpg", seed=31))
    answer(phone, "rectification_needed", "否")
    answer(phone, "satisfaction", "满意")
    answer(phone, "escalate_to_pm", "否")
    # The inspector signs their own record: no "not available" for them.
    expect(phone.get_by_test_id("absent-inspector_signature")).to_have_count(0)
    from datetime import datetime, timedelta, timezone
    shanghai = timezone(timedelta(hours=8))
    before = datetime.now(shanghai)
    sign(phone, "owner_signature", name="林女士")
    after = datetime.now(shanghai)
    # The phone runs on UTC here; the caption is on the property's clock, as on the record page.
    caption = phone.get_by_test_id("signature-owner_signature").locator("figcaption").inner_text()
    assert any(f"{m.month}/{m.day} {m:%H:%M}" in caption for m in (before, after)), caption
    sign(phone, "inspector_signature")
    phone.get_by_test_id("seal").click()
    expect(phone.get_by_test_id("outbox-empty")).to_be_visible()

    context, page = supervisor_page(browser, live_server.url)
    page.goto(f"{live_server.url}/#/record/{record_id}")
    view = page.get_by_test_id("record-view")
    page.get_by_test_id("review-comment-input").fill("请补充业主意见")
    page.get_by_test_id("return").click()
    expect(view.get_by_test_id("record-status")).to_have_text("已退回")

    # The returned draft on a phone that never held the photo (a colleague's phone, or after
    # the outbox let it go): the thumbnail comes from the server while online...
    phone.evaluate("""() => new Promise((resolve) => {
        const open = indexedDB.open('xuncha');
        open.onsuccess = () => {
          const db = open.result;
          const names = [...db.objectStoreNames].filter((n) => n === 'blobs');
          if (!names.length) { resolve(); return; }
          const tx = db.transaction(names, 'readwrite');
          tx.objectStore('blobs').clear();
          tx.oncomplete = () => resolve();
        };
      })""")
    phone.get_by_test_id("sync-now").click()
    returned = phone.get_by_test_id("returned")
    expect(returned).to_contain_text("请补充业主意见")
    returned.get_by_role("button").first.click()
    expect(phone.get_by_test_id("signatures-cleared")).to_contain_text("林女士")
    evidence = phone.get_by_test_id("photos-visit_standard_followed")
    expect(evidence.get_by_test_id("photo-on-server")).to_have_text("退回前已上传")
    expect(evidence.locator("img")).to_have_js_property("complete", True)
    assert evidence.locator("img").evaluate("(img) => img.naturalWidth") > 0
    # ...and says where it is when there is no signal.
    phone_context.set_offline(True)
    phone.reload()
    expect(phone.get_by_test_id("photos-visit_standard_followed").get_by_test_id("photo-elsewhere")).to_have_text(
        "照片已上传，联网后显示")

    # The owner has gone away: marked with a reason instead of a signature, offline.
    owner = phone.get_by_test_id("signature-owner_signature")
    owner.get_by_test_id("absent-owner_signature").click()
    sign(phone, "inspector_signature")
    phone.get_by_test_id("seal").click()
    expect(phone.locator("[data-item='owner_signature'] .problems")).to_contain_text(
        "请写明签字人不在场的原因")  # no reason yet, said at the item
    owner.get_by_test_id("absent-reason-owner_signature").fill("业主出差，已电话告知检查结果")
    phone.get_by_test_id("seal").click()
    expect(phone.get_by_test_id("outbox-record")).to_have_count(1)
    phone_context.set_offline(False)
    expect(phone.get_by_test_id("outbox-empty")).to_be_visible(timeout=15000)

    # The supervisor reads who did not sign and why.
    page.reload()
    expect(view.locator("h1")).to_contain_text("第 2 版")
    expect(view.get_by_test_id("absent-owner_signature")).to_have_text("签字人不在场：业主出差，已电话告知检查结果")
    expect(view.get_by_test_id("seal-status")).to_have_text("校验通过")
    stored = live_server.api(f"/api/inspections/{record_id}", token=live_server.token("supervisor1"))
    assert stored["answers"]["owner_signature"] == {"signer_unavailable": "业主出差，已电话告知检查结果"}
    assert stored["seal"]["verified"] and stored["attachments"]["missing"] == []
    context.close()
    phone_context.close()


def test_compliance_reads_at_a_glance_in_the_readers_language(browser, live_server):
    a_failed_renovation_patrol(live_server)  # this month has data: its trend bar is drawn
    token = live_server.token("supervisor1")
    data = live_server.api("/api/compliance", token=token)
    prop = next(p for p in data["properties"] if any(
        r["checklist_code"] == "renovation_patrol" and r["done"] for r in p["rules"]))
    daily = next(r for r in prop["rules"] if r["days"])
    year, month = map(int, data["month"].split("-"))

    context, page = supervisor_page(browser, live_server.url)
    page.goto(f"{live_server.url}/#/compliance?property_id={prop['property']['id']}")
    # The month in the UI's language, not the browser's "November 2026".
    expect(page.get_by_test_id("c-month").locator("option:checked")).to_have_text(f"{year}年{month}月")
    section = page.get_by_test_id("compliance-property")
    calendar = section.locator(f"[data-testid='calendar'][data-rule='{daily['rule_id']}']"
                               f"[data-checklist='{daily['checklist_code']}']")
    days = calendar.locator(".cal-day")
    expect(days).to_have_count(len(daily["days"]))
    for day in daily["days"][:3]:
        cell = calendar.locator(f".cal-day[data-date='{day['date']}']")
        expect(cell).to_have_attribute("data-state", day["state"])
        expect(cell).to_have_attribute("aria-label", re.compile(rf"^{month}月{int(day['date'][8:])}日 "))
    # Gaps as dates and what was missed, never ISO time ranges.
    if any(r["gaps"] for r in prop["rules"]):
        section.get_by_test_id("gaps").locator("summary").click()
        lines = section.get_by_test_id("gap-line").all_inner_texts()
        assert lines and all(re.match(r"^(\d+年)?\d+月(\d+日)?", line) for line in lines), lines
        assert not any("T00:00" in line or "+08:00" in line for line in lines), lines
    # Trend charts drawn by the chart library, captioned by checklist, months in words.
    chart = section.get_by_test_id("trend-chart").first
    expect(chart).to_have_attribute("data-ready", "true")
    expect(chart).to_have_attribute("aria-label", re.compile(rf"{month}月（截至今日）"))
    expect(section.get_by_test_id("trend").first.locator("figcaption")).not_to_have_text(re.compile(r"^[a-z_]+$"))

    # A month in the link that is not one: said at the field, nothing left loading.
    page.goto(f"{live_server.url}/#/compliance?month=2026-13")
    page.reload()
    expect(page.get_by_test_id("c-month-error")).to_contain_text("2026-13")
    expect(page.get_by_test_id("c-month")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("加载中…")).to_have_count(0)
    page.get_by_test_id("c-month").select_option(data["month"])
    expect(page.get_by_test_id("c-month-error")).to_have_count(0)
    expect(page.get_by_test_id("compliance-property").first).to_be_visible()
    context.close()


def test_records_export_has_item_columns_local_dates_and_says_its_csv_rule(browser, live_server):
    from datetime import datetime
    from pathlib import Path

    from openpyxl import load_workbook
    a_failed_renovation_patrol(live_server)
    context, page = supervisor_page(browser, live_server.url)
    page.goto(live_server.url + "/#/records")
    expect(page.get_by_test_id("records-total")).to_be_visible()
    expect(page.get_by_test_id("csv-rule")).to_contain_text("选定一个检查表")
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    import io
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames[0] == "巡查记录" and len(book.sheetnames) >= 2
    sheet = book["装修巡查"]
    header = [cell.value for cell in sheet[1]]
    assert any(str(h).endswith("·备注") for h in header), header
    completed = header.index("完成时间（手机，项目当地时间）")
    first = sheet[2][completed]
    assert isinstance(first.value, datetime) and first.is_date  # a date cell, not UTC text
    assert sheet[2][header.index("时区")].value == "UTC+08:00"
    # One checklist chosen: the CSV carries its items too, and the rule note goes.
    page.goto(live_server.url + "/#/records?checklist=renovation_patrol")
    page.reload()
    expect(page.get_by_test_id("records-total")).to_be_visible()
    expect(page.get_by_test_id("csv-rule")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    head = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()[0]
    assert "装修垃圾是否按规定堆放·不合格" in head and "装修垃圾是否按规定堆放·备注" in head, head
    context.close()


def a_failed_renovation_patrol(live_server, at=None):
    """A renovation patrol with a failed item, written straight to the database: what the
    export shows does not depend on how the record arrived (the seal is not checked here)."""
    import uuid
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from server.checklists.operations import latest_versions
    from server.core.db import db
    from server.inspections.models import Inspection
    from server.properties.models import Renovation
    from server.users.models import User
    with live_server.app.app_context():
        patrol = db.session.scalar(sa.select(User).filter_by(username="patrol1"))
        property_id = patrol.memberships[0].property_id
        renovation = db.session.scalars(sa.select(Renovation).filter_by(property_id=property_id)).first()
        version = next(v for v in latest_versions() if v.code == "renovation_patrol")
        now = at or datetime.now(UTC).replace(microsecond=0)
        record_id = uuid.uuid4()
        db.session.add(Inspection(
            id=record_id, property_id=property_id, checklist_version_id=version.id,
            checklist_code="renovation_patrol", subject_type="renovation", subject_id=renovation.id,
            inspector_id=patrol.id, status="submitted", revision=1, has_failures=True,
            answers={"debris": {"value": "fail", "comment": "楼道堆放垃圾"}},
            started_at_device=now.isoformat(), completed_at_device=now.isoformat(), completed_at=now,
            seal_hash="0" * 64))
        db.session.commit()
        db.session.remove()
    return str(record_id)


def test_a_laptop_in_another_zone_sees_the_propertys_times_labelled(browser, live_server):
    from datetime import UTC, datetime
    record_id = a_failed_renovation_patrol(live_server, at=datetime(2026, 11, 20, 1, 30, tzinfo=UTC))
    context = browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN",
                                  timezone_id="America/New_York")
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("用户名").fill("supervisor1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("nav-records")).to_be_visible()
    page.goto(live_server.url + "/#/records?date_from=2026-11-20&date_to=2026-11-20")
    page.reload()
    row = page.locator(f"[data-testid='record-row'][data-record-id='{record_id}']")
    # 01:30 UTC is 09:30 in Shanghai (20:30 the day before in New York): the property's clock.
    expect(row).to_contain_text("09:30")
    expect(page.get_by_test_id("zone-note")).to_contain_text("中国标准时间")
    row.click()
    expect(page.get_by_test_id("zone-note")).to_contain_text("中国标准时间")
    context.close()
