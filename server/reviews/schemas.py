from marshmallow import Schema, fields, validate

from server.checklists.items import COMMENT_MAX_LENGTH
from server.core.schemas import InputSchema

from .models import ReviewAction


class ReviewIn(InputSchema):
    action = fields.String(required=True, validate=validate.OneOf([a.value for a in ReviewAction]))
    revision = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10**6),
                              metadata={"description": "the revision the reviewer looked at"})
    comment = fields.String(validate=validate.Length(max=COMMENT_MAX_LENGTH), allow_none=True)
    item_comments = fields.Dict(keys=fields.String(validate=validate.Length(max=64)),
                                values=fields.String(validate=validate.Length(max=COMMENT_MAX_LENGTH)),
                                load_default=dict,
                                metadata={"description": "item id → what to fix"})


class ReviewEventOut(Schema):
    id = fields.Integer()
    revision = fields.Integer()
    action = fields.String()
    actor = fields.Function(lambda e: {"id": e.actor.id, "display_name": e.actor.display_name,
                                       "role": e.actor.role})
    comment = fields.String(allow_none=True)
    item_comments = fields.Dict()
    created_at = fields.DateTime()
