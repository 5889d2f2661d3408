"""Checklist definitions: format, item rules, validation, versioned publishing, API and CLI."""

from server.core.api import api

from . import models  # noqa: F401  (registers the tables)
from .blueprint import blp
from .cli import checklists_cli


def init_app(app):
    api.register_blueprint(blp)
    app.cli.add_command(checklists_cli)
