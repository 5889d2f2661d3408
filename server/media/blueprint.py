"""Blob endpoints: resumable, content-addressed uploads and access-checked downloads."""

from flask import Response, current_app, request
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import ClientDisconnected

from server.core.api import Blueprint
from server.core.db import db
from server.core.errors import Problem
from server.core.schemas import HeadersSchema, InputSchema
from server.users.access import current_user, requires
from server.users.permissions import Permission

from . import operations
from .access import may_read
from .models import Blob
from .storage import blob_store

blp = Blueprint("blobs", __name__, url_prefix="/api/blobs",
                description="Photos and signatures, named by the SHA-256 of their bytes.")

_UPLOAD_BODY = {"content": {t: {"schema": {"type": "string", "format": "binary"}}
                            for t in ("image/jpeg", "image/png", "image/webp", "image/heic")}}


class BlobStatusOut(Schema):
    sha256 = fields.String()
    stored = fields.Boolean(metadata={"description": "true once the blob is durably stored"})
    received = fields.Integer(metadata={"description": "bytes held; resume from here"})
    size = fields.Integer(allow_none=True)


class UploadQuery(InputSchema):
    kind = fields.String(load_default="photo", validate=validate.OneOf(("photo", "signature")),
                         metadata={"description": "photo (default): JPEG, PNG, WebP or HEIC, "
                                                  "served as JPEG copies; signature: PNG only, "
                                                  "served as PNG"})


class UploadHeaders(HeadersSchema):
    content_range = fields.String(data_key="Content-Range", metadata={
        "description": "bytes START-END/TOTAL for one part of a resumable upload"})


class DownloadQuery(InputSchema):
    variant = fields.String(load_default="display",
                            validate=validate.OneOf(("display", "thumb", "original")))


@blp.route("/<sha256>/status", methods=["GET"])
@blp.response(200, BlobStatusOut)
@requires(Permission.MEDIA_UPLOAD)
def blob_status(sha256):
    """Is this blob stored, and how much of an unfinished upload does the server hold?"""
    operations.check_sha256(sha256)
    return operations.upload_status(sha256, current_user())


@blp.route("/<sha256>", methods=["PUT"])
@blp.arguments(UploadQuery, location="query")
@blp.arguments(UploadHeaders, location="headers")
@blp.response(200, BlobStatusOut)
@blp.doc(requestBody=_UPLOAD_BODY)
@blp.alt_response(400, description="malformed Content-Range (upload.bad_range)")
@blp.alt_response(409, description="the part does not start where the server's copy ends "
                                   "(upload.offset_mismatch), or declares another total size "
                                   "than the upload under way (upload.size_mismatch)")
@blp.alt_response(413, description="larger than the upload limit (details.max_bytes)")
@blp.alt_response(415, description="not an accepted image type")
@blp.alt_response(422, description="hash mismatch, not an image, bytes not of the declared "
                                   "type, too many pixels, location data")
@blp.alt_response(503, description="too many images being decoded; retry after Retry-After")
@requires(Permission.MEDIA_UPLOAD)
def upload_blob(query, headers, sha256):
    """Upload a blob whole, or one part of it (Content-Range). Idempotent; a part cut off in
    transit keeps the bytes that arrived (ask `status`, resume from `received`)."""
    operations.check_sha256(sha256)
    length = request.content_length
    if length is not None and length > current_app.config["MAX_UPLOAD_BYTES"]:
        raise Problem("upload.too_large",
                      details={"max_bytes": current_app.config["MAX_UPLOAD_BYTES"]},
                      limit=f"{current_app.config['MAX_UPLOAD_BYTES'] // (1024 * 1024)} MB")
    content_type = (request.mimetype or "").lower()
    operations.check_part_start(sha256, headers.get("content_range"), current_user())
    data, cut = _read_body()
    return operations.receive(sha256, query["kind"], content_type, data,
                              headers.get("content_range"), current_user(),
                              cut_total=length if cut else None)


def _read_body() -> tuple[bytes, bool]:
    """The request body, and whether the connection broke before all of it arrived."""
    chunks = []
    try:
        while chunk := request.stream.read(64 * 1024):
            chunks.append(chunk)
    except (ClientDisconnected, OSError):
        return b"".join(chunks), True
    data = b"".join(chunks)
    # A server that marks its input as terminated (gunicorn) hands over the connection's stream
    # as it is: a broken connection then reads as an early end, not as an error. Shorter than
    # Content-Length is a cut all the same, and what arrived is kept.
    length = request.content_length
    return data, length is not None and len(data) < length


@blp.route("/<sha256>", methods=["GET"])
@blp.arguments(DownloadQuery, location="query")
@blp.response(200, content_type="image/jpeg")
@blp.doc(responses={"200": {"description": "the image",
                            "content": {"image/jpeg": {"schema": {"type": "string",
                                                                  "format": "binary"}},
                                        "image/png": {"schema": {"type": "string",
                                                                 "format": "binary"}}}}})
@requires(Permission.MEDIA_READ)
def download_blob(query, sha256):
    """A stored photo or signature, for people who may see a record that holds it."""
    operations.check_sha256(sha256)
    blob = db.session.get(Blob, sha256)
    if blob is None or not may_read(sha256, current_user()):
        raise Problem("not_found")
    variant = query["variant"]
    key = operations.storage_keys(sha256, blob.kind)[variant]
    if variant == "original":
        mimetype = blob.content_type
    else:
        mimetype = "image/png" if blob.kind == "signature" else "image/jpeg"
    response = Response(blob_store().get(key), mimetype=mimetype)
    # Content-addressed: the bytes behind this URL never change.
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["ETag"] = f'"{sha256}-{variant}"'
    _as_inert_file(response, f"{sha256[:16]}-{variant}", mimetype, inline=variant != "original")
    return response


_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
               "image/heic": "heic", "image/heif": "heif"}


def _as_inert_file(response: Response, name: str, mimetype: str, inline: bool):
    """Whatever an uploaded file holds, a browser shows it as the image it claims to be or saves
    it, never runs it: its declared type only (nosniff, on every answer), a file name, and a
    sandbox with nothing allowed should it be opened on its own. The original is a download."""
    extension = _EXTENSIONS.get(mimetype, "bin")
    response.headers["Content-Disposition"] = (
        f'{"inline" if inline else "attachment"}; filename="{name}.{extension}"')
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"

