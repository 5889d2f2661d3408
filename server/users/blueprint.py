import sqlalchemy as sa
from flask import g, request
from flask.views import MethodView

from server.core.api import Blueprint
from server.core.db import db
from server.core.errors import Problem

from . import operations
from .access import current_user, requires, visible_or_404, visible_property_ids
from .models import PropertyMember, User
from .permissions import Permission
from .schemas import (
    LoginIn,
    LoginOut,
    MembershipIn,
    UserCreateIn,
    UserOut,
    UserQuery,
    UserUpdateIn,
)

auth = Blueprint("auth", __name__, url_prefix="/api/auth",
                 description="Log in and out; tokens are revocable and stored hashed.")
users = Blueprint("users", __name__, url_prefix="/api",
                  description="People and which properties they serve.")


@auth.route("/login", methods=["POST"])
@auth.arguments(LoginIn)
@auth.response(200, LoginOut)
@auth.alt_response(401, description="wrong username or password")
@auth.alt_response(429, description="too many failed attempts: wait Retry-After seconds")
@auth.doc(security=[])
def login(data):
    """Exchange a username and password for a bearer token."""
    # With TRUSTED_PROXY_HOPS set, the address comes from a header: keep it to what fits.
    username, address = data["username"], (request.remote_addr or "unknown")[:64]
    wait = operations.login_blocked_for(username, address)
    if wait is not None:
        raise Problem("auth.rate_limited", headers={"Retry-After": str(wait)},
                      details={"retry_after_seconds": wait}, seconds=wait)
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    if not operations.check_password(user, data["password"]) or not user.is_active:
        operations.record_login_attempt(username, address, succeeded=False)
        # The failure must be counted even though the answer is an error, or the rate limit
        # would never trigger.
        raise Problem("auth.invalid_credentials", keep_writes=True)
    operations.record_login_attempt(username, address, succeeded=True)
    token, row = operations.issue_token(user, data.get("device"))
    return {"token": token, "expires_at": row.expires_at, "user": user}


@auth.route("/logout", methods=["POST"])
@auth.response(204)
@requires(Permission.ACCOUNT_USE)
def logout():
    """Revoke the token this request was made with."""
    operations.revoke_token(g.token)


@users.route("/me")
@users.response(200, UserOut)
@requires(Permission.ACCOUNT_USE)
def me():
    """The caller, with the properties they serve."""
    return current_user()


@users.route("/users")
class Users(MethodView):
    @users.arguments(UserQuery, location="query")
    @users.response(200, UserOut(many=True))
    @requires(Permission.USER_READ)
    def get(self, query):
        """People the caller works with (supervisors: members of their own properties)."""
        statement = sa.select(User).order_by(User.username)
        visible = visible_property_ids()
        if query.get("property_id") is not None:
            if visible is not None and query["property_id"] not in visible:
                raise Problem("access.property_denied")
            visible = [query["property_id"]]
        if visible is not None:
            statement = statement.where(User.id.in_(
                sa.select(PropertyMember.user_id).where(PropertyMember.property_id.in_(visible))))
        if query.get("role"):
            statement = statement.filter_by(role=query["role"])
        return db.session.scalars(statement).all()

    @users.arguments(UserCreateIn)
    @users.response(201, UserOut)
    @requires(Permission.USER_MANAGE)
    def post(self, data):
        """Create an account (admin)."""
        return operations.create_user(**data)


@users.route("/users/<int:user_id>", methods=["PATCH"])
@users.arguments(UserUpdateIn)
@users.response(200, UserOut)
@requires(Permission.USER_MANAGE)
def update_user(data, user_id):
    """Change a person's name, role, password or active flag (admin); signs them out when
    the password changes or the account is deactivated."""
    return operations.update_user(visible_or_404(User, user_id), data)


@users.route("/users/<int:user_id>/properties", methods=["PUT"])
@users.arguments(MembershipIn(many=True))
@users.response(200, UserOut)
@requires(Permission.USER_MANAGE)
def set_user_properties(data, user_id):
    """Replace the set of properties a person serves (admin)."""
    user = visible_or_404(User, user_id)
    wanted = {entry["property_id"]: entry["is_key_keeper"] for entry in data}
    if missing := operations.unknown_properties(wanted):
        raise Problem("request.invalid",
                      details={"fields": {"property_id": [f"unknown property {missing[0]}"]}})
    operations.set_memberships(user, wanted)
    return user


@users.route("/users/<int:user_id>/revoke-tokens", methods=["POST"])
@users.response(204)
@requires(Permission.USER_MANAGE)
def revoke_tokens(user_id):
    """Sign a person out of every device (admin), e.g. when a phone is lost."""
    operations.revoke_all_tokens(visible_or_404(User, user_id))
