"""Signed checklist PDFs: one record or a batch export, rendered with WeasyPrint."""

from server.core.api import api

from . import models  # noqa: F401  (registers the tables)
from .blueprint import blp
from .cli import pdf_command, purge_exports_command


def init_app(app):
    api.register_blueprint(blp)
    app.cli.add_command(pdf_command)
    app.cli.add_command(purge_exports_command)
