"""The flask-smorest Api and Blueprint: OpenAPI document, error envelope, bearer-token security
scheme, and ETags that are version numbers."""

import flask_smorest
from flask import request
from flask_smorest import Api as SmorestApi
from flask_smorest.exceptions import PreconditionFailed
from werkzeug.routing import IntegerConverter

from .errors import ErrorSchema, Problem, http_exception_response
from .schemas import MAX_ID as BIGGEST_ID


class Api(SmorestApi):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        return http_exception_response(error)


api = Api()


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint, every package's; its ETags are the version numbers clients
    already hold (a register row's ``version``, a record's ``revision``), sent as ``"3"``.

    Edits use flask-smorest's own ETag handling: ``@blp.etag`` on the view, ``blp.set_etag(n)``
    for the answer and ``blp.check_etag(n)`` for the If-Match of an edit (strong comparison, as
    RFC 9110 asks of If-Match: ``"3"`` and ``3`` match version 3, ``W/"3"`` does not). Its
    refusals speak the error envelope: 428 ``request.precondition_required`` without If-Match,
    412 with the problem code the caller names otherwise.
    """

    @staticmethod
    def _generate_etag(etag_data, extra_data=None):
        if isinstance(etag_data, int) and not extra_data:
            return str(etag_data)
        return flask_smorest.Blueprint._generate_etag(etag_data, extra_data)

    def _check_precondition(self):
        if request.method in self.METHODS_NEEDING_CHECK_ETAG and not request.if_match:
            raise Problem("request.precondition_required")

    def check_etag(self, etag_data, etag_schema=None, *, problem: str = "request.stale_version",
                   details: dict | None = None):
        self._check_precondition()
        try:
            super().check_etag(etag_data, etag_schema)
        except PreconditionFailed:
            raise Problem(problem, details=details) from None



class IdConverter(IntegerConverter):
    """`<int:...>` in every route: database ids fit in 32 bits, so a bigger number in a URL is
    simply not found (404) instead of overflowing the database driver."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", BIGGEST_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app):
    app.url_map.converters["int"] = IdConverter
    api.register_converter(IdConverter, lambda converter: {
        "type": "integer", "minimum": 0, "maximum": BIGGEST_ID})
    api.init_app(app, spec_kwargs={
        "info": {"description": "Xuncha (巡查) sync and management API. Errors use one envelope "
                                "with a stable `code` and a message in the caller's language "
                                "(Accept-Language: zh-CN or en)."},
    })
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer",
                       "description": "Token from POST /api/auth/login"})
    api.spec.options["security"] = [{"bearerAuth": []}]
