from zoneinfo import available_timezones

from marshmallow import Schema, fields, validate

from server.core.schemas import Day, Id, InputSchema, Name, PageMetaSchema, PageQuerySchema

from .models import KeyStatus, RenovationStatus

CODE = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,39}$", error="lowercase letters, digits and -")
SHORT = validate.Length(min=1, max=20)
OPTIONAL_PHONE = fields.String(validate=validate.Length(max=32), allow_none=True)


class PropertyOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    timezone = fields.String()


class PropertyIn(InputSchema):
    code = fields.String(required=True, validate=CODE)
    name = Name(required=True)
    name_en = Name(allow_none=True)
    address = fields.String(validate=validate.Length(max=200), allow_none=True)
    # IANA names only: frequency periods are counted in this zone.
    timezone = fields.String(validate=validate.OneOf(sorted(available_timezones())))


class PropertyUpdateIn(PropertyIn):
    """Same fields as PropertyIn, all optional (the view loads it with partial=True)."""


class RegisterRowOut(Schema):
    id = fields.Integer()
    property_id = fields.Integer()
    version = fields.Integer(metadata={"description": "send back as If-Match to edit"})
    updated_at = fields.DateTime()


class UnitOut(RegisterRowOut):
    building = fields.String()
    entrance = fields.String()
    room = fields.String()
    label = fields.String(metadata={"description": "e.g. 3栋2单元1102"})
    owner_name = fields.String(allow_none=True)
    owner_phone = fields.String(allow_none=True)
    is_key_customer = fields.Boolean()
    is_occupied = fields.Boolean()
    note = fields.String(allow_none=True)


class UnitIn(InputSchema):
    building = fields.String(required=True, validate=SHORT)
    entrance = fields.String(load_default="", validate=validate.Length(max=20))
    room = fields.String(required=True, validate=SHORT)
    owner_name = fields.String(validate=validate.Length(max=100), allow_none=True)
    owner_phone = OPTIONAL_PHONE
    is_key_customer = fields.Boolean(load_default=False)
    is_occupied = fields.Boolean(load_default=True)
    note = fields.String(validate=validate.Length(max=2000), allow_none=True)


class UnitUpdateIn(InputSchema):
    owner_name = fields.String(validate=validate.Length(max=100), allow_none=True)
    owner_phone = OPTIONAL_PHONE
    is_key_customer = fields.Boolean()
    is_occupied = fields.Boolean()
    note = fields.String(validate=validate.Length(max=2000), allow_none=True)


class UnitQuery(PageQuerySchema):
    q = fields.String(validate=validate.Length(max=40),
                      metadata={"description": "building, room or owner name contains this"})
    building = fields.String(validate=SHORT)
    key_customer = fields.Boolean()


class UnitPage(PageMetaSchema):
    items = fields.List(fields.Nested(UnitOut))


class RenovationOut(RegisterRowOut):
    unit_id = fields.Integer()
    unit_label = fields.String(attribute="unit.label")
    permit_no = fields.String(allow_none=True)
    contractor_name = fields.String()
    contractor_phone = fields.String(allow_none=True)
    permit_start = Day()
    permit_end = Day()
    status = fields.String()
    note = fields.String(allow_none=True)


RENOVATION_STATUSES = [status.value for status in RenovationStatus]


class RenovationIn(InputSchema):
    unit_id = Id(required=True)
    permit_no = fields.String(validate=validate.Length(max=40), allow_none=True)
    contractor_name = Name(required=True)
    contractor_phone = OPTIONAL_PHONE
    permit_start = Day(required=True)
    permit_end = Day(required=True)
    status = fields.String(load_default=RenovationStatus.PENDING.value,
                           validate=validate.OneOf(RENOVATION_STATUSES))
    note = fields.String(validate=validate.Length(max=2000), allow_none=True)


class RenovationUpdateIn(InputSchema):
    permit_no = fields.String(validate=validate.Length(max=40), allow_none=True)
    contractor_name = Name()
    contractor_phone = OPTIONAL_PHONE
    permit_start = Day()
    permit_end = Day()
    status = fields.String(validate=validate.OneOf(RENOVATION_STATUSES))
    note = fields.String(validate=validate.Length(max=2000), allow_none=True)


class RenovationQuery(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(RENOVATION_STATUSES))


class RenovationPage(PageMetaSchema):
    items = fields.List(fields.Nested(RenovationOut))


KEY_STATUSES = [status.value for status in KeyStatus]


class KeyOut(RegisterRowOut):
    tag_no = fields.String()
    unit_id = fields.Integer(allow_none=True)
    unit_label = fields.Method("get_unit_label", allow_none=True)
    description = fields.String()
    holder = fields.String(allow_none=True)
    status = fields.String()
    note = fields.String(allow_none=True)

    def get_unit_label(self, key):
        return key.unit.label if key.unit else None


class KeyIn(InputSchema):
    tag_no = fields.String(required=True, validate=validate.Length(min=1, max=40))
    unit_id = Id(allow_none=True)
    description = Name(200, required=True)
    holder = fields.String(validate=validate.Length(max=100), allow_none=True)
    status = fields.String(load_default=KeyStatus.IN_CUSTODY.value,
                           validate=validate.OneOf(KEY_STATUSES))
    note = fields.String(validate=validate.Length(max=2000), allow_none=True)


class KeyUpdateIn(InputSchema):
    description = Name(200)
    holder = fields.String(validate=validate.Length(max=100), allow_none=True)
    status = fields.String(validate=validate.OneOf(KEY_STATUSES))
    note = fields.String(validate=validate.Length(max=2000), allow_none=True)


class KeyQuery(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(KEY_STATUSES))


class KeyPage(PageMetaSchema):
    items = fields.List(fields.Nested(KeyOut))
