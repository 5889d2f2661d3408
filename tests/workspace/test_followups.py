"""Follow-ups (整改): raised from failures, fixed with evidence, called back, verified."""

import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from server.core.db import db
from server.followups.models import FollowUp, FollowUpEvent
from tests.sync.conftest import jpeg_bytes, sha, upload


def step(client, headers, follow_up_id, action, **body):
    return client.post(f"/api/followups/{follow_up_id}/events",
                       json={"id": str(uuid.uuid4()), "action": action, **body}, headers=headers)


def push(client, site, renovation_record, **kwargs):
    record_id, body, _ = renovation_record(**kwargs)
    assert client.put(f"/api/inspections/{record_id}", json=body,
                      headers=site["headers"]).status_code == 200
    return record_id, body


def test_a_failed_item_raises_one_follow_up_even_when_resent(client, site, renovation_record,
                                                             count_rows):
    record_id, body = push(client, site, renovation_record)
    for _ in range(3):
        client.put(f"/api/inspections/{record_id}", json=body, headers=site["headers"])
    assert count_rows(FollowUp) == 1
    listed = client.get("/api/followups", headers=site["supervisor_headers"]).get_json()
    follow_up = listed["items"][0]
    assert follow_up["item_id"] == "surface_protection" and follow_up["status"] == "open"
    assert "客厅地面未覆盖保护" in follow_up["description"]
    assert follow_up["subject_label"] == site["units"][0].label
    assert follow_up["assignee"]["id"] == site["patrol"].id
    assert follow_up["due_date"] == "2026-11-26"  # found 23 Nov, 3 days to fix
    # It is on the assignee's phone.
    pulled = client.get("/api/sync/pull", headers=site["headers"]).get_json()["follow_ups"]
    assert [f["id"] for f in pulled] == [follow_up["id"]]


def test_open_fixed_with_photo_called_back_verified(client, site, renovation_record):
    push(client, site, renovation_record)
    follow_up_id = client.get("/api/followups", headers=site["headers"]).get_json()[
        "items"][0]["id"]
    no_photo = step(client, site["headers"], follow_up_id, "fix", note="已整改")
    assert no_photo.status_code == 422
    assert no_photo.get_json()["error"]["code"] == "followup.photo_required"
    evidence = jpeg_bytes(seed=40)
    upload(client, site["headers"], evidence)
    fixed = step(client, site["headers"], follow_up_id, "fix", note="已铺设保护膜",
                 photos=[{"sha256": sha(evidence), "captured_at": "2026-11-24T10:00:00+08:00"}],
                 at="2026-11-24T10:01:00+08:00")
    assert fixed.status_code == 200 and fixed.get_json()["status"] == "fixed"
    # The supervisor can see the evidence photo.
    assert client.get(f"/api/blobs/{sha(evidence)}",
                      headers=site["supervisor_headers"]).status_code == 200
    assert step(client, site["headers"], follow_up_id, "verify").status_code == 403
    no_callback = step(client, site["supervisor_headers"], follow_up_id, "verify")
    assert no_callback.status_code == 422
    assert no_callback.get_json()["error"]["code"] == "followup.callback_required"
    assert step(client, site["supervisor_headers"], follow_up_id, "callback",
                satisfaction="satisfied", note="业主确认已整改").status_code == 200
    verified = step(client, site["supervisor_headers"], follow_up_id, "verify")
    assert verified.get_json()["status"] == "verified"
    assert verified.get_json()["closed_at"] is not None
    actions = [e["action"] for e in verified.get_json()["events"]]
    assert actions == ["create", "fix", "callback", "verify"]


def test_a_poor_fix_is_reopened(client, site, renovation_record):
    push(client, site, renovation_record)
    follow_up_id = client.get("/api/followups", headers=site["headers"]).get_json()[
        "items"][0]["id"]
    photo = jpeg_bytes(seed=41)
    step(client, site["headers"], follow_up_id, "fix",
         photos=[{"sha256": sha(photo), "captured_at": "2026-11-24T10:00:00+08:00"}])
    assert step(client, site["supervisor_headers"], follow_up_id, "reopen").status_code == 422
    reopened = step(client, site["supervisor_headers"], follow_up_id, "reopen",
                    note="保护膜只铺了一半")
    assert reopened.get_json()["status"] == "open"


def test_steps_are_idempotent_by_their_id(client, site, renovation_record, count_rows):
    push(client, site, renovation_record)
    follow_up_id = client.get("/api/followups", headers=site["headers"]).get_json()[
        "items"][0]["id"]
    body = {"id": str(uuid.uuid4()), "action": "contact", "contact_method": "phone",
            "note": "电话联系业主，约定周三整改"}
    for _ in range(5):
        response = client.post(f"/api/followups/{follow_up_id}/events", json=body,
                               headers=site["headers"])
        assert response.status_code == 200
    assert count_rows(FollowUpEvent) == 2  # create + one contact


def test_three_days_open_without_contact_stands_out(client, site, renovation_record):
    push(client, site, renovation_record)
    db.session.execute(sa.update(FollowUp).values(
        found_at=datetime.now(UTC) - timedelta(days=4), due_date=date.today() - timedelta(days=1)))
    db.session.commit()
    listed = client.get("/api/followups?overdue=true",
                        headers=site["supervisor_headers"]).get_json()["items"]
    assert len(listed) == 1 and listed[0]["overdue"] is True and listed[0]["needs_contact"] is True
    step(client, site["headers"], listed[0]["id"], "contact", contact_method="phone",
         note="已联系业主")
    after = client.get(f"/api/followups/{listed[0]['id']}", headers=site["headers"]).get_json()
    assert after["needs_contact"] is False


def test_supervisor_raises_one_by_hand(client, site, count_rows):
    follow_up_id = str(uuid.uuid4())
    body = {"property_id": site["property"].id, "description": "3栋楼道堆放装修垃圾",
            "assignee_id": site["patrol"].id, "due_date": "2026-11-30"}
    for _ in range(2):
        response = client.put(f"/api/followups/{follow_up_id}", json=body,
                              headers=site["supervisor_headers"])
        assert response.status_code == 200
    assert count_rows(FollowUp) == 1
    outsider = client.put(f"/api/followups/{uuid.uuid4()}",
                          json={**body, "assignee_id": site["outsider"].id},
                          headers=site["supervisor_headers"])
    assert outsider.status_code == 422  # not a member of this property
    assert client.put(f"/api/followups/{uuid.uuid4()}", json=body,
                      headers=site["headers"]).status_code == 403  # patrol staff do not


def test_follow_ups_of_other_properties_are_invisible(client, site, renovation_record):
    push(client, site, renovation_record)
    follow_up_id = client.get("/api/followups", headers=site["headers"]).get_json()[
        "items"][0]["id"]
    assert client.get(f"/api/followups/{follow_up_id}",
                      headers=site["outsider_headers"]).status_code == 404
    assert client.get("/api/followups", headers=site["outsider_headers"]).get_json()["total"] == 0
    assert step(client, site["outsider_headers"], follow_up_id, "contact",
                note="x").status_code == 404
