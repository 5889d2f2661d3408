"""Class 1: batch exports are capped per person and overall (a clear 429), rendered by a
bounded pool of threads, streamed to the downloader from a file, and deleted when they expire."""

import io
import threading
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from server.core.db import db, utcnow
from server.pdf.models import ExportJob


def queued_job(user, prop, **overrides) -> ExportJob:
    values = {"user_id": user.id, "property_id": prop.id, "filters": {}, "record_ids": [],
              "format": "pdf", "language": "zh-CN", "status": "queued", "total": 1}
    job = ExportJob(**{**values, **overrides})
    db.session.add(job)
    db.session.commit()
    return job


def start(client, site, headers=None, **filters):
    return client.post("/api/exports", json={"property_id": site["property"].id, **filters},
                       headers=headers or site["supervisor_headers"])


def wait_done(client, headers, job_id):
    for _ in range(1200):
        job = client.get(f"/api/exports/{job_id}", headers=headers).get_json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"export {job_id} never finished: {job}")


def test_one_person_may_have_only_a_few_exports_under_way(client, site, pushed_record, app,
                                                          count_rows):
    pushed_record()
    for _ in range(app.config["EXPORT_MAX_ACTIVE_PER_USER"]):
        queued_job(site["supervisor"], site["property"])
    before = count_rows(ExportJob)
    refused = start(client, site, {**site["supervisor_headers"], "Accept-Language": "en"})
    assert refused.status_code == 429
    error = refused.get_json()["error"]
    assert error["code"] == "export.busy_user" and "wait until one finishes" in error["message"]
    assert int(refused.headers["Retry-After"]) > 0
    assert count_rows(ExportJob) == before
    # A job that stopped moving long ago no longer holds a place.
    db.session.query(ExportJob).update(
        {"updated_at": utcnow() - timedelta(seconds=app.config["EXPORT_STALL_SECONDS"] + 1)})
    db.session.commit()
    assert start(client, site).status_code == 202


def test_everyone_together_has_a_cap_too(client, site, pushed_record, app, make_user):
    pushed_record()
    others = [make_user("supervisor", properties=[site["property"]])
              for _ in range(app.config["EXPORT_MAX_ACTIVE"])]
    for user in others:
        queued_job(user, site["property"])
    refused = start(client, site)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "export.busy"
    assert "稍后" in refused.get_json()["error"]["message"] or "再试" in refused.get_json()[
        "error"]["message"]


def test_exports_run_on_a_bounded_pool_and_stream_their_file(client, site, pushed_record, app,
                                                             make_user, auth_headers):
    ids = {pushed_record(seed=10 * n)[0] for n in range(2)}
    second = auth_headers(make_user("supervisor", properties=[site["property"]]))
    started = [(headers, start(client, site, headers, format="zip").get_json()["id"])
               for headers in (site["supervisor_headers"], second) for _ in range(2)]
    export_threads = [t for t in threading.enumerate() if t.name.startswith("export")]
    assert 1 <= len(export_threads) <= app.config["EXPORT_WORKERS"]
    for headers, job_id in started:
        job = wait_done(client, headers, job_id)
        assert job["status"] == "done", job
        assert job["expires_at"] is not None
    headers, job_id = started[0]
    download = client.get(f"/api/exports/{job_id}/file", headers=headers)
    assert download.is_streamed and download.status_code == 200
    data = download.get_data()
    assert int(download.headers["Content-Length"]) == len(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {name.split("_")[-1].removesuffix(".pdf") for name in archive.namelist()} == ids
        assert all(archive.read(name).startswith(b"%PDF-") for name in archive.namelist())


@pytest.fixture
def finished_export(client, site, pushed_record, app):
    """A finished export; exports in the test run before their answer (nothing left running
    when the test ends)."""
    pushed_record()
    app.config["EXPORT_QUEUE"] = "inline"
    job = start(client, site).get_json()
    row = db.session.get(ExportJob, job["id"])
    db.session.refresh(row)
    assert row.status == "done"
    yield row, Path(app.config["BLOB_DIR"]) / row.file_key
    app.config["EXPORT_QUEUE"] = "thread"


def expire(row, app):
    row.finished_at = utcnow() - timedelta(hours=app.config["EXPORT_FILE_HOURS"], minutes=1)
    db.session.commit()


def test_an_expired_export_is_gone_and_its_file_deleted(client, site, finished_export, app):
    row, path = finished_export
    assert path.is_file()
    expire(row, app)
    response = client.get(f"/api/exports/{row.id}/file", headers=site["supervisor_headers"])
    assert response.status_code == 410
    error = response.get_json()["error"]
    assert error["code"] == "export.expired" and "重新导出" in error["message"]
    # The next export anyone starts clears expired files away.
    assert start(client, site).status_code == 202
    assert not path.exists()
    db.session.refresh(row)
    assert row.file_key is None


def test_the_purge_command_deletes_expired_files(site, finished_export, app):
    row, path = finished_export
    expire(row, app)
    result = app.test_cli_runner().invoke(args=["purge-exports"])
    assert result.exit_code == 0, result.output
    assert "1 expired export files deleted" in result.output
    assert not path.exists()
