"""Properties and their registers (units, renovations, keys); who serves them is in users."""

from . import models  # noqa: F401  (registers the tables)


def init_app(app):
    from .blueprint import init_app as init_blueprints
    init_blueprints(app)
