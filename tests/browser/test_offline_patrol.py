"""A whole renovation patrol done offline reaches the server once, photos and seal intact."""

import uuid

import pytest
import sqlalchemy as sa
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from pwa_steps import (
    add_photo,
    fill_renovation_items,
    log_in,
    make_photo,
    sha256_file,
    sign,
    start_renovation_patrol,
    wait_for_service_worker,
)


def server_rows(live_server, record_id):
    from server.core.db import db
    from server.inspections.models import Inspection
    from server.media.models import Blob
    with live_server.app.app_context():
        inspections = db.session.scalars(sa.select(Inspection).where(
            Inspection.id == uuid.UUID(record_id))).all()
        blobs = {row.sha256: row for row in db.session.scalars(sa.select(Blob)).all()}
        db.session.remove()
        return inspections, blobs


def test_offline_patrol_with_photos_and_signatures_syncs_exactly_once(browser, live_server, tmp_path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                  has_touch=True)
    page = context.new_page()
    puts = []
    context.on("request", lambda r: r.method == "PUT" and "/api/inspections/" in r.url
               and puts.append(r.url))

    log_in(page, live_server.url)
    wait_for_service_worker(page)

    # No signal from here on: the app comes from the service worker, the data from IndexedDB.
    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.get_by_test_id("net-state")).to_have_text("无网络", timeout=10000)
    expect(page.get_by_test_id("syncbar")).to_contain_text("秒后重试")  # backing off, not giving up
    record_id = start_renovation_patrol(page)

    fill_renovation_items(page, failed_item="surface_protection")
    original = make_photo(tmp_path / "evidence.jpg", seed=1)
    add_photo(page, "surface_protection", original)
    add_photo(page, "site_photos", make_photo(tmp_path / "site.jpg", seed=2), camera=True)
    sizes = page.get_by_test_id("photo-size").all_inner_texts()
    assert len(sizes) == 2 and all("已保存" in text for text in sizes)

    # Close the app mid-form and open it again, still offline: nothing is lost.
    page.close()
    page = context.new_page()
    page.goto(live_server.url + f"/#/form/{record_id}")
    expect(page.get_by_test_id("form")).to_be_visible()
    expect(page.locator("[data-item='surface_protection'] .choice-fail.chosen")).to_be_visible()
    expect(page.get_by_test_id("photo-size")).to_have_count(2)

    sign(page, "inspector_signature")
    sign(page, "contractor_signature", name="王师傅")
    page.get_by_test_id("seal").click()
    expect(page.get_by_test_id("outbox-record")).to_have_count(1)
    expect(page.get_by_test_id("pending")).to_contain_text("1 条记录")
    expect(page.get_by_test_id("pending")).to_contain_text("4 张图片")

    # Close and reopen once more: the sealed record waits in the outbox, read-only.
    page.close()
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page.get_by_test_id("outbox-record")).to_have_count(1)
    page.goto(live_server.url + f"/#/form/{record_id}")
    expect(page.get_by_test_id("sealed")).to_be_visible()
    expect(page.locator("[data-item='debris'] input").first).to_be_disabled()
    page.goto(live_server.url + "/")
    inspections, _ = server_rows(live_server, record_id)
    assert inspections == [] and puts == []

    # Signal again: the outbox empties itself, nobody presses anything (the `online` event).
    context.set_offline(False)
    expect(page.get_by_test_id("outbox-empty")).to_be_visible(timeout=20000)
    expect(page.get_by_test_id("pending")).to_contain_text("0 条记录 · 0 张图片")

    inspections, blobs = server_rows(live_server, record_id)
    assert len(inspections) == 1 and len(puts) == 1
    record = inspections[0]
    answers = record.answers
    evidence = answers["surface_protection"]
    assert evidence["value"] == "fail" and evidence["comment"] == "客厅地面未覆盖"
    hashes = [evidence["photos"][0]["sha256"], answers["site_photos"]["photos"][0]["sha256"],
              answers["inspector_signature"]["signature"]["sha256"],
              answers["contractor_signature"]["signature"]["sha256"]]
    assert answers["contractor_signature"]["signature"]["signer_name"] == "王师傅"
    token = live_server.token()
    for sha in hashes:
        assert sha in blobs
        stored = live_server.api(f"/api/blobs/{sha}?variant=original", token=token)
        import hashlib
        assert hashlib.sha256(stored).hexdigest() == sha  # the bytes match their name
    # The photo was downscaled on the phone: ≤ 1600 px, far smaller than the camera file.
    photo = blobs[hashes[0]]
    assert max(photo.width, photo.height) <= 1600
    assert photo.size < original.stat().st_size / 2
    assert sha256_file(original) != hashes[0]
    # The seal the phone computed is the one the server verified.
    assert len(record.seal_hash) == 64
    stored_record = live_server.api(f"/api/inspections/{record_id}", token=token)
    assert stored_record["seal"]["verified"] is True
    context.close()


def test_control_without_service_worker_offline_reload_fails(browser, live_server):
    """The same steps with service workers blocked: offline, the app cannot even load."""
    context = browser.new_context(service_workers="block", viewport={"width": 360, "height": 740},
                                  locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url)
    context.set_offline(True)
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        page.reload()
    context.close()
