"""Frequency rules: how often each inspection must happen, and what is still due (rules.py)."""


def init_app(app):
    """Nothing to register: the pull and compliance call the rules directly."""
