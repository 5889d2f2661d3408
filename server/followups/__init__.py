"""Follow-ups (整改): raised from failed items or by hand, fixed, verified, called back."""

from . import models  # noqa: F401  (registers the tables)


def init_app(app):
    from .blueprint import init_app as init_blueprints
    init_blueprints(app)
