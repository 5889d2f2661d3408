"""Staff monthly assessments: the supervisor's drafts, the staff member's acknowledgement,
the sealed PDF and the year-end figure.

Who sees what: staff their own (once submitted to them); supervisors those of their
properties; managers all. An assessment the caller may not see answers 404, as if it did not
exist, so ids reveal nothing.
"""

from datetime import date

import sqlalchemy as sa
from flask import Response

from server.core.api import Blueprint
from server.core.db import db
from server.core.errors import Problem
from server.properties.access import require_property
from server.users.access import can, current_user, requires, visible_or_404
from server.users.models import PropertyMember, User
from server.users.permissions import Permission

from . import operations
from .documents import assessment_document, summary
from .models import Assessment, AssessmentStatus
from .schemas import (
    AssessmentAcknowledgeIn,
    AssessmentEditIn,
    AssessmentListOut,
    AssessmentMonthQuery,
    AssessmentOpenIn,
    AssessmentOut,
    AssessmentPdfQuery,
    AssessmentStaffGridOut,
    AssessmentYearEndOut,
    AssessmentYearInputsIn,
    AssessmentYearQuery,
)

blp = Blueprint("assessments", __name__, url_prefix="/api/assessments",
                description="Staff monthly assessments (员工月绩效考核): draft → submitted → "
                            "acknowledged and sealed.")

_PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


def _first_day(month: str) -> date:
    return date.fromisoformat(f"{month}-01")


def readable_or_404(assessment_id: int) -> Assessment:
    """The assessment if the caller may read it: those who assess see their properties'; the
    staff member sees their own once it was submitted to them."""
    mine = lambda row: row.staff_id == current_user().id  # noqa: E731
    if can(Permission.ASSESSMENT_MANAGE):
        return visible_or_404(Assessment, assessment_id, also=lambda row: (
            mine(row) and row.status != AssessmentStatus.DRAFT) or not mine(row))
    return visible_or_404(Assessment, assessment_id, also=lambda row: (
        mine(row) and row.status != AssessmentStatus.DRAFT))


def _managed_or_404(assessment_id: int) -> Assessment:
    return visible_or_404(Assessment, assessment_id)


def _staff_of(prop, staff_id: int) -> User:
    staff = db.session.get(User, staff_id)
    if staff is None or not operations.is_member(prop.id, staff_id):
        operations.field_problem("assessment.not_staff", "staff_id")
    return staff


@blp.route("/staff", methods=["GET"])
@blp.arguments(AssessmentMonthQuery, location="query")
@blp.response(200, AssessmentStaffGridOut)
@requires(Permission.ASSESSMENT_MANAGE)
def staff_grid(query):
    """Every person serving the property, with their assessment of the month (if any)."""
    prop = require_property(query["property_id"])
    month = _first_day(query["month"])
    people = db.session.scalars(
        sa.select(User).join(PropertyMember, PropertyMember.user_id == User.id)
        .where(PropertyMember.property_id == prop.id, User.is_active,
               User.id != current_user().id)
        .order_by(User.display_name, User.id)).all()
    rows = {a.staff_id: a for a in db.session.scalars(sa.select(Assessment).filter_by(
        property_id=prop.id, month=month))}
    return {"property_id": prop.id, "month": query["month"],
            "rows": [{"staff": person, "assessment": rows.get(person.id) and summary(rows[person.id])}
                     for person in people]}


@blp.route("", methods=["POST"])
@blp.arguments(AssessmentOpenIn)
@blp.response(200, AssessmentOut)
@blp.alt_response(403, description="one's own assessment, or a property not assigned")
@blp.alt_response(422, description="not a member of the property, or a month to come")
@requires(Permission.ASSESSMENT_MANAGE)
def open_assessment(data):
    """Open (or reopen) the assessment of a staff member for a month. Idempotent."""
    prop = require_property(data["property_id"])
    staff = _staff_of(prop, data["staff_id"])
    assessment = operations.open_draft(current_user(), prop, staff, _first_day(data["month"]))
    return assessment_document(assessment)


@blp.route("/mine", methods=["GET"])
@blp.response(200, AssessmentListOut)
@requires(Permission.ASSESSMENT_READ)
def my_assessments():
    """The caller's own assessments given to them (not drafts), newest month first."""
    rows = db.session.scalars(sa.select(Assessment).where(
        Assessment.staff_id == current_user().id, Assessment.status != AssessmentStatus.DRAFT)
        .order_by(Assessment.month.desc()).limit(36)).all()
    return {"items": [assessment_document(a) for a in rows]}


@blp.route("/<int:assessment_id>", methods=["GET"])
@blp.response(200, AssessmentOut)
@blp.alt_response(404, description="no such assessment the caller may read")
@requires(Permission.ASSESSMENT_READ)
def get_assessment(assessment_id: int):
    return assessment_document(readable_or_404(assessment_id))


@blp.route("/<int:assessment_id>", methods=["PATCH"])
@blp.arguments(AssessmentEditIn)
@blp.response(200, AssessmentOut)
@blp.alt_response(409, description="submitted or acknowledged: no longer a draft")
@blp.alt_response(422, description="a score, reason, reward or penalty that is not allowed")
@requires(Permission.ASSESSMENT_MANAGE)
def edit_assessment(data, assessment_id: int):
    """Set scores, reasons, reward and penalty of a draft."""
    assessment = _managed_or_404(assessment_id)
    return assessment_document(operations.update_draft(current_user(), assessment, data))


@blp.route("/<int:assessment_id>/submit", methods=["POST"])
@blp.response(200, AssessmentOut)
@blp.alt_response(409, description="not a draft")
@blp.alt_response(422, description="a sub-item without a score, or a reason missing")
@requires(Permission.ASSESSMENT_MANAGE)
def submit_assessment(assessment_id: int):
    """Give the assessment to the staff member; its suggestions are kept as they are now."""
    assessment = _managed_or_404(assessment_id)
    return assessment_document(operations.submit(current_user(), assessment))


@blp.route("/<int:assessment_id>/withdraw", methods=["POST"])
@blp.response(200, AssessmentOut)
@blp.alt_response(409, description="not submitted, or already acknowledged")
@requires(Permission.ASSESSMENT_MANAGE)
def withdraw_assessment(assessment_id: int):
    """Take a submitted assessment back to a draft, before it is acknowledged."""
    assessment = _managed_or_404(assessment_id)
    return assessment_document(operations.withdraw(current_user(), assessment))


@blp.route("/<int:assessment_id>/acknowledge", methods=["POST"])
@blp.arguments(AssessmentAcknowledgeIn)
@blp.response(200, AssessmentOut)
@blp.alt_response(404, description="not the caller's own assessment")
@blp.alt_response(409, description="not submitted, or already acknowledged")
@requires(Permission.ASSESSMENT_READ)
def acknowledge_assessment(data, assessment_id: int):
    """The staff member acknowledges their assessment; it is then sealed."""
    assessment = readable_or_404(assessment_id)
    return assessment_document(
        operations.acknowledge(current_user(), assessment, data.get("remark")))


@blp.route("/<int:assessment_id>/pdf", methods=["GET"])
@blp.arguments(AssessmentPdfQuery, location="query")
@blp.response(200, content_type="application/pdf")
@blp.doc(responses={"200": {"description": "the acknowledged assessment as a PDF",
                            "content": _PDF}})
@blp.alt_response(404, description="no such assessment the caller may read")
@blp.alt_response(409, description="not yet acknowledged")
@requires(Permission.ASSESSMENT_READ)
def assessment_pdf(query, assessment_id: int):
    """The acknowledged assessment as the 员工月绩效考核登记表, with its verification code."""
    from .render import assessment_filename, render_assessment_pdf  # WeasyPrint: see pdf
    assessment = readable_or_404(assessment_id)
    if assessment.status != AssessmentStatus.ACKNOWLEDGED:
        raise Problem("assessment.not_sealed")
    response = Response(render_assessment_pdf(assessment, query["lang"]),
                        mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="{assessment_filename(assessment)}"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/year-end", methods=["GET"])
@blp.arguments(AssessmentYearQuery, location="query")
@blp.response(200, AssessmentYearEndOut)
@requires(Permission.ASSESSMENT_MANAGE)
def year_end(query):
    """The year-end figure (20% checks, 30% monthly assessments, 50% year-end assessment) and
    which of its inputs are still missing."""
    prop = require_property(query["property_id"])
    staff = _staff_of(prop, query["staff_id"])
    return operations.year_end(prop, staff, query["year"])


@blp.route("/year-end", methods=["PUT"])
@blp.arguments(AssessmentYearInputsIn)
@blp.response(200, AssessmentYearEndOut)
@requires(Permission.ASSESSMENT_MANAGE)
def enter_year_end(data):
    """Enter the inputs kept on paper: the weighted weekly/monthly checks and the year-end
    assessment."""
    prop = require_property(data["property_id"])
    staff = _staff_of(prop, data["staff_id"])
    operations.enter_year_inputs(current_user(), prop, staff, data["year"], data)
    return operations.year_end(prop, staff, data["year"])
