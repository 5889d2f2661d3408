from marshmallow import Schema, fields, validate

from server.core.schemas import Id, InputSchema, Name

from .models import Role

ROLES = [role.value for role in Role]
USERNAME = validate.Regexp(r"^[A-Za-z0-9_.-]{2,64}$",
                           error="2–64 letters, digits, dot, dash or underscore")


class LoginIn(InputSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    device = fields.String(validate=validate.Length(max=200),
                           metadata={"description": "label shown in the user's token list"})


class MembershipOut(Schema):
    property_id = fields.Integer()
    code = fields.String(attribute="property.code")
    name = fields.String(attribute="property.name")
    name_en = fields.String(attribute="property.name_en", allow_none=True)
    is_key_keeper = fields.Boolean()


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    phone = fields.String(allow_none=True)
    is_active = fields.Boolean()
    properties = fields.List(fields.Nested(MembershipOut), attribute="memberships")


class LoginOut(Schema):
    token = fields.String(metadata={"description": "send as `Authorization: Bearer <token>`"})
    expires_at = fields.DateTime()
    user = fields.Nested(UserOut)


NEW_PASSWORD = validate.Length(min=8, max=1024, error="8–1024 characters")


class UserCreateIn(InputSchema):
    username = fields.String(required=True, validate=USERNAME)
    password = fields.String(required=True, validate=NEW_PASSWORD)
    display_name = Name(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    phone = fields.String(validate=validate.Length(max=32), allow_none=True)


class UserUpdateIn(InputSchema):
    display_name = Name()
    role = fields.String(validate=validate.OneOf(ROLES))
    phone = fields.String(validate=validate.Length(max=32), allow_none=True)
    password = fields.String(validate=NEW_PASSWORD)
    is_active = fields.Boolean()


class MembershipIn(InputSchema):
    property_id = Id(required=True)
    is_key_keeper = fields.Boolean(load_default=False)


class UserQuery(InputSchema):
    property_id = Id(strict=False, metadata={"description": "only members of this property"})
    role = fields.String(validate=validate.OneOf(ROLES))
