"""The flask-smorest Api: OpenAPI document, error envelope, bearer-token security scheme."""

from flask_smorest import Api as SmorestApi
from werkzeug.routing import IntegerConverter

from .errors import ErrorSchema, http_exception_response
from .schemas import MAX_ID as BIGGEST_ID


class Api(SmorestApi):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        return http_exception_response(error)


api = Api()



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
