"""The monthly report: JSON for the screen, XLSX and a PDF with its verification code."""

import sqlalchemy as sa
from flask import Response

from server.core.api import Blueprint
from server.core.db import db
from server.properties.access import require_property
from server.properties.models import Property
from server.users.access import requires, visible_property_ids
from server.users.permissions import Permission

from . import operations, spreadsheet
from .schemas import MonthlyReportOut, ReportQuery

blp = Blueprint("reports", __name__, url_prefix="/api/reports",
                description="The supervisor's monthly report (月报), per property or several.")

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(query) -> dict:
    """The report of the properties asked for (each must be the caller's: 403 otherwise, 404
    for one that does not exist), or of every property the caller sees."""
    ids = query.get("property_id")
    if ids:
        properties = [require_property(property_id) for property_id in dict.fromkeys(ids)]
    else:
        statement = sa.select(Property).order_by(Property.code)
        visible = visible_property_ids()
        if visible is not None:
            statement = statement.where(Property.id.in_(visible))
        properties = db.session.scalars(statement).all()
    return operations.monthly_report(properties, query["month"])


def _filename(report: dict, suffix: str) -> str:
    codes = "-".join(section["property"]["code"] for section in report["properties"][:3])
    more = "-etc" if len(report["properties"]) > 3 else ""
    return f"xuncha-monthly-report-{report['month']}-{codes}{more}.{suffix}"


def _download(body: bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/monthly", methods=["GET"])
@blp.arguments(ReportQuery, location="query")
@blp.response(200, MonthlyReportOut)
@blp.alt_response(403, description="a property the caller is not assigned to")
@blp.alt_response(404, description="no such property")
@requires(Permission.REPORT_READ)
def monthly(query):
    """One month's figures per property (and their totals when several are asked for)."""
    report = _report(query)
    return {**report, "verification_code": operations.verification_code(report)}


@blp.route("/monthly.xlsx", methods=["GET"])
@blp.arguments(ReportQuery, location="query")
@blp.response(200, content_type=_XLSX)
@blp.doc(responses={"200": {"description": "the report as a spreadsheet",
                            "content": {_XLSX: {"schema": {"type": "string",
                                                           "format": "binary"}}}}})
@requires(Permission.REPORT_READ)
def monthly_xlsx(query):
    """The same figures as a spreadsheet, in the language asked for."""
    report = _report(query)
    return _download(spreadsheet.report_xlsx(report, query["lang"]), _XLSX,
                     _filename(report, "xlsx"))


@blp.route("/monthly.pdf", methods=["GET"])
@blp.arguments(ReportQuery, location="query")
@blp.response(200, content_type="application/pdf")
@blp.doc(responses={"200": {"description": "the report as a PDF with its verification code; "
                                           "check it offline with scripts/verify_seal.py",
                            "content": {"application/pdf": {"schema": {"type": "string",
                                                                       "format": "binary"}}}}})
@requires(Permission.REPORT_READ)
def monthly_pdf(query):
    """The same figures as a PDF, its verification code printed and the figures embedded."""
    from . import document  # WeasyPrint is imported only by processes that render a PDF
    report = _report(query)
    return _download(document.report_pdf(report, query["lang"]), "application/pdf",
                     _filename(report, "pdf"))
