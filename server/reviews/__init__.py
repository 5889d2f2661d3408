"""Review of records by supervisors: approve or return, each step an audit event."""

from server.core.api import api
from server.inspections.signals import records_loaded

from . import models  # noqa: F401  (registers the tables)
from .blueprint import blp
from .operations import attach_review_steps


def init_app(app):
    api.register_blueprint(blp)
    records_loaded.connect(attach_review_steps, sender=app)
