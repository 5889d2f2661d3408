import uuid
from datetime import date

import sqlalchemy as sa
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from server.core.db import db
from server.core.errors import Problem
from server.core.pagination import paginate
from server.users.access import (
    can_see_property,
    current_user,
    require_property,
    visible_property_ids,
)

from . import operations
from .models import FollowUp, FollowUpStatus
from .schemas import FollowUpEventIn, FollowUpIn, FollowUpOut, FollowUpPage, FollowUpQuery

blp = Blueprint("followups", __name__, url_prefix="/api/followups",
                description="Follow-ups (整改): open → fixed with evidence → verified.")


@blp.route("", methods=["GET"])
@blp.arguments(FollowUpQuery, location="query")
@blp.response(200, FollowUpPage)
def list_followups(query):
    """Follow-ups of the caller's properties; overdue ones first."""
    statement = operations.visible_followups(
        sa.select(FollowUp).options(selectinload(FollowUp.events)), visible_property_ids())
    if query.get("property_id") is not None:
        require_property(query["property_id"])
        statement = statement.filter_by(property_id=query["property_id"])
    if query.get("status"):
        statement = statement.filter_by(status=query["status"])
    if query.get("assignee_id") is not None:
        statement = statement.filter_by(assignee_id=query["assignee_id"])
    if query.get("mine"):
        statement = statement.filter_by(assignee_id=current_user().id)
    if query.get("overdue"):
        statement = statement.where(FollowUp.status != FollowUpStatus.VERIFIED,
                                    FollowUp.due_date < date.today())
    return paginate(statement.order_by(FollowUp.due_date, FollowUp.created_at), query)


@blp.route("/<uuid:follow_up_id>", methods=["PUT"])
@blp.arguments(FollowUpIn)
@blp.response(200, FollowUpOut)
def create_followup(data, follow_up_id: uuid.UUID):
    """Raise a follow-up by hand (supervisors), under an id the client made. Idempotent."""
    require_property(data["property_id"], *operations.SUPERVISING)
    return operations.create_by_hand(current_user(), follow_up_id, data)


def _followup(follow_up_id) -> FollowUp:
    follow_up = db.session.get(FollowUp, follow_up_id)
    if follow_up is None or not can_see_property(follow_up.property_id):
        raise Problem(404, "not_found")
    return follow_up


@blp.route("/<uuid:follow_up_id>", methods=["GET"])
@blp.response(200, FollowUpOut)
def get_followup(follow_up_id: uuid.UUID):
    return _followup(follow_up_id)


@blp.route("/<uuid:follow_up_id>/events", methods=["POST"])
@blp.arguments(FollowUpEventIn)
@blp.response(200, FollowUpOut)
@blp.alt_response(409, description="the follow-up is not in a state that allows this step")
def add_event(data, follow_up_id: uuid.UUID):
    """One step: fix (with photos), verify, reopen, contact, callback, assign."""
    follow_up = _followup(follow_up_id)
    return operations.add_event(current_user(), follow_up, data)


def init_app(app):
    from server.core.api import api
    api.register_blueprint(blp)
