"""The monthly report on the wire: the query, and the figures as `operations.monthly_report`
computes them (the same dict the PDF's verification code covers)."""

from marshmallow import Schema, fields, validate

from server.compliance.blueprint import MonthField
from server.core.i18n import LANGUAGES
from server.core.schemas import Id, InputSchema

FORMATS = ("json", "xlsx", "pdf")


class ReportQuery(InputSchema):
    month = MonthField(required=True, metadata={"description": "YYYY-MM"})
    property_id = fields.List(Id(strict=False), metadata={
        "description": "one or several properties (repeat the parameter); default: all the "
                       "caller's"})
    lang = fields.String(load_default="zh-CN", validate=validate.OneOf(LANGUAGES),
                         metadata={"description": "language of the XLSX and PDF"})


class PersonCountOut(Schema):
    user_id = fields.Integer()
    name = fields.String()
    counted = fields.Integer(metadata={"description": "records of theirs that counted"})


class RuleLineOut(Schema):
    checklist_code = fields.String()
    checklist_title = fields.Dict()
    rule_id = fields.String()
    label = fields.Dict()
    period = fields.String()
    required = fields.Integer()
    done = fields.Integer()
    rate = fields.Float()
    late = fields.Integer(metadata={"description": "records received late among those counted"})
    status = fields.String(metadata={"description": "met | on_track | behind | missed | setup"})
    setup_problem = fields.String(allow_none=True)
    not_counted = fields.Integer()
    by_person = fields.List(fields.Nested(PersonCountOut))


class HomeVisitsOut(Schema):
    households = fields.Integer(metadata={"description": "occupied households"})
    required = fields.Integer(metadata={"description": "8% of them, rounded up"})
    visits = fields.Integer(metadata={"description": "visit records, nobody home included"})
    nobody_home = fields.Integer()
    households_visited = fields.Integer(metadata={"description": "distinct, not repeated"})
    repeated = fields.Integer(metadata={"description": "visits to a household already visited"})
    met = fields.Boolean()
    status = fields.String(allow_none=True)
    key_customers_required = fields.Integer()
    key_customers_done = fields.Integer()


class OccasionOut(Schema):
    at = fields.String(metadata={"description": "local time at the property"})
    by = fields.String()
    counted = fields.Boolean()
    reason = fields.String(allow_none=True, metadata={"description": "why it did not count"})
    scenario = fields.String(allow_none=True)


class OccasionsOut(Schema):
    required = fields.Integer()
    done = fields.Integer()
    status = fields.String(allow_none=True)
    occasions = fields.List(fields.Nested(OccasionOut))


class ScoreLineOut(Schema):
    checklist_code = fields.String()
    checklist_title = fields.Dict()
    records = fields.Integer()
    average = fields.Float(allow_none=True)
    lowest = fields.Float()
    below_80 = fields.Integer()


class PersonLineOut(Schema):
    user_id = fields.Integer()
    name = fields.String()
    role = fields.String()
    duties = fields.Integer(metadata={"description": "frequency rules that are their work"})
    duties_met = fields.Integer()
    counted = fields.Integer()
    not_counted = fields.Integer()
    completed = fields.Integer()
    late = fields.Integer()
    returned = fields.Integer()
    average_score = fields.Float(allow_none=True)
    follow_ups_due = fields.Integer()
    follow_ups_overdue = fields.Integer()
    follow_ups_closed = fields.Integer()


class PropertySectionOut(Schema):
    property = fields.Dict()
    month_over = fields.Boolean()
    rules = fields.List(fields.Nested(RuleLineOut))
    home_visits = fields.Nested(HomeVisitsOut)
    satisfaction = fields.Dict(metadata={"description": "visits, callbacks, callback"})
    work_orders = fields.Dict(metadata={"description": "complaint, repair, follow_up: opened, "
                                                       "closed, due, overdue, escalated, "
                                                       "contact_due, contacted_on_time"})
    escalations = fields.Dict(metadata={"description": "raised in the month, by reason"})
    night_checks = fields.Nested(OccasionsOut)
    drills = fields.Nested(OccasionsOut)
    records = fields.Dict()
    scores = fields.List(fields.Nested(ScoreLineOut))
    people = fields.List(fields.Nested(PersonLineOut))


class MonthlyReportOut(Schema):
    format = fields.String()
    format_version = fields.Integer()
    month = fields.String()
    generated_at = fields.String()
    month_over = fields.Boolean()
    properties = fields.List(fields.Nested(PropertySectionOut))
    totals = fields.Dict(allow_none=True, metadata={"description": "several properties added up"})
    verification_code = fields.String(metadata={"description": "printed on the PDF"})
