"""Frequency rules: how often each inspection must happen, and what is still due (rules.py);
results kept between requests until what they count changes (generations.py, kept.py)."""

from . import generations  # noqa: F401  (the model, and the listeners that renew the marks)
from .kept import configure


def init_app(app):
    """The pull and compliance call the rules directly; only the size of what is kept is set."""
    configure(app.config["RULE_RESULTS_KEPT"])
