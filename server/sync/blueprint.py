import base64
import json
from datetime import datetime, timedelta

import sqlalchemy as sa
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import selectinload

from server.checklists.models import ChecklistVersion
from server.checklists.schemas import ChecklistVersionOut
from server.core.api import Blueprint
from server.core.db import db, utcnow
from server.core.errors import Problem
from server.core.schemas import InputSchema, plausible_moment
from server.followups.models import FollowUp
from server.followups.operations import notices_for, open_for
from server.followups.schemas import FollowUpOut, NoticesOut
from server.inspections.models import Inspection, InspectionStatus
from server.inspections.operations import load_printed
from server.inspections.schemas import InspectionOut
from server.properties.models import Key, Property, Renovation, Unit
from server.properties.schemas import KeyOut, PropertyOut, RenovationOut, UnitOut
from server.schedule.rules import due_for, newest_checklists
from server.users.access import current_user, requires, visible_property_ids
from server.users.permissions import Permission, role_may
from server.users.schemas import UserOut
from server.users.staff import staff_statement

blp = Blueprint("sync", __name__, url_prefix="/api/sync",
                description="Delta pull for offline phones.")

# Rows are stamped with the time of their write, but a transaction that began before a pull
# may commit after it with an earlier stamp. Re-sending the last minute on every pull closes
# that gap; phones upsert by id, so a row seen twice is harmless.
OVERLAP = timedelta(seconds=60)
# Cursors are the server's own time; several app servers' clocks may differ a little.
CURSOR_CLOCK_SLACK = timedelta(minutes=5)


class PullQuery(InputSchema):
    cursor = fields.String(validate=validate.Length(max=200),
                           metadata={"description": "from the previous pull; omit for a full pull"})


class DueOut(Schema):
    rule_id = fields.String()
    label = fields.Dict()
    checklist_code = fields.String()
    checklist_version = fields.Integer()
    property_id = fields.Integer()
    subject = fields.Dict()
    period = fields.String()
    period_start = fields.String()
    period_end = fields.String()
    done = fields.Integer()
    required = fields.Integer()
    window = fields.Dict(allow_none=True, metadata={
        "description": "time of day the rule counts in, e.g. {from: 20:00, to: 06:00}"})
    candidate_unit_ids = fields.List(fields.Integer())


class StaffOut(Schema):
    id = fields.Integer()
    display_name = fields.String()
    property_id = fields.Integer()


class PullOut(Schema):
    cursor = fields.String()
    full = fields.Boolean()
    server_time = fields.DateTime()
    me = fields.Nested(UserOut)
    properties = fields.List(fields.Nested(PropertyOut))
    checklists = fields.List(fields.Nested(ChecklistVersionOut))
    units = fields.List(fields.Nested(UnitOut))
    renovations = fields.List(fields.Nested(RenovationOut))
    keys = fields.List(fields.Nested(KeyOut))
    records = fields.List(fields.Nested(InspectionOut))
    follow_ups = fields.List(fields.Nested(FollowUpOut), metadata={
        "description": "full pull: my open ones; delta: mine that changed (any status)"})
    due = fields.List(fields.Nested(DueOut))
    notices = fields.Nested(NoticesOut, metadata={"description": "counts shown in the app"})
    staff = fields.List(fields.Nested(StaffOut), metadata={
        "description": "supervisors: the staff of their properties (one-to-one talks); always "
                       "complete, never a delta"})


def encode_cursor(moment: datetime) -> str:
    return base64.urlsafe_b64encode(json.dumps({"t": moment.isoformat()}).encode()).decode()


def decode_cursor(cursor: str) -> datetime:
    try:
        moment = datetime.fromisoformat(json.loads(base64.urlsafe_b64decode(cursor))["t"])
        # Only times this server could have written: a forged year 0001 would overflow when
        # the overlap is taken off, and one to come would hide every change until then.
        if (moment.tzinfo is None or not plausible_moment(moment)
                or moment > utcnow() + CURSOR_CLOCK_SLACK):
            raise ValueError
        return moment
    except (ValueError, KeyError, TypeError, OverflowError):
        raise Problem("sync.bad_cursor") from None


@blp.route("/pull", methods=["GET"])
@blp.arguments(PullQuery, location="query")
@blp.response(200, PullOut)
@requires(Permission.SYNC_PULL)
def pull(query):
    """Everything the caller's phone needs offline, or only what changed since ``cursor``."""
    user = current_user()
    now = utcnow()
    since = decode_cursor(query["cursor"]) - OVERLAP if query.get("cursor") else None
    visible = visible_property_ids(user)

    def changed(model, *conditions):
        statement = sa.select(model).where(*conditions)
        if visible is not None and hasattr(model, "property_id"):
            statement = statement.where(model.property_id.in_(visible))
        if since is not None:
            statement = statement.where(model.updated_at > since)
        return db.session.scalars(statement.order_by(model.id)).all()

    newest = newest_checklists()  # the due list counts against these on every pull
    properties = sa.select(Property).order_by(Property.id)
    if visible is not None:
        properties = properties.where(Property.id.in_(visible))
    if since is not None:
        properties = properties.where(Property.updated_at > since)
        checklists = db.session.scalars(sa.select(ChecklistVersion)
                                        .where(ChecklistVersion.published_at > since)).all()
        records = changed(Inspection, Inspection.inspector_id == user.id)
        follow_ups = db.session.scalars(sa.select(FollowUp).where(
            FollowUp.assignee_id == user.id, FollowUp.updated_at > since)
            .options(selectinload(FollowUp.events))).all()
    else:
        checklists = newest
        records = changed(Inspection, Inspection.inspector_id == user.id,
                          Inspection.status == InspectionStatus.RETURNED)
        follow_ups = db.session.scalars(
            open_for(user).options(selectinload(FollowUp.events))).all()
    staff = []
    if role_may(user.role, Permission.USER_READ):
        served = [m.property_id for m in user.memberships] if visible is not None else (
            db.session.scalars(sa.select(Property.id)).all())
        staff = [{"id": person.id, "display_name": person.display_name,
                  "property_id": property_id}
                 for property_id, person in db.session.execute(staff_statement(served)).all()]
    return {
        "staff": staff,
        "cursor": encode_cursor(now), "full": since is None, "server_time": now, "me": user,
        "properties": db.session.scalars(properties).all(), "checklists": checklists,
        "units": changed(Unit), "renovations": changed(Renovation), "keys": changed(Key),
        "records": load_printed(records), "follow_ups": follow_ups, "due": due_for(user, newest, now),
        "notices": notices_for(user, visible, role_may(user.role, Permission.ESCALATION_READ)),
    }
