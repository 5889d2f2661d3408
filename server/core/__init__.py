"""Shared plumbing: database, error envelope, i18n, API object, health check."""

from . import headers, i18n, limits
from .api import api
from .health import health


def init_app(app):
    i18n.init_app(app)
    limits.init_app(app)
    headers.init_app(app)
    api.register_blueprint(health)
