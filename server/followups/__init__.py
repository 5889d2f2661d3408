"""Follow-ups (整改): raised from failed items or by hand, fixed, verified, called back."""

from server.core.api import api
from server.inspections.signals import record_stored
from server.media.signals import blob_holders

from . import models  # noqa: F401  (registers the tables)
from .blueprint import blp
from .cli import followups_cli
from .operations import follow_ups_holding, raise_for_stored_record


def init_app(app):
    api.register_blueprint(blp)
    app.cli.add_command(followups_cli)
    record_stored.connect(raise_for_stored_record, sender=app)
    blob_holders.connect(follow_ups_holding, sender=app)
