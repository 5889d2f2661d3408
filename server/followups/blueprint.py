import uuid

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.core.api import Blueprint
from server.core.db import today_in
from server.core.pagination import paginate
from server.properties.access import require_property
from server.users.access import (
    current_user,
    require,
    requires,
    visible_or_404,
    visible_property_ids,
)
from server.users.permissions import Permission

from . import operations
from .models import FollowUp, FollowUpAction, FollowUpStatus
from .schemas import FollowUpEventIn, FollowUpIn, FollowUpOut, FollowUpPage, FollowUpQuery

blp = Blueprint("followups", __name__, url_prefix="/api/followups",
                description="Follow-ups (整改): open → fixed with evidence → verified.")


@blp.route("", methods=["GET"])
@blp.arguments(FollowUpQuery, location="query")
@blp.response(200, FollowUpPage)
@requires(Permission.FOLLOWUP_READ)
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
                                    FollowUp.due_date < today_in())
    return paginate(statement.order_by(FollowUp.due_date, FollowUp.created_at), query)


@blp.route("/<uuid:follow_up_id>", methods=["PUT"])
@blp.arguments(FollowUpIn)
@blp.response(200, FollowUpOut)
@requires(Permission.FOLLOWUP_CREATE)
def create_followup(data, follow_up_id: uuid.UUID):
    """Raise a follow-up by hand (supervisors), under an id the client made. Idempotent."""
    require_property(data["property_id"])
    return operations.create_by_hand(current_user(), follow_up_id, data)


# What each step needs beyond seeing the follow-up. Whoever it is assigned to may mark their
# own follow-up fixed; anyone else needs FOLLOWUP_FIX.
STEP_PERMISSIONS = {
    FollowUpAction.FIX: Permission.FOLLOWUP_FIX,
    FollowUpAction.VERIFY: Permission.FOLLOWUP_VERIFY,
    FollowUpAction.REOPEN: Permission.FOLLOWUP_VERIFY,
    FollowUpAction.ASSIGN: Permission.FOLLOWUP_ASSIGN,
    FollowUpAction.CONTACT: Permission.FOLLOWUP_NOTE,
    FollowUpAction.CALLBACK: Permission.FOLLOWUP_NOTE,
}


def _require_step(follow_up: FollowUp, action: str):
    if action == FollowUpAction.FIX and follow_up.assignee_id == current_user().id:
        return
    if action in STEP_PERMISSIONS:
        require(STEP_PERMISSIONS[action])


@blp.route("/<uuid:follow_up_id>", methods=["GET"])
@blp.response(200, FollowUpOut)
@requires(Permission.FOLLOWUP_READ)
def get_followup(follow_up_id: uuid.UUID):
    return visible_or_404(FollowUp, follow_up_id, options=[selectinload(FollowUp.events)])


@blp.route("/<uuid:follow_up_id>/events", methods=["POST"])
@blp.arguments(FollowUpEventIn)
@blp.response(200, FollowUpOut)
@blp.alt_response(409, description="the follow-up is not in a state that allows this step")
@requires(Permission.FOLLOWUP_READ)
def add_event(data, follow_up_id: uuid.UUID):
    """One step: fix (with photos), verify, reopen, contact, callback, assign."""
    follow_up = visible_or_404(FollowUp, follow_up_id, options=[selectinload(FollowUp.events)])
    _require_step(follow_up, data["action"])
    return operations.add_event(current_user(), follow_up, data)
