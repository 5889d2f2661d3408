"""Receiving inspection records from phones.

`push_record` keeps the sync promises (docs/architecture.md): idempotent by the phone's UUID
(a resend of identical content is a no-op), explicit conflicts (different content → 409, stale
edit of a returned record → 412), sealed content verified, both clocks kept.
"""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from server.checklists.items import iter_items
from server.checklists.operations import find_version
from server.core.db import db, utcnow
from server.core.errors import Problem
from server.media.access import check_citable
from server.media.models import Blob
from server.properties.access import require_property
from server.properties.models import Key, KeyStatus, Property, Renovation, RenovationStatus, Unit
from server.users.access import can_see_property
from server.users.models import User
from server.users.staff import staff_of

from .access import may_read_record
from .answers import AnswerCheck, parse_device_time
from .models import Inspection, InspectionAttachment, InspectionRevision, InspectionStatus
from .seal import attachment_hashes, seal_hash, seal_payload
from .signals import record_stored, records_loaded


def push_record(user: User, record_id: uuid.UUID, data: dict, check_revision,
                device_time: str | None) -> Inspection:
    """Store a sealed record, or a new revision of a returned one.

    Idempotent: content already stored under this id (any revision) is answered with the
    record as it is, before any other check, so a resend never fails on something that changed
    since (a renovation completed, a key added). ``check_revision(current)`` refuses an edit
    whose If-Match is not ``current`` (412, or 428 without one); with ``required=False`` it
    answers whether the request carries an If-Match (that matches) at all.
    """
    device_moment = _device_time_header(device_time)
    checklist = find_version(data["checklist"]["code"], data["checklist"]["version"])
    if checklist is None:
        raise Problem("checklist.not_found")
    prop = require_property(data["property_id"])
    expected = seal_hash(seal_payload(record_id, prop.id, data["checklist"], data["subject"],
                                      user.username, data["answers"], data["started_at"],
                                      data["completed_at"]))
    existing = _locked(record_id)
    if existing is not None and not (can_see_property(existing.property_id, user)
                                     and may_read_record(existing, user)):
        # Someone else's record, or another property's: the same 404 as its GET, so a PUT
        # reveals neither that the id exists nor its revision and status.
        raise Problem("not_found")
    if existing is not None and expected in _known_seals(existing):
        return existing  # a resend: the effect of sending it once

    completed = _check_times(data["started_at"], data["completed_at"], device_time)
    _check_subject(checklist, prop, data["subject"], completed)
    check = AnswerCheck(checklist.definition, data["answers"],
                        _register_rows(checklist.definition, prop.id)).run()
    if check.problems:
        raise Problem("record.invalid_answers", details={"items": check.problems})
    check_citable(attachment_hashes(data["answers"]), user)
    if data["seal"]["hash"] != expected:
        raise Problem("record.seal_mismatch", details={"expected": expected})

    now = utcnow()
    late_after = timedelta(hours=current_app.config["RECORD_LATE_AFTER_HOURS"])
    received = {
        "answers": data["answers"], "seal_hash": expected, "has_failures": check.has_failures,
        "started_at_device": data["started_at"], "completed_at_device": data["completed_at"],
        "completed_at": completed, "device_id": data.get("device_id"),
        "device_clock_offset_seconds": _clock_offset(device_moment),
        "received_at": now, "late": now - completed > late_after,
    }
    if existing is None:
        try:
            with db.session.begin_nested():
                record = _create(record_id, user, checklist, data["subject"], prop.id, received)
            _stored(record)
            return record
        except IntegrityError:
            # Another device (or a retry racing itself) created this id a moment ago.
            existing = _locked(record_id)
            if expected in _known_seals(existing):
                return existing
    record = _push_existing(existing, user, checklist, prop.id, data["subject"], received,
                            check_revision)
    _stored(record)
    return record


def _known_seals(record: Inspection) -> set[str]:
    return {record.seal_hash} | {revision.seal_hash for revision in record.revisions}


def _check_times(started_text: str, completed_text: str, device_time: str | None) -> datetime:
    """The completion time, if the phone's times are possible: completion not before the start,
    and not ahead of the server's clock by more than a phone's clock normally drifts."""
    started, completed = parse_device_time(started_text), parse_device_time(completed_text)
    if completed < started:
        raise Problem("record.completed_before_start",
                      details={"started_at": started_text, "completed_at": completed_text})
    ahead = (completed - utcnow()).total_seconds()
    if ahead > current_app.config["DEVICE_CLOCK_AHEAD_SECONDS"]:
        raise Problem("record.completed_in_future",
                      details={"completed_at": completed_text, "phone_time": device_time,
                               "minutes_ahead": round(ahead / 60)},
                      phone_time=completed_text, minutes=round(ahead / 60))
    return completed


def _stored(record: Inspection):
    _update_key_register(record)
    # Follow-ups are raised by their own package, in this transaction (signals.py).
    record_stored.send(current_app._get_current_object(), record=record)


# What a key audit found, as the key register's status: the audit is the count of the cabinet.
# A damaged key is still held: its follow-up carries the damage.
KEY_STATUS_FOUND = {"present": KeyStatus.IN_CUSTODY, "lent_out": KeyStatus.LENT,
                    "missing": KeyStatus.MISSING}


def _update_key_register(record: Inspection):
    """A key audit's rows become the register's status, unless the register changed after the
    audit was done (an audit sent late does not undo a newer change)."""
    items = [item for item in iter_items(record.checklist_version.definition)
             if item["type"] == "register_rows" and item.get("register") == "keys"]
    if not items:
        return
    keys = {str(key.id): key for key in db.session.scalars(
        sa.select(Key).where(Key.property_id == record.property_id))}
    for item in items:
        rows = (record.answers.get(item["id"]) or {}).get("rows") or {}
        for row_id, row in rows.items():
            status = KEY_STATUS_FOUND.get(row.get("value"))
            key = keys.get(row_id)
            if (status is None or key is None or key.status == status
                    or key.status == KeyStatus.RETURNED or key.updated_at > record.completed_at):
                continue
            key.status = status
    db.session.flush()


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


def _push_existing(record: Inspection, user: User, checklist, property_id: int, subject: dict,
                   received: dict, check_revision):
    """A new revision of a returned record: only its answers and times may change. What was
    inspected, where and against which checklist is what the record is."""
    if record.inspector_id != user.id:
        raise Problem("record.different_content",
                      details={"revision": record.revision, "status": record.status})
    if record.status != InspectionStatus.RETURNED:
        # An edit names the revision it started from. If that is no longer the current one
        # (it was resubmitted meanwhile, from this phone or another), the edit is stale: 412,
        # as for any edit. If it is current, the record is simply not open for editing (waiting
        # for review, or approved, which is final). Without If-Match it is not an edit at all
        # but other content under a used id.
        if check_revision(record.revision, required=False):
            raise Problem("record.not_editable",
                          details={"revision": record.revision, "status": record.status})
        raise Problem("record.different_content",
                      details={"revision": record.revision, "status": record.status})
    changed = [name for name, same in (
        ("property_id", record.property_id == property_id),
        ("checklist", record.checklist_version_id == checklist.id),
        ("subject", (record.subject_type, record.subject_id) == (subject["type"], subject["id"])),
    ) if not same]
    if changed:
        raise Problem("record.identity_changed", details={"changed": changed})
    check_revision(record.revision)
    for key, value in received.items():
        setattr(record, key, value)
    record.revision += 1
    record.status = InspectionStatus.SUBMITTED
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
    labels = subject_labels(records)
    rows = register_row_labels(records)
    for record in records:
        record.subject_label = labels[record.id]
        record.row_labels = rows.get(record.id, {})
    records_loaded.send(current_app._get_current_object(), records=records)
    return records


def register_row_labels(records) -> dict:
    """record id → {row id → "K005 入户门钥匙"}: register rows (key audits) named as people know
    them, never by their database id; one query whatever the number of records."""
    wanted: dict = {}
    for record in records:
        for answer in (record.answers or {}).values():
            for row_id in (answer or {}).get("rows") or {}:
                if str(row_id).isdigit():
                    wanted.setdefault(record.id, set()).add(int(row_id))
    every = set().union(*wanted.values()) if wanted else set()
    if not every:
        return {}
    keys = {key.id: key for key in db.session.scalars(sa.select(Key).where(Key.id.in_(every)))}
    result = {}
    for record in records:
        result[record.id] = {str(row_id): f"{keys[row_id].tag_no} {keys[row_id].description}"
                             for row_id in wanted.get(record.id, ())
                             if row_id in keys and keys[row_id].property_id == record.property_id}
    return result


def load_one_printed(record: Inspection) -> Inspection:
    return load_printed([record])[0]


def records_holding(_app, sha256s: list[str]):
    """`blob_holders` receiver: (blob, property) of the records that reference the blobs."""
    return (sa.select(InspectionAttachment.sha256, Inspection.property_id)
            .join(InspectionAttachment, Inspection.id == InspectionAttachment.inspection_id)
            .where(InspectionAttachment.sha256.in_(sha256s)))


def _check_subject(checklist, prop: Property, subject: dict, completed: datetime):
    if subject["type"] != checklist.subject:
        raise Problem("record.bad_subject", details={"expected_type": checklist.subject})
    model = {"renovation": Renovation, "unit": Unit}.get(subject["type"])
    if subject["type"] == "staff":  # one of the property's staff members
        row, ok = None, subject["id"] in {user.id for user in staff_of(prop.id)}
    elif model is None:  # property / key_register: the subject is the property itself
        row, ok = None, subject["id"] == prop.id
    else:
        row = db.session.get(model, subject["id"])
        ok = row is not None and row.property_id == prop.id
    if not ok:
        raise Problem("record.bad_subject", details={"expected_type": checklist.subject})
    if isinstance(row, Renovation):
        _check_renovation_active(row, prop, completed)


def _check_renovation_active(renovation: Renovation, prop: Property, completed: datetime):
    """A renovation is patrolled while its works may go on: within its permit, and not before
    it was started or after it was stopped. A renovation completed or suspended now still
    accepts records finished before it left the active state (`active_until`, or its last
    update for rows older than that column), which phones that were offline send late."""
    day = completed.astimezone(ZoneInfo(prop.timezone)).date()
    status = renovation.status
    inactive = (
        status in (RenovationStatus.PENDING, RenovationStatus.CANCELLED)
        or not renovation.permit_start <= day <= renovation.permit_end
        or (status in (RenovationStatus.COMPLETED, RenovationStatus.SUSPENDED)
            and completed > (renovation.active_until or renovation.updated_at)))
    if inactive:
        raise Problem("record.subject_inactive",
                      details={"status": status, "permit_start": renovation.permit_start.isoformat(),
                               "permit_end": renovation.permit_end.isoformat(),
                               "inspected_on": day.isoformat()},
                      start=renovation.permit_start.isoformat(),
                      end=renovation.permit_end.isoformat())


def _register_rows(definition: dict, property_id: int) -> dict[str, bool]:
    if not any(item["type"] == "register_rows" for item in iter_items(definition)):
        return {}
    keys = db.session.execute(sa.select(Key.id, Key.status).where(Key.property_id == property_id))
    return {str(key_id): status in Key.AUDITED_STATUSES for key_id, status in keys}


# A phone's clock, as X-Device-Time gives it, is believed within these years: a clock reset to
# 1970 or a typo in year 9999 is not a clock the offset should be measured against.
DEVICE_TIME_YEARS = (2000, 2099)


def _device_time_header(text: str | None) -> datetime | None:
    """The X-Device-Time header, parsed; a header that is there but unreadable is refused (400)
    rather than ignored, so a client learns its clock is not being recorded."""
    if text is None:
        return None
    parsed = parse_device_time(text.strip()) if len(text) <= 40 else None
    if parsed is None or not DEVICE_TIME_YEARS[0] <= parsed.year <= DEVICE_TIME_YEARS[1]:
        raise Problem("request.bad_device_time",
                      details={"header": "X-Device-Time", "value": text[:40],
                               "expected": "ISO 8601 with offset, e.g. 2026-11-23T09:10:00+08:00",
                               "years": list(DEVICE_TIME_YEARS)},
                      first=DEVICE_TIME_YEARS[0], last=DEVICE_TIME_YEARS[1])
    return parsed


def _clock_offset(device_moment: datetime | None) -> int | None:
    if device_moment is None:
        return None
    return round((device_moment - utcnow()).total_seconds())


def subject_labels(records) -> dict:
    """record id → what was inspected, for people (e.g. 3栋2单元1102, a staff member's name,
    or the property name), loaded in four queries whatever the number of records."""
    kinds = ("renovation", "unit", "staff")
    ids: dict[str, set[int]] = {"renovation": set(), "unit": set(), "property": set(),
                                "staff": set()}
    for record in records:
        kind = record.subject_type if record.subject_type in kinds else "property"
        ids[kind].add(record.subject_id)
    labels: dict[tuple[str, int], str] = {}
    if ids["renovation"]:
        for renovation in db.session.scalars(sa.select(Renovation).where(
                Renovation.id.in_(ids["renovation"]))):
            labels[("renovation", renovation.id)] = renovation.unit.label
    if ids["unit"]:
        for unit in db.session.scalars(sa.select(Unit).where(Unit.id.in_(ids["unit"]))):
            labels[("unit", unit.id)] = unit.label
    if ids["staff"]:
        for user in db.session.scalars(sa.select(User).where(User.id.in_(ids["staff"]))):
            labels[("staff", user.id)] = user.display_name
    if ids["property"]:
        for prop in db.session.scalars(sa.select(Property).where(Property.id.in_(ids["property"]))):
            labels[("property", prop.id)] = prop.name
    result = {}
    for record in records:
        kind = record.subject_type if record.subject_type in kinds else "property"
        result[record.id] = labels.get((kind, record.subject_id), "")
    return result
