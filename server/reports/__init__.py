"""The supervisor's monthly report (月报): figures computed on demand from the month's data."""

from server.core.api import api

from .blueprint import blp


def init_app(app):
    api.register_blueprint(blp)
