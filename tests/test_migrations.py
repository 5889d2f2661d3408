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


def test_follow_ups_from_before_work_orders_keep_their_finding_time_and_callback(
        app, app_ctx, make_user, make_property):
    """Data migration 8ab402da98eb: an older follow-up's clock starts when it was raised (it has
    no record here), it still needs a callback, and it counts as raised by an inspection."""
    import uuid
    from datetime import date, datetime

    import sqlalchemy as sa

    from server.followups.models import FollowUp
    prop_id, user_id = make_property().id, make_user("patrol").id
    db.session.remove()
    downgrade(revision="a9d61d330cca")
    raised = datetime(2026, 11, 20, 9, 30)
    follow_up_id = uuid.uuid4()
    with db.engine.begin() as connection:
        connection.execute(sa.table(
            "follow_ups", sa.column("id", sa.Uuid), sa.column("property_id"),
            sa.column("subject_label"), sa.column("description"), sa.column("assignee_id"),
            sa.column("due_date"), sa.column("status"), sa.column("created_by_id"),
            sa.column("created_at"), sa.column("updated_at")).insert().values(
            id=follow_up_id, property_id=prop_id, subject_label="", description="楼道堆物",
            assignee_id=user_id, due_date=date(2026, 11, 23), status="open",
            created_by_id=user_id, created_at=raised, updated_at=raised))
    upgrade()
    row = db.session.get(FollowUp, follow_up_id)
    assert row.found_at.replace(tzinfo=None) == raised
    assert (row.source, row.callback_required, row.approval_required) == ("inspection", True, False)
def test_records_stored_before_the_search_text_existed_get_it(app, app_ctx, make_property,
                                                              make_user):
    """Data migration 00877bbc2555: the written text of records already stored is filled."""
    import uuid
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from server.checklists.operations import find_version, load_checklists
    from server.inspections.models import Inspection
    from tests.test_checklists import REPO_CHECKLISTS
    load_checklists(REPO_CHECKLISTS)
    prop, patrol = make_property(), make_user("patrol")
    answers = {"fire_doors": {"value": "fail", "comment": "防火门未关闭", "photos": [
        {"sha256": "ab" * 32}]}, "signature": {"signature": {"signer_name": "李巡查"}}}
    record_id = uuid.uuid4()
    now = datetime(2026, 11, 20, 13, tzinfo=UTC)
    db.session.add(Inspection(
        id=record_id, property_id=prop.id, checklist_version_id=find_version("night_check", 1).id,
        checklist_code="night_check", subject_type="property", subject_id=prop.id,
        inspector_id=patrol.id, revision=1, answers=answers, started_at_device=now.isoformat(),
        completed_at_device=now.isoformat(), completed_at=now, seal_hash="0" * 64))
    db.session.commit()
    db.session.remove()
    downgrade(revision="8ab402da98eb")
    upgrade()
    text = db.session.scalar(sa.text("SELECT answer_text FROM inspections"))
    assert sorted(text.split("\n")) == ["李巡查", "防火门未关闭"]  # JSONB orders keys its own way


def test_renovations_completed_before_the_active_period_existed_end_at_their_last_update(
        app, app_ctx, make_property, make_unit):
    """Data migration de1a570a2656: completed / suspended rows get active_until = updated_at."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from server.properties.models import Renovation
    prop = make_property()
    property_id, unit_id = prop.id, make_unit(prop).id
    db.session.remove()
    downgrade(revision="00877bbc2555")
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


def test_assessment_tables_come_and_go_without_touching_what_was_there(
        app, app_ctx, make_user, make_property):
    """Migration 6f129fdd92ce only adds the assessment tables: stepping back over it drops them
    and keeps every other row; stepping forward again gives empty tables the models can use."""
    from datetime import date

    import sqlalchemy as sa

    from server.assessments.models import Assessment
    from server.users.models import User
    prop, staff, supervisor = make_property(), make_user("patrol"), make_user("supervisor")
    prop_id, staff_id, supervisor_id = prop.id, staff.id, supervisor.id
    db.session.remove()
    downgrade(revision="de1a570a2656")
    with db.engine.connect() as connection:
        tables = set(db.inspect(connection).get_table_names())
    assert {"assessments", "assessment_year_inputs"} & tables == set()
    upgrade()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
    db.session.add(Assessment(property_id=prop_id, staff_id=staff_id, month=date(2026, 10, 1),
                              form_code="staff_monthly", form_version=1, assessor_id=supervisor_id,
                              scores={"morality": 4.5}, reasons={}))
    db.session.commit()
    assert db.session.scalar(sa.select(Assessment.scores)) == {"morality": 4.5}


def test_every_existing_property_and_all_of_them_get_a_first_rule_mark(app, app_ctx):
    """Data migration 5f1c2e9a7b40: due lists and compliance months can be kept from the first
    request after the upgrade (a scope without a mark is never kept)."""
    import sqlalchemy as sa

    from server.schedule.generations import RuleInputs
    db.session.remove()
    downgrade(revision="6f129fdd92ce")
    with db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO properties (id, code, name, timezone, created_at, updated_at) "
            "VALUES (7, 'p7', '七号', 'Asia/Shanghai', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    upgrade()
    rows = db.session.execute(sa.select(RuleInputs.scope, RuleInputs.shard, RuleInputs.mark)
                              .order_by(RuleInputs.scope)).all()
    assert [(scope, shard) for scope, shard, _mark in rows] == [("7", 0), ("all", 0)]
    assert len({mark for _scope, _shard, mark in rows}) == 2
