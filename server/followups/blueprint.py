import uuid

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.core.api import Blueprint
from server.core.db import db
from server.core.errors import Problem
from server.core.pagination import paginate
from server.properties.access import require_property
from server.users.access import (
    current_user,
    require,
    requires,
    visible_or_404,
    visible_property_ids,
)
from server.users.permissions import Permission, role_may

from . import escalations, operations, reports
from .due import past_due
from .models import (
    WORK_ORDER_SOURCES,
    Escalation,
    FollowUp,
    FollowUpAction,
    FollowUpStatus,
    SampleDraw,
)
from .schemas import (
    CallbackFiguresOut,
    EscalationAckIn,
    EscalationOut,
    EscalationPage,
    EscalationQuery,
    FollowUpEventIn,
    FollowUpIn,
    FollowUpOut,
    FollowUpPage,
    FollowUpQuery,
    MonthQuery,
    NoticesOut,
    SampleCheckIn,
    SampleDrawIn,
    SampleDrawOut,
    WorkOrderIn,
)

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
        statement = statement.where(FollowUp.status != FollowUpStatus.VERIFIED, past_due())
    if query.get("source"):
        statement = statement.filter_by(source=query["source"])
    if query.get("work_orders"):
        statement = statement.where(FollowUp.source.in_(WORK_ORDER_SOURCES))
    return paginate(statement.order_by(FollowUp.due_date, FollowUp.created_at), query)


@blp.route("/notices", methods=["GET"])
@blp.response(200, NoticesOut)
@requires(Permission.FOLLOWUP_READ)
def notices():
    """Counts for the caller: assigned to me, overdue, returned records, open escalations."""
    user = current_user()
    return operations.notices_for(user, visible_property_ids(user),
                                  role_may(user.role, Permission.ESCALATION_READ))


@blp.route("/work-orders/<uuid:order_id>", methods=["PUT"])
@blp.arguments(WorkOrderIn)
@blp.response(200, FollowUpOut)
@requires(Permission.WORKORDER_CREATE)
def create_work_order(data, order_id: uuid.UUID):
    """Enter an owner's complaint or repair request under an id the phone made. Idempotent:
    the phone's outbox may send it again after a lost answer. It is the reporter's until a
    supervisor assigns it; only they may name someone else at once."""
    prop = require_property(data["property_id"])
    if data.get("assignee_id") not in (None, current_user().id):
        require(Permission.FOLLOWUP_ASSIGN)
    return operations.create_work_order(current_user(), prop, order_id, data)


@blp.route("/callback-figures", methods=["GET"])
@blp.arguments(MonthQuery, location="query")
@blp.response(200, CallbackFiguresOut)
@requires(Permission.FOLLOWUP_REPORT)
def callback_figures(query):
    """Callback rate and owners' satisfaction of one property in one month."""
    prop = require_property(query["property_id"])
    return reports.callback_figures(prop, query.get("month") or reports.this_month(prop))


@blp.route("/samples", methods=["POST"])
@blp.arguments(SampleDrawIn)
@blp.response(200, SampleDrawOut)
@requires(Permission.FOLLOWUP_REPORT)
def draw_sample(data):
    """Draw the month's share of closed repair work orders for telephone checks (once)."""
    prop = require_property(data["property_id"])
    return reports.draw_sample(current_user(), prop, data["month"])


@blp.route("/samples", methods=["GET"])
@blp.arguments(MonthQuery, location="query")
@blp.response(200, SampleDrawOut)
@requires(Permission.FOLLOWUP_REPORT)
def get_sample(query):
    prop = require_property(query["property_id"])
    draw = db.session.scalar(sa.select(SampleDraw).filter_by(
        property_id=prop.id, month=query.get("month") or reports.this_month(prop)))
    if draw is None:
        raise Problem("sample.not_drawn")
    return draw


@blp.route("/samples/<int:draw_id>/checks/<uuid:follow_up_id>", methods=["PUT"])
@blp.arguments(SampleCheckIn)
@blp.response(200, SampleDrawOut)
@requires(Permission.FOLLOWUP_REPORT)
def record_sample_check(data, draw_id: int, follow_up_id: uuid.UUID):
    """The result of the telephone check of one sampled work order."""
    draw = visible_or_404(SampleDraw, draw_id)
    return reports.record_check(current_user(), draw, follow_up_id, data["result"],
                                data.get("note"))


@blp.route("/escalations", methods=["GET"])
@blp.arguments(EscalationQuery, location="query")
@blp.response(200, EscalationPage)
@requires(Permission.ESCALATION_READ)
def list_escalations(query):
    """The project manager's queue: open ones first, newest first."""
    visible = visible_property_ids()
    if query.get("property_id") is not None:
        require_property(query["property_id"])
        visible = [query["property_id"]]
    escalations.escalate_overdue(visible)
    return paginate(escalations.queue(visible, open_only=bool(query.get("open"))), query)


@blp.route("/escalations/<uuid:escalation_id>/acknowledge", methods=["POST"])
@blp.arguments(EscalationAckIn)
@blp.response(200, EscalationOut)
@blp.alt_response(409, description="already acknowledged")
@requires(Permission.ESCALATION_ACK)
def acknowledge_escalation(data, escalation_id: uuid.UUID):
    entry = visible_or_404(Escalation, escalation_id)
    return escalations.acknowledge(current_user(), entry, data["comment"])


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
    FollowUpAction.APPROVE: Permission.FOLLOWUP_APPROVE,
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
