"""The due list and the compliance month are kept between requests (server/schedule/kept.py)
under marks in the database: every write they count gives a new answer on the next request,
whichever process made the write, and nothing kept is ever served stale."""

import subprocess
import sys
import textwrap
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from server.checklists.operations import find_version, latest_versions
from server.compliance.operations import evaluate_property
from server.core.db import db, today_in
from server.inspections.models import Inspection
from server.properties.models import Property, Renovation
from server.schedule import kept
from server.schedule.rules import due_for
from server.users.models import User
from tests.sync.conftest import reseal
from tests.sync.test_pull import pull

REPO = Path(__file__).resolve().parents[2]
JUDGING = "inspections.completed_at >="  # the query that counts a rule's records


def fresh(compute):
    """``compute()`` with nothing kept: what the database says now."""
    size = kept.results.size
    kept.results.size = 0
    try:
        return compute()
    finally:
        kept.results.size = size


def due_at(user_id, now):
    return due_for(db.session.get(User, user_id), latest_versions(), now)


def month_at(property_id, now):
    prop = db.session.get(Property, property_id)
    return evaluate_property(prop, today_in(prop.timezone, now).replace(day=1), now=now)


def renovation_done(due, renovation_id):
    return [d["done"] for d in due if d["rule_id"] == "daily_per_renovation"
            and d["subject"]["id"] == renovation_id]


def push_today(client, site, renovation_record, seed=0):
    record_id, body, _ = renovation_record(seed=seed)
    now = datetime.now(UTC)
    body["started_at"] = (now - timedelta(minutes=15)).isoformat()
    body["completed_at"] = now.isoformat()
    reseal(record_id, body)
    response = client.put(f"/api/inspections/{record_id}", json=body, headers=site["headers"])
    assert response.status_code == 200, response.get_json()
    return record_id


def statements_of(block):
    statements = []

    def on_execute(_connection, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        result = block()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", on_execute)
    return result, statements


def test_a_pull_where_nothing_changed_counts_no_records_again(client, site):
    first, statements = statements_of(lambda: pull(client, site["headers"]).get_json())
    assert [s for s in statements if JUDGING in s]  # the first pull counted them
    second, statements = statements_of(lambda: pull(client, site["headers"]).get_json())
    assert second["due"] == first["due"] and first["due"]
    assert not [s for s in statements if JUDGING in s]


def test_a_write_from_another_process_changes_the_next_pull(app, client, site,
                                                          renovation_record):
    """As with several gunicorn workers: the write is made by another Python process on the
    same database, while this one has the due list kept; the next pull here shows it."""
    push_today(client, site, renovation_record)
    before = pull(client, site["headers"]).get_json()["due"]
    assert renovation_done(before, site["renovation"].id) == [1]
    hits = kept.results.hits
    assert pull(client, site["headers"]).get_json()["due"] == before
    assert kept.results.hits > hits  # this pull was answered from what was kept
    record_id = str(db.session.scalar(sa.select(Inspection.id)))

    script = textwrap.dedent(f"""
        import uuid
        from server import create_app
        from server.core.db import db
        from server.inspections.models import Inspection
        app = create_app({{"SQLALCHEMY_DATABASE_URI": {app.config["SQLALCHEMY_DATABASE_URI"]!r},
                          "BLOB_DIR": {app.config["BLOB_DIR"]!r}}})
        with app.app_context():
            record = db.session.get(Inspection, uuid.UUID({record_id!r}))
            record.status = "returned"  # sent back by a supervisor served by another worker
            db.session.commit()
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120, cwd=REPO)
    after = pull(client, site["headers"]).get_json()["due"]
    assert renovation_done(after, site["renovation"].id) == [0]


def test_every_write_the_rules_count_gives_what_a_fresh_count_gives(
        client, site, renovation_record, make_unit):
    """After each kind of write, the kept due list (patrol and supervisor) and compliance
    month equal a computation with nothing kept, and the write did change them."""
    patrol_id, supervisor_id = site["patrol"].id, site["supervisor"].id
    property_id, renovation_id = site["property"].id, site["renovation"].id
    now = datetime.now(UTC)

    def views():
        return (due_at(patrol_id, now), due_at(supervisor_id, now), month_at(property_id, now))

    def check(write):
        before = views()
        assert views() == before  # kept, and the same
        write()
        db.session.expire_all()
        kept_now, counted_now = views(), fresh(views)
        assert kept_now == counted_now
        assert kept_now != before, "the write changed nothing: the check would prove nothing"

    record_id = None

    def push():
        nonlocal record_id
        record_id = push_today(client, site, renovation_record)

    def send_back():
        response = client.post(f"/api/inspections/{record_id}/review",
                               json={"action": "return", "revision": 1, "comment": "补拍"},
                               headers=site["supervisor_headers"])
        assert response.status_code == 200, response.get_json()

    def new_renovation():
        unit = make_unit(site["property"], room="2201")
        db.session.add(Renovation(property_id=property_id, unit=unit, contractor_name="新装饰",
                                  permit_start=date(2026, 1, 1), permit_end=date(2099, 1, 1),
                                  status="active"))
        db.session.commit()

    def household_moves_out():
        site["units"][2].is_occupied = False
        db.session.commit()

    def renamed():  # the supervisor's one-to-one talks name each staff member
        db.session.get(User, patrol_id).display_name = "李巡查（新）"
        db.session.commit()

    def statement_without_objects():  # not through objects: every property is marked
        db.session.execute(sa.update(Inspection).values(status="approved"))
        db.session.commit()

    for write in (push, send_back, new_renovation, household_moves_out, renamed,
                  statement_without_objects):
        check(write)
    assert renovation_done(due_at(patrol_id, now), renovation_id) == [1]


def test_a_new_day_in_the_propertys_zone_starts_a_new_due_list(client, site,
                                                              renovation_record):
    push_today(client, site, renovation_record)
    now = datetime.now(UTC)
    today, tomorrow = due_at(site["patrol"].id, now), due_at(site["patrol"].id,
                                                           now + timedelta(days=1))
    assert renovation_done(today, site["renovation"].id) == [1]
    assert renovation_done(tomorrow, site["renovation"].id) == [0]
    assert tomorrow == fresh(lambda: due_at(site["patrol"].id, now + timedelta(days=1)))


def test_what_is_due_by_now_moves_with_the_hour_although_the_month_is_kept(client, site):
    prop = site["property"]
    first = today_in(prop.timezone).replace(day=1)
    early = datetime.combine(first, datetime.min.time()).replace(tzinfo=UTC) + timedelta(
        days=14, hours=1)
    late = early + timedelta(hours=20)
    at_early = evaluate_property(prop, first, now=early)
    at_late = evaluate_property(prop, first, now=late)
    assert at_late == fresh(lambda: evaluate_property(prop, first, now=late))
    assert at_early == fresh(lambda: evaluate_property(prop, first, now=early))


def test_writes_not_committed_are_never_kept(client, site, renovation_record):
    """A request that counts while holding writes of its own computes without keeping: they
    may be rolled back, and their mark changes only at commit."""
    now = datetime.now(UTC)
    patrol_id = site["patrol"].id
    before = due_at(patrol_id, now)
    record = Inspection(id=uuid.uuid4(), property_id=site["property"].id, checklist_code="renovation_patrol",
                        subject_type="renovation", subject_id=site["renovation"].id,
                        inspector_id=patrol_id, status="submitted", revision=1, answers={},
                        has_failures=False, started_at_device=now.isoformat(),
                        completed_at_device=now.isoformat(), completed_at=now,
                        seal_hash="0" * 64, received_at=now,
                        checklist_version_id=find_version("renovation_patrol", 1).id)
    db.session.add(record)
    db.session.flush()
    during = due_at(patrol_id, now)
    db.session.rollback()
    assert renovation_done(during, site["renovation"].id) == [1]
    assert due_at(patrol_id, now) == before == fresh(lambda: due_at(patrol_id, now))
    assert renovation_done(before, site["renovation"].id) == [0]


def test_a_property_without_a_mark_is_counted_afresh_until_its_first_write(
        client, site, make_unit):
    from server.schedule.generations import RuleInputs
    db.session.execute(sa.delete(RuleInputs).where(RuleInputs.scope == str(site["property"].id)))
    db.session.commit()
    counting = lambda: [s for s in statements_of(  # noqa: E731
        lambda: pull(client, site["headers"]))[1] if JUDGING in s]
    assert counting() and counting()  # nothing kept: counted on every pull
    make_unit(site["property"], room="3301")  # a write gives the property its mark
    assert counting() and not counting()
