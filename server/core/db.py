"""The database handle, the migration engine and the column types every package shares."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import g
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase

# Constraint names are spelled out so that Alembic migrations can drop and alter them by name
# on both SQLite (batch mode) and PostgreSQL (Indico does the same).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()


# A property's "today", "this week" and "this month" are its own, never the server's: the
# server may run in UTC while 00:30 in Shanghai is still yesterday there.
DEFAULT_TIMEZONE = "Asia/Shanghai"


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_in(timezone: str | None = None, now: datetime | None = None) -> date:
    """The calendar day it is now (or at ``now``) in ``timezone`` (default Asia/Shanghai)."""
    return (now or utcnow()).astimezone(ZoneInfo(timezone or DEFAULT_TIMEZONE)).date()


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database.

    SQLite has no time zones and would hand back naive datetimes while PostgreSQL hands back
    aware ones; storing naive UTC everywhere keeps comparisons and JSON output identical.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def write_at_commit(write):
    """Run ``write()`` at the request's commit instead of now.

    For bookkeeping on every request (a token's last use): done at once, it would make a read
    hold the database's write lock for as long as the read runs.
    """
    g.setdefault("commit_hooks", []).append(write)


def run_commit_hooks():
    for write in g.pop("commit_hooks", []):
        write()


# Searches take what people type literally: their % and _ are characters, not LIKE wildcards.
LIKE_ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """A LIKE pattern (with ``escape=LIKE_ESCAPE``) matching values that contain ``text``."""
    escaped = (text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%")
               .replace("_", LIKE_ESCAPE + "_"))
    return f"%{escaped}%"
