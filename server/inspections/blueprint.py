import uuid

from flask import Response, request

from server.core.api import Blueprint
from server.core.db import today_in
from server.core.pagination import paginate
from server.users.access import current_user, requires
from server.users.permissions import Permission

from . import listing, operations
from .access import readable_record_or_404
from .schemas import ExportQuery, InspectionIn, InspectionOut, InspectionPage, InspectionQuery, PushHeaders
from .seal import record_export_filename, record_export_json

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

blp = Blueprint("inspections", __name__, url_prefix="/api/inspections",
                description="Inspection records, pushed by phones under ids they make.")


@blp.route("", methods=["GET"])
@blp.arguments(InspectionQuery, location="query")
@blp.response(200, InspectionPage)
@requires(Permission.RECORD_READ)
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
@requires(Permission.RECORD_READ)
def export_inspections(query):
    """The same selection as the list, as a spreadsheet (at most 100,000 rows)."""
    fmt = query.pop("format")
    body = listing.export_csv(query) if fmt == "csv" else listing.export_xlsx(query)
    name = f"xuncha-records-{today_in().isoformat()}.{fmt}"
    return Response(body, mimetype="text/csv" if fmt == "csv" else _XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.route("/<uuid:record_id>", methods=["PUT"])
@blp.arguments(InspectionIn)
@blp.arguments(PushHeaders, location="headers")
@blp.response(200, InspectionOut)
@blp.alt_response(400, description="malformed X-Device-Time (request.bad_device_time)")
@blp.alt_response(409, description="same id, different content; or an edit of a record not "
                                   "returned for editing (record.not_editable)")
@blp.alt_response(412, description="edit (If-Match) naming a revision that is not the current one")
@blp.alt_response(428, description="edit of a returned record without If-Match")
@requires(Permission.RECORD_PUSH)
def push_inspection(data, headers, record_id: uuid.UUID):
    """Store a sealed record. Idempotent: the same record sent again changes nothing."""
    def check_revision(current: int, required: bool = True) -> bool:
        if not required and not request.if_match:
            return False
        blp.check_etag(current, problem="record.stale_revision",
                       details={"current_revision": current})
        return True

    record = operations.push_record(current_user(), record_id, data, check_revision,
                                    headers.get("device_time"))
    return operations.load_one_printed(record)


@blp.route("/<uuid:record_id>", methods=["GET"])
@blp.response(200, InspectionOut)
@requires(Permission.RECORD_READ)
def get_inspection(record_id: uuid.UUID):
    """One record as the server holds it, with which attachments are still missing."""
    return operations.load_one_printed(readable_record_or_404(record_id))


@blp.route("/<uuid:record_id>/record.json", methods=["GET"])
@blp.response(200, content_type="application/json")
@blp.doc(responses={"200": {"description": "the record's current revision as JSON, with its "
                                           "seal; verify offline with scripts/verify_seal.py",
                            "content": {"application/json": {"schema": {"type": "object"}}}}})
@blp.alt_response(404, description="no such record, or not of a property assigned to the caller")
@requires(Permission.RECORD_READ)
def record_json(record_id: uuid.UUID):
    """One record as a downloadable JSON document that anyone can check against its seal."""
    record = readable_record_or_404(record_id)
    response = Response(record_export_json(record), mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{record_export_filename(record)}"')
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
