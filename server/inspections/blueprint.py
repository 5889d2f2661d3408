import uuid
from datetime import date

from flask import Response, request
from flask_smorest import Blueprint

from server.core.pagination import paginate
from server.users.access import current_user

from . import listing, operations
from .schemas import ExportQuery, InspectionIn, InspectionOut, InspectionPage, InspectionQuery

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

blp = Blueprint("inspections", __name__, url_prefix="/api/inspections",
                description="Inspection records, pushed by phones under ids they make.")


@blp.route("", methods=["GET"])
@blp.arguments(InspectionQuery, location="query")
@blp.response(200, InspectionPage)
def list_inspections(query):
    """Records of the caller's properties, filtered and searched, newest first."""
    page = paginate(listing.filtered(query), query)
    listing.with_labels(page["items"])
    return page


@blp.route("/export", methods=["GET"])
@blp.arguments(ExportQuery, location="query")
@blp.response(200, content_type="application/octet-stream")
@blp.doc(responses={"200": {"description": "the selected records as XLSX or CSV",
                            "content": {listing_type: {"schema": {"type": "string",
                                                                  "format": "binary"}}
                                        for listing_type in ("text/csv", _XLSX)}}})
def export_inspections(query):
    """The same selection as the list, as a spreadsheet (at most 100,000 rows)."""
    fmt = query.pop("format")
    body = listing.export_csv(query) if fmt == "csv" else listing.export_xlsx(query)
    name = f"xuncha-records-{date.today().isoformat()}.{fmt}"
    return Response(body, mimetype="text/csv" if fmt == "csv" else _XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.route("/<uuid:record_id>", methods=["PUT"])
@blp.arguments(InspectionIn)
@blp.response(200, InspectionOut)
@blp.doc(parameters=[
    {"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
     "description": "revision being edited, for a record returned by a supervisor"},
    {"in": "header", "name": "X-Device-Time", "required": False, "schema": {"type": "string"},
     "description": "the phone's clock at sending (ISO 8601 with offset)"}])
@blp.alt_response(409, description="same id, different content")
@blp.alt_response(412, description="edit of a returned record on a stale revision")
@blp.alt_response(428, description="edit of a returned record without If-Match")
def push_inspection(data, record_id: uuid.UUID):
    """Store a sealed record. Idempotent: the same record sent again changes nothing."""
    return operations.push_record(current_user(), record_id, data,
                                  request.headers.get("If-Match"),
                                  request.headers.get("X-Device-Time"))


@blp.route("/<uuid:record_id>", methods=["GET"])
@blp.response(200, InspectionOut)
def get_inspection(record_id: uuid.UUID):
    """One record as the server holds it, with which attachments are still missing."""
    return operations.visible_record(record_id)


def init_app(app):
    from server.core.api import api
    api.register_blueprint(blp)
