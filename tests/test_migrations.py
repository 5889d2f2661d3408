"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from server.core.db import db


def pending_changes():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree(app, app_ctx):
    # The session fixture ran `upgrade` from an empty database; nothing may be left to generate.
    assert pending_changes() == []


def test_downgrade_to_empty_and_back(app, app_ctx):
    db.session.remove()
    downgrade(revision="base")
    with db.engine.connect() as connection:
        remaining = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
    assert remaining == set()
    upgrade()
    assert pending_changes() == []
