from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from server.core.db import db

from .operations import ChecklistLoadError, load_checklists

checklists_cli = AppGroup("checklists", help="Checklist definitions.")


@checklists_cli.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
def load_command(path, dry_run):
    """Validate and publish checklist files (default: the checklists/ folder).

    Idempotent: files already published with the same content are skipped. Any error in any
    file means nothing is written.
    """
    path = path or Path(current_app.config["CHECKLISTS_DIR"])
    try:
        results = load_checklists(path, dry_run=dry_run)
    except ChecklistLoadError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        raise SystemExit(1) from None
    if not dry_run:
        db.session.commit()
    for result in results:
        verb = {"published": "would publish" if dry_run else "published",
                "unchanged": "unchanged"}[result.outcome]
        click.echo(f"{result.source}: {result.code} v{result.version} {verb}")
