"""Receiving inspection records from phones.

`push_record` keeps the sync promises (docs/architecture.md): idempotent by the phone's UUID
(a resend of identical content is a no-op), explicit conflicts (different content → 409, stale
edit of a returned record → 412), sealed content verified, both clocks kept.
"""

import uuid
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from server.checklists.items import iter_items
from server.checklists.operations import find_version
from server.core.db import db, utcnow
from server.core.errors import Problem
from server.media.models import Blob
from server.properties.access import require_property
from server.properties.models import Key, Property, Renovation, Unit
from server.users.models import User

from .answers import AnswerCheck, parse_device_time
from .models import Inspection, InspectionAttachment, InspectionRevision, InspectionStatus
from .seal import attachment_hashes, seal_hash, seal_payload
from .signals import record_stored, records_loaded


def push_record(user: User, record_id: uuid.UUID, data: dict, check_revision,
                device_time: str | None) -> Inspection:
    """``check_revision(current)`` refuses an edit whose If-Match is not ``current`` (412, or
    428 without one); it is called only when a returned record is resubmitted."""
    checklist = find_version(data["checklist"]["code"], data["checklist"]["version"])
    if checklist is None:
        raise Problem("checklist.not_found")
    prop = require_property(data["property_id"])
    _check_subject(checklist, prop.id, data["subject"])
    check = AnswerCheck(checklist.definition, data["answers"],
                        _register_rows(checklist.definition, prop.id)).run()
    if check.problems:
        raise Problem("record.invalid_answers", details={"items": check.problems})
    expected = seal_hash(seal_payload(record_id, prop.id, data["checklist"], data["subject"],
                                      user.username, data["answers"], data["started_at"],
                                      data["completed_at"]))
    if data["seal"]["hash"] != expected:
        raise Problem("record.seal_mismatch", details={"expected": expected})

    received = {
        "answers": data["answers"], "seal_hash": expected, "has_failures": check.has_failures,
        "started_at_device": data["started_at"], "completed_at_device": data["completed_at"],
        "completed_at": parse_device_time(data["completed_at"]), "device_id": data.get("device_id"),
        "device_clock_offset_seconds": _clock_offset(device_time),
    }
    existing = _locked(record_id)
    if existing is None:
        try:
            with db.session.begin_nested():
                record = _create(record_id, user, checklist, data["subject"], prop.id, received)
            _stored(record)
            return record
        except IntegrityError:
            # Another device (or a retry racing itself) created this id a moment ago.
            existing = _locked(record_id)
    revision = existing.revision
    record = _push_existing(existing, user, received, check_revision)
    if record.revision != revision:
        _stored(record)
    return record


def _stored(record: Inspection):
    # Follow-ups are raised by their own package, in this transaction (signals.py).
    record_stored.send(current_app._get_current_object(), record=record)


def _locked(record_id) -> Inspection | None:
    """The record, row-locked until commit so concurrent pushes of one id queue up."""
    return db.session.scalar(sa.select(Inspection).where(Inspection.id == record_id)
                             .with_for_update(of=Inspection)
                             .execution_options(populate_existing=True))


def _create(record_id, user, checklist, subject, property_id, received) -> Inspection:
    record = Inspection(id=record_id, property_id=property_id,
                        checklist_version_id=checklist.id, checklist_code=checklist.code,
                        subject_type=subject["type"], subject_id=subject["id"],
                        inspector_id=user.id, revision=1, status=InspectionStatus.SUBMITTED,
                        **received)
    db.session.add(record)
    _add_revision(record, received)
    db.session.flush()
    return record


def _push_existing(record: Inspection, user: User, received: dict, check_revision):
    known_seals = {record.seal_hash} | {revision.seal_hash for revision in record.revisions}
    if received["seal_hash"] in known_seals:
        return record  # a resend: the effect of sending it once
    if record.status != InspectionStatus.RETURNED or record.inspector_id != user.id:
        raise Problem("record.different_content",
                      details={"revision": record.revision, "status": record.status})
    check_revision(record.revision)
    for key, value in received.items():
        setattr(record, key, value)
    record.revision += 1
    record.status = InspectionStatus.SUBMITTED
    record.received_at = utcnow()
    _add_revision(record, received)
    db.session.flush()
    return record


def _add_revision(record: Inspection, received: dict):
    record.revisions.append(InspectionRevision(
        revision=record.revision, answers=received["answers"], seal_hash=received["seal_hash"],
        started_at_device=received["started_at_device"],
        completed_at_device=received["completed_at_device"], device_id=received["device_id"],
        device_clock_offset_seconds=received["device_clock_offset_seconds"]))
    known = set(db.session.scalars(sa.select(InspectionAttachment.sha256)
                                   .filter_by(inspection_id=record.id))) if record.revision > 1 else set()
    for sha256 in attachment_hashes(received["answers"]):
        if sha256 not in known:
            db.session.add(InspectionAttachment(inspection_id=record.id, sha256=sha256))


def load_printed(records: list[Inspection]) -> list[Inspection]:
    """Load what `InspectionOut` prints beyond the records' own rows, for all of them at once:
    which attachments are still missing, and what other packages attach (`records_loaded`:
    the review steps)."""
    expected = {record.id: attachment_hashes(record.answers) for record in records}
    wanted = sorted({sha for hashes in expected.values() for sha in hashes})
    stored = set(db.session.scalars(sa.select(Blob.sha256).where(Blob.sha256.in_(wanted)))
                 ) if wanted else set()
    for record in records:
        hashes = expected[record.id]
        record.attachment_state = {"expected": hashes,
                                   "missing": [sha for sha in hashes if sha not in stored]}
    records_loaded.send(current_app._get_current_object(), records=records)
    return records


def load_one_printed(record: Inspection) -> Inspection:
    return load_printed([record])[0]


def records_holding(_app, sha256: str, property_ids: list[int] | None):
    """`blob_holders` receiver: the properties of the records that reference a blob."""
    query = (sa.select(Inspection.property_id)
             .join(InspectionAttachment, Inspection.id == InspectionAttachment.inspection_id)
             .where(InspectionAttachment.sha256 == sha256))
    if property_ids is not None:
        query = query.where(Inspection.property_id.in_(property_ids))
    return query


def _check_subject(checklist, property_id: int, subject: dict):
    if subject["type"] != checklist.subject:
        raise Problem("record.bad_subject", details={"expected_type": checklist.subject})
    model = {"renovation": Renovation, "unit": Unit}.get(subject["type"])
    if model is None:  # property / key_register: the subject is the property itself
        ok = subject["id"] == property_id
    else:
        row = db.session.get(model, subject["id"])
        ok = row is not None and row.property_id == property_id
    if not ok:
        raise Problem("record.bad_subject", details={"expected_type": checklist.subject})


def _register_rows(definition: dict, property_id: int) -> dict[str, bool]:
    if not any(item["type"] == "register_rows" for item in iter_items(definition)):
        return {}
    keys = db.session.execute(sa.select(Key.id, Key.status).where(Key.property_id == property_id))
    return {str(key_id): status in Key.AUDITED_STATUSES for key_id, status in keys}


def _clock_offset(device_time: str | None) -> int | None:
    parsed: datetime | None = parse_device_time(device_time) if device_time else None
    if parsed is None:
        return None
    return round((parsed - utcnow()).total_seconds())


def subject_labels(records) -> dict:
    """record id → what was inspected, for people (e.g. 3栋2单元1102, or the property name),
    loaded in three queries whatever the number of records."""
    ids: dict[str, set[int]] = {"renovation": set(), "unit": set(), "property": set()}
    for record in records:
        kind = record.subject_type if record.subject_type in ("renovation", "unit") else "property"
        ids[kind].add(record.subject_id)
    labels: dict[tuple[str, int], str] = {}
    if ids["renovation"]:
        for renovation in db.session.scalars(sa.select(Renovation).where(
                Renovation.id.in_(ids["renovation"]))):
            labels[("renovation", renovation.id)] = renovation.unit.label
    if ids["unit"]:
        for unit in db.session.scalars(sa.select(Unit).where(Unit.id.in_(ids["unit"]))):
            labels[("unit", unit.id)] = unit.label
    if ids["property"]:
        for prop in db.session.scalars(sa.select(Property).where(Property.id.in_(ids["property"]))):
            labels[("property", prop.id)] = prop.name
    result = {}
    for record in records:
        kind = record.subject_type if record.subject_type in ("renovation", "unit") else "property"
        result[record.id] = labels.get((kind, record.subject_id), "")
    return result
