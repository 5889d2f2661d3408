"""Supervisor review of a record: approve, or return it to the inspector with comments."""

import sqlalchemy as sa

from server.checklists.items import iter_items
from server.core.db import db
from server.core.errors import Problem
from server.inspections.models import Inspection, InspectionStatus
from server.users.models import User

from .models import ReviewAction, ReviewEvent
from .schemas import ReviewEventOut


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


def reviews_of(record_id) -> list[ReviewEvent]:
    """A record's review steps, oldest first."""
    return db.session.scalars(sa.select(ReviewEvent).filter_by(inspection_id=record_id)
                              .order_by(ReviewEvent.created_at, ReviewEvent.id)).all()


def attach_review_steps(_app, records: list[Inspection]):
    """`records_loaded` receiver: each record's review steps, as printed, in one query."""
    steps: dict = {record.id: [] for record in records}
    if steps:
        for event in db.session.scalars(
                sa.select(ReviewEvent).where(ReviewEvent.inspection_id.in_(steps))
                .order_by(ReviewEvent.created_at, ReviewEvent.id)):
            steps[event.inspection_id].append(event)
    for record in records:
        record.review_steps = ReviewEventOut(many=True).dump(steps[record.id])
