"""Staff monthly assessments (员工月绩效考核, seed 002 §4.5–4.12): suggestions from the month's
data, the supervisor's scores, the staff member's acknowledgement, the sealed PDF."""

from server.core.api import api

from . import models  # noqa: F401  (registers the tables)
from .blueprint import blp
from .form import assessment_form


def init_app(app):
    # Seed 002 §4.12.1: the form is kept 2 years; a shorter setting would break that promise.
    if int(app.config["ASSESSMENT_RETENTION_YEARS"]) < 2:
        raise ValueError("ASSESSMENT_RETENTION_YEARS must be at least 2 (seed 002 §4.12.1)")
    assessment_form()  # a form.yaml that does not add up stops the app here
    api.register_blueprint(blp)
