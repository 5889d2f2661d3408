"""Supervisor review of a record: approve, or return it to the inspector with comments."""

from server.checklists.items import iter_items
from server.core.db import db
from server.core.errors import Problem
from server.inspections.models import Inspection, InspectionStatus
from server.users.models import User

from .models import ReviewAction, ReviewEvent


def review_record(user: User, record: Inspection, action: str, revision: int,
                  comment: str | None, item_comments: dict[str, str]) -> Inspection:
    """Idempotent only in the sense that a second review of the same revision is refused:
    a reviewed revision is settled, and a new one comes only from the inspector."""
    if record.inspector_id == user.id:
        raise Problem("review.own_record")
    if revision != record.revision:
        raise Problem("record.stale_revision", details={"current_revision": record.revision})
    if record.status != InspectionStatus.SUBMITTED:
        raise Problem("review.already_reviewed", details={"status": record.status})
    known = {item["id"] for item in iter_items(record.checklist_version.definition)}
    if unknown := sorted(set(item_comments) - known):
        raise Problem("review.unknown_items", details={"items": unknown})
    item_comments = {key: text.strip() for key, text in item_comments.items() if text.strip()}
    if action == ReviewAction.RETURN and not (comment or "").strip() and not item_comments:
        raise Problem("review.comment_required")
    db.session.add(ReviewEvent(inspection_id=record.id, revision=record.revision, action=action,
                               actor_id=user.id, comment=(comment or "").strip() or None,
                               item_comments=item_comments))
    record.status = (InspectionStatus.APPROVED if action == ReviewAction.APPROVE
                     else InspectionStatus.RETURNED)
    db.session.flush()
    return record
