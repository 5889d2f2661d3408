"""Shared plumbing: database, error envelope, i18n, API object, health check."""


def init_app(app):
    from .api import api
    from .health import health
    api.register_blueprint(health)
