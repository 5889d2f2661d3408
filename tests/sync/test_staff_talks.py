"""One-to-one talks (员工沟通) are about a staff member of the property: the supervisor's phone
gets the property's staff, and a talk about anyone else is refused."""

import uuid
from datetime import datetime, timedelta

from tests.sync.conftest import CST, png_signature, seal_of, sha


def talk_about(site, staff_id, record_id=None):
    record_id = record_id or str(uuid.uuid4())
    start = datetime(2026, 11, 23, 16, 0, tzinfo=CST)
    answers = {
        "method": {"value": "face_to_face"}, "minutes_spent": {"value": 12},
        "atmosphere": {"value": "good"}, "topics": {"value": ["work_quality", "training"]},
        "notes": {"value": "本周装修巡查记录及时，门岗交接需加强。"},
        "difficulties_raised": {"value": "no"},
        "inspector_signature": {"signature": {"sha256": sha(png_signature(7)),
                                              "signer_name": "张主管",
                                              "signed_at": "2026-11-23T16:12:00+08:00"}},
    }
    body = {"property_id": site["property"].id,
            "checklist": {"code": "staff_talk", "version": 1},
            "subject": {"type": "staff", "id": staff_id}, "answers": answers,
            "started_at": start.isoformat(),
            "completed_at": (start + timedelta(minutes=12)).isoformat(),
            "device_id": "pytest-phone-2"}
    body["seal"] = {"hash": seal_of(record_id, body, site["supervisor"].username)}
    return record_id, body


def test_the_supervisors_pull_lists_the_staff_and_a_patrols_does_not(client, site):
    staff = client.get("/api/sync/pull", headers=site["supervisor_headers"]).get_json()["staff"]
    assert staff == [{"id": site["patrol"].id, "display_name": "李巡查",
                      "property_id": site["property"].id}]
    assert client.get("/api/sync/pull", headers=site["headers"]).get_json()["staff"] == []


def test_a_talk_is_about_one_of_the_propertys_staff(client, site):
    record_id, body = talk_about(site, site["patrol"].id)
    response = client.put(f"/api/inspections/{record_id}", json=body,
                          headers=site["supervisor_headers"])
    assert response.status_code == 200, response.get_json()
    listed = client.get("/api/inspections?checklist=staff_talk",
                        headers=site["supervisor_headers"]).get_json()["items"]
    assert [r["subject"] for r in listed] == [
        {"type": "staff", "id": site["patrol"].id, "label": "李巡查"}]

    for someone in (site["outsider"].id, site["supervisor"].id):  # another property; not staff
        record_id, body = talk_about(site, someone)
        refused = client.put(f"/api/inspections/{record_id}", json=body,
                             headers=site["supervisor_headers"])
        assert refused.status_code == 422
        assert refused.get_json()["error"]["code"] == "record.bad_subject"
