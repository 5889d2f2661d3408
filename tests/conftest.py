"""Fixtures shared by the whole suite.

Every database test runs twice: on SQLite (a file, so several connections see one database)
and on PostgreSQL. The PostgreSQL run gets a throw-away database created for the session and
dropped at the end. When PostgreSQL cannot be reached the PostgreSQL half is skipped, except
under CI (or XUNCHA_REQUIRE_POSTGRES=1), where that is an error: the run must not quietly
test only SQLite.

Isolation: tests commit for real (the API commits at the request boundary, and sync tests
need real concurrency), so instead of a rolled-back outer transaction each test ends by
emptying every table.
"""

import os
import uuid

import pytest
import sqlalchemy as sa

from server import create_app
from server.core.db import db
from server.pdf.batch import stop_render_pools

PG_ADMIN_URL = os.environ.get("XUNCHA_TEST_PG_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("CI") == "true" or os.environ.get("XUNCHA_REQUIRE_POSTGRES") == "1"
TEST_PASSWORD = "correct horse battery"


def _postgres_database():
    """Create a fresh database for this session; returns (url, drop_callable)."""
    name = f"xuncha_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {error.orig}"
        if REQUIRE_PG:
            pytest.fail(message + " (required under CI)", pytrace=False)
        pytest.skip(message)
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name)

    def drop():
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    drop = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'xuncha.sqlite3'}"
    else:
        url, drop = _postgres_database()
    blob_dir = tmp_path_factory.mktemp("blobs")
    application = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                              "BLOB_DIR": str(blob_dir)})
    with application.app_context():
        from flask_migrate import upgrade
        upgrade()
    yield application
    stop_render_pools()  # kept export processes hold connections to this database
    with application.app_context():
        db.engine.dispose()
    if drop:
        drop()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()


def _empty_all_tables():
    tables = [table for table in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def client(app, app_ctx):
    return app.test_client()


@pytest.fixture(scope="session")
def password_hash():
    """Hashing with argon2 takes tens of milliseconds; hash the shared test password once."""
    from server.users.operations import hash_password
    return hash_password(TEST_PASSWORD)


@pytest.fixture
def make_property(app_ctx):
    from server.properties.models import Property
    counter = iter(range(1, 10**6))

    def factory(**overrides):
        number = next(counter)
        values = {"code": f"prop-{number}", "name": f"测试小区{number}", "name_en": f"Estate {number}"}
        prop = Property(**{**values, **overrides})
        db.session.add(prop)
        db.session.commit()
        return prop
    return factory


@pytest.fixture
def make_user(app_ctx, password_hash):
    """make_user("patrol", properties=[prop], keeper_at=[prop]) → committed User."""
    from server.users.models import User
    from server.users.operations import set_memberships
    counter = iter(range(1, 10**6))

    def factory(role="patrol", properties=(), keeper_at=(), **overrides):
        username = overrides.pop("username", f"{role}{next(counter)}")
        user = User(username=username, display_name=overrides.pop("display_name", username),
                    role=role, password_hash=password_hash, **overrides)
        db.session.add(user)
        db.session.flush()
        keeper_ids = {prop.id for prop in keeper_at}
        set_memberships(user, {prop.id: prop.id in keeper_ids for prop in properties})
        db.session.commit()
        return user
    return factory


@pytest.fixture
def auth_headers(app_ctx):
    """auth_headers(user, lang="zh-CN") → headers with a fresh bearer token for ``user``."""
    from server.users.operations import issue_token

    def factory(user, lang="zh-CN"):
        token, _row = issue_token(user, "pytest")
        db.session.commit()
        return {"Authorization": f"Bearer {token}", "Accept-Language": lang}
    return factory


@pytest.fixture
def make_unit(app_ctx):
    from server.properties.models import Unit
    counter = iter(range(1, 10**6))

    def factory(prop, **overrides):
        number = next(counter)
        values = {"building": "1", "entrance": "1", "room": f"{100 + number}",
                  "owner_name": "业主"}
        unit = Unit(property_id=prop.id, **{**values, **overrides})
        db.session.add(unit)
        db.session.commit()
        return unit
    return factory


@pytest.fixture
def count_rows(app_ctx):
    def counter(model) -> int:
        db.session.expire_all()
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))
    return counter
