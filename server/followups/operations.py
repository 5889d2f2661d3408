"""Follow-ups (整改) from failure to verified fix.

Seed 000: an item unresolved after 3 days needs a recorded contact with the owner (三天未完成，
留有沟通记录), and every closed one a callback (回访率100%). Both are events here; `verify`
refuses a follow-up that has no callback.
"""

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server.checklists.items import FOLLOW_UP_DUE_DAYS, is_failure, is_row_failure, iter_items
from server.core.db import db, utcnow
from server.core.errors import Problem
from server.inspections.models import Inspection
from server.inspections.operations import subject_labels
from server.media.access import check_citable
from server.properties.models import Property
from server.users.models import PropertyMember, User

from .models import (
    FollowUp,
    FollowUpAction,
    FollowUpAttachment,
    FollowUpEvent,
    FollowUpStatus,
)

# Follow-ups raised by a record are named from it, so a resent record raises nothing new.
_NAMESPACE = uuid.UUID("6f1c8e9a-2d4b-4e57-9a0c-3b7d5e1f2a68")
CONTACT_AFTER_DAYS = 3


def followup_id_for(record_id, item_id: str, row_key: str | None = None) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{record_id}/{item_id}/{row_key or ''}")


def raise_for_stored_record(_app, record: Inspection):
    """`record_stored` receiver: follow-ups of a newly stored record or revision."""
    raise_for_record(record, subject_labels([record])[record.id])


def raise_for_record(record: Inspection, subject_label: str):
    """Open a follow-up for every failed item that asks for one. Idempotent."""
    definition = record.checklist_version.definition
    tz = ZoneInfo(db.session.get(Property, record.property_id).timezone)
    found_on = record.completed_at.astimezone(tz).date()
    for item in iter_items(definition):
        if not item.get("follow_up_on_fail"):
            continue
        answer = record.answers.get(item["id"]) or {}
        failures = []
        if item["type"] == "register_rows":
            for row_key, row in (answer.get("rows") or {}).items():
                if is_row_failure(item, row.get("value")):
                    failures.append((row_key, row.get("comment")))
        elif is_failure(item, answer.get("value")):
            failures.append((None, answer.get("comment")))
        for row_key, comment in failures:
            follow_up_id = followup_id_for(record.id, item["id"], row_key)
            if db.session.get(FollowUp, follow_up_id) is not None:
                continue
            label = item["label"]["zh-CN"] + (f"（{row_key}）" if row_key else "")
            description = f"{label}：{comment}" if comment else label
            follow_up = FollowUp(
                id=follow_up_id, property_id=record.property_id, inspection_id=record.id,
                item_id=item["id"], row_key=row_key, subject_label=subject_label[:100],
                description=description, assignee_id=record.inspector_id,
                due_date=found_on + timedelta(days=item.get("follow_up_due_days", FOLLOW_UP_DUE_DAYS)),
                created_by_id=record.inspector_id)
            db.session.add(follow_up)
            db.session.add(FollowUpEvent(id=uuid.uuid4(), follow_up=follow_up,
                                         action=FollowUpAction.CREATE,
                                         actor_id=record.inspector_id, note=description))
    db.session.flush()


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
                         created_by_id=user.id)
    db.session.add(follow_up)
    db.session.add(FollowUpEvent(id=uuid.uuid4(), follow_up=follow_up,
                                 action=FollowUpAction.CREATE, actor_id=user.id,
                                 note=data["description"]))
    db.session.flush()
    return follow_up


def add_event(user: User, follow_up: FollowUp, data: dict) -> FollowUp:
    """Apply one step. Idempotent by the event id the client made. The view has checked that
    the caller may take this step (`step_permission`)."""
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
    if action == FollowUpAction.FIX:
        _expect(status, FollowUpStatus.OPEN)
        if not photos:
            raise Problem("followup.photo_required")
        follow_up.status = FollowUpStatus.FIXED
    elif action == FollowUpAction.VERIFY:
        _expect(status, FollowUpStatus.FIXED)
        if not any(e.action == FollowUpAction.CALLBACK for e in follow_up.events):
            raise Problem("followup.callback_required")
        follow_up.status = FollowUpStatus.VERIFIED
        follow_up.closed_at = utcnow()
    elif action == FollowUpAction.REOPEN:
        if status == FollowUpStatus.OPEN:
            raise Problem("followup.wrong_status", status=status)
        if not note:
            raise Problem("followup.note_required")
        follow_up.status = FollowUpStatus.OPEN
        follow_up.closed_at = None
    elif action in (FollowUpAction.CONTACT, FollowUpAction.CALLBACK):
        if not note:
            raise Problem("followup.note_required")
        if action == FollowUpAction.CALLBACK and status == FollowUpStatus.OPEN:
            raise Problem("followup.wrong_status", status=status)
    elif action == FollowUpAction.ASSIGN:
        if data.get("assignee_id"):
            _member_or_422(follow_up.property_id, data["assignee_id"])
            follow_up.assignee_id = data["assignee_id"]
        if data.get("due_date"):
            follow_up.due_date = data["due_date"]
    else:
        raise Problem("request.invalid")
    db.session.add(FollowUpEvent(id=data["id"], follow_up=follow_up, action=action,
                                 actor_id=user.id, note=note, photos=photos,
                                 at_device=data.get("at")))
    for digest in {photo["sha256"] for photo in photos}:
        if db.session.get(FollowUpAttachment, (follow_up.id, digest)) is None:
            db.session.add(FollowUpAttachment(follow_up_id=follow_up.id, sha256=digest))
    follow_up.updated_at = utcnow()
    db.session.flush()
    return follow_up


def _expect(status: str, wanted: str):
    if status != wanted:
        raise Problem("followup.wrong_status", status=status)


def needs_contact(follow_up: FollowUp, now=None) -> bool:
    """Open for more than three days with no recorded contact with the owner."""
    now = now or utcnow()
    return (follow_up.status == FollowUpStatus.OPEN
            and now - follow_up.created_at > timedelta(days=CONTACT_AFTER_DAYS)
            and not any(e.action == FollowUpAction.CONTACT for e in follow_up.events))


def follow_ups_holding(_app, sha256: str):
    """`blob_holders` receiver: the properties of the follow-ups with a photo of a blob."""
    return (sa.select(FollowUp.property_id)
            .join(FollowUpAttachment, FollowUp.id == FollowUpAttachment.follow_up_id)
            .where(FollowUpAttachment.sha256 == sha256))


def visible_followups(statement, visible_ids):
    if visible_ids is not None:
        statement = statement.where(FollowUp.property_id.in_(visible_ids))
    return statement


def open_for(user: User):
    return sa.select(FollowUp).where(FollowUp.assignee_id == user.id,
                                     FollowUp.status != FollowUpStatus.VERIFIED)
