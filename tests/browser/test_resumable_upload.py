"""A photo upload cut in the middle resumes where the server stopped, and completes once."""

import hashlib
import os
import uuid

import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect
from pwa_steps import add_photo, fill_renovation_items, log_in, make_photo, sign, start_renovation_patrol

CHUNK = 64 * 1024
PARTS_BEFORE_CUT = 3

READ_DRAFT = """async (id) => {
  const db = await new Promise((ok, fail) => {
    const r = indexedDB.open('xuncha'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  return await new Promise((ok) => { const r = db.transaction('records').objectStore('records').get(id);
    r.onsuccess = () => ok(r.result); });
}"""


def test_photo_upload_cut_midway_resumes_without_duplicate(browser, live_server, tmp_path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url)
    page.evaluate(f"localStorage.setItem('xuncha.chunk', '{CHUNK}')")

    record_id = start_renovation_patrol(page)
    fill_renovation_items(page)
    # Sensor noise does not compress: this photo stays large after downscaling on the phone.
    noisy = tmp_path / "noisy.png"
    Image.frombytes("RGB", (1600, 1200), os.urandom(1600 * 1200 * 3)).save(noisy)
    add_photo(page, "surface_protection", noisy)
    add_photo(page, "site_photos", make_photo(tmp_path / "site.jpg", seed=5))
    sign(page, "inspector_signature")
    sign(page, "contractor_signature", name="赵工")
    draft = page.evaluate(READ_DRAFT, record_id)
    big = draft["answers"]["surface_protection"]["photos"][0]["sha256"]

    parts, state = [], {"cut": False, "sent": 0}

    def on_photo_part(route, request):
        if big not in request.url or request.method != "PUT":
            route.continue_()
            return
        parts.append(request.headers["content-range"])
        if state["cut"] or state["sent"] >= PARTS_BEFORE_CUT:
            state["cut"] = True
            route.abort("internetdisconnected")
            return
        state["sent"] += 1
        route.continue_()

    def on_health(route, request):
        if state["cut"]:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/api/blobs/**", on_photo_part)
    page.route("**/api/health", on_health)
    page.get_by_test_id("seal").click()
    page.wait_for_function("() => true")
    for _ in range(200):
        if state["cut"]:
            break
        page.wait_for_timeout(100)
    assert state["cut"], "the upload never reached the cut"
    context.set_offline(True)

    token = live_server.token()
    status = live_server.api(f"/api/blobs/{big}/status", token=token)
    assert status["stored"] is False and status["received"] == PARTS_BEFORE_CUT * CHUNK
    expect(page.get_by_test_id("outbox-record")).to_have_count(1)
    expect(page.get_by_test_id("net-state")).to_have_text("无网络", timeout=10000)

    # The connection returns while the app is closed; opening it retries at start-up.
    page.unroute("**/api/blobs/**")
    page.unroute("**/api/health")
    page.close()
    resumed = []
    context.on("request", lambda r: r.method == "PUT" and big in r.url
               and resumed.append(r.headers["content-range"]))
    context.set_offline(False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page.get_by_test_id("outbox-empty")).to_be_visible(timeout=30000)

    # It went on from the first byte the server did not have, and never sent a byte twice.
    starts = [int(r.split()[1].split("-")[0]) for r in resumed]
    assert starts[0] == PARTS_BEFORE_CUT * CHUNK
    assert starts == sorted(set(starts))
    assert all(int(r.split()[1].split("-")[0]) < PARTS_BEFORE_CUT * CHUNK for r in parts[:PARTS_BEFORE_CUT])

    status = live_server.api(f"/api/blobs/{big}/status", token=token)
    assert status["stored"] is True
    original = live_server.api(f"/api/blobs/{big}?variant=original", token=token)
    assert hashlib.sha256(original).hexdigest() == big and len(original) == status["size"]
    from server.core.db import db
    from server.inspections.models import Inspection
    from server.media.models import Blob, BlobUpload
    with live_server.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Blob).where(Blob.sha256 == big)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BlobUpload)
                                 .where(BlobUpload.sha256 == big)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)
                                 .where(Inspection.id == uuid.UUID(record_id))) == 1
        db.session.remove()
    context.close()
