"""Signed checklist PDFs: one record or a batch export, rendered with WeasyPrint."""

from . import models  # noqa: F401  (registers the tables)


def init_app(app):
    from .blueprint import init_app as init_blueprints
    from .cli import pdf_command
    init_blueprints(app)
    app.cli.add_command(pdf_command)
