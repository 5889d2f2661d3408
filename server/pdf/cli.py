import uuid
from pathlib import Path

import click
from flask.cli import with_appcontext

from server.core.db import db
from server.inspections.models import Inspection

from .documents import record_filename, record_pdf
from .operations import delete_expired_exports
from .schemas import LANGUAGES


@click.command("pdf")
@click.argument("record_id", type=click.UUID)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="PDF file to write (default: the record's own file name).")
@click.option("--lang", type=click.Choice(LANGUAGES), default="zh-CN", show_default=True)
@with_appcontext
def pdf_command(record_id: uuid.UUID, output: Path | None, lang: str):
    """Render one inspection record to PDF, as the API would."""
    record = db.session.get(Inspection, record_id)
    if record is None:
        raise click.ClickException(f"no record {record_id}")
    output = output or Path(record_filename(record))
    data = record_pdf(record, lang)
    output.write_bytes(data)
    click.echo(f"{output}: {len(data)} bytes")


@click.command("purge-exports")
@with_appcontext
def purge_exports_command():
    """Delete export files kept longer than EXPORT_FILE_HOURS (new exports do it too; run this
    from cron where exports are rare)."""
    total = 0
    while deleted := delete_expired_exports():
        db.session.commit()
        total += deleted
    click.echo(f"{total} expired export files deleted")
