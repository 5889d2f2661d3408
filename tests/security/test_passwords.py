"""Class 9: common, guessable and blank passwords are refused when an account is made or its
password changed, in the caller's language, and nothing is changed."""

import pytest
import sqlalchemy as sa

from server.core.db import db
from server.users.models import User


@pytest.fixture
def admin_headers(make_user, auth_headers):
    return auth_headers(make_user("admin"))


@pytest.mark.parametrize("password", ["12345678", "password", "        ", "Password1",
                                      "qwertyuiop", "88888888", "aaaaaaaaaa", "woaini1314",
                                      "   12345678   "])
def test_common_and_blank_passwords_are_refused(client, admin_headers, count_rows, password):
    before = count_rows(User)
    response = client.post("/api/users", json={
        "username": "wang", "password": password, "display_name": "王", "role": "patrol"},
        headers=admin_headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] in ("user.common_password", "user.weak_password")
    assert count_rows(User) == before


def test_the_username_is_no_password(client, admin_headers):
    response = client.post("/api/users", json={
        "username": "wangxiaoyan", "password": "WangXiaoYan", "display_name": "王晓燕",
        "role": "patrol"}, headers={**admin_headers, "Accept-Language": "en"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "user.common_password" and "too common" in error["message"]


def test_changing_to_a_common_password_changes_nothing(client, admin_headers, make_user):
    user = make_user("patrol", username="li")
    old_hash = user.password_hash
    response = client.patch(f"/api/users/{user.id}", json={"password": "password123"},
                            headers=admin_headers)
    assert response.status_code == 422
    assert "密码太常见" in response.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(User.password_hash).filter_by(id=user.id)) == old_hash


def test_a_passphrase_is_accepted(client, admin_headers):
    response = client.post("/api/users", json={
        "username": "wang", "password": "河边 三棵 柳树 1102", "display_name": "王",
        "role": "patrol"}, headers=admin_headers)
    assert response.status_code == 201
