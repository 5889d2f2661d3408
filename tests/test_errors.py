"""Bad input gets a clear 4xx in the caller's language and changes nothing."""

import pytest

from server.properties.models import Unit


@pytest.fixture
def supervisor_setup(make_property, make_user, auth_headers):
    prop = make_property()
    supervisor = make_user("supervisor", properties=[prop])
    return prop, auth_headers(supervisor), auth_headers(supervisor, lang="en")


def test_malformed_json_is_400_and_stores_nothing(client, supervisor_setup, count_rows):
    prop, headers, _ = supervisor_setup
    response = client.post(f"/api/properties/{prop.id}/units", data='{"building": "1", "room": ',
                           headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "request.invalid_json"
    assert response.get_json()["error"]["message"] == "请求内容不是有效的 JSON。"
    assert count_rows(Unit) == 0


def test_wrong_types_name_the_field_in_the_callers_language(client, supervisor_setup, count_rows):
    prop, zh_headers, en_headers = supervisor_setup
    body = {"building": 3, "room": "101", "is_key_customer": "maybe"}
    zh = client.post(f"/api/properties/{prop.id}/units", json=body, headers=zh_headers)
    en = client.post(f"/api/properties/{prop.id}/units", json=body, headers=en_headers)
    assert zh.status_code == en.status_code == 422
    zh_fields = zh.get_json()["error"]["details"]["fields"]["json"]
    assert zh_fields == {"building": ["不是有效的文本。"], "is_key_customer": ["不是有效的是/否值。"]}
    en_fields = en.get_json()["error"]["details"]["fields"]["json"]
    assert en_fields["building"] == ["Not a valid string."]
    assert count_rows(Unit) == 0


def test_unknown_fields_are_refused_not_dropped(client, supervisor_setup, count_rows):
    prop, headers, _ = supervisor_setup
    response = client.post(f"/api/properties/{prop.id}/units",
                           json={"building": "1", "room": "101", "id": 999, "property_id": 5},
                           headers=headers)
    assert response.status_code == 422
    fields = response.get_json()["error"]["details"]["fields"]["json"]
    assert fields == {"id": ["未知字段。"], "property_id": ["未知字段。"]}
    assert count_rows(Unit) == 0


def test_missing_required_fields(client, supervisor_setup):
    prop, _, en_headers = supervisor_setup
    response = client.post(f"/api/properties/{prop.id}/units", json={}, headers=en_headers)
    assert response.status_code == 422
    fields = response.get_json()["error"]["details"]["fields"]["json"]
    assert fields == {"building": ["Missing data for required field."],
                      "room": ["Missing data for required field."]}


def test_json_that_is_not_an_object(client, supervisor_setup, count_rows):
    prop, headers, _ = supervisor_setup
    for body in ([1, 2], "text", 42, None):
        response = client.post(f"/api/properties/{prop.id}/units", json=body, headers=headers)
        assert 400 <= response.status_code < 500, body
        assert "error" in response.get_json()
    assert count_rows(Unit) == 0


def test_unknown_url_and_wrong_method_use_the_envelope(client, supervisor_setup):
    _, headers, _ = supervisor_setup
    missing = client.get("/api/no-such-thing", headers=headers)
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
    wrong = client.delete("/api/properties", headers=headers)
    assert wrong.status_code == 405
    assert set(wrong.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert wrong.get_json()["error"]["code"] == "method_not_allowed"


def test_oversized_body_is_413_with_the_limit(client, supervisor_setup, app):
    prop, _, en_headers = supervisor_setup
    app.config["MAX_BODY_BYTES"] = 1024 * 1024
    try:
        response = client.post(f"/api/properties/{prop.id}/units",
                               data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                               headers={**en_headers, "Content-Type": "application/json"})
    finally:
        app.config["MAX_BODY_BYTES"] = 256 * 1024
    assert response.status_code == 413
    assert "1 MB" in response.get_json()["error"]["message"]
    assert response.get_json()["error"]["details"] == {"max_bytes": 1024 * 1024}


def test_integers_do_not_accept_floats(client, make_property, make_user, auth_headers):
    prop = make_property()
    admin = make_user("admin")
    response = client.put(f"/api/users/{admin.id}/properties",
                          json=[{"property_id": float(prop.id) + 0.5}], headers=auth_headers(admin))
    assert response.status_code == 422


def test_validator_messages_in_each_language(client, supervisor_setup, count_rows):
    prop, zh_headers, en_headers = supervisor_setup
    body = {"building": "", "room": "101", "entrance": "x" * 21}
    answers = [client.post(f"/api/properties/{prop.id}/units", json=body, headers=headers)
               for headers in (zh_headers, en_headers, zh_headers)]
    assert [a.status_code for a in answers] == [422, 422, 422]
    fields = [a.get_json()["error"]["details"]["fields"]["json"] for a in answers]
    assert fields[0] == fields[2] == {"building": ["长度必须在 1 到 20 之间。"],
                                      "entrance": ["长度不能超过 20。"]}
    assert fields[1] == {"building": ["Length must be between 1 and 20."],
                         "entrance": ["Longer than maximum length 20."]}
    assert count_rows(Unit) == 0


def test_query_and_text_that_cannot_be_stored_in_chinese(client, supervisor_setup, count_rows):
    prop, headers, _ = supervisor_setup
    query = client.get(f"/api/properties/{prop.id}/units?page=0&per_page=x", headers=headers)
    assert query.status_code == 422
    assert query.get_json()["error"]["details"]["fields"]["query"] == {
        "page": ["必须在 1 到 1000000 之间。"], "per_page": ["不是有效的整数。"]}
    nul = client.post(f"/api/properties/{prop.id}/units",
                      json={"building": "1\u0000", "room": "101"}, headers=headers)
    assert nul.status_code == 422
    assert nul.get_json()["error"]["details"]["fields"]["json"] == {"building": ["含有无法保存的字符。"]}
    assert count_rows(Unit) == 0
