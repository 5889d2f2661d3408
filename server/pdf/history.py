"""What happened to a record after it was sealed: review events and follow-ups (整改).

HOOK: the review and follow-up models are built on main in parallel (server/reviews/,
server/followups/). Until they exist these functions return what is known without them (the
sealed revisions); once they land, `review_events` and `follow_ups` read them. Both return
plain dicts in the shape the PDF template expects:

    review event: {"at": aware datetime, "actor": str, "action": str, "comment": str | None}
    follow-up:    {"item_id": str, "status": str, "description": str, "assignee": str | None,
                   "due": str | None, "events": [{"at", "actor", "action", "comment"}]}
"""

from server.inspections.models import Inspection


def revisions(record: Inspection) -> list[dict]:
    """Every sealed revision, oldest first: each is a separately signed version."""
    return [{"revision": revision.revision, "received_at": revision.received_at,
             "seal_hash": revision.seal_hash,
             "completed_at_device": revision.completed_at_device}
            for revision in record.revisions]


def review_events(record: Inspection) -> list[dict]:
    """Approvals and returns with their comments. HOOK: empty until server/reviews exists."""
    return []


def follow_ups(record: Inspection) -> list[dict]:
    """Follow-ups raised by this record's failed items. HOOK: empty until server/followups."""
    return []
