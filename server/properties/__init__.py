"""Properties and their registers (units, renovations, keys); who serves them is in users."""

from server.core.api import api

from . import models  # noqa: F401  (registers the tables)
from .blueprint import blp


def init_app(app):
    api.register_blueprint(blp)
