"""Class 8: patrol staff read their own records only, by list or by id; a record someone may
not read answers 404 to every method, PUT included, exactly like one that does not exist."""

import copy

import pytest

from tests.sync.conftest import reseal


@pytest.fixture
def colleagues_record(client, site, pushed_record, make_user, auth_headers):
    record_id, body = pushed_record()
    colleague = make_user("patrol", properties=[site["property"]], username="patrol7")
    return record_id, body, auth_headers(colleague)


@pytest.mark.parametrize("suffix", ["", "/history", "/pdf"])
def test_patrol_staff_cannot_read_a_colleagues_record_by_id(client, site, colleagues_record,
                                                             suffix):
    record_id, _, colleague = colleagues_record
    refused = client.get(f"/api/inspections/{record_id}{suffix}", headers=colleague)
    assert refused.status_code == 404
    assert refused.get_json()["error"]["code"] == "not_found"
    # The author and their supervisor still read it.
    for headers in (site["headers"], site["supervisor_headers"]):
        assert client.get(f"/api/inspections/{record_id}{suffix}",
                          headers=headers).status_code == 200


def test_a_colleagues_record_is_missing_from_the_list_too(client, colleagues_record):
    record_id, _, colleague = colleagues_record
    listed = client.get("/api/inspections", headers=colleague).get_json()
    assert record_id not in [item["id"] for item in listed["items"]]


def test_put_to_another_propertys_record_id_answers_404_like_get(client, site, pushed_record,
                                                                  renovation_record):
    record_id, body = pushed_record()
    outsider = site["outsider_headers"]  # patrol of the other property
    assert client.get(f"/api/inspections/{record_id}", headers=outsider).status_code == 404
    # The outsider sends a record of their own property under the same id.
    attempt = copy.deepcopy(body)
    attempt["property_id"] = site["other"].id
    attempt["subject"] = {"type": "property", "id": site["other"].id}
    attempt["checklist"] = {"code": "night_check", "version": 1}
    attempt["answers"] = {}
    response = client.put(f"/api/inspections/{record_id}",
                          json=reseal(record_id, attempt, username="outsider"), headers=outsider)
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found" and error["details"] == {}  # no revision, no status
    # What was stored is untouched.
    stored = client.get(f"/api/inspections/{record_id}", headers=site["headers"]).get_json()
    assert stored["property_id"] == site["property"].id and stored["revision"] == 1
