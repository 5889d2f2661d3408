"""Review of records by supervisors: approve or return, each step an audit event."""

from . import models  # noqa: F401  (registers the tables)


def init_app(app):
    from server.inspections.signals import records_loaded

    from .blueprint import init_app as init_blueprints
    from .operations import attach_review_steps
    init_blueprints(app)
    records_loaded.connect(attach_review_steps, sender=app)
