"""A restored system has the same records and blobs (hashes equal)."""

import hashlib

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from server import create_app
from server.core.db import db
from server.inspections.models import Inspection
from server.media.models import Blob
from server.media.operations import storage_keys
from server.media.storage import blob_store
from tests.conftest import _postgres_database
from tests.sync.conftest import upload


def snapshot(app):
    with app.app_context():
        records = {(str(r.id), r.seal_hash, r.revision) for r in db.session.scalars(
            sa.select(Inspection))}
        store = blob_store()
        blobs = {b.sha256: hashlib.sha256(store.get(storage_keys(b.sha256, b.kind)["original"]))
                 .hexdigest() for b in db.session.scalars(sa.select(Blob))}
        tables = {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
                  for t in db.metadata.sorted_tables if t.name not in ("login_attempts",)}
    return records, blobs, tables


@pytest.fixture
def fresh_target(app, tmp_path):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        url, drop = f"sqlite:///{tmp_path / 'restored.sqlite3'}", None
    else:
        url, drop = _postgres_database()
    target = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                         "BLOB_DIR": str(tmp_path / "restored-blobs")})
    with target.app_context():
        from flask_migrate import upgrade
        upgrade()
    yield target
    with target.app_context():
        db.engine.dispose()
    if drop:
        drop()


def test_backup_then_restore_gives_the_same_records_and_blobs(app, client, site, renovation_record,
                                                              fresh_target, tmp_path):
    for seed in (0, 10):
        record_id, body, blobs = renovation_record(seed=seed)
        for data in blobs["photo"]:
            upload(client, site["headers"], data)
        for data in blobs["signature"]:
            upload(client, site["headers"], data, "signature")
        assert client.put(f"/api/inspections/{record_id}", json=body,
                          headers=site["headers"]).status_code == 200
    db.session.remove()
    archive = tmp_path / "xuncha.tar"
    created = CliRunner().invoke(app.cli, ["backup", "create", str(archive)])
    assert created.exit_code == 0, created.output
    with fresh_target.app_context():  # the CLI runs in whichever app context is current
        restored = CliRunner().invoke(fresh_target.cli, ["backup", "restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    before, after = snapshot(app), snapshot(fresh_target)
    assert len(before[0]) == 2 and len(before[1]) == 8
    assert after[0] == before[0]          # same records, same seals
    assert after[1] == before[1]          # same blobs, hashes equal
    assert after[2]["users"] == before[2]["users"]
    assert after[2]["follow_ups"] == before[2]["follow_ups"] == 2
    # The restored system works: a new row gets an id after the restored ones.
    with fresh_target.app_context():
        from server.properties.models import Property
        db.session.add(Property(code="after-restore", name="恢复后新增"))
        db.session.commit()
    # Restoring twice is refused rather than doubling anything.
    with fresh_target.app_context():
        again = CliRunner().invoke(fresh_target.cli, ["backup", "restore", str(archive)])
    assert again.exit_code == 1 and "not empty" in again.output
