"""Review of records by supervisors: approve or return, each step an audit event."""

from . import models  # noqa: F401  (registers the tables)


def init_app(app):
    from .blueprint import init_app as init_blueprints
    init_blueprints(app)
