"""One error envelope for the whole API.

Every error answer has the shape::

    {"error": {"code": "auth.invalid_credentials", "message": "用户名或密码错误。",
               "status": 401, "details": {...}}}

``code`` is stable and meant for programs (the PWA branches on it); ``message`` is for people,
in the caller's language; ``details`` carries field errors or the limits that were exceeded,
and is ``{}`` otherwise.
"""

import logging

from flask import jsonify
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from .i18n import message
from .problems import CODE_FOR_HTTP_STATUS, status_of

log = logging.getLogger(__name__)


class Problem(Exception):
    """An error the caller can act on. Raise it from operations and views; nothing is written.

    Raised by code only: the status comes from the problem table (`server/core/problems.py`).

    ``keep_writes`` asks the request boundary to commit what was flushed before the refusal,
    for the rare bookkeeping a refusal must not undo (a failed login is counted).
    """

    def __init__(self, code: str, /, details: dict | None = None,
                 headers: dict | None = None, keep_writes: bool = False, **params):
        super().__init__(code)
        self.keep_writes = keep_writes
        self.status = status_of(code)
        self.code = code
        self.details = details or {}
        self.headers = headers or {}
        self.params = params


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"description": "stable machine code"})
    message = fields.String(required=True, metadata={"description": "in the caller's language"})
    status = fields.Integer(required=True)
    details = fields.Dict(required=True, metadata={
        "description": "field errors or limits; {} when there is nothing to add"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


def error_response(code: str, /, details=None, headers=None, http_status: int | None = None,
                   **params):
    """The envelope for ``code``; ``http_status`` only for errors werkzeug raised with a status of
    its own that the problem table does not name."""
    status = http_status or status_of(code)
    # details is always there, empty when there is nothing to add: clients read it without
    # asking first whether it exists.
    body = {"code": code, "message": message(code, **params), "status": status,
            "details": details or {}}
    response = jsonify({"error": body})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_exception_response(error: HTTPException):
    """Render werkzeug / webargs errors (bad JSON, validation, 404, 405, 413) in our envelope."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        # flask-smorest drops Allow on 405; RFC 9110 requires it.
        headers["Allow"] = ", ".join(error.valid_methods)
    if messages:
        # webargs nests field errors by location: {"json": {...}} / {"query": {...}}.
        if _is_invalid_json(messages):
            return error_response("request.invalid_json", headers=headers)
        return error_response("request.invalid", details={"fields": messages},
                              headers=headers)
    code = CODE_FOR_HTTP_STATUS.get(status, "request.bad" if status < 500 else "server.error")
    params, details = {}, None
    if status == 413:
        from flask import request
        limit = request.max_content_length  # this endpoint's (server/core/limits.py)
        params["limit"] = size_text(limit)
        details = {"max_bytes": limit}
    return error_response(code, details=details, headers=headers, http_status=status, **params)


def size_text(size: int) -> str:
    """A byte count as people read it: 4 KB, 256 KB, 32 MB."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} KB"


def _is_invalid_json(messages) -> bool:
    json_messages = messages.get("json") if isinstance(messages, dict) else None
    return isinstance(json_messages, dict | list) and "Invalid JSON body." in (
        json_messages if isinstance(json_messages, list) else json_messages.get("_schema", []))


def close_if_body_unread(response):
    """A request refused before its body was read (a 401 or a bad hash on a 5 MB upload) must
    not leave that body in the connection: the next request on it would be read from the
    middle of the photo and fail, which a phone takes for being offline. Rather than read
    megabytes it will throw away, the server says it closes the connection; the client opens a
    new one for its next request."""
    from flask import request
    length = request.content_length
    if not length:
        return response
    stream = request.__dict__.get("stream")
    if stream is None or not getattr(stream, "is_exhausted", True):
        response.headers["Connection"] = "close"
    return response


def init_app(app):
    app.after_request(close_if_body_unread)

    @app.errorhandler(Problem)
    def handle_problem(problem: Problem):
        return error_response(problem.code, problem.details, problem.headers, **problem.params)

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        return http_exception_response(error)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.exception("unhandled error")
        return error_response("server.error")
