from marshmallow import Schema, fields, validate

from server.core.i18n import current_language
from server.core.schemas import Day, Id, InputSchema, PageMetaSchema, PageQuerySchema
from server.inspections.answers import SHA256
from server.inspections.schemas import device_time

from . import operations, reports
from .categories import CATEGORIES, CHANNELS
from .due import property_today
from .models import (
    ContactMethod,
    FollowUpAction,
    FollowUpSource,
    FollowUpStatus,
    Satisfaction,
)

MONTH = validate.Regexp(r"^20[0-9]{2}-(0[1-9]|1[0-2])$")


class PhotoRef(InputSchema):
    sha256 = fields.String(required=True, validate=validate.Regexp(SHA256))
    captured_at = fields.String(validate=device_time)


class FollowUpIn(InputSchema):
    property_id = Id(required=True)
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    assignee_id = Id(required=True)
    due_date = Day(required=True)
    subject_label = fields.String(validate=validate.Length(max=100))
    callback_required = fields.Boolean(metadata={"description": "an owner is involved"})


class WorkOrderIn(InputSchema):
    """An owner's complaint or repair request, as the desk or a phone entered it."""

    property_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(
        [FollowUpSource.COMPLAINT.value, FollowUpSource.REPAIR.value]))
    category = fields.String(required=True, validate=validate.OneOf(
        sorted({code for codes in CATEGORIES.values() for code in codes})))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    caller_name = fields.String(validate=validate.Length(max=50), allow_none=True)
    caller_phone = fields.String(validate=validate.Length(max=32), allow_none=True)
    unit_id = Id(allow_none=True)
    location = fields.String(validate=validate.Length(max=100), allow_none=True,
                             metadata={"description": "where, when it is not a household"})
    group_risk = fields.Boolean(metadata={"description": "群诉风险 (complaints)"})
    reported_at = fields.String(required=True, validate=device_time,
                                metadata={"description": "phone time the owner reported it"})
    photos = fields.List(fields.Nested(PhotoRef), validate=validate.Length(max=10))
    assignee_id = Id(allow_none=True)


class FollowUpEventIn(InputSchema):
    id = fields.UUID(required=True, metadata={"description": "made by the client: resend safely"})
    action = fields.String(required=True, validate=validate.OneOf(
        [a.value for a in FollowUpAction if a != FollowUpAction.CREATE]))
    note = fields.String(validate=validate.Length(max=2000), allow_none=True)
    photos = fields.List(fields.Nested(PhotoRef), validate=validate.Length(max=10))
    at = fields.String(validate=device_time, metadata={"description": "phone time of the step"})
    assignee_id = Id()
    due_date = Day()
    satisfaction = fields.String(validate=validate.OneOf([s.value for s in Satisfaction]),
                                 metadata={"description": "callback: the owner's answer"})
    contact_method = fields.String(validate=validate.OneOf([m.value for m in ContactMethod]))
    contact_with = fields.String(validate=validate.Length(max=100), allow_none=True)
    responsible = fields.String(validate=validate.Length(max=100),
                                metadata={"description": "approve: the person held responsible"})
    due_date = Day()


class FollowUpQuery(PageQuerySchema):
    property_id = Id(strict=False)
    status = fields.String(validate=validate.OneOf([s.value for s in FollowUpStatus]))
    assignee_id = Id(strict=False)
    mine = fields.Boolean(metadata={"description": "only those assigned to me"})
    overdue = fields.Boolean()
    source = fields.String(validate=validate.OneOf([s.value for s in FollowUpSource]))
    work_orders = fields.Boolean(metadata={"description": "only complaints and repair requests"})


class FollowUpEventOut(Schema):
    id = fields.UUID()
    action = fields.String()
    actor = fields.Function(lambda e: {"id": e.actor.id, "display_name": e.actor.display_name})
    note = fields.String(allow_none=True)
    photos = fields.List(fields.Dict())
    at = fields.String(attribute="at_device", allow_none=True)
    created_at = fields.DateTime()
    satisfaction = fields.String(allow_none=True)
    contact_method = fields.String(allow_none=True)
    contact_with = fields.String(allow_none=True)


def _in_language(zh: str | None, en: str | None) -> str | None:
    return en if current_language() == "en" and en else zh


class FollowUpOut(Schema):
    id = fields.UUID()
    property_id = fields.Integer()
    inspection_id = fields.UUID(allow_none=True)
    item_id = fields.String(allow_none=True)
    row_key = fields.String(allow_none=True)
    subject_label = fields.String()
    description = fields.Function(lambda f: _in_language(f.description, f.description_en))
    source = fields.String()
    found_at = fields.DateTime(metadata={"description": "when the problem was found (finder's clock)"})
    callback_required = fields.Boolean()
    approval_required = fields.Boolean()
    approved_at = fields.DateTime(allow_none=True)
    responsible_person = fields.String(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    caller_name = fields.String(allow_none=True)
    caller_phone = fields.String(allow_none=True)
    channel = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    group_risk = fields.Boolean()
    created_by_id = fields.Integer()
    last_fixer_id = fields.Function(lambda f: operations.last_fixer_id(f), allow_none=True)
    assignee = fields.Function(lambda f: {"id": f.assignee.id,
                                          "display_name": f.assignee.display_name})
    due_date = Day()
    status = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    overdue = fields.Function(lambda f: f.status != FollowUpStatus.VERIFIED
                              and property_today(f) > f.due_date)
    days_late = fields.Function(lambda f: operations.days_late(f))
    needs_contact = fields.Function(lambda f: operations.needs_contact(f), metadata={
        "description": f"unresolved over {operations.CONTACT_AFTER_DAYS} days after it was "
                       "found, with no recorded contact with the owner"})
    has_callback = fields.Function(lambda f: any(e.action == "callback" for e in f.events))
    events = fields.List(fields.Nested(FollowUpEventOut))


class FollowUpPage(PageMetaSchema):
    items = fields.List(fields.Nested(FollowUpOut))


class EscalationQuery(PageQuerySchema):
    property_id = Id(strict=False)
    open = fields.Boolean(metadata={"description": "only those not acknowledged yet"})


class EscalationAckIn(InputSchema):
    comment = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class EscalationOut(Schema):
    id = fields.UUID()
    property_id = fields.Integer()
    reason = fields.String()
    follow_up_id = fields.UUID(allow_none=True)
    inspection_id = fields.UUID(allow_none=True)
    subject_label = fields.String()
    summary = fields.Function(lambda e: _in_language(e.summary, e.summary_en))
    raised_at = fields.DateTime()
    acknowledged_at = fields.DateTime(allow_none=True)
    acknowledged_by = fields.Function(lambda e: e.acknowledged_by and {
        "id": e.acknowledged_by.id, "display_name": e.acknowledged_by.display_name})
    comment = fields.String(allow_none=True)


class EscalationPage(PageMetaSchema):
    items = fields.List(fields.Nested(EscalationOut))


class MonthQuery(InputSchema):
    property_id = Id(required=True, strict=False)
    month = fields.String(validate=MONTH, metadata={"description": "YYYY-MM; this month if left out"})


class CallbackFiguresOut(Schema):
    property_id = fields.Integer()
    month = fields.String()
    closed_needing_callback = fields.Integer()
    called_back = fields.Integer()
    callback_rate = fields.Float(allow_none=True)
    callbacks = fields.Integer()
    satisfied = fields.Integer()
    basically_satisfied = fields.Integer()
    dissatisfied = fields.Integer()
    satisfaction_rate = fields.Float(allow_none=True)


class SampleDrawIn(InputSchema):
    property_id = Id(required=True)
    month = fields.String(required=True, validate=MONTH)


class SampleCheckIn(InputSchema):
    result = fields.String(required=True, validate=validate.OneOf(["confirmed", "problem"]))
    note = fields.String(validate=validate.Length(max=2000), allow_none=True)


class SampleCheckOut(Schema):
    follow_up_id = fields.UUID()
    description = fields.Function(lambda c: c.follow_up.description)
    subject_label = fields.Function(lambda c: c.follow_up.subject_label)
    caller_name = fields.Function(lambda c: c.follow_up.caller_name)
    caller_phone = fields.Function(lambda c: c.follow_up.caller_phone)
    closed_at = fields.Function(lambda c: c.follow_up.closed_at.isoformat())
    result = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    checked_at = fields.DateTime(allow_none=True)
    checked_by = fields.Function(lambda c: c.checked_by and {
        "id": c.checked_by.id, "display_name": c.checked_by.display_name})


class SampleDrawOut(Schema):
    id = fields.Integer()
    property_id = fields.Integer()
    month = fields.String()
    share_percent = fields.Integer()
    population = fields.Integer()
    drawn_at = fields.DateTime()
    checks = fields.List(fields.Nested(SampleCheckOut))
    counts = fields.Function(lambda d: reports.sample_counts(d))


class NoticesOut(Schema):
    assigned = fields.Integer(metadata={"description": "open follow-ups assigned to me"})
    overdue = fields.Integer(metadata={"description": "of those, past their due date"})
    returned = fields.Integer(metadata={"description": "my records returned for correction"})
    escalated = fields.Integer(metadata={"description": "escalations not yet acknowledged"})
