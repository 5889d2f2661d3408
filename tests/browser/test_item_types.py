"""Every item type of the checklist format, filled on the phone and accepted by the server."""

import re
import uuid

import sqlalchemy as sa
from playwright.sync_api import expect
from pwa_steps import add_photo, answer, log_in, make_photo, sign


def label(zh, en):
    return {"zh-CN": zh, "en": en}


ALL_TYPES = {
    "code": "all_item_types", "version": 1, "title": label("全部题型", "All item types"),
    "subject": "property",
    "frequency": [{"id": "monthly", "label": label("每月一次", "Monthly"), "scope": "property",
                   "period": "month", "min_count": 1}],
    "sections": [{"id": "all", "title": label("题型", "Types"), "items": [
        {"id": "pf", "type": "pass_fail", "label": label("通道畅通", "Passage clear"),
         "photo_when_failed": 1},
        {"id": "yn", "type": "yes_no", "label": label("灯光正常", "Lights work"), "fail_on": "no"},
        {"id": "txt", "type": "text", "label": label("值班人", "Person on duty"), "max_length": 20},
        {"id": "num", "type": "number", "label": label("灭火器数量", "Extinguishers"), "min": 0, "max": 50,
         "integer": True, "unit": label("个", "pcs")},
        {"id": "single", "type": "single_choice", "label": label("天气", "Weather"),
         "options": [{"value": "sunny", "label": label("晴", "Sunny")},
                     {"value": "rain", "label": label("雨", "Rain")}]},
        {"id": "multi", "type": "multi_choice", "label": label("检查区域", "Areas"), "min_selected": 1,
         "options": [{"value": "lobby", "label": label("大堂", "Lobby")},
                     {"value": "garage", "label": label("车库", "Garage")},
                     {"value": "roof", "label": label("天台", "Roof")}]},
        {"id": "d", "type": "date", "label": label("日期", "Date")},
        {"id": "tm", "type": "time", "label": label("时间", "Time")},
        {"id": "dt", "type": "datetime", "label": label("交接时间", "Handover at")},
        {"id": "ph", "type": "photo", "label": label("现场照片", "Photos"), "min": 1, "max": 2},
        {"id": "sig", "type": "signature", "signer": "inspector", "label": label("签字", "Signature")},
    ]}],
}


def test_every_item_type_is_validated_on_the_phone_and_accepted_by_the_server(page, live_server, tmp_path):
    from server.checklists.operations import publish_definition
    from server.core.db import db
    from server.inspections.models import Inspection
    with live_server.app.app_context():
        publish_definition(ALL_TYPES, "browser test")
        db.session.commit()
        db.session.remove()

    log_in(page, live_server.url)
    page.get_by_test_id("new-inspection").click()
    page.get_by_test_id("checklist-select").select_option("all_item_types")
    page.get_by_role("button", name="开始").click()
    form = page.get_by_test_id("form")
    record_id = form.get_attribute("data-record-id")

    answer(page, "pf", "不合格")
    answer(page, "yn", "是")
    page.locator("[data-item='txt'] input").fill("张三")
    page.locator("[data-item='num'] input").fill("60")
    answer(page, "single", "雨")
    page.locator("[data-item='multi']").get_by_label("大堂", exact=True).check()
    page.locator("[data-item='multi']").get_by_label("天台", exact=True).check()
    page.locator("[data-item='d'] input").fill("2026-11-20")
    page.locator("[data-item='tm'] input").fill("09:30")
    page.locator("[data-item='dt'] input").fill("2026-11-20T21:45")
    sign(page, "sig")
    page.get_by_test_id("seal").click()
    # The phone refuses what the checklist forbids: above the maximum, no photo for the failure,
    # too few photos.
    expect(page.locator("[data-item='num'] .problems")).to_contain_text("不能大于 50")
    expect(page.locator("[data-item='pf'] .problems")).to_contain_text("至少需要 1 张照片")
    expect(page.locator("[data-item='ph'] .problems")).to_contain_text("至少需要 1 张照片")
    page.locator("[data-item='num'] input").fill("12")
    add_photo(page, "pf", make_photo(tmp_path / "a.jpg", 800, 600, seed=7))
    photos = page.get_by_test_id("photos-ph")
    add_photo(page, "ph", make_photo(tmp_path / "b.jpg", 800, 600, seed=8))
    first = photos.locator("[data-sha256]").first.get_attribute("data-sha256")
    # Retake replaces the photo; a second one is added and deleted again.
    retake = make_photo(tmp_path / "c.jpg", 800, 600, seed=9)
    photos.get_by_test_id("photo-retake").set_input_files(str(retake))
    expect(photos.locator(f"[data-sha256='{first}']")).to_have_count(0)
    expect(photos.locator("[data-sha256]")).to_have_count(1)
    retaken = photos.locator("[data-sha256]").first.get_attribute("data-sha256")
    add_photo(page, "ph", make_photo(tmp_path / "d.jpg", 800, 600, seed=10))
    expect(photos.locator("[data-sha256]")).to_have_count(2)
    expect(photos.get_by_test_id("photo-input-ph")).to_have_count(0)  # max 2: no more
    photos.locator("[data-sha256]").nth(1).get_by_test_id("photo-delete").click()
    expect(photos.locator("[data-sha256]")).to_have_count(1)
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("outbox-empty")).to_be_visible()

    with live_server.app.app_context():
        record = db.session.scalar(sa.select(Inspection).where(Inspection.id == uuid.UUID(record_id)))
        answers = record.answers
        db.session.remove()
    assert answers["pf"]["value"] == "fail" and len(answers["pf"]["photos"]) == 1
    assert answers["yn"] == {"value": "yes"}
    assert answers["txt"] == {"value": "张三"}
    assert answers["num"] == {"value": 12} and isinstance(answers["num"]["value"], int)
    assert answers["single"] == {"value": "rain"}
    assert answers["multi"] == {"value": ["lobby", "roof"]}
    assert answers["d"] == {"value": "2026-11-20"}
    assert answers["tm"] == {"value": "09:30"}
    assert re.fullmatch(r"2026-11-20T21:45:00[+-]\d\d:\d\d", answers["dt"]["value"])
    assert [p["sha256"] for p in answers["ph"]["photos"]] == [retaken]
    assert "sha256" in answers["sig"]["signature"]
