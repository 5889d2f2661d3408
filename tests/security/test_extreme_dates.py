"""Class 7: years 0001 and 9999 (with any offset) in completion times, date filters and the
sync cursor are refused as bad input (400/422) on both databases, never a 500."""

import base64
import json

import pytest

from server.inspections.models import Inspection

EXTREMES = ["0001-01-01T00:00:00+08:00", "0001-01-01T00:00:00-08:00",
            "9999-12-31T23:59:59-08:00", "9999-12-31T23:59:59+14:00"]


@pytest.mark.parametrize("moment", EXTREMES)
@pytest.mark.parametrize("field", ["started_at", "completed_at"])
def test_record_times_out_of_this_century_are_422(client, site, renovation_record, count_rows,
                                                   field, moment):
    record_id, body, _ = renovation_record()
    body[field] = moment
    response = client.put(f"/api/inspections/{record_id}", json=body, headers=site["headers"])
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["details"]["fields"]["json"]
    assert count_rows(Inspection) == 0


@pytest.mark.parametrize("query", ["date_from=0001-01-01", "date_to=9999-12-31",
                                   "date_from=0001-01-01&date_to=9999-12-31"])
def test_date_filters_out_of_this_century_are_422(client, site, query):
    for path in ("/api/inspections", "/api/inspections/export"):
        response = client.get(f"{path}?{query}", headers=site["supervisor_headers"])
        assert response.status_code == 422, (path, response.get_json())
    export = client.post("/api/exports", json={
        "property_id": site["property"].id, **dict(pair.split("=") for pair in query.split("&"))},
        headers=site["supervisor_headers"])
    assert export.status_code == 422


def test_the_widest_allowed_dates_still_work(client, site):
    response = client.get("/api/inspections?date_from=2000-01-01&date_to=2099-12-31",
                          headers=site["supervisor_headers"])
    assert response.status_code == 200


def cursor(moment: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"t": moment}).encode()).decode()


@pytest.mark.parametrize("moment", [*EXTREMES, "2090-01-01T00:00:00+00:00"])
def test_forged_sync_cursors_ask_for_a_full_pull(client, site, moment):
    response = client.get("/api/sync/pull", query_string={"cursor": cursor(moment)},
                          headers=site["headers"])
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "sync.bad_cursor" and "完整同步" in error["message"]


def test_a_renovation_permit_in_year_9999_is_422(client, site):
    prop, unit = site["property"], site["units"][1]
    headers = {**site["supervisor_headers"], "Accept-Language": "en"}
    response = client.post(f"/api/properties/{prop.id}/renovations", json={
        "unit_id": unit.id, "contractor_name": "某装饰", "permit_start": "2026-11-01",
        "permit_end": "9999-12-31"}, headers=headers)
    assert response.status_code == 422
    assert "permit_end" in response.get_json()["error"]["details"]["fields"]["json"]
