"""Accounts, logins and tokens. Operations flush; the request boundary commits."""

import math
import secrets
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from server.core.db import db, utcnow
from server.core.errors import Problem

from .access import hash_token
from .models import ApiToken, LoginAttempt, PropertyMember, User
from .passwords import is_guessable

# Properties sit above people (they import users for access checks), so this package names
# their table the way its foreign keys do, instead of importing the model.
_PROPERTIES = sa.table("properties", sa.column("id"))

MIN_PASSWORD_LENGTH = 8

# argon2id with the library's defaults (RFC 9106 "second recommended" profile).
_hasher = PasswordHasher()
# Verified against when the username does not exist, so a wrong username costs as much time
# as a wrong password and response times do not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str, username: str | None = None) -> str:
    """The argon2 hash of an acceptable new password; refuses a short or guessable one."""
    # Spaces around a password are kept (it is used as typed) but do not count towards its length.
    if len(password.strip()) < MIN_PASSWORD_LENGTH:
        raise Problem("user.weak_password", min=MIN_PASSWORD_LENGTH)
    if is_guessable(password, username):
        raise Problem("user.common_password")
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and (
            user is not None)
    except (VerificationError, InvalidHashError):
        return False


def create_user(username: str, password: str, display_name: str, role: str,
                phone: str | None = None) -> User:
    if db.session.scalar(sa.select(User.id).filter_by(username=username)):
        raise Problem("user.username_taken", username=username)
    user = User(username=username, display_name=display_name, role=role, phone=phone,
                password_hash=hash_password(password, username))
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, changes: dict) -> User:
    password = changes.pop("password", None)
    if password is not None:
        user.password_hash = hash_password(password, user.username)
        revoke_all_tokens(user)  # a password change signs every device out
    if changes.get("is_active") is False:
        revoke_all_tokens(user)
    for key, value in changes.items():
        setattr(user, key, value)
    db.session.flush()
    return user


def login_blocked_for(username: str, remote_addr: str) -> int | None:
    """Seconds until another attempt is allowed, or None when the caller may try now.

    Throttling, not lockout: past a number of failures each further attempt waits, the wait
    doubling from 1 s up to LOGIN_MAX_DELAY_SECONDS after the latest failure, and failures
    older than LOGIN_WINDOW_SECONDS are forgotten. Three counts, each with its own allowance:

    - this username from this address (LOGIN_MAX_FAILURES), until it logs in there;
    - this username from anywhere (LOGIN_MAX_FAILURES_PER_USER), a guesser spread over
      many addresses;
    - this address for any username (LOGIN_MAX_FAILURES_PER_ADDRESS), one guesser trying
      many usernames.

    The last two do not apply where the username logged in successfully within
    LOGIN_KNOWN_ADDRESS_DAYS: an attacker elsewhere cannot make its owner wait at their usual
    place of work. Behind a reverse proxy the address is the client's only with
    TRUSTED_PROXY_HOPS set (server/config.py).
    """
    config = current_app.config
    now = utcnow()
    since = now - timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    same_user = LoginAttempt.username == username
    same_address = LoginAttempt.remote_addr == remote_addr
    known_since = now - timedelta(days=config["LOGIN_KNOWN_ADDRESS_DAYS"])
    known_address = db.session.scalar(
        sa.select(LoginAttempt.id).where(same_user, same_address, LoginAttempt.succeeded,
                                         LoginAttempt.attempted_at > known_since).limit(1))
    counts = [(sa.and_(same_user, same_address), config["LOGIN_MAX_FAILURES"], True)]
    if known_address is None:
        counts += [(same_user, config["LOGIN_MAX_FAILURES_PER_USER"], True),
                   # A success from the address does not reset it: one valid account must
                   # not let its holder go on guessing others'.
                   (same_address, config["LOGIN_MAX_FAILURES_PER_ADDRESS"], False)]
    wait = 0.0
    for condition, allowed, success_resets in counts:
        start = since
        if success_resets:
            last_success = db.session.scalar(
                sa.select(sa.func.max(LoginAttempt.attempted_at))
                .where(condition, LoginAttempt.succeeded, LoginAttempt.attempted_at > since))
            start = max(since, last_success) if last_success else since
        failures, latest = db.session.execute(
            sa.select(sa.func.count(), sa.func.max(LoginAttempt.attempted_at))
            .where(condition, LoginAttempt.succeeded.is_(False),
                   LoginAttempt.attempted_at > start)).one()
        if failures >= allowed:
            delay = min(2 ** min(failures - allowed, 30), config["LOGIN_MAX_DELAY_SECONDS"])
            wait = max(wait, (latest + timedelta(seconds=delay) - now).total_seconds())
    return math.ceil(wait) if wait > 0 else None


def record_login_attempt(username: str, remote_addr: str, succeeded: bool):
    """Store the attempt and forget those too old to matter to the throttle.

    An attempt counts for LOGIN_WINDOW_SECONDS (failures) or LOGIN_KNOWN_ADDRESS_DAYS
    (successes marking a known address); older rows are deleted here, so a guesser spraying
    usernames grows the table only for as long as the rows count.
    """
    config = current_app.config
    kept = max(timedelta(seconds=config["LOGIN_WINDOW_SECONDS"]),
               timedelta(days=config["LOGIN_KNOWN_ADDRESS_DAYS"]))
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.attempted_at < utcnow() - kept))
    db.session.add(LoginAttempt(username=username, remote_addr=remote_addr, succeeded=succeeded))
    db.session.flush()


def issue_token(user: User, device: str | None) -> tuple[str, ApiToken]:
    """Return the token (shown once, never stored) and its database row."""
    token = "xc_" + secrets.token_urlsafe(32)
    lifetime = timedelta(days=current_app.config["TOKEN_LIFETIME_DAYS"])
    row = ApiToken(user=user, token_hash=hash_token(token), device=device,
                   expires_at=utcnow() + lifetime)
    db.session.add(row)
    db.session.flush()
    return token, row


def revoke_token(row: ApiToken):
    row.revoked_at = utcnow()
    db.session.flush()


def revoke_all_tokens(user: User):
    db.session.execute(sa.update(ApiToken)
                       .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))


def unknown_properties(property_ids) -> list[int]:
    """The ids among ``property_ids`` that are no property, in order."""
    found = set(db.session.scalars(sa.select(_PROPERTIES.c.id)
                                   .where(_PROPERTIES.c.id.in_(property_ids))))
    return sorted(set(property_ids) - found)


def set_memberships(user: User, wanted: dict[int, bool]):
    """Make ``user`` a member of exactly the properties in ``wanted`` (id → is key keeper)."""
    current = {membership.property_id: membership for membership in user.memberships}
    for property_id, membership in current.items():
        if property_id not in wanted:
            user.memberships.remove(membership)
        else:
            membership.is_key_keeper = wanted[property_id]
    for property_id, is_key_keeper in wanted.items():
        if property_id not in current:
            user.memberships.append(PropertyMember(property_id=property_id,
                                                   is_key_keeper=is_key_keeper))
    db.session.flush()
    db.session.refresh(user, ["memberships"])
