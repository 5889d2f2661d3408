"""What the frequency rules count against, and a mark that changes whenever it does.

The due list of every pull and the compliance month are computed from a property's records,
registers, people and the published checklists. Recomputing them on every request costs a few
queries per rule; keeping the result is safe only if every write that could change it is seen
by every app process, whichever process made it. So each write to those inputs gives its
property (or, for checklists and people, every property) a new random mark, in the same
transaction as the write: a result is kept under the marks read *before* it was computed, and
a process that reads a mark another process has replaced computes afresh. (A scope's mark is
spread over a few rows, so that parallel writes at one property seldom wait on one row.)

Marks are random, not counters, so a database restored from a backup or emptied by a test can
never bring back a mark that names other data.

Writes through the session are all seen: objects, and UPDATE / DELETE / INSERT statements on
the models (these renew every property's mark). SQL typed into the database by hand is not:
restart the app processes afterwards (what they keep lives in their memory).
"""

import hashlib
import random
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.checklists.models import ChecklistVersion
from server.core.db import UTCDateTime, db, utcnow
from server.inspections.models import Inspection
from server.properties.models import Property, Renovation, Unit
from server.users.models import PropertyMember, User

EVERY_PROPERTY = "all"

# Columns of a person that the rules read (who performs a rule, the staff list and its names);
# a token's last use or a new password changes no count.
USER_COLUMNS = ("role", "is_active", "display_name")


# Writers renew one of SHARDS rows of a scope, picked at random: writes at one property in
# parallel rarely wait for each other's row (the row stays locked until the write commits),
# and a reader reads all of a scope's rows in one statement.
SHARDS = 16


class RuleInputs(db.Model):
    """Rows per property (scope = its id) and for all of them (scope = "all"); a scope's mark
    is all of its rows' marks together."""

    __tablename__ = "rule_inputs"

    scope: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    shard: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    mark: Mapped[str] = mapped_column(sa.String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def scope_of(property_id: int) -> str:
    return str(property_id)


def marks(property_ids) -> dict[str, str] | None:
    """The current mark of each property and of "all", or None when nothing may be kept:

    - while this transaction holds writes of its own: what it would compute includes them
      before their mark changes (at commit), and they may yet be rolled back;
    - for a scope without a row yet (a property nobody has written to since it was created):
      its first write makes one; a read never writes.
    """
    session = db.session
    if session.info.get("rule_scopes") or _scopes_touched(session):
        return None
    scopes = [EVERY_PROPERTY, *(scope_of(pid) for pid in property_ids)]
    found = _read(scopes)
    return found if len(found) == len(set(scopes)) else None


def _read(scopes) -> dict[str, str]:
    """Each scope's rows in one statement (one snapshot), folded into one mark."""
    rows = db.session.execute(
        sa.select(RuleInputs.scope, RuleInputs.mark).where(RuleInputs.scope.in_(scopes))
        .order_by(RuleInputs.scope, RuleInputs.shard)).all()
    folded: dict = {}
    for scope, mark in rows:
        folded.setdefault(scope, hashlib.blake2b(digest_size=16)).update(mark.encode())
    return {scope: digest.hexdigest() for scope, digest in folded.items()}


def _insert(session, scopes, shard: int):
    rows = [{"scope": scope, "shard": shard, "mark": uuid.uuid4().hex, "changed_at": utcnow()}
            for scope in sorted(scopes)]  # one order everywhere: two writers never deadlock
    dialect = session.connection().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(RuleInputs).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=[RuleInputs.scope, RuleInputs.shard],
        set_={"mark": statement.excluded.mark, "changed_at": statement.excluded.changed_at})
    session.execute(statement)


def renew_all():
    """New marks for every property and for "all": after writes no listener saw (a restore
    written table by table), nothing kept before may be served."""
    db.session.execute(sa.delete(RuleInputs))
    _insert(db.session, [EVERY_PROPERTY, *(scope_of(pid) for pid in db.session.scalars(
        sa.select(Property.id)))], shard=0)


def _changed_columns(obj, names) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _scopes_touched(session) -> set[str]:
    scopes = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Inspection | Renovation | Unit | PropertyMember):
            if obj in session.dirty and not session.is_modified(obj, include_collections=False):
                continue
            # A record moved to another property (never done, but cheap to cover) marks both.
            # (Reading the attribute loads it on an expired object; its history would be empty.)
            history = sa.inspect(obj).attrs.property_id.history
            scopes.update(scope_of(pid) for pid in (obj.property_id, *history.deleted)
                          if pid is not None)
        elif isinstance(obj, Property):
            if obj.id is not None and (obj in session.deleted or _changed_columns(
                    obj, ("timezone",))):
                scopes.add(scope_of(obj.id))
        elif isinstance(obj, ChecklistVersion) or (isinstance(obj, User) and (
                obj in session.new or obj in session.deleted
                or _changed_columns(obj, USER_COLUMNS))):
            scopes.add(EVERY_PROPERTY)
    return scopes


@event.listens_for(Session, "before_flush")
def _collect(session, _context, _instances):
    # Before the flush, the objects still carry their changes (history, new, deleted).
    session.info.setdefault("rule_scopes", set()).update(_scopes_touched(session))


COUNTED_MODELS = (Inspection, Renovation, Unit, PropertyMember, Property, ChecklistVersion, User)


@event.listens_for(Session, "do_orm_execute")
def _collect_statements(state):
    # An UPDATE / DELETE / INSERT statement on a model (not through objects) says nothing
    # cheap about which rows it touched: every property gets a new mark.
    if (state.is_update or state.is_delete or state.is_insert) and any(
            issubclass(mapper.class_, COUNTED_MODELS) for mapper in state.all_mappers):
        state.session.info.setdefault("rule_scopes", set()).add(EVERY_PROPERTY)


@event.listens_for(Session, "before_commit")
def _renew(session):
    # Changes not flushed yet are flushed here, so that _collect sees them, then the marks are
    # replaced in the same transaction as the writes: both commit, or neither does.
    session.flush()
    scopes = session.info.pop("rule_scopes", None)
    if scopes:
        _insert(session, scopes, shard=random.randrange(SHARDS))


@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop("rule_scopes", None)
