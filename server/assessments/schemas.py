"""Wire formats of assessments: separate input and output schemas; unknown input refused."""

from marshmallow import Schema, fields, validate

from server.core.i18n import LANGUAGES
from server.core.schemas import Id, InputSchema

MONTH = validate.Regexp(r"^20[0-9]{2}-(0[1-9]|1[0-2])$")
TEXT = validate.Length(max=1000)


class AssessmentMonthQuery(InputSchema):
    property_id = Id(required=True, strict=False)
    month = fields.String(required=True, validate=MONTH, metadata={"description": "YYYY-MM"})


class AssessmentOpenIn(InputSchema):
    property_id = Id(required=True)
    staff_id = Id(required=True)
    month = fields.String(required=True, validate=MONTH, metadata={"description": "YYYY-MM"})


class AssessmentEditIn(InputSchema):
    """Any subset; a score or reason of null clears it. Scores in the form's step (0.5)."""

    scores = fields.Dict(keys=fields.String(validate=validate.Length(max=40)),
                         values=fields.Float(allow_none=True, allow_nan=False),
                         validate=validate.Length(max=40))
    reasons = fields.Dict(keys=fields.String(validate=validate.Length(max=40)),
                          values=fields.String(allow_none=True, validate=TEXT),
                          validate=validate.Length(max=40))
    reward = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=-1000, max=1000))
    reward_reason = fields.String(allow_none=True, validate=TEXT)
    penalty = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=-1000, max=1000))
    penalty_reason = fields.String(allow_none=True, validate=TEXT)
    comment = fields.String(allow_none=True, validate=TEXT)


class AssessmentAcknowledgeIn(InputSchema):
    remark = fields.String(allow_none=True, validate=TEXT,
                           metadata={"description": "the staff member's remark, if any"})


class AssessmentPdfQuery(InputSchema):
    lang = fields.String(load_default="zh-CN", validate=validate.OneOf(LANGUAGES))


class AssessmentYearQuery(InputSchema):
    property_id = Id(required=True, strict=False)
    staff_id = Id(required=True, strict=False)
    year = fields.Integer(required=True, strict=False, validate=validate.Range(min=2000, max=2099))


class AssessmentYearInputsIn(InputSchema):
    property_id = Id(required=True)
    staff_id = Id(required=True)
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2099))
    checks_score = fields.Float(allow_none=True, allow_nan=False,
                                validate=validate.Range(min=0, max=110),
                                metadata={"description": "weekly and monthly checks, weighted"})
    year_end_score = fields.Float(allow_none=True, allow_nan=False,
                                  validate=validate.Range(min=0, max=110),
                                  metadata={"description": "the year-end assessment"})


class AssessmentPersonOut(Schema):
    id = fields.Integer()
    display_name = fields.String()


class AssessmentSuggestionOut(Schema):
    value = fields.Float(allow_none=True, metadata={"description": "none: nothing to judge by"})
    kind = fields.String(metadata={"description": "duties | returns | followups"})
    figures = fields.Dict()
    explanation = fields.String(metadata={"description": "the figures, in words"})


class AssessmentItemOut(Schema):
    id = fields.String()
    label = fields.String()
    points = fields.Float()
    score = fields.Float(allow_none=True)
    reason = fields.String(allow_none=True)
    suggestion = fields.Nested(AssessmentSuggestionOut, allow_none=True)


class AssessmentPartOut(Schema):
    id = fields.String()
    label = fields.String()
    points = fields.Float()
    total = fields.Float(allow_none=True)
    items = fields.List(fields.Nested(AssessmentItemOut))


class AssessmentVerificationOut(Schema):
    code = fields.String()
    holds = fields.Boolean()
    state = fields.String()


class AssessmentSummaryOut(Schema):
    id = fields.Integer()
    property_id = fields.Integer()
    staff = fields.Nested(AssessmentPersonOut)
    month = fields.String()
    status = fields.String(metadata={"description": "draft | submitted | acknowledged"})
    total = fields.Float(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)


class AssessmentOut(AssessmentSummaryOut):
    property_name = fields.String()
    assessor = fields.Nested(AssessmentPersonOut)
    full_marks = fields.Float()
    step = fields.Float()
    parts = fields.List(fields.Nested(AssessmentPartOut))
    reward = fields.Integer(allow_none=True)
    reward_reason = fields.String(allow_none=True)
    penalty = fields.Integer(allow_none=True)
    penalty_reason = fields.String(allow_none=True)
    bounds = fields.Dict()
    comment = fields.String(allow_none=True)
    staff_remark = fields.String(allow_none=True)
    suggestions_frozen = fields.Boolean()
    editable = fields.Boolean(metadata={"description": "a draft: scores may still change"})
    retention_until = fields.String(metadata={"description": "YYYY-MM: kept at least until"})
    verification = fields.Nested(AssessmentVerificationOut, allow_none=True)
    version = fields.Integer()


class AssessmentStaffRowOut(Schema):
    staff = fields.Nested(AssessmentPersonOut)
    assessment = fields.Nested(AssessmentSummaryOut, allow_none=True)


class AssessmentStaffGridOut(Schema):
    property_id = fields.Integer()
    month = fields.String()
    rows = fields.List(fields.Nested(AssessmentStaffRowOut))


class AssessmentListOut(Schema):
    items = fields.List(fields.Nested(AssessmentOut))


class AssessmentYearMonthOut(Schema):
    month = fields.String()
    total = fields.Float()


class AssessmentYearEndOut(Schema):
    year = fields.Integer()
    weights = fields.Dict()
    inputs = fields.Dict(metadata={"description": "checks, monthly, year_end; null: missing"})
    months = fields.List(fields.Nested(AssessmentYearMonthOut))
    months_sealed = fields.Integer()
    missing = fields.List(fields.String())
    figure = fields.Float(allow_none=True)
