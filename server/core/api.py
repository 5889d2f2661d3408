"""The flask-smorest Api: OpenAPI document, error envelope, bearer-token security scheme."""

from flask_smorest import Api as SmorestApi

from .errors import ErrorSchema, http_exception_response


class Api(SmorestApi):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        return http_exception_response(error)


api = Api()


def init_app(app):
    api.init_app(app, spec_kwargs={
        "info": {"description": "Xuncha (巡查) sync and management API. Errors use one envelope "
                                "with a stable `code` and a message in the caller's language "
                                "(Accept-Language: zh-CN or en)."},
    })
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer",
                       "description": "Token from POST /api/auth/login"})
    api.spec.options["security"] = [{"bearerAuth": []}]
