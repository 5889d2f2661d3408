"""Invariants 2, 4, 5 and 6: nothing doubled, sealed records, explicit conflicts, honest time."""

import copy
import threading
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from server.core.db import db
from server.inspections.models import Inspection, InspectionRevision
from server.properties.models import Renovation
from tests.sync.conftest import CST, reseal, sha, upload


def put(client, record_id, body, headers, **extra_headers):
    return client.put(f"/api/inspections/{record_id}", json=body, headers={**headers, **extra_headers})


def test_push_stores_the_record_and_lists_missing_attachments(client, site, renovation_record):
    record_id, body, blobs = renovation_record()
    response = put(client, record_id, body, site["headers"])
    assert response.status_code == 200, response.get_json()
    stored = response.get_json()
    assert stored["id"] == record_id and stored["revision"] == 1 and stored["status"] == "submitted"
    assert stored["has_failures"] is True
    assert stored["seal"] == {"hash": body["seal"]["hash"], "verified": True}
    all_hashes = sorted(sha(b) for b in blobs["photo"] + blobs["signature"])
    assert stored["attachments"] == {"expected": all_hashes, "missing": all_hashes}
    for data in blobs["photo"]:
        assert upload(client, site["headers"], data).get_json()["stored"] is True
    for data in blobs["signature"]:
        assert upload(client, site["headers"], data, "signature").get_json()["stored"] is True
    after = client.get(f"/api/inspections/{record_id}", headers=site["headers"]).get_json()
    assert after["attachments"]["missing"] == []


def test_a_hundred_resends_make_one_row(client, site, renovation_record, count_rows):
    record_id, body, _ = renovation_record()
    answers = [put(client, record_id, body, site["headers"]) for _ in range(100)]
    assert {r.status_code for r in answers} == {200}
    assert {r.get_json()["revision"] for r in answers} == {1}
    assert count_rows(Inspection) == 1
    assert count_rows(InspectionRevision) == 1


def test_two_devices_pushing_the_same_record_at_once_make_one_row(
        app, client, site, renovation_record, count_rows, auth_headers):
    record_id, body, _ = renovation_record()
    # Two phones of the same inspector (e.g. a replaced phone restoring its outbox).
    tokens = [site["headers"], auth_headers(site["patrol"])]
    statuses = []
    barrier = threading.Barrier(8)

    def push(headers):
        with app.test_client() as own_client:
            barrier.wait()
            statuses.append(put(own_client, record_id, body, headers).status_code)

    threads = [threading.Thread(target=push, args=(tokens[n % 2],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    assert count_rows(Inspection) == 1
    assert count_rows(InspectionRevision) == 1


def test_same_id_with_different_content_is_409_and_changes_nothing(client, site, renovation_record):
    record_id, body, _ = renovation_record()
    assert put(client, record_id, body, site["headers"]).status_code == 200
    changed = reseal(record_id, copy.deepcopy(body))
    changed["answers"]["debris"]["value"] = "fail"
    changed["answers"]["debris"]["photos"] = body["answers"]["surface_protection"]["photos"]
    changed = reseal(record_id, changed)
    response = put(client, record_id, changed, site["headers"])
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "record.different_content"
    stored = client.get(f"/api/inspections/{record_id}", headers=site["headers"]).get_json()
    assert stored["answers"]["debris"] == {"value": "pass"}


def test_a_returned_record_is_edited_only_on_its_current_revision(client, site, renovation_record,
                                                                  count_rows):
    record_id, body, _ = renovation_record()
    assert put(client, record_id, body, site["headers"]).status_code == 200
    db.session.execute(sa.update(Inspection).values(status="returned"))
    db.session.commit()
    fixed = copy.deepcopy(body)
    fixed["answers"]["surface_protection"]["comment"] = "已要求施工方铺设保护膜"
    fixed = reseal(record_id, fixed)
    assert put(client, record_id, fixed, site["headers"]).status_code == 428
    stale = put(client, record_id, fixed, site["headers"], **{"If-Match": '"0"'})
    assert stale.status_code == 412
    assert stale.get_json()["error"]["code"] == "record.stale_revision"
    accepted = put(client, record_id, fixed, site["headers"], **{"If-Match": '"1"'})
    assert accepted.status_code == 200
    assert accepted.get_json()["revision"] == 2 and accepted.get_json()["status"] == "submitted"
    # The old revision is kept, and resending either revision is harmless.
    assert put(client, record_id, fixed, site["headers"], **{"If-Match": '"1"'}).status_code == 200
    assert put(client, record_id, body, site["headers"]).status_code == 200
    assert count_rows(InspectionRevision) == 2
    revisions = db.session.scalars(sa.select(InspectionRevision)
                                   .order_by(InspectionRevision.revision)).all()
    assert [r.seal_hash for r in revisions] == [body["seal"]["hash"], fixed["seal"]["hash"]]


def test_only_the_inspector_may_resubmit_a_returned_record(client, site, renovation_record,
                                                          make_user, auth_headers):
    record_id, body, _ = renovation_record()
    put(client, record_id, body, site["headers"])
    db.session.execute(sa.update(Inspection).values(status="returned"))
    db.session.commit()
    edited = copy.deepcopy(body)
    edited["answers"]["debris"]["comment"] = "改"
    # A patrol colleague may not even see the record: the same 404 as its GET.
    colleague = make_user("patrol", properties=[site["property"]], username="patrol9")
    response = put(client, record_id, reseal(record_id, edited, username="patrol9"),
                   auth_headers(colleague), **{"If-Match": '"1"'})
    assert response.status_code == 404
    # The supervisor sees it, and is told it is not theirs to change.
    response = put(client, record_id, reseal(record_id, edited, username="supervisor1"),
                   site["supervisor_headers"], **{"If-Match": '"1"'})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "record.different_content"


def test_a_wrong_seal_is_refused_and_nothing_stored(client, site, renovation_record, count_rows):
    record_id, body, _ = renovation_record()
    body["answers"]["debris"]["comment"] = "added after sealing"
    response = put(client, record_id, body, site["headers"])
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "record.seal_mismatch"
    assert error["details"]["expected"] != body["seal"]["hash"]
    assert count_rows(Inspection) == 0


def test_the_seal_binds_the_inspector(client, site, renovation_record, count_rows):
    record_id, body, _ = renovation_record()
    reseal(record_id, body, username="somebody-else")
    assert put(client, record_id, body, site["headers"]).status_code == 422
    assert count_rows(Inspection) == 0


def test_answers_are_checked_against_the_checklist(client, site, renovation_record, count_rows):
    record_id, body, _ = renovation_record()
    del body["answers"]["debris"]
    body["answers"]["surface_protection"].pop("photos")
    body["answers"]["walls"]["value"] = "maybe"
    body["answers"]["not_an_item"] = {"value": "pass"}
    reseal(record_id, body)
    response = client.put(f"/api/inspections/{record_id}", json=body,
                          headers={**site["headers"], "Accept-Language": "en"})
    assert response.status_code == 422
    items = response.get_json()["error"]["details"]["items"]
    assert items == {
        "debris": ["This item is required."],
        "surface_protection": ["A failed item needs at least 1 photos as evidence."],
        "walls": ["Choose one of: pass, fail, na."],
        "not_an_item": ["This checklist has no such item."],
    }
    assert count_rows(Inspection) == 0


def test_unknown_checklist_version_is_refused(client, site, renovation_record):
    record_id, body, _ = renovation_record()
    body["checklist"]["version"] = 7
    reseal(record_id, body)
    response = put(client, record_id, body, site["headers"])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "checklist.not_found"


def test_property_and_subject_are_checked(client, site, renovation_record, count_rows):
    record_id, body, _ = renovation_record()
    assert put(client, record_id, body, site["outsider_headers"]).status_code == 403
    body["subject"]["id"] = 999999
    reseal(record_id, body)
    response = put(client, record_id, body, site["headers"])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "record.bad_subject"
    assert count_rows(Inspection) == 0


def test_both_clocks_are_kept(client, site, renovation_record):
    record_id, body, _ = renovation_record()
    phone_clock = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    response = put(client, record_id, body, site["headers"], **{"X-Device-Time": phone_clock})
    stored = response.get_json()
    assert 590 <= stored["device_clock_offset_seconds"] <= 610
    assert stored["started_at"] == body["started_at"]  # exactly as the phone said it
    assert stored["completed_at"] == "2026-11-23T09:12:00+08:00"
    received = datetime.fromisoformat(stored["received_at"])
    assert abs((received - datetime.now(UTC)).total_seconds()) < 60


def test_records_of_another_property_are_invisible(client, site, renovation_record):
    record_id, body, _ = renovation_record()
    put(client, record_id, body, site["headers"])
    assert client.get(f"/api/inspections/{record_id}",
                      headers=site["outsider_headers"]).status_code == 404
    assert client.get(f"/api/inspections/{uuid.uuid4()}", headers=site["headers"]).status_code == 404


def _returned(client, site, body, record_id):
    assert put(client, record_id, body, site["headers"]).status_code == 200
    db.session.execute(sa.update(Inspection).values(status="returned"))
    db.session.commit()


def test_a_returned_record_keeps_what_was_inspected_where_and_against_which_checklist(
        client, site, renovation_record, make_unit):
    """Resubmitting a returned record may change its answers, never what it is a record of."""
    record_id, body, _ = renovation_record()
    _returned(client, site, body, record_id)
    other_renovation = Renovation(property_id=site["property"].id, unit=site["units"][1],
                                  contractor_name="某装饰", status="active",
                                  permit_start=datetime(2026, 11, 1).date(),
                                  permit_end=datetime(2027, 1, 31).date())
    db.session.add(other_renovation)
    db.session.commit()
    moved = copy.deepcopy(body)
    moved["subject"]["id"] = other_renovation.id
    response = put(client, record_id, reseal(record_id, moved), site["headers"],
                   **{"If-Match": '"1"'})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "record.identity_changed"
    assert error["details"] == {"changed": ["subject"]}
    stored = client.get(f"/api/inspections/{record_id}", headers=site["headers"]).get_json()
    assert stored["revision"] == 1 and stored["subject"]["id"] == site["renovation"].id
    assert stored["answers"] == body["answers"]


def test_times_a_phone_could_not_have_recorded_are_refused(client, site, renovation_record,
                                                           count_rows):
    record_id, body, _ = renovation_record()
    backwards = copy.deepcopy(body)
    backwards["completed_at"], backwards["started_at"] = body["started_at"], body["completed_at"]
    response = put(client, record_id, reseal(record_id, backwards), site["headers"])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "record.completed_before_start"

    ahead = datetime.now(CST) + timedelta(hours=2)
    future = copy.deepcopy(body)
    future["started_at"] = (ahead - timedelta(minutes=10)).isoformat(timespec="seconds")
    future["completed_at"] = ahead.isoformat(timespec="seconds")
    response = client.put(f"/api/inspections/{record_id}", json=reseal(record_id, future),
                          headers={**site["headers"], "Accept-Language": "zh-CN"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "record.completed_in_future"
    assert future["completed_at"] in error["message"] and "手机时间" in error["message"]
    assert 115 <= error["details"]["minutes_ahead"] <= 121
    assert count_rows(Inspection) == 0


def test_a_record_received_long_after_its_completion_is_marked_late(
        client, site, renovation_record):
    record_id, body, _ = renovation_record()
    on_time = put(client, record_id, body, site["headers"]).get_json()
    assert on_time["late"] is False
    finished = datetime.now(CST) - timedelta(hours=49)
    late_id, late_body, _ = renovation_record()
    late_body["started_at"] = (finished - timedelta(minutes=12)).isoformat(timespec="seconds")
    late_body["completed_at"] = finished.isoformat(timespec="seconds")
    response = put(client, late_id, reseal(late_id, late_body), site["headers"])
    assert response.status_code == 200 and response.get_json()["late"] is True
    listed = {item["id"]: item["late"] for item in client.get(
        "/api/inspections", headers=site["supervisor_headers"]).get_json()["items"]}
    assert listed == {record_id: False, late_id: True}


def test_a_renovation_is_patrolled_only_while_its_works_may_go_on(client, site, renovation_record):
    record_id, body, _ = renovation_record()
    renovation = site["renovation"]
    renovation.status = "completed"
    db.session.commit()  # completed now: after the record was finished
    assert put(client, record_id, body, site["headers"]).status_code == 200  # sent late: fine

    later_id, later, _ = renovation_record()
    after_the_change = datetime.now(CST) + timedelta(minutes=1)
    later["started_at"] = (after_the_change - timedelta(minutes=3)).isoformat(timespec="seconds")
    later["completed_at"] = after_the_change.isoformat(timespec="seconds")
    response = put(client, later_id, reseal(later_id, later), site["headers"])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "record.subject_inactive"
    # The record accepted before is still answered as stored when the phone sends it again.
    assert put(client, record_id, body, site["headers"]).status_code == 200

    renovation.status = "active"
    renovation.permit_end = datetime(2026, 11, 20).date()
    db.session.commit()
    outside_id, outside, _ = renovation_record()
    response = put(client, outside_id, reseal(outside_id, outside), site["headers"])
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["inspected_on"] == "2026-11-23"


def test_verified_is_the_seal_recomputed_from_what_is_stored(client, site, renovation_record):
    record_id, body, _ = renovation_record()
    assert put(client, record_id, body, site["headers"]).get_json()["seal"]["verified"] is True
    # Someone with database access changes an answer in place, on the record and its revision.
    bent = copy.deepcopy(body["answers"])
    bent["surface_protection"] = {"value": "pass"}
    db.session.execute(sa.update(Inspection).values(answers=bent))
    db.session.execute(sa.update(InspectionRevision).values(answers=bent))
    db.session.commit()
    db.session.expire_all()
    stored = client.get(f"/api/inspections/{record_id}", headers=site["headers"]).get_json()
    assert stored["seal"] == {"hash": body["seal"]["hash"], "verified": False}
    history = client.get(f"/api/inspections/{record_id}/history",
                         headers=site["headers"]).get_json()
    assert [r["seal_verified"] for r in history["revisions"]] == [False]


def _key_audit(site, rows: dict, record_id=None):
    record_id = record_id or str(uuid.uuid4())
    answers = {item: {"value": "pass"} for item in (
        "keeper_assigned", "keeper_knows_procedure", "keys_tagged_tidy", "missing_keys_approved",
        "responsibility_followed_up", "records_updated", "borrowing_procedures_complete",
        "owner_signature_on_collection")}
    answers["key_rows"] = {"rows": rows}
    # Done just now: after the register rows were written, which it must not predate to count.
    done = datetime.now(CST) + timedelta(minutes=1)
    answers["keeper_signature"] = {"signature": {
        "sha256": "ab" * 32, "signer_name": "李巡查", "signed_at": done.isoformat()}}
    body = {"property_id": site["property"].id, "checklist": {"code": "key_audit", "version": 1},
            "subject": {"type": "key_register", "id": site["property"].id}, "answers": answers,
            "started_at": (done - timedelta(minutes=10)).isoformat(timespec="seconds"),
            "completed_at": done.isoformat(timespec="seconds")}
    return record_id, reseal(record_id, body)


def test_a_key_audit_covers_the_register_and_its_findings_update_it(client, site):
    from server.properties.models import Key
    keys = site["keys"]
    evidence = {"photos": [{"sha256": "cd" * 32, "captured_at": datetime.now(CST).isoformat()}]}
    partial = {str(keys[0].id): {"value": "present"}}
    record_id, body = _key_audit(site, partial)
    response = client.put(f"/api/inspections/{record_id}", json=body, headers=site["headers"])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "record.invalid_answers"
    assert "key_rows" in response.get_json()["error"]["details"]["items"]

    found = {str(keys[0].id): {"value": "present"},
             str(keys[1].id): {"value": "missing", "comment": "柜内无此钥匙", **evidence},
             str(keys[2].id): {"value": "lent_out"}}
    record_id, body = _key_audit(site, found)
    assert client.put(f"/api/inspections/{record_id}", json=body,
                      headers=site["headers"]).status_code == 200
    db.session.expire_all()
    statuses = [db.session.get(Key, key.id).status for key in keys]
    assert statuses == ["in_custody", "missing", "lent"]
    follow_ups = client.get("/api/followups", headers=site["supervisor_headers"]).get_json()
    assert [f["row_key"] for f in follow_ups["items"]] == [str(keys[1].id)]


def test_a_key_audit_sent_late_does_not_undo_a_newer_register_change(client, site):
    from server.properties.models import Key
    keys = site["keys"]
    rows = {str(key.id): {"value": "present"} for key in keys}
    record_id, body = _key_audit(site, rows)
    body["started_at"], body["completed_at"] = "2026-11-23T07:50:00+08:00", "2026-11-23T08:00:00+08:00"
    body = reseal(record_id, body)
    keys[0].status = "missing"  # reported missing after that audit (the register row is newer)
    db.session.commit()
    assert client.put(f"/api/inspections/{record_id}", json=body,
                      headers=site["headers"]).status_code == 200
    db.session.expire_all()
    assert db.session.get(Key, keys[0].id).status == "missing"
