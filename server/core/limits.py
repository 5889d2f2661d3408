"""How much a request may send, decided before its body is read.

Every API endpoint takes a small JSON body (MAX_BODY_BYTES), the unauthenticated login a few
kilobytes (MAX_LOGIN_BODY_BYTES) and the record push, the largest JSON a phone sends, more
(MAX_RECORD_BODY_BYTES). A body announced larger is refused before a byte of it is read; one
sent without a length (chunked) is cut off at the limit. Photo uploads keep the app-wide ceiling
MAX_CONTENT_LENGTH and check MAX_UPLOAD_BYTES themselves.

JSON nested deeper than MAX_JSON_DEPTH is refused (400) before any parser recurses into it:
no request of ours nests more than a handful of levels, and a body of ``[[[[…`` 100,000 deep
would otherwise overflow the parser's stack.
"""

import json
import re

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import Problem

# Endpoint → the setting that bounds its body; None keeps the app-wide ceiling.
BODY_LIMITS = {
    "auth.login": "MAX_LOGIN_BODY_BYTES",
    "inspections.push_inspection": "MAX_RECORD_BODY_BYTES",
    "checklists.publish_checklist": "MAX_RECORD_BODY_BYTES",
    "blobs.upload_blob": None,
}
DEFAULT_BODY_LIMIT = "MAX_BODY_BYTES"

# A JSON string (escapes included), then anything that is not a bracket.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_INNERMOST_PAIR = re.compile(rb"\[\]|\{\}")


def nested_deeper_than(data: bytes, depth: int) -> bool:
    """Does the JSON text ``data`` nest arrays and objects more than ``depth`` levels?

    Counted without recursion: strings are set aside, then each pass removes the innermost
    bracket pairs, one level per pass. Text that is not JSON at all is left to the parser,
    which reports it as such.
    """
    brackets = _NOT_BRACKET.sub(b"", _JSON_STRING.sub(b"", data))
    for _ in range(depth):
        if not brackets:
            return False
        brackets = _INNERMOST_PAIR.sub(b"", brackets)
    if not brackets:
        return False
    try:
        json.loads(data)
    except RecursionError:
        return True
    except ValueError:
        return False  # malformed: the parser's "not valid JSON" says it better
    return True


def limit_request_body():
    """before_request: the endpoint's body limit, and the nesting limit of a JSON body."""
    if request.endpoint is None or not request.path.startswith("/api/"):
        return
    setting = BODY_LIMITS.get(request.endpoint, DEFAULT_BODY_LIMIT)
    if setting is None:
        return
    limit = current_app.config[setting]
    request.max_content_length = limit  # also cuts a chunked body off at the limit
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()
    if request.is_json and request.content_length != 0:
        data = request.get_data(cache=True)
        if request.content_length is None and len(data) >= limit:
            # A body without a length stops at the limit, quietly; reading on past it is what
            # raises 413, rather than parsing a truncated body.
            request.stream.read(1)
        depth = current_app.config["MAX_JSON_DEPTH"]
        if nested_deeper_than(data, depth):
            raise Problem("request.too_deep", details={"max_depth": depth}, limit=depth)


def init_app(app):
    app.before_request(limit_request_body)
