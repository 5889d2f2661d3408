"""Who is asking, and what they may see.

Every request under /api/ is authenticated before its view runs (`authenticate_request`), except
the few endpoints listed in PUBLIC_ENDPOINTS. Each view then follows one path:

1. it declares what it needs with ``@requires(Permission.X)`` (the role is checked before the
   view body runs; `server/users/permissions.py` says which role has what);
2. it loads what it acts on through ``visible_or_404(Model, id)`` or ``require_property(id)``
   (`server/properties/access.py`), which check the caller's property assignments;
3. it calls an operation, which trusts both checks.

`tests/test_access.py` walks the URL map to prove every endpoint declares a permission.
"""

import hashlib
from copy import deepcopy
from datetime import timedelta
from functools import wraps

import sqlalchemy as sa
from flask import g, request

from server.core.db import db, utcnow, write_at_commit
from server.core.errors import Problem

from .models import ApiToken, User
from .permissions import Permission, role_may

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
        raise Problem("auth.required", headers={"WWW-Authenticate": "Bearer"})
    row = db.session.scalar(sa.select(ApiToken).filter_by(token_hash=hash_token(token.strip())))
    now = utcnow()
    if (row is None or row.revoked_at is not None or row.expires_at <= now
            or not row.user.is_active):
        raise Problem("auth.invalid_token",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if row.last_used_at is None or now - row.last_used_at > _LAST_USED_RESOLUTION:
        write_at_commit(lambda: setattr(row, "last_used_at", now))
    g.user = row.user
    g.token = row


def current_user() -> User:
    return g.user


def requires(permission: Permission):
    """Declare the permission a view needs; the caller's role is checked before the view runs.

    Put it under the flask-smorest decorators: they copy the mark upwards, and the OpenAPI
    document shows it as ``x-permission``.
    """
    def decorator(view):
        @wraps(view)
        def checked(*args, **kwargs):
            require(permission)
            return view(*args, **kwargs)
        checked.required_permission = permission
        checked._apidoc = deepcopy(getattr(checked, "_apidoc", {}))
        checked._apidoc.setdefault("manual_doc", {})["x-permission"] = str(permission)
        return checked
    return decorator


def can(permission: Permission, user: User | None = None) -> bool:
    return role_may((user or current_user()).role, permission)


def require(permission: Permission) -> User:
    """Refuse (403) unless the caller's role grants ``permission``; for checks that depend on
    what the request asks for (a follow-up step), beside the view's declared permission."""
    user = current_user()
    if not role_may(user.role, permission):
        raise Problem("access.role_denied")
    return user


def visible_property_ids(user: User | None = None) -> list[int] | None:
    """The properties a user may see; None means all of them (manager, admin)."""
    user = user or current_user()
    if role_may(user.role, Permission.PROPERTY_ALL):
        return None
    return [membership.property_id for membership in user.memberships]


def can_see_property(property_id: int, user: User | None = None) -> bool:
    visible = visible_property_ids(user)
    return visible is None or property_id in visible


def visible_or_404(model, key, *, property_id: int | None = None, also=None, options=()):
    """The row of ``model`` under ``key``, if the caller may see it; otherwise 404.

    A row of a property the caller does not serve is answered exactly like a missing one, so
    its existence is not revealed. ``property_id`` (from the URL) must match the row's;
    ``also(row)`` is a further condition (an export job is seen only by whoever started it).
    Models without a property (people) are checked for existence only: the view's declared
    permission is what guards them. ``options`` are loader options for what the answer prints.
    """
    row = db.session.get(model, key, options=options)
    if row is None:
        raise Problem("not_found")
    owner = getattr(row, "property_id", None)
    if owner is not None and (not can_see_property(owner)
                              or (property_id is not None and owner != property_id)):
        raise Problem("not_found")
    if also is not None and not also(row):
        raise Problem("not_found")
    return row

