"""Follow-ups (整改): raised from failed items or by hand, fixed, verified, called back."""

from . import models  # noqa: F401  (registers the tables)


def init_app(app):
    from server.inspections.signals import record_stored
    from server.media.signals import blob_holders

    from .blueprint import init_app as init_blueprints
    from .operations import follow_ups_holding, raise_for_stored_record
    init_blueprints(app)
    record_stored.connect(raise_for_stored_record, sender=app)
    blob_holders.connect(follow_ups_holding, sender=app)
