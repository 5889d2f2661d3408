"""Who is asking, and what they may see.

Every request under /api/ is authenticated before its view runs (`authenticate_request`), except
the few endpoints listed in PUBLIC_ENDPOINTS. Views then call `require_roles` and
`require_property` so that the role and the property assignment are checked on every endpoint;
`tests/test_access.py` walks the URL map to prove no endpoint was forgotten.
"""

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import g, request

from server.core.db import db, utcnow
from server.core.errors import Problem

from .models import ApiToken, Role, User

# Endpoints reachable without a token: logging in, and the API description itself.
PUBLIC_ENDPOINTS = {"auth.login", "api-docs.openapi_json", "health.health_check"}

# Writing last_used_at on every request would turn every read into a write.
_LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate_request():
    """before_request hook: sets g.user and g.token for API calls, or answers 401."""
    g.user = None
    g.token = None
    if not request.path.startswith("/api/") or request.endpoint in PUBLIC_ENDPOINTS:
        return
    if request.endpoint is None:
        return  # unknown URL: let routing answer 404 / 405
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "auth.required", headers={"WWW-Authenticate": "Bearer"})
    row = db.session.scalar(sa.select(ApiToken).filter_by(token_hash=hash_token(token.strip())))
    now = utcnow()
    if (row is None or row.revoked_at is not None or row.expires_at <= now
            or not row.user.is_active):
        raise Problem(401, "auth.invalid_token",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if row.last_used_at is None or now - row.last_used_at > _LAST_USED_RESOLUTION:
        row.last_used_at = now
        db.session.commit()
    g.user = row.user
    g.token = row


def current_user() -> User:
    return g.user


def require_roles(*roles: Role) -> User:
    user = current_user()
    if Role(user.role) not in roles:
        raise Problem(403, "access.role_denied")
    return user


def visible_property_ids(user: User | None = None) -> list[int] | None:
    """The properties a user may see; None means all of them (manager, admin)."""
    user = user or current_user()
    if Role(user.role).sees_all_properties:
        return None
    return [membership.property_id for membership in user.memberships]


def can_see_property(property_id: int, user: User | None = None) -> bool:
    visible = visible_property_ids(user)
    return visible is None or property_id in visible


def require_property(property_id: int, *roles: Role):
    """Refuse unless the caller may see ``property_id`` (and has one of ``roles``, if given).

    Answers 404 for a property that does not exist and 403 for one the caller is not
    assigned to: the caller learns it exists but nothing about it.
    """
    from server.properties.models import Property

    prop = db.session.get(Property, property_id)
    if prop is None:
        raise Problem(404, "not_found")
    if not can_see_property(property_id):
        raise Problem(403, "access.property_denied")
    if roles:
        require_roles(*roles)
    return prop
