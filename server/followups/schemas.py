from marshmallow import Schema, ValidationError, fields, validate

from server.core.db import today_in
from server.core.schemas import Id, InputSchema, PageMetaSchema, PageQuerySchema
from server.inspections.answers import SHA256, parse_device_time

from . import operations
from .models import FollowUpAction, FollowUpStatus


def _device_time(text: str):
    if len(text) > 40 or parse_device_time(text) is None:
        raise ValidationError("ISO 8601 time with an offset")


class PhotoRef(InputSchema):
    sha256 = fields.String(required=True, validate=validate.Regexp(SHA256))
    captured_at = fields.String(validate=_device_time)


class FollowUpIn(InputSchema):
    property_id = Id(required=True)
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    assignee_id = Id(required=True)
    due_date = fields.Date(required=True)
    subject_label = fields.String(validate=validate.Length(max=100))


class FollowUpEventIn(InputSchema):
    id = fields.UUID(required=True, metadata={"description": "made by the client: resend safely"})
    action = fields.String(required=True, validate=validate.OneOf(
        [a.value for a in FollowUpAction if a != FollowUpAction.CREATE]))
    note = fields.String(validate=validate.Length(max=2000), allow_none=True)
    photos = fields.List(fields.Nested(PhotoRef), validate=validate.Length(max=10))
    at = fields.String(validate=_device_time, metadata={"description": "phone time of the step"})
    assignee_id = Id()
    due_date = fields.Date()


class FollowUpQuery(PageQuerySchema):
    property_id = Id(strict=False)
    status = fields.String(validate=validate.OneOf([s.value for s in FollowUpStatus]))
    assignee_id = Id(strict=False)
    mine = fields.Boolean(metadata={"description": "only those assigned to me"})
    overdue = fields.Boolean()


class FollowUpEventOut(Schema):
    id = fields.UUID()
    action = fields.String()
    actor = fields.Function(lambda e: {"id": e.actor.id, "display_name": e.actor.display_name})
    note = fields.String(allow_none=True)
    photos = fields.List(fields.Dict())
    at = fields.String(attribute="at_device", allow_none=True)
    created_at = fields.DateTime()


class FollowUpOut(Schema):
    id = fields.UUID()
    property_id = fields.Integer()
    inspection_id = fields.UUID(allow_none=True)
    item_id = fields.String(allow_none=True)
    row_key = fields.String(allow_none=True)
    subject_label = fields.String()
    description = fields.String()
    assignee = fields.Function(lambda f: {"id": f.assignee.id,
                                          "display_name": f.assignee.display_name})
    due_date = fields.Date()
    status = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    overdue = fields.Function(lambda f: f.status != FollowUpStatus.VERIFIED
                              and today_in() > f.due_date)
    needs_contact = fields.Function(lambda f: operations.needs_contact(f), metadata={
        "description": f"open over {operations.CONTACT_AFTER_DAYS} days with no recorded "
                       "contact with the owner"})
    has_callback = fields.Function(lambda f: any(e.action == "callback" for e in f.events))
    events = fields.List(fields.Nested(FollowUpEventOut))


class FollowUpPage(PageMetaSchema):
    items = fields.List(fields.Nested(FollowUpOut))
