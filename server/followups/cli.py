import click
from flask.cli import AppGroup

from server.core.db import db

from .escalations import escalate_overdue

followups_cli = AppGroup("followups", help="Follow-ups and work orders.")


@followups_cli.command("escalate")
def escalate_command():
    """Queue for the project manager every follow-up overdue beyond
    FOLLOWUP_ESCALATE_AFTER_DAYS (run daily, e.g. from cron; reading the queue does it too)."""
    added = escalate_overdue(None)
    db.session.commit()
    click.echo(f"{added} escalated")
