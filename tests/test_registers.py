"""Registers (units, renovations, keys): creation rules and explicit edit conflicts."""

import pytest

from server.properties.models import Key, Renovation, Unit


@pytest.fixture
def site(make_property, make_user, auth_headers):
    prop = make_property()
    return prop, auth_headers(make_user("supervisor", properties=[prop]))


def test_create_and_search_units(client, site):
    prop, headers = site
    for room in ("1101", "1102", "1201"):
        response = client.post(f"/api/properties/{prop.id}/units",
                               json={"building": "3", "entrance": "2", "room": room,
                                     "owner_name": "王芳" if room == "1102" else "李强"},
                               headers=headers)
        assert response.status_code == 201
    assert response.get_json()["label"] == "3栋2单元1201"
    assert response.headers["ETag"] == '"1"'
    found = client.get(f"/api/properties/{prop.id}/units?q=王芳", headers=headers).get_json()
    assert found["total"] == 1 and found["items"][0]["room"] == "1102"
    paged = client.get(f"/api/properties/{prop.id}/units?per_page=2&page=2",
                       headers=headers).get_json()
    assert paged["total"] == 3 and [u["room"] for u in paged["items"]] == ["1201"]


def test_duplicate_unit_is_409(client, site, count_rows):
    prop, headers = site
    body = {"building": "3", "entrance": "2", "room": "1101"}
    assert client.post(f"/api/properties/{prop.id}/units", json=body, headers=headers).status_code == 201
    again = client.post(f"/api/properties/{prop.id}/units", json=body, headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["message"] == "该房号已存在：3栋2单元1101"
    assert count_rows(Unit) == 1


def test_edit_needs_the_current_version(client, site, make_unit):
    prop, headers = site
    unit = make_unit(prop)
    url = f"/api/properties/{prop.id}/units/{unit.id}"
    missing = client.patch(url, json={"is_key_customer": True}, headers=headers)
    assert missing.status_code == 428
    first = client.patch(url, json={"is_key_customer": True}, headers={**headers, "If-Match": '"1"'})
    assert first.status_code == 200
    assert first.get_json()["version"] == 2 and first.headers["ETag"] == '"2"'
    stale = client.patch(url, json={"note": "另一台手机的修改"}, headers={**headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.get_json()["error"]["details"] == {"current_version": 2}
    after = client.get(f"/api/properties/{prop.id}/units", headers=headers).get_json()["items"][0]
    assert after["note"] is None and after["is_key_customer"] is True


def test_renovation_dates_are_checked(client, site, make_unit, count_rows):
    prop, headers = site
    unit = make_unit(prop)
    response = client.post(f"/api/properties/{prop.id}/renovations",
                           json={"unit_id": unit.id, "contractor_name": "鑫诚装饰",
                                 "permit_start": "2026-12-01", "permit_end": "2026-11-01"},
                           headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "renovation.bad_dates"
    assert count_rows(Renovation) == 0


def test_active_renovations_are_listed_for_the_daily_patrol(client, site, make_unit):
    prop, headers = site
    for status in ("active", "completed", "active"):
        client.post(f"/api/properties/{prop.id}/renovations",
                    json={"unit_id": make_unit(prop).id, "contractor_name": "美居装修",
                          "permit_start": "2026-11-01", "permit_end": "2027-01-31",
                          "status": status}, headers=headers)
    active = client.get(f"/api/properties/{prop.id}/renovations?status=active",
                        headers=headers).get_json()
    assert active["total"] == 2
    assert all(r["unit_label"].startswith("1栋1单元") for r in active["items"])


def test_key_tags_are_unique_per_property(client, site, make_unit, count_rows):
    prop, headers = site
    body = {"tag_no": "K001", "description": "入户门钥匙 ×2", "unit_id": make_unit(prop).id}
    assert client.post(f"/api/properties/{prop.id}/keys", json=body, headers=headers).status_code == 201
    again = client.post(f"/api/properties/{prop.id}/keys", json=body, headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "key.tag_taken"
    lent = client.get(f"/api/properties/{prop.id}/keys?status=in_custody", headers=headers).get_json()
    assert lent["total"] == 1 and lent["items"][0]["unit_label"] == "1栋1单元101"
    assert count_rows(Key) == 1
