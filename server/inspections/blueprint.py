import uuid

from flask import Response

from server.core.api import Blueprint
from server.core.db import today_in
from server.core.pagination import paginate
from server.users.access import current_user, requires, visible_or_404
from server.users.permissions import Permission

from . import listing, operations
from .models import Inspection
from .schemas import ExportQuery, InspectionIn, InspectionOut, InspectionPage, InspectionQuery, PushHeaders

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
@blp.alt_response(409, description="same id, different content")
@blp.alt_response(412, description="edit of a returned record on a stale revision")
@blp.alt_response(428, description="edit of a returned record without If-Match")
@requires(Permission.RECORD_PUSH)
def push_inspection(data, headers, record_id: uuid.UUID):
    """Store a sealed record. Idempotent: the same record sent again changes nothing."""
    def check_revision(current: int):
        blp.check_etag(current, problem="record.stale_revision",
                       details={"current_revision": current})

    record = operations.push_record(current_user(), record_id, data, check_revision,
                                    headers.get("device_time"))
    return operations.load_one_printed(record)


@blp.route("/<uuid:record_id>", methods=["GET"])
@blp.response(200, InspectionOut)
@requires(Permission.RECORD_READ)
def get_inspection(record_id: uuid.UUID):
    """One record as the server holds it, with which attachments are still missing."""
    return operations.load_one_printed(visible_or_404(Inspection, record_id))
