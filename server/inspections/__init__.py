"""Inspection records: idempotent push, answer checks, seals, revisions."""

from . import models  # noqa: F401  (registers the tables)


def init_app(app):
    from server.media.signals import blob_holders

    from .blueprint import init_app as init_blueprints
    from .operations import records_holding
    init_blueprints(app)
    blob_holders.connect(records_holding, sender=app)
