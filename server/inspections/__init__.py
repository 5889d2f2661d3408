"""Inspection records: idempotent push, answer checks, seals, revisions."""

from server.core.api import api
from server.media.signals import blob_holders

from . import models  # noqa: F401  (registers the tables)
from .blueprint import blp
from .operations import records_holding


def init_app(app):
    api.register_blueprint(blp)
    blob_holders.connect(records_holding, sender=app)
