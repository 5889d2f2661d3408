from datetime import date

import sqlalchemy as sa
from marshmallow import Schema, ValidationError, fields, validate

from server.core.api import Blueprint
from server.core.db import DEFAULT_TIMEZONE, db, today_in
from server.core.schemas import Id, InputSchema
from server.properties.access import require_property
from server.properties.models import Property
from server.properties.schemas import PropertyOut
from server.schedule.rules import newest_checklists
from server.users.access import requires, visible_property_ids
from server.users.permissions import Permission

from .operations import evaluate_property, people_view, trend_points

blp = Blueprint("compliance", __name__, url_prefix="/api/compliance",
                description="Required inspection counts against what was done, per period.")

def _month(text: str) -> date:
    try:
        first = date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ValidationError("YYYY-MM, e.g. 2026-11") from None
    if not 2000 <= first.year <= 2100:
        raise ValidationError("a month between 2000 and 2100")
    return first


class MonthField(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return _month(super()._deserialize(value, attr, data, **kwargs))


class ComplianceQuery(InputSchema):
    month = MonthField(metadata={"description": "YYYY-MM; default: this month"})
    property_id = Id(strict=False)


class TrendQuery(InputSchema):
    months = fields.Integer(load_default=6, validate=validate.Range(min=1, max=24))
    property_id = Id(strict=False)


class GapOut(Schema):
    period_start = fields.String()
    period_end = fields.String()
    first_day = fields.String(metadata={"description": "the period's first day (property's calendar)"})
    last_day = fields.String(metadata={"description": "the period's last day, inclusive"})
    subject = fields.Dict()
    done = fields.Integer()
    required = fields.Integer()


class CalendarDayOut(Schema):
    date = fields.String()
    state = fields.String(metadata={"description": "done | missed | open | upcoming | not_due"})


class SetupProblemOut(Schema):
    code = fields.String()
    message = fields.String()


class NotCountedOut(Schema):
    reason = fields.String(metadata={"description": "performer | window | outcome | late | repeat"})
    outcome = fields.String(allow_none=True)
    outcome_label = fields.Dict(allow_none=True)
    count = fields.Integer()


class RuleOut(Schema):
    checklist_code = fields.String()
    checklist_title = fields.Dict()
    rule_id = fields.String()
    label = fields.Dict()
    period = fields.String()
    performed_by = fields.String(allow_none=True)
    window = fields.Dict(allow_none=True)
    required = fields.Integer()
    done = fields.Integer()
    due_by_now = fields.Integer(metadata={"description": "what was due by now (pro-rated)"})
    rate = fields.Float()
    met = fields.Boolean()
    status = fields.String(metadata={"description": "met | on_track | behind | missed | setup"})
    month_over = fields.Boolean()
    setup_problem = fields.Nested(SetupProblemOut, allow_none=True)
    periods = fields.Integer()
    periods_met = fields.Integer()
    late = fields.Integer(metadata={"description": "records received late among those counted"})
    not_counted = fields.List(fields.Nested(NotCountedOut),
                              metadata={"description": "records left out, by reason"})
    gaps = fields.List(fields.Nested(GapOut), metadata={"description": "first 50 gaps"})
    days = fields.List(fields.Nested(CalendarDayOut), allow_none=True,
                       metadata={"description": "daily rules: every day of the month"})


class PropertyComplianceOut(Schema):
    property = fields.Nested(PropertyOut)
    rules = fields.List(fields.Nested(RuleOut))


class ComplianceOut(Schema):
    month = fields.String()
    properties = fields.List(fields.Nested(PropertyComplianceOut))


class TrendPointOut(Schema):
    month = fields.String()
    property_id = fields.Integer()
    checklist_code = fields.String()
    checklist_title = fields.Dict()
    required = fields.Integer(metadata={"description": "the running month: what was due by now"})
    done = fields.Integer()
    rate = fields.Float(allow_none=True, metadata={
        "description": "null for a month before the property's first record (no data)"})
    pro_rated = fields.Boolean(metadata={"description": "the running month, against what was due by now"})


class PersonQuery(InputSchema):
    month = MonthField(metadata={"description": "YYYY-MM; default: this month"})
    property_id = Id(strict=False, required=True)


class PersonNotCountedOut(Schema):
    reason = fields.String()
    outcome = fields.String(allow_none=True)
    completed_at = fields.String()
    record_id = fields.String()


class PersonRuleOut(Schema):
    checklist_code = fields.String()
    checklist_title = fields.Dict()
    rule_id = fields.String()
    label = fields.Dict()
    theirs = fields.Boolean(metadata={"description": "the rule is this person's work"})
    shared_with = fields.Integer(metadata={"description": "others whose work it also is"})
    required = fields.Integer()
    rule_done = fields.Integer()
    status = fields.String()
    done = fields.Integer(metadata={"description": "this person's records that counted"})
    not_counted = fields.List(fields.Nested(PersonNotCountedOut))


class PersonOut(Schema):
    user = fields.Dict()
    rules = fields.List(fields.Nested(PersonRuleOut))


class PeopleOut(Schema):
    month = fields.String()
    property = fields.Nested(PropertyOut)
    people = fields.List(fields.Nested(PersonOut))


def _properties(property_id):
    if property_id is not None:
        return [require_property(property_id)]
    statement = sa.select(Property).order_by(Property.code)
    visible = visible_property_ids()
    if visible is not None:
        statement = statement.where(Property.id.in_(visible))
    return db.session.scalars(statement).all()


def _this_month(properties=()) -> date:
    """This month where the properties are (the first one's time zone), not the server's."""
    zone = properties[0].timezone if properties else DEFAULT_TIMEZONE
    return today_in(zone).replace(day=1)


@blp.route("", methods=["GET"])
@blp.arguments(ComplianceQuery, location="query")
@blp.response(200, ComplianceOut)
@requires(Permission.COMPLIANCE_READ)
def compliance(query):
    """Each frequency rule's required count against what was done, with the gaps."""
    properties = _properties(query.get("property_id"))
    first = query.get("month") or _this_month(properties)
    checklists = newest_checklists()
    return {"month": first.strftime("%Y-%m"), "properties": [
        {"property": prop, "rules": evaluate_property(prop, first, checklists)}
        for prop in properties]}


@blp.route("/people", methods=["GET"])
@blp.arguments(PersonQuery, location="query")
@blp.response(200, PeopleOut)
@requires(Permission.COMPLIANCE_READ)
def people(query):
    """For one property and month: what each person did against what was theirs to do."""
    prop = require_property(query["property_id"])
    first = query.get("month") or _this_month([prop])
    return {"month": first.strftime("%Y-%m"), "property": prop,
            "people": people_view(prop, first, newest_checklists())}


@blp.route("/trend", methods=["GET"])
@blp.arguments(TrendQuery, location="query")
@blp.response(200, TrendPointOut(many=True))
@requires(Permission.COMPLIANCE_READ)
def trend(query):
    """Monthly compliance rate per property and checklist, oldest month first."""
    return trend_points(_properties(query.get("property_id")), query["months"])
