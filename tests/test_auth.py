from datetime import timedelta

import sqlalchemy as sa

from server.core.db import db, utcnow
from server.users.models import ApiToken, LoginAttempt, User
from tests.conftest import TEST_PASSWORD


def login(client, username, password=TEST_PASSWORD, lang="zh-CN", **extra):
    return client.post("/api/auth/login", json={"username": username, "password": password, **extra},
                       headers={"Accept-Language": lang})


def test_login_returns_a_token_that_opens_the_api(client, make_user, make_property):
    prop = make_property()
    user = make_user("supervisor", properties=[prop], username="zhang")
    response = login(client, "zhang", device="Pixel 7")
    assert response.status_code == 200
    body = response.get_json()
    assert body["token"].startswith("xc_")
    assert body["user"]["username"] == "zhang"
    assert body["user"]["properties"][0]["code"] == prop.code
    me = client.get("/api/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.get_json()["id"] == user.id


def test_tokens_and_passwords_are_stored_hashed(client, make_user):
    make_user("patrol", username="li")
    token = login(client, "li").get_json()["token"]
    row = db.session.scalar(sa.select(ApiToken))
    assert token not in row.token_hash and len(row.token_hash) == 64
    user = db.session.scalar(sa.select(User).filter_by(username="li"))
    assert user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in user.password_hash


def test_wrong_password_is_refused_in_the_callers_language(client, make_user):
    make_user("patrol", username="li")
    zh = login(client, "li", "wrong password", lang="zh-CN")
    en = login(client, "li", "wrong password", lang="en-GB,en;q=0.9")
    assert zh.status_code == en.status_code == 401
    assert zh.get_json()["error"] == {"code": "auth.invalid_credentials",
                                      "message": "用户名或密码错误。", "status": 401,
                                      "details": {}}
    assert en.get_json()["error"]["message"] == "Wrong username or password."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client, make_user):
    make_user("patrol", username="li")
    assert login(client, "nobody").get_json() == login(client, "li", "nope-nope").get_json()


def test_repeated_failures_lock_the_username_even_for_the_right_password(client, make_user, app):
    make_user("patrol", username="li")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert login(client, "li", "guess-guess").status_code == 401
    blocked = login(client, "li")  # the right password, but too late
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    error = blocked.get_json()["error"]
    assert error["code"] == "auth.rate_limited"
    assert f"{blocked.headers['Retry-After']} 秒后再试" in error["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_lock_lifts_when_the_failures_leave_the_window(client, make_user, app):
    make_user("patrol", username="li")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, "li", "guess-guess")
    old = utcnow() - timedelta(seconds=app.config["LOGIN_WINDOW_SECONDS"] + 1)
    db.session.execute(sa.update(LoginAttempt).values(attempted_at=old))
    db.session.commit()
    assert login(client, "li").status_code == 200


def test_rate_limit_counts_per_client_address_across_usernames(client, make_user, app):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    try:
        make_user("patrol", username="li")
        for name in ("a1", "a2", "a3"):
            assert login(client, name, "x-x-x-x-x").status_code == 401
        assert login(client, "li").status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 30


def test_logout_revokes_the_token(client, make_user):
    make_user("patrol", username="li")
    headers = {"Authorization": f"Bearer {login(client, 'li').get_json()['token']}"}
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    after = client.get("/api/me", headers=headers)
    assert after.status_code == 401
    assert after.get_json()["error"]["code"] == "auth.invalid_token"


def test_expired_token_is_refused(client, make_user, auth_headers):
    headers = auth_headers(make_user("patrol"))
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get("/api/me", headers=headers).status_code == 401


def test_deactivating_a_user_signs_out_every_device(client, make_user, auth_headers):
    admin = make_user("admin")
    patrol = make_user("patrol")
    patrol_headers = auth_headers(patrol)
    response = client.patch(f"/api/users/{patrol.id}", json={"is_active": False},
                            headers=auth_headers(admin))
    assert response.status_code == 200
    assert client.get("/api/me", headers=patrol_headers).status_code == 401
    assert login(client, patrol.username).status_code == 401


def test_password_change_revokes_old_tokens_and_new_password_works(client, make_user, auth_headers):
    admin = make_user("admin")
    patrol = make_user("patrol", username="li")
    old_headers = auth_headers(patrol)
    response = client.patch(f"/api/users/{patrol.id}", json={"password": "a new secret 2026"},
                            headers=auth_headers(admin))
    assert response.status_code == 200
    assert client.get("/api/me", headers=old_headers).status_code == 401
    assert login(client, "li").status_code == 401
    assert login(client, "li", "a new secret 2026").status_code == 200


def test_short_password_is_refused_and_nothing_created(client, make_user, auth_headers, count_rows):
    headers = auth_headers(make_user("admin"))
    before = count_rows(User)
    response = client.post("/api/users", json={"username": "new1", "password": "short",
                                               "display_name": "新人", "role": "patrol"},
                           headers=headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "request.invalid"
    assert error["details"]["fields"]["json"]["password"] == ["8–1024 characters"]
    assert count_rows(User) == before


def test_malformed_authorization_headers_are_401(client):
    for value in ("", "Bearer", "Bearer    ", "Basic abc", "Bearer xc_not-a-real-token"):
        response = client.get("/api/me", headers={"Authorization": value})
        assert response.status_code == 401, value
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
