"""PDF endpoints: one record now; batches as export jobs with progress."""

import uuid
from contextlib import closing

from flask import Response, after_this_request

from server.core.api import Blueprint
from server.inspections.access import readable_record_or_404
from server.properties.access import require_property
from server.users.access import current_user, requires, visible_or_404
from server.users.permissions import Permission

from . import documents, jobs, operations
from .models import ExportJob
from .schemas import ExportIn, ExportOut, PdfQuery

blp = Blueprint("pdf", __name__, url_prefix="/api",
                description="Signed checklist PDFs, one record or a batch export.")

_PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
_ZIP = {"application/zip": {"schema": {"type": "string", "format": "binary"}}}


@blp.route("/inspections/<uuid:record_id>/pdf", methods=["GET"])
@blp.arguments(PdfQuery, location="query")
@blp.response(200, content_type="application/pdf")
@blp.doc(responses={"200": {"description": "the record as a PDF", "content": _PDF}})
@blp.alt_response(404, description="no such record, or not of a property assigned to the caller")
@requires(Permission.RECORD_READ)
def record_pdf(query, record_id: uuid.UUID):
    """One record as a signed PDF: items, photos, signatures, history and the seal."""
    record = readable_record_or_404(record_id)
    data = documents.record_pdf(record, query["lang"])
    return _download(data, "application/pdf", documents.record_filename(record), inline=True)


@blp.route("/exports", methods=["POST"])
@blp.arguments(ExportIn)
@blp.response(202, ExportOut)
@blp.alt_response(403, description="role or property not allowed")
@blp.alt_response(422, description="no records match, too many, or bad dates")
@blp.alt_response(429, description="too many exports under way (the caller's, or everyone's)")
@requires(Permission.RECORD_EXPORT)
def create_export(data):
    """Start a batch export of the records matching the filters; poll its progress."""
    user = current_user()
    require_property(data["property_id"])
    operations.delete_expired_exports()
    job = operations.create_export(user, data)
    job_id = job.id

    @after_this_request
    def start(response):
        # Runs after the request's commit: the worker must find the job's row.
        if response.status_code == 202:
            jobs.dispatch(job_id)
        return response

    return job


@blp.route("/exports/<int:export_id>", methods=["GET"])
@blp.response(200, ExportOut)
@blp.alt_response(404, description="no such export of the caller's")
@requires(Permission.RECORD_READ)
def get_export(export_id: int):
    """An export's status and progress (done of total records)."""
    return operations.fail_if_stalled(_own_export(export_id))


@blp.route("/exports/<int:export_id>/file", methods=["GET"])
@blp.response(200, content_type="application/pdf")
@blp.doc(responses={"200": {"description": "the merged PDF or the ZIP of PDFs",
                            "content": {**_PDF, **_ZIP}}})
@blp.alt_response(409, description="the export is not finished")
@blp.alt_response(410, description="the file was kept EXPORT_FILE_HOURS and is gone")
@blp.alt_response(404, description="no such export of the caller's")
@requires(Permission.RECORD_READ)
def export_file(export_id: int):
    """The finished export: one merged PDF, or a ZIP with one PDF per record."""
    job = _own_export(export_id)
    handle, mimetype, name = operations.export_file(job)
    response = _download(_chunks(handle), mimetype, name)
    response.content_length = job.file_size
    return response


def _chunks(handle, size: int = 1024 * 1024):
    """The stored file, a megabyte at a time: a 300 MB export never sits in memory."""
    with closing(handle):
        while block := handle.read(size):
            yield block


def _own_export(export_id: int) -> ExportJob:
    """Exports are seen only by whoever started them, while they still serve its property."""
    user = current_user()
    return visible_or_404(ExportJob, export_id, also=lambda job: job.user_id == user.id)


def _download(data, mimetype: str, name: str, inline: bool = False) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
