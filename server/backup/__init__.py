"""Backup and restore: one archive holding every table and every stored blob.

    flask --app server backup create xuncha-2026-11-23.tar
    flask --app server backup restore xuncha-2026-11-23.tar   # into an empty, migrated database

The archive is logical (rows as JSON lines, blobs as files), written through SQLAlchemy and the
configured blob store, so the same two commands serve the embedded default (SQLite + a local
folder) and production (PostgreSQL + S3), and a backup of one restores into the other. Every
blob's SHA-256 is checked on the way in; a restore that finds a mismatch stops.
"""

import base64
import hashlib
import io
import json
import tarfile
import uuid
from datetime import date, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from server.core.db import db, utcnow
from server.media.models import Blob
from server.media.operations import storage_keys
from server.media.storage import blob_store
from server.schedule.generations import renew_all
from server.users.models import User

FORMAT = 1
# Work in progress and login history are not worth restoring.
# The marks of what due lists count (server/schedule/generations.py) are made anew after a
# restore instead.
SKIPPED_TABLES = {"blob_uploads", "upload_parts", "login_attempts", "alembic_version",
                  "rule_inputs"}

backup_cli = AppGroup("backup", help="Back up and restore records, registers and blobs.")


class BackupError(Exception):
    pass


def _encode(value):
    if isinstance(value, datetime | date):
        return {"$t": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"$u": str(value)}
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode()}
    return value


def _decode(value, column):
    if isinstance(value, dict) and len(value) == 1:
        (tag, raw), = value.items()
        if tag == "$t":
            return (date.fromisoformat(raw) if isinstance(column.type, sa.Date)
                    else datetime.fromisoformat(raw))
        if tag == "$u":
            return uuid.UUID(raw)
        if tag == "$b":
            return base64.b64decode(raw)
    return value


def _tables():
    return [table for table in db.metadata.sorted_tables if table.name not in SKIPPED_TABLES]


def _revision() -> str | None:
    with db.engine.connect() as connection:
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _add(archive: tarfile.TarFile, name: str, data: bytes):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(utcnow().timestamp())
    archive.addfile(info, io.BytesIO(data))


def create_backup(path: Path) -> dict:
    store = blob_store()
    counts = {}
    with tarfile.open(path, "w") as archive:
        for table in _tables():
            lines = []
            for row in db.session.execute(sa.select(table)).mappings():
                lines.append(json.dumps({k: _encode(v) for k, v in row.items()},
                                        ensure_ascii=False))
            counts[table.name] = len(lines)
            _add(archive, f"tables/{table.name}.jsonl", "\n".join(lines).encode())
        hashes = {}
        for blob in db.session.scalars(sa.select(Blob).order_by(Blob.sha256)):
            for variant, key in storage_keys(blob.sha256, blob.kind).items():
                data = store.get(key)
                if variant == "original" and hashlib.sha256(data).hexdigest() != blob.sha256:
                    raise BackupError(f"stored blob {blob.sha256} does not match its hash")
                _add(archive, f"blobs/{key}", data)
            hashes[blob.sha256] = blob.kind
        manifest = {"format": FORMAT, "created_at": utcnow().isoformat(),
                    "alembic_revision": _revision(), "tables": counts, "blobs": hashes}
        _add(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
    return manifest


def restore_backup(path: Path) -> dict:
    with tarfile.open(path, "r") as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
        if manifest.get("format") != FORMAT:
            raise BackupError("not a Xuncha backup of a known format")
        if manifest["alembic_revision"] != _revision():
            raise BackupError(f"the backup is of schema {manifest['alembic_revision']}, this "
                              f"database is at {_revision()}: run `flask db upgrade` to match")
        if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
            raise BackupError("the database is not empty; restore only into a fresh one")
        store = blob_store()
        for member in archive.getmembers():
            if not member.name.startswith("blobs/"):
                continue
            key = member.name.removeprefix("blobs/")
            data = archive.extractfile(member).read()
            if key.startswith("originals/"):
                digest = key.rsplit("/", 1)[-1]
                if hashlib.sha256(data).hexdigest() != digest:
                    raise BackupError(f"blob {digest} in the archive is damaged")
            store.put(key, data)
        for table in _tables():
            member = f"tables/{table.name}.jsonl"
            text = archive.extractfile(member).read().decode()
            rows = [json.loads(line) for line in text.splitlines() if line]
            if rows:
                columns = table.columns
                db.session.execute(table.insert(), [
                    {name: _decode(value, columns[name]) for name, value in row.items()}
                    for row in rows])
        db.session.flush()
        _reset_sequences()
        renew_all()
    return manifest


def _reset_sequences():
    """PostgreSQL: integer ids continue after the restored ones."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in _tables():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, sa.Integer) and pk[0].autoincrement:
            db.session.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"))


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def create_command(path):
    """Write every table and blob into the archive PATH."""
    manifest = create_backup(path)
    click.echo(f"{path}: {sum(manifest['tables'].values())} rows, {len(manifest['blobs'])} "
               f"blobs, schema {manifest['alembic_revision']}")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(path):
    """Restore the archive PATH into this (empty, migrated) database and blob store."""
    try:
        manifest = restore_backup(path)
    except BackupError as error:
        db.session.rollback()
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"restored {sum(manifest['tables'].values())} rows and {len(manifest['blobs'])} "
               f"blobs from {path} ({current_app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]})")


def init_app(app):
    app.cli.add_command(backup_cli)
