from datetime import date, timedelta

import sqlalchemy as sa
from marshmallow import Schema, ValidationError, fields, validate

from server.checklists.operations import latest_versions
from server.core.api import Blueprint
from server.core.db import db, utcnow
from server.core.schemas import Id, InputSchema
from server.properties.access import require_property
from server.properties.models import Property
from server.properties.schemas import PropertyOut
from server.users.access import requires, visible_property_ids
from server.users.permissions import Permission

from .operations import evaluate_property

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
    subject = fields.Dict()
    done = fields.Integer()
    required = fields.Integer()


class RuleOut(Schema):
    checklist_code = fields.String()
    checklist_title = fields.Dict()
    rule_id = fields.String()
    label = fields.Dict()
    period = fields.String()
    required = fields.Integer()
    done = fields.Integer()
    rate = fields.Float()
    met = fields.Boolean()
    periods = fields.Integer()
    periods_met = fields.Integer()
    late = fields.Integer(metadata={"description": "records received late among those counted"})
    gaps = fields.List(fields.Nested(GapOut), metadata={"description": "first 50 gaps"})


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
    required = fields.Integer()
    done = fields.Integer()
    rate = fields.Float()


def _properties(property_id):
    if property_id is not None:
        return [require_property(property_id)]
    statement = sa.select(Property).order_by(Property.code)
    visible = visible_property_ids()
    if visible is not None:
        statement = statement.where(Property.id.in_(visible))
    return db.session.scalars(statement).all()


def _this_month() -> date:
    return utcnow().date().replace(day=1)


@blp.route("", methods=["GET"])
@blp.arguments(ComplianceQuery, location="query")
@blp.response(200, ComplianceOut)
@requires(Permission.COMPLIANCE_READ)
def compliance(query):
    """Each frequency rule's required count against what was done, with the gaps."""
    first = query.get("month") or _this_month()
    checklists = latest_versions()
    return {"month": first.strftime("%Y-%m"), "properties": [
        {"property": prop, "rules": evaluate_property(prop, first, checklists)}
        for prop in _properties(query.get("property_id"))]}


@blp.route("/trend", methods=["GET"])
@blp.arguments(TrendQuery, location="query")
@blp.response(200, TrendPointOut(many=True))
@requires(Permission.COMPLIANCE_READ)
def trend(query):
    """Monthly compliance rate per property and checklist, oldest month first."""
    checklists = latest_versions()
    first = _this_month()
    months = []
    for _ in range(query["months"]):
        months.insert(0, first)
        first = (first - timedelta(days=1)).replace(day=1)
    points = []
    for prop in _properties(query.get("property_id")):
        for month in months:
            totals: dict[str, list[int]] = {}
            for rule in evaluate_property(prop, month, checklists):
                entry = totals.setdefault(rule["checklist_code"], [0, 0])
                entry[0] += rule["required"]
                entry[1] += rule["done"]
            for code, (required, done) in totals.items():
                points.append({"month": month.strftime("%Y-%m"), "property_id": prop.id,
                               "checklist_code": code, "required": required, "done": done,
                               "rate": round(done / required, 4) if required else 1.0})
    return points
