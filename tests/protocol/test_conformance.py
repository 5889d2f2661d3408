"""The sync protocol as a third party meets it: every step of docs/sync-protocol.md, over HTTP.

Each test is a scenario an integrator's client goes through; the assertions are the
document's promises (status, code, the fields named), not the server's internals.
"""

import hashlib
import re
import subprocess
import sys
import uuid
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .client import fill, seal
from .conftest import noisy_jpeg, signature_png

CST = timezone(timedelta(hours=8))
VERIFIER = Path(__file__).resolve().parents[2] / "scripts" / "verify_seal.py"


def _envelope_ok(answer, status: int, code: str) -> dict:
    """§0: one envelope, `details` always present."""
    assert answer.status == status, answer.body[:500]
    error = answer.error
    assert set(error) == {"code", "message", "status", "details"}
    assert (error["code"], error["status"]) == (code, status)
    assert isinstance(error["details"], dict) and error["message"]
    return error


def _renovation_record(world, phone, fail=None):
    """Pull, upload the photo and signature, and build a sealed record as §2 says."""
    pulled = phone.pull().json
    checklist = next(c for c in pulled["checklists"] if c["code"] == "renovation_patrol")
    photo, sign = noisy_jpeg(), signature_png()
    assert phone.upload(photo, "image/jpeg").json["stored"] is True
    assert phone.upload(sign, "image/png", kind="signature").json["stored"] is True
    now = datetime.now(CST).replace(microsecond=0)
    at = (now - timedelta(minutes=10)).isoformat()
    record_id = str(uuid.uuid4())
    body = {"property_id": world["property_id"],
            "checklist": {"code": checklist["code"], "version": checklist["version"]},
            "subject": {"type": "renovation", "id": world["renovation_id"]},
            "answers": fill(checklist["definition"], hashlib.sha256(photo).hexdigest(),
                            hashlib.sha256(sign).hexdigest(), at, fail),
            "started_at": (now - timedelta(minutes=20)).isoformat(),
            "completed_at": (now - timedelta(minutes=5)).isoformat(),
            "device_id": "conformance-client"}
    body["seal"] = {"hash": seal(record_id, body, "patrol1")}
    return record_id, body


def test_login_and_pull_full_then_delta(world):
    phone = world["client"]()
    _envelope_ok(phone.login("patrol1", "wrong password"), 401, "auth.invalid_credentials")
    _envelope_ok(phone.pull(), 401, "auth.required")
    assert phone.login("patrol1", world["password"]).status == 200

    full = phone.pull()
    assert full.status == 200
    body = full.json
    assert body["full"] is True
    for key in ("cursor", "server_time", "me", "properties", "checklists", "units",
                "renovations", "keys", "records", "follow_ups", "due"):
        assert key in body, key
    assert body["me"]["username"] == "patrol1"
    assert [p["id"] for p in body["properties"]] == [world["property_id"]]
    assert {c["code"] for c in body["checklists"]} >= {"renovation_patrol", "key_audit"}
    renovation_due = [d for d in body["due"] if d["checklist_code"] == "renovation_patrol"]
    assert renovation_due and {"rule_id", "subject", "period", "done", "required",
                               "candidate_unit_ids", "label"} <= set(renovation_due[0])

    delta = phone.pull(body["cursor"])
    assert delta.status == 200 and delta.json["full"] is False
    # Within the overlap window a delta may repeat rows; it never invents one.
    assert {r["id"] for r in delta.json["renovations"]} <= {world["renovation_id"]}
    _envelope_ok(phone.pull("not-a-cursor"), 422, "sync.bad_cursor")


def test_resumable_upload_with_a_cut_resends_almost_nothing(world):
    phone = world["client"]("patrol1")
    photo = noisy_jpeg(900, 700)
    size, sha = len(photo), hashlib.sha256(photo).hexdigest()
    assert size > 300_000
    assert phone.blob_status(sha).json == {"sha256": sha, "stored": False, "received": 0,
                                           "size": None}

    first = size // 4
    answer = phone.put_part(sha, photo[:first], 0, size, "image/jpeg")
    assert answer.status == 200 and answer.json["received"] == first
    assert answer.json["stored"] is False and answer.json["size"] == size

    # A part that does not start at `received`, or that changes the total, is refused.
    error = _envelope_ok(phone.put_part(sha, photo[first + 10:first + 20], first + 10, size,
                                        "image/jpeg"), 409, "upload.offset_mismatch")
    assert error["details"]["received"] == first
    error = _envelope_ok(phone.put_part(sha, photo[first:first + 10], first, size + 1,
                                        "image/jpeg"), 409, "upload.size_mismatch")
    assert error["details"] == {"received": first, "size": size}
    _envelope_ok(phone.request("PUT", f"/api/blobs/{sha}", b"x",
                               {"Content-Type": "image/jpeg", "Content-Range": "bytes 1-/9"}),
                 400, "upload.bad_range")

    # The rest in one part, cut off at 90 % of the photo: what arrived is kept.
    phone.sent_bytes = first
    cut_at = int(size * 0.9)
    phone.cut_part(sha, photo[first:], first, size, "image/jpeg", arrive=cut_at - first)
    state = phone.blob_status(sha).json
    assert state["stored"] is False and state["received"] == cut_at

    final = phone.upload(photo, "image/jpeg")
    assert final.json == {"sha256": sha, "stored": True, "received": size, "size": size}
    resent = phone.sent_bytes - size
    assert 0 <= resent <= 0.05 * size
    assert phone.request("GET", f"/api/blobs/{sha}", query={"variant": "original"}).body == photo


def test_push_resend_and_conflict(world):
    phone = world["client"]("patrol1")
    record_id, body = _renovation_record(world, phone)
    device_time = datetime.now(CST).isoformat()

    first = phone.push(record_id, body, device_time=device_time)
    assert first.status == 200, first.body
    stored = first.json
    assert (stored["revision"], stored["status"]) == (1, "submitted")
    assert stored["seal"] == {"hash": body["seal"]["hash"], "verified": True}
    assert stored["inspector"]["username"] == "patrol1"
    assert stored["attachments"]["missing"] == []
    assert abs(stored["device_clock_offset_seconds"]) < 60

    for _ in range(3):  # a resend is the same answer, and stores nothing new
        again = phone.push(record_id, body, device_time=device_time)
        assert again.status == 200 and again.json["revision"] == 1

    changed = dict(body, answers={**body["answers"], "debris": {"value": "na"}})
    changed["seal"] = {"hash": seal(record_id, changed, "patrol1")}
    error = _envelope_ok(phone.push(record_id, changed), 409, "record.different_content")
    assert error["details"] == {"revision": 1, "status": "submitted"}

    other_id = str(uuid.uuid4())
    wrong_seal = dict(body, seal={"hash": "0" * 64})
    error = _envelope_ok(phone.push(other_id, wrong_seal), 422, "record.seal_mismatch")
    assert error["details"]["expected"] == seal(other_id, body, "patrol1")

    for bad_time in ("yesterday", "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00",
                     "2026-11-23T09:00:00"):
        error = _envelope_ok(phone.push(record_id, body, device_time=bad_time), 400,
                             "request.bad_device_time")
        assert error["details"]["header"] == "X-Device-Time"
    assert phone.record(other_id).status == 404


def test_return_edit_stale_revisions_and_approval(world):
    phone, supervisor = world["client"]("patrol1"), world["client"]("supervisor1")
    record_id, body = _renovation_record(world, phone)
    assert phone.push(record_id, body).status == 200
    cursor = phone.pull().json["cursor"]

    _envelope_ok(supervisor.review(record_id, "return", None, "补拍"), 422, "request.invalid")
    returned = supervisor.review(record_id, "return", 1, item_comments={"debris": "请补拍垃圾堆放"})
    assert returned.status == 200 and returned.json["status"] == "returned"
    delta = phone.pull(cursor).json
    mine = [r for r in delta["records"] if r["id"] == record_id]
    assert mine and mine[0]["status"] == "returned" and mine[0]["revision"] == 1
    assert mine[0]["reviews"][-1]["item_comments"] == {"debris": "请补拍垃圾堆放"}

    edited = dict(body, answers={**body["answers"], "debris": {"value": "pass",
                                                               "comment": "已清运"}})
    edited["seal"] = {"hash": seal(record_id, edited, "patrol1")}
    _envelope_ok(phone.push(record_id, edited), 428, "request.precondition_required")
    for stale in ('"2"', 'W/"1"'):
        error = _envelope_ok(phone.push(record_id, edited, if_match=stale), 412,
                             "record.stale_revision")
        assert error["details"]["current_revision"] == 1
    second = phone.push(record_id, edited, if_match='"1"')
    assert second.status == 200 and (second.json["revision"], second.json["status"]) == (
        2, "submitted")

    # The first revision's exact body again: accepted as a resend, answered with the record
    # as it is now, whose seal is the new one.
    resend = phone.push(record_id, body)
    assert resend.status == 200 and resend.json["revision"] == 2
    assert resend.json["seal"]["hash"] == edited["seal"]["hash"] != body["seal"]["hash"]
    # An edit still based on revision 1 is stale now that revision 2 exists.
    third = dict(edited, answers={**edited["answers"], "walls": {"value": "na"}})
    third["seal"] = {"hash": seal(record_id, third, "patrol1")}
    _envelope_ok(phone.push(record_id, third, if_match="1"), 412, "record.stale_revision")

    assert supervisor.review(record_id, "approve", 2).status == 200
    error = _envelope_ok(phone.push(record_id, third, if_match='"2"'), 409, "record.not_editable")
    assert error["details"] == {"revision": 2, "status": "approved"}
    _envelope_ok(supervisor.review(record_id, "approve", 2), 409, "review.already_reviewed")


def test_seal_verifies_from_the_json_export_and_the_pdf(world, tmp_path):
    phone, supervisor = world["client"]("patrol1"), world["client"]("supervisor1")
    record_id, body = _renovation_record(world, phone, fail={"surface_protection": "地面未保护"})
    assert phone.push(record_id, body).status == 200

    exported = supervisor.record_json(record_id)
    assert exported.status == 200
    assert "attachment" in exported.headers["content-disposition"]
    record = exported.json
    assert record["seal"] == {"v": 1, "hash": body["seal"]["hash"]}
    assert record["inspector"] == "patrol1"
    assert seal(record["record_id"], record, record["inspector"]) == body["seal"]["hash"]

    pdf = supervisor.record_pdf(record_id)
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF")
    json_file, pdf_file = tmp_path / "record.json", tmp_path / "record.pdf"
    json_file.write_bytes(exported.body)
    pdf_file.write_bytes(pdf.body)
    for path in (json_file, pdf_file):
        result = _verify(path)
        assert result.returncode == 0 and "  matches · 校验通过" in result.stdout, result.stdout
        assert body["seal"]["hash"] in result.stdout

    # One character changed, in the JSON and in the JSON embedded in the PDF.
    changed_json, changed_pdf = tmp_path / "changed.json", tmp_path / "changed.pdf"
    changed_json.write_bytes(exported.body.replace("地面未保护".encode(), "地面已保护".encode()))
    changed_pdf.write_bytes(_edit_embedded_json(pdf.body, "地面未保护", "地面已保护"))
    for path in (changed_json, changed_pdf):
        result = _verify(path)
        assert result.returncode == 1 and "does not match" in result.stdout, result.stdout


def _edit_embedded_json(pdf: bytes, old: str, new: str) -> bytes:
    """The PDF with ``old`` replaced by ``new`` in its embedded record JSON, as someone
    altering the file would do (stream re-compressed, its /Length adjusted)."""
    marker = pdf.index(b"/Type /EmbeddedFile")
    length = re.compile(rb"/Length (\d+)").search(pdf, marker)
    start = pdf.index(b"stream\n", length.end()) + len(b"stream\n")
    data = zlib.decompress(pdf[start:start + int(length.group(1))])
    assert old.encode() in data
    edited = zlib.compress(data.replace(old.encode(), new.encode()))
    return (pdf[:length.start()] + b"/Length %d" % len(edited) + pdf[length.end():start]
            + edited + pdf[start + int(length.group(1)):])


def _verify(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True,
                          text=True, timeout=60, check=False)


def test_a_refused_upload_does_not_break_the_next_request_on_the_connection(world):
    phone = world["client"]("patrol1")
    photo = noisy_jpeg()
    phone.token = "not-a-token"
    refused = phone.request("PUT", f"/api/blobs/{hashlib.sha256(photo).hexdigest()}", photo,
                            {"Content-Type": "image/jpeg"})
    _envelope_ok(refused, 401, "auth.invalid_token")
    # The body was never read: the server says it closes rather than leave it in the pipe.
    assert refused.headers["connection"].lower() == "close"
    phone.token = None
    assert phone.login("patrol1", world["password"]).status == 200
    bad_hash = phone.request("PUT", "/api/blobs/NOT-A-HASH", photo, {"Content-Type": "image/jpeg"})
    _envelope_ok(bad_hash, 422, "upload.bad_hash_format")
    assert phone.pull().status == 200
