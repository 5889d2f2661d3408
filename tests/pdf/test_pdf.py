"""Signed checklist PDFs, checked by opening the produced file with poppler.

Each record here is real: JPEG photos and PNG signatures uploaded through the blob API, the
record sealed and pushed through the sync API, then exported.
"""

import io
import re
import subprocess
import time
import uuid
import zipfile
from pathlib import Path

import pytest

from server.core.db import db
from server.inspections.models import Inspection
from server.pdf import render
from server.pdf.documents import record_document
from tests.sync.conftest import upload


def _record(record_id) -> Inspection:
    db.session.rollback()  # see what the API committed
    return db.session.get(Inspection, uuid.UUID(str(record_id)))


def _squash(text: str) -> str:
    """pdftotext breaks lines where the layout does: compare without whitespace."""
    return re.sub(r"\s+", "", text)


def test_record_pdf_has_chinese_text_in_an_embedded_cjk_font(client, site, pushed_record,
                                                             read_pdf):
    record_id, body = pushed_record()
    response = client.get(f"/api/inspections/{record_id}/pdf", headers=site["supervisor_headers"])
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    pdf = read_pdf(response.data)
    text = _squash(pdf["text"])
    for expected in ("装修巡查", "滨河湾河西", "李巡查", "成品保护是否到位", "不合格", "客厅地面未覆盖保护",
                     "鑫诚装饰", "王师傅", "施工负责人", "防篡改校验码"):
        assert expected in text, expected
    # Text extracts even from tofu; the font table proves the glyphs are real: every font is
    # embedded, and the Chinese is set in Noto Sans CJK.
    fonts = [line.split() for line in pdf["fonts"].splitlines()[2:]]
    assert any("Noto-Sans-CJK-SC" in row[0] for row in fonts), pdf["fonts"]
    assert len(fonts) == 1, pdf["fonts"]  # no fallback font for a missing glyph, no 2nd weight
    assert all(row[-5] == "yes" for row in fonts), pdf["fonts"]  # the "emb" column
    assert 1 <= pdf["pages"] <= 4
    assert re.search(r"第\s*1\s*页\s*/\s*共\s*" + str(pdf["pages"]) + r"\s*页", pdf["text"])


def test_photos_and_signatures_are_placed_as_display_copies(client, site, pushed_record,
                                                            read_pdf):
    record_id, body = pushed_record()
    response = client.get(f"/api/inspections/{record_id}/pdf", headers=site["headers"])
    images = [line.split() for line in read_pdf(response.data)["images"].splitlines()[2:]]
    jpegs = [row for row in images if row[2] == "image" and row[8] == "jpeg"]
    pngs = [row for row in images if row[2] == "image" and row[8] == "image"]
    masks = [row for row in images if row[2] == "smask"]
    assert len(jpegs) == 2  # the failed item's evidence and the site photo
    assert {(row[3], row[4]) for row in jpegs} == {("1200", "900")}  # display copies
    assert len(pngs) >= 3 and len(masks) == 2  # two transparent signatures, plus the QR code
    text = _squash(read_pdf(response.data)["text"])
    assert "拍摄2026-11-2309:03:00(+08:00)" in text  # the capture time under its photo
    assert "签字时间2026-11-2309:11:00(+08:00)" in text


def test_the_seal_printed_equals_the_stored_one(client, site, pushed_record, read_pdf):
    record_id, body = pushed_record()
    stored = _record(record_id).seal_hash
    assert stored == body["seal"]["hash"]
    pdf = read_pdf(client.get(f"/api/inspections/{record_id}/pdf",
                              headers=site["headers"]).data)
    text = _squash(pdf["raw_text"])
    assert f"防篡改校验码{stored}" in text  # the seal block, in full
    # ...and its first 16 digits in the footer of every page
    assert text.count(f"防篡改校验码{stored[:16]}…") == pdf["pages"]
    # The glossary's words only: no technical term a supervisor would have to ask about.
    for word in ("封存", "SHA-256）", "matches", "台账行"):
        assert word not in _squash(pdf["text"]).split("核验方法")[0], word
    how_to_verify = _squash(pdf["text"])
    assert "RFC8785" in how_to_verify  # how to verify it: the method, the tool, the fields
    assert "scripts/verify_seal.py" in how_to_verify and '"v":1' in how_to_verify
    assert "巡查人（登录用户名，而非姓名）" in how_to_verify
    assert "结果显示“校验通过”即内容与防篡改校验码一致" in how_to_verify  # what the script prints
    assert "校验通过：记录内容与校验码一致" in text


def test_a_record_changed_in_place_prints_that_it_does_not_verify(client, site, pushed_record,
                                                                   read_pdf):
    record_id, body = pushed_record()
    record = _record(record_id)
    record.answers = {**record.answers, "debris": {"value": "fail"}}
    db.session.commit()
    text = _squash(read_pdf(client.get(f"/api/inspections/{record_id}/pdf",
                                       headers=site["headers"]).data)["raw_text"])
    assert "校验不符：记录内容与校验码不一致" in text and "校验通过：" not in text


def test_a_late_record_says_so_with_both_times(client, site, renovation_record, read_pdf):
    from datetime import datetime, timedelta

    from tests.sync.conftest import CST, reseal
    record_id, body, _ = renovation_record()
    finished = datetime.now(CST) - timedelta(hours=60)
    body["started_at"] = (finished - timedelta(minutes=12)).isoformat(timespec="seconds")
    body["completed_at"] = finished.isoformat(timespec="seconds")
    assert client.put(f"/api/inspections/{record_id}", json=reseal(record_id, body),
                      headers=site["headers"]).status_code == 200
    text = _squash(read_pdf(client.get(f"/api/inspections/{record_id}/pdf",
                                       headers=site["headers"]).data)["raw_text"])
    assert "迟报：完成60小时后才送达服务器。" in text


def test_english_layout(client, site, pushed_record, read_pdf):
    record_id, _ = pushed_record()
    response = client.get(f"/api/inspections/{record_id}/pdf?lang=en", headers=site["headers"])
    text = read_pdf(response.data)["text"]
    for expected in ("Renovation patrol", "Finished surfaces are protected", "Fail",
                     "Contractor signature", "Verification code", "Page 1 of"):
        assert expected in text, expected
    assert "客厅地面未覆盖保护" in _squash(text)  # the inspector's words stay as written


HOSTILE = ('<img src="file:///etc/passwd"> <img src="http://198.51.100.7/x.png"> '
           '<link rel="stylesheet" href="https://example.invalid/a.css"> '
           '<style>@import url(file:///etc/hostname);</style>')


def test_hostile_text_is_printed_literally_and_fetches_nothing(client, site, pushed_record,
                                                               read_pdf):
    record_id, body = pushed_record(comment=HOSTILE)
    doc = record_document(_record(record_id))
    fetcher = render.fetcher_for(doc)
    data = render.render_pdf(doc, fetcher)
    photos_and_signatures = {f"xuncha-blob:{sha}" for sha in doc["attachments"]}
    assert set(fetcher.requested) == photos_and_signatures | {render.QR_URL}
    text = _squash(read_pdf(data)["text"])
    assert _squash('<img src="file:///etc/passwd">') in text
    assert _squash('<img src="http://198.51.100.7/x.png">') in text
    assert "root:x:0:0" not in text


def test_the_fetcher_refuses_everything_but_the_records_own_blobs(client, site, pushed_record):
    record_id, _ = pushed_record()
    other_id, _ = pushed_record(seed=50)
    doc = record_document(_record(record_id))
    other = record_document(_record(other_id))
    fetcher = render.fetcher_for(doc)
    foreign = next(iter(set(other["attachments"]) - set(doc["attachments"])))
    for url in ("file:///etc/passwd", "http://127.0.0.1:8000/api/openapi.json",
                "https://example.invalid/x.png", "data:image/png;base64,iVBORw0KGgo=",
                f"xuncha-blob:{foreign}", "xuncha-blob:../../../etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    own = next(iter(doc["attachments"]))
    assert fetcher.fetch(f"xuncha-blob:{own}").read()[:4] in (b"\xff\xd8\xff\xe0", b"\x89PNG",
                                                              b"\xff\xd8\xff\xdb")


def test_a_record_whose_photo_is_not_uploaded_yet_still_renders(client, site,
                                                                 renovation_record, read_pdf):
    record_id, body, blobs = renovation_record()
    for data in blobs["signature"]:
        upload(client, site["headers"], data, kind="signature")
    assert client.put(f"/api/inspections/{record_id}", json=body,
                      headers=site["headers"]).status_code == 200
    response = client.get(f"/api/inspections/{record_id}/pdf", headers=site["headers"])
    assert response.status_code == 200
    assert "照片尚未上传到服务器" in _squash(read_pdf(response.data)["text"])


def test_only_people_of_the_property_get_the_pdf(client, site, pushed_record):
    record_id, _ = pushed_record()
    refused = client.get(f"/api/inspections/{record_id}/pdf", headers=site["outsider_headers"])
    assert refused.status_code == 404
    assert refused.get_json()["error"]["code"] == "not_found"
    unknown = client.get(f"/api/inspections/{uuid.uuid4()}/pdf", headers=site["headers"])
    assert unknown.status_code == 404
    bad = client.get(f"/api/inspections/{record_id}/pdf?lang=fr", headers=site["headers"])
    assert bad.status_code == 422


def test_cli_writes_the_pdf(app, site, pushed_record, tmp_path):
    record_id, _ = pushed_record()
    out = tmp_path / "record.pdf"
    result = app.test_cli_runner().invoke(args=["pdf", record_id, "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    missing = app.test_cli_runner().invoke(args=["pdf", str(uuid.uuid4()), "-o", str(out)])
    assert missing.exit_code != 0


# ---------------------------------------------------------------- batch exports

def _wait(client, headers, job, timeout=60):
    deadline = time.monotonic() + timeout
    seen = [job]
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, seen[-3:]
        time.sleep(0.05)
        job = client.get(f"/api/exports/{job['id']}", headers=headers).get_json()
        seen.append(job)
    return job, seen


def test_batch_export_runs_in_the_background_and_merges_one_pdf(client, site, pushed_record,
                                                                read_pdf):
    ids = [pushed_record(seed=10 * n)[0] for n in range(3)]
    headers = site["supervisor_headers"]
    response = client.post("/api/exports", json={"property_id": site["property"].id,
                                                 "checklist": "renovation_patrol"},
                           headers=headers)
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert job["total"] == 3 and job["done"] == 0 and job["status"] == "queued"
    assert client.get(f"/api/exports/{job['id']}/file", headers=headers).status_code in (409, 200)
    job, seen = _wait(client, headers, job)
    assert job["status"] == "done", job
    assert job["done"] == 3 and job["file_url"] == f"/api/exports/{job['id']}/file"
    assert [s["done"] for s in seen] == sorted(s["done"] for s in seen)  # progress only grows
    download = client.get(job["file_url"], headers=headers)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    pdf = read_pdf(download.data)
    text = _squash(pdf["raw_text"])
    for record_id in ids:
        assert record_id in pdf["raw_text"] or record_id.replace("-", "") in text
    assert pdf["pages"] >= 3
    assert "第1页/共" in text  # each record keeps its own page numbers


def test_batch_export_on_two_processes_joins_runs_in_order_with_every_record_json(
        client, site, pushed_record, read_pdf, app):
    ids = [pushed_record(seed=10 * n)[0] for n in range(3)]
    headers = site["supervisor_headers"]
    saved = app.config["EXPORT_PROCESSES"], app.config["EXPORT_RUN_RECORDS"]
    app.config["EXPORT_PROCESSES"], app.config["EXPORT_RUN_RECORDS"] = 2, 2  # two runs
    try:
        job = client.post("/api/exports", json={"property_id": site["property"].id},
                          headers=headers).get_json()
        # Starting two render processes (imports, fonts) is slow on a loaded machine: wait long.
        job, seen = _wait(client, headers, job, timeout=300)
    finally:
        app.config["EXPORT_PROCESSES"], app.config["EXPORT_RUN_RECORDS"] = saved
    assert job["status"] == "done", job
    pdf = read_pdf(client.get(job["file_url"], headers=headers).data)
    text = _squash(pdf["raw_text"])
    # The export's order: oldest first, then by id; these three were completed at the same time.
    in_order = sorted(ids, key=lambda record_id: uuid.UUID(record_id).bytes)
    positions = [text.find(record_id) for record_id in in_order]
    assert -1 not in positions and positions == sorted(positions)
    assert text.count("第1页/共") == 3  # each record keeps its own page numbers
    embedded = subprocess.run(["pdfdetach", "-list", str(pdf["path"])], capture_output=True,
                              text=True, check=True).stdout
    for record_id in ids:  # every record's JSON export, from which its seal can be checked
        assert record_id in embedded


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_render_processes_are_kept_for_the_next_export_and_stop_when_idle(
        client, site, pushed_record, app):
    from server.pdf.batch import render_process_ids
    pushed_record(seed=500), pushed_record(seed=510)
    headers = site["supervisor_headers"]
    names = ("EXPORT_PROCESSES", "EXPORT_RUN_RECORDS", "EXPORT_PROCESS_IDLE_SECONDS")
    saved = [app.config[name] for name in names]
    app.config.update(EXPORT_PROCESSES=2, EXPORT_RUN_RECORDS=1, EXPORT_PROCESS_IDLE_SECONDS=600)
    try:
        seen = []
        for idle in (600, 600, 1):  # the last export leaves its processes idle for a second
            app.config["EXPORT_PROCESS_IDLE_SECONDS"] = idle
            job = client.post("/api/exports", json={"property_id": site["property"].id},
                              headers=headers).get_json()
            job, _ = _wait(client, headers, job, timeout=300)
            assert job["status"] == "done", job
            seen.append(render_process_ids())
    finally:
        app.config.update(dict(zip(names, saved, strict=True)))
    first = seen[0]
    assert len(first) == 2 and all(_alive(pid) for pid in first)
    assert seen[1] == first and seen[2] == first  # the same processes rendered all three
    deadline = time.monotonic() + 60
    while any(_alive(pid) for pid in first) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in first), "idle render processes did not stop"
    assert render_process_ids() == []


def test_batch_export_as_zip_of_one_pdf_per_record(client, site, pushed_record):
    ids = {pushed_record(seed=10 * n)[0] for n in range(2)}
    headers = site["supervisor_headers"]
    job = client.post("/api/exports", json={"property_id": site["property"].id, "format": "zip",
                                            "lang": "en", "date_from": "2026-11-23",
                                            "date_to": "2026-11-23"},
                      headers=headers).get_json()
    job, _ = _wait(client, headers, job)
    assert job["status"] == "done"
    download = client.get(job["file_url"], headers=headers)
    assert download.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        names = archive.namelist()
        assert {name.split("_")[-1].removesuffix(".pdf") for name in names} == ids
        assert all(archive.read(name).startswith(b"%PDF-") for name in names)


def test_batch_filters_and_limits(client, site, pushed_record, app):
    pushed_record()
    headers = {**site["supervisor_headers"], "Accept-Language": "en"}
    prop = site["property"].id
    none = client.post("/api/exports", json={"property_id": prop, "date_from": "2027-01-01"},
                       headers=headers)
    assert none.status_code == 422
    assert none.get_json()["error"]["code"] == "export.no_records"
    assert none.get_json()["error"]["message"] == "No inspection records match these filters."
    backwards = client.post("/api/exports", json={"property_id": prop, "date_from": "2026-11-24",
                                                  "date_to": "2026-11-01"}, headers=headers)
    assert backwards.get_json()["error"]["code"] == "export.bad_dates"
    app.config["EXPORT_MAX_RECORDS"] = 0
    try:
        too_many = client.post("/api/exports", json={"property_id": prop}, headers=headers)
    finally:
        app.config["EXPORT_MAX_RECORDS"] = 500
    assert too_many.status_code == 422
    assert too_many.get_json()["error"]["details"] == {"matching": 1, "max_records": 0}
    unknown = client.post("/api/exports", json={"property_id": prop, "status": "lost"},
                          headers=headers)
    assert unknown.status_code == 422


def test_exports_are_limited_to_assigned_properties_and_their_requester(
        client, site, pushed_record, make_user, auth_headers):
    pushed_record()
    prop = site["property"].id
    other_supervisor = auth_headers(make_user("supervisor", properties=[site["other"]]))
    outsider = client.post("/api/exports", json={"property_id": prop}, headers=other_supervisor)
    assert outsider.status_code == 403
    assert outsider.get_json()["error"]["code"] == "access.property_denied"
    for patrol in (site["headers"], site["outsider_headers"]):
        refused = client.post("/api/exports", json={"property_id": prop}, headers=patrol)
        assert refused.status_code == 403
        assert refused.get_json()["error"]["code"] == "access.role_denied"
    job = client.post("/api/exports", json={"property_id": prop},
                      headers=site["supervisor_headers"]).get_json()
    job, _ = _wait(client, site["supervisor_headers"], job)
    manager = auth_headers(make_user("manager"))
    for headers in (other_supervisor, manager, site["headers"]):
        assert client.get(f"/api/exports/{job['id']}", headers=headers).status_code == 404
        assert client.get(f"/api/exports/{job['id']}/file", headers=headers).status_code == 404


def test_an_export_that_stopped_moving_is_reported_failed(client, site, pushed_record, app):
    from server.pdf.models import ExportJob
    pushed_record()
    app.config["EXPORT_QUEUE"] = "inline"
    headers = site["supervisor_headers"]
    try:
        job = client.post("/api/exports", json={"property_id": site["property"].id},
                          headers=headers).get_json()
    finally:
        app.config["EXPORT_QUEUE"] = "thread"
    assert client.get(f"/api/exports/{job['id']}", headers=headers).get_json()["status"] == "done"
    # A job left queued by a worker that died: after the stall limit it reads as failed.
    row = ExportJob(user_id=site["supervisor"].id, property_id=site["property"].id, filters={},
                    record_ids=[], format="pdf", language="zh-CN", status="queued", total=1)
    db.session.add(row)
    db.session.commit()
    app.config["EXPORT_STALL_SECONDS"] = 0
    try:
        stalled = client.get(f"/api/exports/{row.id}", headers=headers).get_json()
    finally:
        app.config["EXPORT_STALL_SECONDS"] = 15 * 60
    assert stalled["status"] == "failed" and stalled["error"] == "stalled"
    assert client.get(f"/api/exports/{row.id}/file", headers=headers).status_code == 409


def test_loading_the_renderer_does_not_loosen_the_upload_checks():
    from PIL import ImageFile

    import server.pdf.render  # noqa: F401  (WeasyPrint's import sets LOAD_TRUNCATED_IMAGES)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_follow_ups_and_review_history_are_printed(client, site, pushed_record, read_pdf):
    from tests.sync.conftest import jpeg_bytes, sha
    record_id, _ = pushed_record()
    headers = site["supervisor_headers"]
    follow_ups = client.get(f"/api/followups?property_id={site['property'].id}",
                            headers=headers).get_json()["items"]
    assert len(follow_ups) == 1, follow_ups
    fix_photo = jpeg_bytes(seed=77, color=(20, 120, 200))
    assert upload(client, site["headers"], fix_photo).status_code == 200
    fixed = client.post(f"/api/followups/{follow_ups[0]['id']}/events", headers=site["headers"],
                        json={"id": str(uuid.uuid4()), "action": "fix", "note": "已铺设地面保护膜",
                              "photos": [{"sha256": sha(fix_photo),
                                          "captured_at": "2026-11-24T10:00:00+08:00"}],
                              "at": "2026-11-24T10:01:00+08:00"})
    assert fixed.status_code in (200, 201), fixed.get_json()
    reviewed = client.post(f"/api/inspections/{record_id}/review", headers=headers,
                           json={"action": "return", "revision": 1, "comment": "请补拍全景",
                                 "item_comments": {"site_photos": "照片太暗"}})
    assert reviewed.status_code == 200, reviewed.get_json()
    pdf = read_pdf(client.get(f"/api/inspections/{record_id}/pdf", headers=headers).data)
    text = _squash(pdf["text"])
    for expected in ("整改跟进", "已整改，待复查", "整改完成：已铺设地面保护膜", "退回修改：请补拍全景",
                     "装修现场照片：照片太暗", "第1次提交"):
        assert expected in text, expected
    # Called back and verified: the event carries the glossary's word.
    follow_up_url = f"/api/followups/{follow_ups[0]['id']}/events"
    for step in ({"action": "callback", "satisfaction": "satisfied", "note": "业主确认"},
                 {"action": "verify"}):
        done = client.post(follow_up_url, headers=headers, json={"id": str(uuid.uuid4()), **step})
        assert done.status_code == 200, done.get_json()
    text = _squash(read_pdf(client.get(f"/api/inspections/{record_id}/pdf", headers=headers).data)["text"])
    assert "复查合格" in text and "验证通过" not in text
    jpegs = [line for line in pdf["images"].splitlines()[2:] if " jpeg " in line]
    assert len(jpegs) == 3  # the record's two photos and the photo of the fix


@pytest.fixture
def rq_queue(app):
    """EXPORT_QUEUE=rq against the Redis at REDIS_URL, on a queue of this test's own."""
    redis = pytest.importorskip("redis")
    rq = pytest.importorskip("rq")
    connection = redis.Redis.from_url(app.config["REDIS_URL"])
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis not reachable at {app.config['REDIS_URL']}")
    name = f"xuncha-test-{uuid.uuid4().hex[:8]}"
    saved = app.config["EXPORT_QUEUE"], app.config["EXPORT_RQ_QUEUE"]
    app.config["EXPORT_QUEUE"], app.config["EXPORT_RQ_QUEUE"] = "rq", name
    queue = rq.Queue(name, connection=connection)
    yield queue, rq.SimpleWorker([queue], connection=connection)
    app.config["EXPORT_QUEUE"], app.config["EXPORT_RQ_QUEUE"] = saved
    queue.delete(delete_jobs=True)
    connection.close()


def test_rq_option_queues_the_export_for_a_worker(client, site, pushed_record, rq_queue, app,
                                                  monkeypatch):
    from server.pdf import jobs
    queue, worker = rq_queue
    pushed_record()
    headers = site["supervisor_headers"]
    job = client.post("/api/exports", json={"property_id": site["property"].id},
                      headers=headers).get_json()
    assert queue.count == 1
    assert client.get(f"/api/exports/{job['id']}", headers=headers).get_json()["status"] == "queued"
    # The worker process builds its app from its environment; here, this test's app.
    monkeypatch.setattr(jobs, "_worker_app", app)
    assert worker.work(burst=True)
    job = client.get(f"/api/exports/{job['id']}", headers=headers).get_json()
    assert job["status"] == "done" and job["done"] == 1
    assert client.get(job["file_url"], headers=headers).data.startswith(b"%PDF-")


def test_a_signer_not_available_is_printed_with_the_reason(client, site, renovation_record,
                                                           read_pdf):
    """The contractor had left: the inspector writes why instead of a signature; the record
    is accepted, its seal holds, and the supervisor reads the reason on the PDF."""
    from tests.sync.conftest import reseal
    record_id, body, blobs = renovation_record()
    body["answers"]["contractor_signature"] = {"signer_unavailable": "施工负责人已离场，电话告知整改要求"}
    for data in blobs["photo"] + blobs["signature"][:1]:
        assert upload(client, site["headers"], data,
                      kind="photo" if data in blobs["photo"] else "signature").status_code == 200
    response = client.put(f"/api/inspections/{record_id}", json=reseal(record_id, body),
                          headers=site["headers"])
    assert response.status_code == 200, response.get_json()
    stored = response.get_json()
    assert stored["seal"]["verified"] and stored["attachments"]["missing"] == []
    assert stored["answers"]["contractor_signature"] == body["answers"]["contractor_signature"]
    zh = _squash(read_pdf(client.get(f"/api/inspections/{record_id}/pdf",
                                     headers=site["supervisor_headers"]).data)["text"])
    assert "施工负责人·签字人不在场：施工负责人已离场，电话告知整改要求" in zh
    en = read_pdf(client.get(f"/api/inspections/{record_id}/pdf?lang=en",
                             headers=site["supervisor_headers"]).data)["text"]
    assert "Signer not available:" in en


@pytest.mark.parametrize(("reason", "item", "message"), [
    ("  ", "contractor_signature", "请写明签字人不在场的原因（不超过 200 字）。"),
    ("不在", "inspector_signature", "检查人本人须签字，不能标记为不在场。"),
])
def test_a_signer_not_available_needs_a_reason_and_is_never_the_inspector(
        client, site, renovation_record, reason, item, message):
    from tests.sync.conftest import reseal
    record_id, body, _ = renovation_record()
    body["answers"][item] = {"signer_unavailable": reason}
    response = client.put(f"/api/inspections/{record_id}", json=reseal(record_id, body),
                          headers={**site["headers"], "Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert message in str(response.get_json())
    assert _record(record_id) is None  # nothing stored


def test_phone_times_are_printed_on_the_propertys_clock_beside_the_servers(
        client, site, renovation_record, read_pdf):
    """A phone set to UTC: its times are shown in the property's zone, like the server's, and
    the page says which zone that is."""
    from tests.sync.conftest import reseal
    record_id, body, blobs = renovation_record()
    body["started_at"] = "2026-11-23T01:00:00+00:00"  # 09:00 in Shanghai
    body["completed_at"] = "2026-11-23T01:12:00+00:00"
    body["answers"]["site_photos"]["photos"][0]["captured_at"] = "2026-11-23T01:05:00Z"
    for kind, items in blobs.items():
        for data in items:
            assert upload(client, site["headers"], data, kind=kind).status_code == 200
    assert client.put(f"/api/inspections/{record_id}", json=reseal(record_id, body),
                      headers=site["headers"]).status_code == 200
    text = _squash(read_pdf(client.get(f"/api/inspections/{record_id}/pdf",
                                       headers=site["headers"]).data)["text"])
    assert "开始2026-11-2309:00:00(+08:00)" in text and "完成2026-11-2309:12:00(+08:00)" in text
    assert "拍摄2026-11-2309:05:00(+08:00)" in text
    assert "+00:00" not in text
    assert "本记录中的时间均为项目所在地时间（中国时间，UTC+08:00）" in text
