from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from server.core.i18n import field_text
from server.core.schemas import (
    Day,
    HeadersSchema,
    Id,
    InputSchema,
    PageMetaSchema,
    PageQuerySchema,
    plausible_moment,
)

from .answers import parse_device_time

HEX64 = validate.Regexp(r"^[0-9a-f]{64}$", error="64 lowercase hex characters")


def device_time(text: str):
    """Validator of a phone's timestamp: ISO 8601 with an offset, in this century."""
    parsed = parse_device_time(text) if len(text) <= 40 else None
    if parsed is None or not plausible_moment(parsed):
        raise ValidationError("ISO 8601 time with an offset, e.g. 2026-11-23T09:10:00+08:00")


class ChecklistRef(InputSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10**6))


class SubjectRef(InputSchema):
    type = fields.String(required=True,
                         validate=validate.OneOf(("renovation", "property", "key_register", "unit",
                                                   "staff")))
    id = Id(required=True)


class SealIn(InputSchema):
    hash = fields.String(required=True, validate=HEX64)


class PushHeaders(HeadersSchema):
    if_match = fields.String(data_key="If-Match", metadata={
        "description": 'the revision being edited, as "2": needed only to resubmit a record a '
                       "supervisor returned"})
    device_time = fields.String(data_key="X-Device-Time", metadata={
        "description": "the phone's clock at sending (ISO 8601 with offset), to record how far "
                       "it was off"})


class InspectionIn(InputSchema):
    property_id = Id(required=True)
    checklist = fields.Nested(ChecklistRef, required=True)
    subject = fields.Nested(SubjectRef, required=True)
    answers = fields.Dict(keys=fields.String(), required=True,
                          metadata={"description": "item id → answer; see docs/sync-protocol.md"})
    started_at = fields.String(required=True, validate=device_time)
    completed_at = fields.String(required=True, validate=device_time)
    device_id = fields.String(validate=validate.Length(max=200), allow_none=True)
    seal = fields.Nested(SealIn, required=True)


class InspectorOut(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()


class AttachmentsOut(Schema):
    expected = fields.List(fields.String())
    missing = fields.List(fields.String(), metadata={"description": "not yet uploaded"})


class InspectionOut(Schema):
    """A record as the server holds it. Dump only records passed through
    `operations.load_printed`: it loads the attachments and reviews printed here."""

    id = fields.UUID()
    revision = fields.Integer()
    status = fields.String()
    property_id = fields.Integer()
    checklist = fields.Function(lambda r: {"code": r.checklist_code,
                                           "version": r.checklist_version.version})
    subject = fields.Function(lambda r: {"type": r.subject_type, "id": r.subject_id,
                                         "label": getattr(r, "subject_label", "")}, metadata={
        "description": "label: what was inspected, for people (a unit, or the property's name)"})
    inspector = fields.Nested(InspectorOut)
    answers = fields.Dict()
    row_labels = fields.Function(lambda r: getattr(r, "row_labels", {}), metadata={
        "description": "register rows named for people: row id → key tag and description"})
    has_failures = fields.Boolean()
    started_at = fields.String(attribute="started_at_device")
    completed_at = fields.String(attribute="completed_at_device")
    received_at = fields.DateTime()
    late = fields.Boolean(metadata={
        "description": "received long after its completion (RECORD_LATE_AFTER_HOURS)"})
    device_clock_offset_seconds = fields.Integer(allow_none=True)
    seal = fields.Function(lambda r: {"hash": r.seal_hash, "verified": r.seal_holds()}, metadata={
        "description": "verified: the seal recomputed from the stored record equals the hash"})
    attachments = fields.Function(lambda r: r.attachment_state)
    reviews = fields.Function(lambda r: r.review_steps, metadata={
        "description": "review steps, oldest first; a returned record carries what to fix"})


class InspectionQuery(PageQuerySchema):
    property_id = Id(strict=False)
    checklist = fields.String(validate=validate.Length(max=64))
    date_from = Day(metadata={"description": "completed on or after (property's zone)"})
    date_to = Day(metadata={"description": "completed on or before"})
    inspector_id = Id(strict=False)
    status = fields.String(validate=validate.OneOf(("submitted", "returned", "approved")))
    has_failures = fields.Boolean()
    unit_id = Id(strict=False, metadata={"description": "records about this household"})
    q = fields.String(validate=validate.Length(min=1, max=50),
                      metadata={"description": "inspector name or text in the answers"})

    @validates_schema
    def _dates_in_order(self, data, **_):
        # A reversed range would silently list nothing; say so at the field instead.
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ValidationError(field_text("field.date_range_reversed"), "date_to")


class ExportQuery(InspectionQuery):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(("xlsx", "csv")))


class InspectionSummaryOut(Schema):
    id = fields.UUID()
    property_id = fields.Integer()
    checklist = fields.Function(lambda r: {
        "code": r.checklist_code, "version": r.checklist_version.version,
        "title": {"zh-CN": r.checklist_version.title_zh, "en": r.checklist_version.title_en}})
    subject = fields.Function(lambda r: {"type": r.subject_type, "id": r.subject_id,
                                         "label": getattr(r, "subject_label", "")})
    inspector = fields.Nested(InspectorOut)
    status = fields.String()
    revision = fields.Integer()
    has_failures = fields.Boolean()
    completed_at = fields.String(attribute="completed_at_device")
    received_at = fields.DateTime()
    late = fields.Boolean(metadata={
        "description": "received long after its completion (RECORD_LATE_AFTER_HOURS)"})
    device_clock_offset_seconds = fields.Integer(allow_none=True)
    clock_differs = fields.Function(
        lambda r: r.clock_differs,
        metadata={"description": "phone and server clocks differ by more than 5 minutes"})


class InspectionPage(PageMetaSchema):
    items = fields.List(fields.Nested(InspectionSummaryOut))
