"""What happened to a record after it was sealed: revisions, reviews and follow-ups (整改).

Each function returns plain dicts (never ORM objects) in the shape the PDF schema expects.
A review or a follow-up step never changes the sealed answers; the PDF prints them beside the
record, each with who did it and when (server time; the phone's time too where it was sent).
"""

import sqlalchemy as sa

from server.core.db import db
from server.followups.models import FollowUp
from server.inspections.models import Inspection
from server.reviews.operations import reviews_of


def revisions(record: Inspection) -> list[dict]:
    """Every sealed revision, oldest first: each is a separately signed version."""
    return [{"revision": revision.revision, "received_at": revision.received_at,
             "seal_hash": revision.seal_hash,
             "completed_at_device": revision.completed_at_device}
            for revision in record.revisions]


def review_events(record: Inspection) -> list[dict]:
    """Approvals and returns, oldest first, with the comments per item."""
    events = reviews_of(record.id)
    return [{"at": event.created_at, "actor": event.actor.display_name, "action": event.action,
             "revision": event.revision, "comment": event.comment,
             "item_comments": dict(event.item_comments or {})} for event in events]


def follow_ups(record: Inspection) -> list[dict]:
    """Follow-ups raised from this record, with every step and the photos of the fix."""
    rows = db.session.scalars(sa.select(FollowUp).where(FollowUp.inspection_id == record.id)
                              .order_by(FollowUp.created_at, FollowUp.id))
    return [{"item_id": row.item_id, "row_key": row.row_key, "status": row.status,
             "description": row.description,
             "assignee": row.assignee.display_name if row.assignee else None,
             "due": row.due_date.isoformat() if row.due_date else None,
             "events": [{"at": event.created_at, "at_device": event.at_device,
                         "actor": event.actor.display_name, "action": event.action,
                         "comment": event.note, "photos": list(event.photos or [])}
                        for event in row.events]}
            for row in rows]


def follow_up_photo_hashes(items: list[dict]) -> set[str]:
    return {photo["sha256"] for item in items for event in item["events"]
            for photo in event["photos"] if isinstance(photo, dict) and "sha256" in photo}
