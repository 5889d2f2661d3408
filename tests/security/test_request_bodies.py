"""Class 3: each endpoint takes a body of its own size (a few KB for the unauthenticated
login), refused before it is read; JSON nested deeper than a request ever needs is a 400 on
every JSON endpoint, not a 500."""

import io

import pytest

from server.core.limits import nested_deeper_than
from server.users.models import LoginAttempt


def test_login_refuses_a_body_over_a_few_kilobytes_before_reading_it(client, app, count_rows):
    limit = app.config["MAX_LOGIN_BODY_BYTES"]
    assert limit <= 8 * 1024
    body = b'{"username": "li", "password": "' + b"x" * limit + b'"}'
    response = client.post("/api/auth/login", data=body,
                           headers={"Content-Type": "application/json", "Accept-Language": "en"})
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "request.too_large" and error["details"]["max_bytes"] == limit
    assert f"{limit // 1024} KB" in error["message"]
    assert count_rows(LoginAttempt) == 0  # not even counted: it was never read


def test_a_body_sent_without_a_length_is_cut_off_at_the_limit(client, app):
    limit = app.config["MAX_LOGIN_BODY_BYTES"]
    body = b'{"username": "li", "password": "' + b"x" * 2 * limit + b'"}'
    # Chunked, as a server hands it over: no Content-Length, the stream ends where it ends.
    response = client.post("/api/auth/login", input_stream=io.BytesIO(body),
                           headers={"Content-Type": "application/json",
                                    "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413


def test_other_json_endpoints_have_their_own_limit(client, site, app):
    prop = site["property"]
    limit = app.config["MAX_BODY_BYTES"]
    body = b'{"building": "' + b"1" * limit + b'"}'
    response = client.post(f"/api/properties/{prop.id}/units", data=body,
                           headers={**site["supervisor_headers"],
                                    "Content-Type": "application/json"})
    assert response.status_code == 413
    # A record push may be larger than that: a full record is well under its own limit.
    assert app.config["MAX_RECORD_BODY_BYTES"] > limit


@pytest.mark.parametrize("depth", [100, 100_000])
def test_deeply_nested_json_is_400_on_every_kind_of_endpoint(client, site, depth):
    nested = b"[" * depth + b"]" * depth
    body = b'{"username": "li", "password": ' + nested + b"}"
    cases = [("post", "/api/auth/login", {}),
             ("put", f"/api/inspections/{'0' * 8}-0000-4000-8000-{'0' * 12}", site["headers"]),
             ("post", "/api/followups/00000000-0000-4000-8000-000000000000/events",
              site["headers"])]
    for method, path, headers in cases:
        response = getattr(client, method)(path, data=body, headers={
            **headers, "Content-Type": "application/json"})
        if path == "/api/auth/login" and len(body) > 4096:
            assert response.status_code == 413  # too large before too deep
            continue
        assert response.status_code == 400, (path, response.status_code)
        assert response.get_json()["error"]["code"] == "request.too_deep"


def test_nesting_is_counted_outside_strings_only():
    assert not nested_deeper_than(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', 5)
    assert not nested_deeper_than(b'{"a": [1, {"b": [2, 3]}], "c": "\\"[["}', 4)
    assert nested_deeper_than(b'{"a": [1, {"b": [[2], 3]}]}', 4)
    assert not nested_deeper_than(b'{"a": [1, {"b": [[2], 3]}], "c": [[], {}]}', 5)
    assert not nested_deeper_than(b"[[[[[[ not json", 2)  # the parser says what is wrong


def test_a_real_record_passes_the_nesting_limit(client, site, renovation_record, app):
    record_id, body, _ = renovation_record()
    response = client.put(f"/api/inspections/{record_id}", json=body, headers=site["headers"])
    assert response.status_code == 200, response.get_json()
