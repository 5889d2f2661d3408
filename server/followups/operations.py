"""Follow-ups (整改) and work orders (工单) from the problem found to the owner's callback.

Seed 000: 三天未完成，留有沟通记录 — three days after a problem was found (by the finder's
clock), an unresolved one needs a recorded contact, and cannot be closed without one;
电话回访100% — every one that involves an owner is called back before it closes, by someone
other than the person who fixed it, and 不满意 opens it again; 缺失钥匙…由项目经理审批 — a
missing key closes only once the project manager has approved it and named who is responsible.
"""

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from server.checklists.items import FOLLOW_UP_DUE_DAYS, is_failure, is_row_failure, iter_items
from server.core.db import db, utcnow
from server.core.errors import Problem
from server.core.i18n import translate
from server.inspections.answers import parse_device_time
from server.inspections.models import Inspection, InspectionStatus
from server.inspections.operations import subject_labels
from server.media.access import check_citable
from server.properties.models import Key, Property, Unit
from server.users.models import PropertyMember, User

from . import escalations, naming
from .categories import CATEGORIES
from .due import past_due, property_today
from .models import (
    EscalationReason,
    FollowUp,
    FollowUpAction,
    FollowUpAttachment,
    FollowUpEvent,
    FollowUpSource,
    FollowUpStatus,
    Satisfaction,
)

# Follow-ups raised by a record are named from it, so a resent record raises nothing new.
_NAMESPACE = uuid.UUID("6f1c8e9a-2d4b-4e57-9a0c-3b7d5e1f2a68")
CONTACT_AFTER_DAYS = 3
# Checklist subjects where the problem is an owner's: their follow-ups are called back.
_OWNER_SUBJECTS = ("unit", "renovation")
# A key row answered this way needs the project manager's approval (seed 钥匙管理 4).
MISSING_KEY = "missing"
_CONTENT_OK = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)


def followup_id_for(record_id, item_id: str, row_key: str | None = None) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{record_id}/{item_id}/{row_key or ''}")


def raise_for_stored_record(_app, record: Inspection):
    """`record_stored` receiver: follow-ups of a newly stored record or revision."""
    raise_for_record(record, subject_labels([record])[record.id])


def _keys_of(record: Inspection, definition: dict) -> dict[str, Key]:
    ids = set()
    for item in iter_items(definition):
        if item["type"] == "register_rows" and item.get("register") == "keys":
            for row_key in ((record.answers.get(item["id"]) or {}).get("rows") or {}):
                if str(row_key).isdigit():
                    ids.add(int(row_key))
    if not ids:
        return {}
    return {str(key.id): key for key in db.session.scalars(sa.select(Key).where(Key.id.in_(ids)))}


def raise_for_record(record: Inspection, subject_label: str):
    """Open a follow-up for every failed item that asks for one, and queue for the project
    manager every answer the checklist marks for them. Idempotent."""
    definition = record.checklist_version.definition
    tz = ZoneInfo(db.session.get(Property, record.property_id).timezone)
    found_on = record.completed_at.astimezone(tz).date()
    keys = _keys_of(record, definition)
    owner_subject = record.subject_type in _OWNER_SUBJECTS
    raised: list[FollowUp] = []
    for item in iter_items(definition):
        answer = record.answers.get(item["id"]) or {}
        if not item.get("follow_up_on_fail"):
            continue
        failures = []  # (row key, text, approval needed)
        if item["type"] == "register_rows":
            for row_key, row in (answer.get("rows") or {}).items():
                value = row.get("value")
                if is_row_failure(item, value):
                    text = naming.row_problem(item, keys.get(str(row_key)), row_key, value,
                                              row.get("comment"))
                    missing_key = item.get("register") == "keys" and value == MISSING_KEY
                    failures.append((row_key, text, missing_key))
        elif is_failure(item, answer.get("value")):
            text = naming.item_problem(definition, item, record.answers, answer.get("value"),
                                       answer.get("comment"))
            failures.append((None, text, False))
        for row_key, text, missing_key in failures:
            follow_up_id = followup_id_for(record.id, item["id"], row_key)
            existing = db.session.get(FollowUp, follow_up_id)
            if existing is not None:
                raised.append(existing)
                continue
            follow_up = FollowUp(
                id=follow_up_id, property_id=record.property_id, inspection_id=record.id,
                item_id=item["id"], row_key=row_key, subject_label=subject_label[:100],
                description=text["zh-CN"], description_en=text["en"],
                source=FollowUpSource.INSPECTION, found_at=record.completed_at,
                callback_required=item.get("callback", owner_subject) and not missing_key,
                approval_required=missing_key, assignee_id=record.inspector_id,
                due_date=found_on + timedelta(days=item.get("follow_up_due_days", FOLLOW_UP_DUE_DAYS)),
                created_by_id=record.inspector_id)
            db.session.add(follow_up)
            db.session.add(FollowUpEvent(id=uuid.uuid4(), follow_up=follow_up,
                                         action=FollowUpAction.CREATE,
                                         actor_id=record.inspector_id, note=text["zh-CN"]))
            raised.append(follow_up)
    _escalate_answers(record, definition, subject_label, raised)
    db.session.flush()


def _escalate_answers(record: Inspection, definition: dict, subject_label: str,
                      raised: list[FollowUp]):
    """"告知项目经理": the answer, with the problems the same visit found, goes to the queue."""
    for item in iter_items(definition):
        wanted = item.get("escalate_when")
        answer = record.answers.get(item["id"]) or {}
        if wanted is None or answer.get("value") != wanted:
            continue
        problems = {language: "；".join(
            (f.description_en or f.description) if language == "en" else f.description
            for f in raised) for language in naming.LANGUAGES}
        summary = {}
        for language in naming.LANGUAGES:
            parts = [item["label"][language], naming.answer_words(item, wanted, language)]
            if answer.get("comment"):
                parts.append(answer["comment"].strip())
            if problems[language]:
                parts.append(problems[language])
            summary[language] = naming.SEPARATOR.join(parts)
        escalations.escalate(property_id=record.property_id, reason=EscalationReason.TOLD_PM,
                             summary=summary, cause=record.id, detail=item["id"],
                             follow_up=raised[0] if raised else None, inspection_id=record.id,
                             subject_label=subject_label)


def _member_or_422(property_id: int, user_id: int) -> User:
    user = db.session.get(User, user_id)
    member = db.session.get(PropertyMember, (user_id, property_id))
    if user is None or not user.is_active or member is None:
        raise Problem("followup.bad_assignee")
    return user


def create_by_hand(user: User, follow_up_id: uuid.UUID, data: dict) -> FollowUp:
    """A follow-up a supervisor raises directly (e.g. on a walk-round). Idempotent by id."""
    existing = db.session.get(FollowUp, follow_up_id)
    if existing is not None:
        same = (existing.property_id == data["property_id"]
                and existing.description == data["description"]
                and existing.assignee_id == data["assignee_id"])
        if not same:
            raise Problem("followup.different_content")
        return existing
    _member_or_422(data["property_id"], data["assignee_id"])
    follow_up = FollowUp(id=follow_up_id, property_id=data["property_id"],
                         description=data["description"], assignee_id=data["assignee_id"],
                         due_date=data["due_date"], subject_label=data.get("subject_label", ""),
                         source=FollowUpSource.MANUAL, found_at=utcnow(),
                         callback_required=data.get("callback_required", False),
                         created_by_id=user.id)
    db.session.add(follow_up)
    db.session.add(FollowUpEvent(id=uuid.uuid4(), follow_up=follow_up,
                                 action=FollowUpAction.CREATE, actor_id=user.id,
                                 note=data["description"]))
    db.session.flush()
    return follow_up


def _reported_at(text: str) -> datetime:
    reported = parse_device_time(text)
    ahead = (reported - utcnow()).total_seconds()
    if ahead > current_app.config["DEVICE_CLOCK_AHEAD_SECONDS"]:
        raise Problem("workorder.reported_in_future", details={"reported_at": text})
    return reported


def create_work_order(user: User, prop: Property, order_id: uuid.UUID, data: dict) -> FollowUp:
    """An owner's complaint or repair request (投诉 / 报修), entered at the desk or on a phone,
    offline too, under an id the phone made: the same order sent again is taken once, a
    different one under the same id is refused. The view checked who may assign it."""
    kind = data["kind"]
    existing = db.session.get(FollowUp, order_id)
    if existing is not None:
        same = (existing.property_id == prop.id and existing.source == kind
                and existing.description == data["description"].strip()
                and existing.category == data["category"])
        if not same:
            raise Problem("followup.different_content")
        return existing
    if data["category"] not in CATEGORIES[kind]:
        raise Problem("workorder.bad_category")
    unit = None
    if data.get("unit_id") is not None:
        unit = db.session.get(Unit, data["unit_id"])
        if unit is None or unit.property_id != prop.id:
            raise Problem("workorder.bad_unit")
    if unit is None and not (data.get("location") or "").strip():
        raise Problem("workorder.place_required")
    assignee_id = data.get("assignee_id") or user.id
    _member_or_422(prop.id, assignee_id)
    photos = data.get("photos") or []
    check_citable([photo["sha256"] for photo in photos], user)
    reported = _reported_at(data["reported_at"])
    reported_on = reported.astimezone(ZoneInfo(prop.timezone)).date()
    caller = bool((data.get("caller_name") or "").strip() or (data.get("caller_phone") or "").strip())
    place = unit.label if unit else data["location"].strip()
    follow_up = FollowUp(
        id=order_id, property_id=prop.id, source=kind, description=data["description"].strip(),
        subject_label=place[:100], unit_id=unit.id if unit else None,
        caller_name=(data.get("caller_name") or "").strip() or None,
        caller_phone=(data.get("caller_phone") or "").strip() or None,
        channel=data["channel"], category=data["category"],
        group_risk=kind == FollowUpSource.COMPLAINT and data.get("group_risk", False),
        found_at=reported, callback_required=CATEGORIES[kind][data["category"]] or caller,
        assignee_id=assignee_id, due_date=reported_on + timedelta(days=FOLLOW_UP_DUE_DAYS),
        created_by_id=user.id)
    db.session.add(follow_up)
    db.session.add(FollowUpEvent(id=uuid.uuid4(), follow_up=follow_up,
                                 action=FollowUpAction.CREATE, actor_id=user.id,
                                 note=follow_up.description, photos=photos,
                                 at_device=data["reported_at"]))
    _attach(follow_up, photos)
    if follow_up.group_risk:
        category = {language: translate(f"category.{follow_up.category}", language=language)
                    for language in naming.LANGUAGES}
        escalations.escalate(
            property_id=prop.id, reason=EscalationReason.GROUP_RISK, cause=follow_up.id,
            follow_up=follow_up, subject_label=place,
            summary={language: naming.SEPARATOR.join([category[language], follow_up.description])
                     for language in naming.LANGUAGES})
    db.session.flush()
    return follow_up


def _attach(follow_up: FollowUp, photos: list):
    for digest in {photo["sha256"] for photo in photos}:
        if db.session.get(FollowUpAttachment, (follow_up.id, digest)) is None:
            db.session.add(FollowUpAttachment(follow_up_id=follow_up.id, sha256=digest))


def last_fixer_id(follow_up: FollowUp) -> int | None:
    fixes = [e for e in follow_up.events if e.action == FollowUpAction.FIX]
    return fixes[-1].actor_id if fixes else None


def _callback_since_fix(follow_up: FollowUp) -> FollowUpEvent | None:
    """The owner's answer to the callback on the latest fix, if any."""
    last = None
    for event in follow_up.events:
        if event.action == FollowUpAction.FIX:
            last = None
        elif event.action == FollowUpAction.CALLBACK:
            last = event
    return last


def add_event(user: User, follow_up: FollowUp, data: dict) -> FollowUp:
    """Apply one step. Idempotent by the event id the client made. The view has checked that
    the caller may take this step (`STEP_PERMISSIONS`)."""
    existing = db.session.get(FollowUpEvent, data["id"])
    if existing is not None:
        if existing.follow_up_id != follow_up.id or existing.action != data["action"]:
            raise Problem("followup.different_content")
        return follow_up
    action = data["action"]
    photos = data.get("photos") or []
    check_citable([photo["sha256"] for photo in photos], user)
    note = (data.get("note") or "").strip() or None
    status = follow_up.status
    # Joined to the follow-up only once every check passed (joining it adds it to the session).
    event = FollowUpEvent(id=data["id"], action=action, actor_id=user.id, note=note,
                          photos=photos, at_device=data.get("at"))
    if action == FollowUpAction.FIX:
        _expect(status, FollowUpStatus.OPEN)
        if not photos:
            raise Problem("followup.photo_required")
        follow_up.status = FollowUpStatus.FIXED
    elif action == FollowUpAction.VERIFY:
        _expect(status, FollowUpStatus.FIXED)
        _check_closable(follow_up)
        follow_up.status = FollowUpStatus.VERIFIED
        follow_up.closed_at = utcnow()
    elif action == FollowUpAction.REOPEN:
        if status == FollowUpStatus.OPEN:
            _refuse_status(status)
        if not note:
            raise Problem("followup.note_required")
        follow_up.status = FollowUpStatus.OPEN
        follow_up.closed_at = None
    elif action == FollowUpAction.CONTACT:
        if status == FollowUpStatus.VERIFIED:
            _refuse_status(status)
        if not data.get("contact_method"):
            raise Problem("followup.contact_method_required")
        if not note:
            raise Problem("followup.note_required")
        event.contact_method = data["contact_method"]
        event.contact_with = (data.get("contact_with") or "").strip() or None
    elif action == FollowUpAction.CALLBACK:
        _callback(user, follow_up, data, note, event)
    elif action == FollowUpAction.APPROVE:
        if not follow_up.approval_required or follow_up.approved_at is not None:
            raise Problem("followup.nothing_to_approve")
        responsible = (data.get("responsible") or "").strip()
        if not responsible:
            raise Problem("followup.responsible_required")
        follow_up.approved_at = utcnow()
        follow_up.responsible_person = responsible
        event.note = naming.SEPARATOR.join(p for p in (responsible, note) if p)
    elif action == FollowUpAction.ASSIGN:
        if status == FollowUpStatus.VERIFIED:
            _refuse_status(status)
        if data.get("assignee_id"):
            _member_or_422(follow_up.property_id, data["assignee_id"])
            follow_up.assignee_id = data["assignee_id"]
        if data.get("due_date"):
            follow_up.due_date = data["due_date"]
    else:
        raise Problem("request.invalid")
    event.follow_up = follow_up
    db.session.add(event)
    _attach(follow_up, photos)
    follow_up.updated_at = utcnow()
    db.session.flush()
    return follow_up


def _callback(user: User, follow_up: FollowUp, data: dict, note: str | None,
              event: FollowUpEvent):
    """回访: the owner is asked about the fix, by someone who did not make it. 不满意 opens the
    follow-up again; 满意 / 基本满意 let a supervisor close it."""
    if not follow_up.callback_required:
        raise Problem("followup.no_owner")
    _expect(follow_up.status, FollowUpStatus.FIXED)
    if last_fixer_id(follow_up) == user.id:
        raise Problem("followup.callback_by_fixer")
    satisfaction = data.get("satisfaction")
    if not satisfaction:
        raise Problem("followup.satisfaction_required")
    if satisfaction == Satisfaction.DISSATISFIED:
        if not note:
            raise Problem("followup.note_required")
        follow_up.status = FollowUpStatus.OPEN
    event.satisfaction = satisfaction


def _check_closable(follow_up: FollowUp, now=None):
    """Everything a follow-up needs before a supervisor closes it."""
    if follow_up.approval_required and follow_up.approved_at is None:
        raise Problem("followup.approval_required")
    if contact_overdue(follow_up, now):
        raise Problem("followup.contact_required", days=CONTACT_AFTER_DAYS)
    if follow_up.callback_required:
        callback = _callback_since_fix(follow_up)
        if callback is None or callback.satisfaction not in _CONTENT_OK:
            raise Problem("followup.callback_required")


def _refuse_status(status: str):
    raise Problem("followup.wrong_status", status=translate(f"status.followup.{status}"))


def _expect(status: str, wanted: str):
    if status != wanted:
        _refuse_status(status)


def contact_overdue(follow_up: FollowUp, now=None) -> bool:
    """Found more than three days ago, by the finder's clock, with no recorded contact."""
    now = now or utcnow()
    return (now - follow_up.found_at > timedelta(days=CONTACT_AFTER_DAYS)
            and not any(e.action == FollowUpAction.CONTACT for e in follow_up.events))


def needs_contact(follow_up: FollowUp, now=None) -> bool:
    """Unresolved more than three days after it was found, and no contact recorded yet."""
    return follow_up.status != FollowUpStatus.VERIFIED and contact_overdue(follow_up, now)


def days_late(follow_up: FollowUp, today: date | None = None) -> int:
    """How many days past its due date an unresolved follow-up is (0 if not late)."""
    if follow_up.status == FollowUpStatus.VERIFIED:
        return 0
    return max(0, ((today or property_today(follow_up)) - follow_up.due_date).days)


def follow_ups_holding(_app, sha256s: list[str]):
    """`blob_holders` receiver: (blob, property) of the follow-ups with photos of the blobs."""
    return (sa.select(FollowUpAttachment.sha256, FollowUp.property_id)
            .join(FollowUpAttachment, FollowUp.id == FollowUpAttachment.follow_up_id)
            .where(FollowUpAttachment.sha256.in_(sha256s)))


def visible_followups(statement, visible_ids):
    if visible_ids is not None:
        statement = statement.where(FollowUp.property_id.in_(visible_ids))
    return statement


def open_for(user: User):
    return sa.select(FollowUp).where(FollowUp.assignee_id == user.id,
                                     FollowUp.status != FollowUpStatus.VERIFIED)


def notices_for(user: User, visible_ids: list[int] | None, sees_escalations: bool,
                today: date | None = None) -> dict:
    """The counts a person sees at each sync: assigned to me, overdue, returned, escalated."""
    mine = [FollowUp.assignee_id == user.id, FollowUp.status != FollowUpStatus.VERIFIED]
    count = lambda statement: db.session.scalar(statement) or 0  # noqa: E731
    result = {
        "assigned": count(sa.select(sa.func.count()).select_from(FollowUp).where(*mine)),
        "overdue": count(sa.select(sa.func.count()).select_from(FollowUp)
                         .where(*mine, past_due(today))),
        "returned": count(sa.select(sa.func.count()).select_from(Inspection).where(
            Inspection.inspector_id == user.id, Inspection.status == InspectionStatus.RETURNED)),
        "escalated": 0,
    }
    if sees_escalations:
        escalations.escalate_overdue(visible_ids, today)
        result["escalated"] = count(sa.select(sa.func.count()).select_from(
            escalations.queue(visible_ids, open_only=True).order_by(None).subquery()))
    return result

