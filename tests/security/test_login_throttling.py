"""Class 5: failed logins slow a guesser down, doubling the wait, but never lock the owner out
of the place they work from; behind a reverse proxy the client's own address counts, and only
when the operator says how many proxies to trust."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from server import create_app
from server.core.db import db, utcnow
from server.users.models import LoginAttempt
from tests.conftest import TEST_PASSWORD

OFFICE, ELSEWHERE = "10.1.1.1", "203.0.113.9"


def login(client, username, password=TEST_PASSWORD, address=OFFICE):
    return client.post("/api/auth/login", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def age_failures(seconds: int):
    """Make every failure ``seconds`` old, as if the caller had waited that long."""
    for attempt in db.session.scalars(sa.select(LoginAttempt).filter_by(succeeded=False)):
        attempt.attempted_at = utcnow() - timedelta(seconds=seconds)
    db.session.commit()


def test_an_attacker_elsewhere_cannot_lock_the_owner_out_of_the_office(client, make_user, app):
    make_user("patrol", username="li")
    assert login(client, "li").status_code == 200  # li works from the office
    for _ in range(3 * app.config["LOGIN_MAX_FAILURES_PER_USER"]):
        login(client, "li", "guess-guess", address=ELSEWHERE)
    assert login(client, "li", address=ELSEWHERE).status_code == 429  # the guesser waits
    assert login(client, "li").status_code == 200  # li at the office does not


def test_waits_double_and_then_the_right_password_works_again(client, make_user, app):
    make_user("patrol", username="li")
    allowed = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(allowed):
        assert login(client, "li", "guess-guess").status_code == 401
    waits = []
    for _ in range(4):
        age_failures(0)  # the latest failure just happened, however slow this machine is
        blocked = login(client, "li", "guess-guess")
        assert blocked.status_code == 429
        waits.append(int(blocked.headers["Retry-After"]))
        age_failures(waits[-1])  # the guesser waits as told, then guesses again
        assert login(client, "li", "guess-guess").status_code == 401
    assert waits == [1, 2, 4, 8]
    age_failures(60)
    assert login(client, "li").status_code == 200  # slowed, never locked


def test_the_wait_is_capped(client, make_user, app):
    make_user("patrol", username="li")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 40):
        db.session.add(LoginAttempt(username="li", remote_addr=OFFICE, succeeded=False))
    db.session.commit()
    blocked = login(client, "li")
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= app.config["LOGIN_MAX_DELAY_SECONDS"]
    assert blocked.get_json()["error"]["details"]["retry_after_seconds"] == int(
        blocked.headers["Retry-After"])


def test_one_address_guessing_many_usernames_is_slowed(client, make_user, app):
    make_user("patrol", username="li")
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        db.session.add(LoginAttempt(username=f"user{n}", remote_addr=ELSEWHERE, succeeded=False,
                                    attempted_at=utcnow()))
    db.session.commit()
    assert login(client, "li", address=ELSEWHERE).status_code == 429
    assert login(client, "li", address=OFFICE).status_code == 200


@pytest.fixture
def proxied_app(app):
    """The same database, served behind one trusted reverse proxy."""
    proxied = create_app({"TESTING": True, "TRUSTED_PROXY_HOPS": 1,
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                          "BLOB_DIR": app.config["BLOB_DIR"]})
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


def test_behind_a_trusted_proxy_the_clients_address_is_counted(client, make_user, proxied_app):
    make_user("patrol", username="li")
    proxy = proxied_app.test_client()
    response = proxy.post("/api/auth/login", json={"username": "li", "password": "nope-nope"},
                          headers={"X-Forwarded-For": ELSEWHERE},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == 401
    # Without the setting (the default) the header is the client's say-so and is ignored.
    login(client, "li", "nope-nope", address="127.0.0.1")
    client.post("/api/auth/login", json={"username": "li", "password": "nope-nope"},
                headers={"X-Forwarded-For": "198.51.100.1"}, environ_base={"REMOTE_ADDR": OFFICE})
    db.session.expire_all()
    addresses = db.session.scalars(sa.select(LoginAttempt.remote_addr)
                                   .order_by(LoginAttempt.id)).all()
    assert addresses == [ELSEWHERE, "127.0.0.1", OFFICE]


def test_attempts_too_old_to_count_are_forgotten(client, make_user, app):
    """A guesser spraying usernames must not grow the table for ever: an attempt older than
    both the failure window and the known-address period is deleted at the next attempt."""
    make_user("patrol", username="li")
    kept_days = app.config["LOGIN_KNOWN_ADDRESS_DAYS"]
    for name in ("a", "b", "c"):
        db.session.add(LoginAttempt(username=name, remote_addr=ELSEWHERE, succeeded=False,
                                    attempted_at=utcnow() - timedelta(days=kept_days + 1)))
    recent_success = LoginAttempt(username="li", remote_addr=OFFICE, succeeded=True,
                                  attempted_at=utcnow() - timedelta(days=kept_days - 1))
    db.session.add(recent_success)
    db.session.commit()
    assert login(client, "li").status_code == 200
    left = db.session.scalars(sa.select(LoginAttempt.username).order_by(LoginAttempt.id)).all()
    assert left == ["li", "li"]  # the recent success (it marks the office as known) and this login
