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


def test_uploaders_of_blobs_stored_before_holders_existed_hold_them(app, app_ctx, make_user):
    """Data migration a9d61d330cca: each blob's first uploader becomes its holder."""
    import sqlalchemy as sa

    from server.media.models import Blob, BlobHolder
    uploader_id = make_user("patrol").id
    db.session.remove()
    downgrade(revision="c0bb49d20277")
    with db.engine.begin() as connection:
        connection.execute(sa.insert(Blob.__table__).values(
            sha256="a" * 64, kind="photo", content_type="image/jpeg", size=10, width=1,
            height=1, display_size=10, uploaded_by_id=uploader_id,
            created_at=sa.func.current_timestamp()))
    upgrade()
    holders = db.session.execute(sa.select(BlobHolder.sha256, BlobHolder.user_id)).all()
    assert holders == [("a" * 64, uploader_id)]


def test_renovations_completed_before_the_active_period_existed_end_at_their_last_update(
        app, app_ctx, make_property, make_unit):
    """Data migration de1a570a2656: completed / suspended rows get active_until = updated_at."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from server.properties.models import Renovation
    prop = make_property()
    property_id, unit_id = prop.id, make_unit(prop).id
    db.session.remove()
    downgrade(revision="a9d61d330cca")
    stamp = datetime(2026, 10, 14, 9, 30)
    table = sa.table("renovations", *(sa.column(name) for name in (
        "id", "property_id", "unit_id", "contractor_name", "permit_start", "permit_end",
        "status", "version", "created_at", "updated_at")))
    with db.engine.begin() as connection:
        for row_id, status in ((1, "completed"), (2, "active"), (3, "pending")):
            connection.execute(sa.insert(table).values(
                id=row_id, property_id=property_id, unit_id=unit_id, contractor_name="某装饰",
                permit_start=datetime(2026, 9, 1).date(), permit_end=datetime(2026, 12, 1).date(),
                status=status, version=1, created_at=stamp, updated_at=stamp))
    upgrade()
    rows = {r.id: (r.active_since, r.active_until)
            for r in db.session.scalars(sa.select(Renovation))}
    assert rows == {1: (None, stamp.replace(tzinfo=UTC)), 2: (None, None), 3: (None, None)}
