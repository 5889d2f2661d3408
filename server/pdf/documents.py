"""A record as a document: what the PDF template renders (and the JSON the PDF embeds),
loaded in a few queries, and the file name it is saved under. Used for one record on request
and by the batch export's worker processes (server/pdf/batch.py)."""

from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server.core.db import db
from server.inspections.models import Inspection
from server.inspections.seal import attachment_hashes, record_export_filename, record_export_json
from server.media.models import Blob
from server.properties.models import Key, Property, Renovation, Unit

from . import history
from .schemas import RecordDocumentSchema


def record_pdf(record: Inspection, language: str = "zh-CN") -> bytes:
    """One record as a PDF (zh-CN or en). Reads only."""
    from . import render  # WeasyPrint is imported only by processes that render
    return render.render_pdf(record_document(record, language))


def record_document(record: Inspection, language: str = "zh-CN") -> dict:
    """The plain dict the PDF template renders, in ``language`` (zh-CN or en), with the
    record's JSON export (file name, bytes) that the PDF embeds."""
    doc = RecordDocumentSchema(language, document_context(record)).dump(record)
    doc["record_json"] = (record_export_filename(record), record_export_json(record))
    return doc


def document_context(record: Inspection) -> dict:
    """Everything the document needs besides the record itself, loaded in a few queries."""
    prop = db.session.get(Property, record.property_id)
    subject = None
    if record.subject_type == "renovation":
        subject = db.session.get(Renovation, record.subject_id)
    elif record.subject_type == "unit":
        subject = db.session.get(Unit, record.subject_id)
    follow_ups = history.follow_ups(record)
    # The record's own blobs, and the photos of its follow-ups' fixes: nothing else.
    hashes = sorted(set(attachment_hashes(record.answers or {}))
                    | history.follow_up_photo_hashes(follow_ups))
    blobs = dict(db.session.execute(sa.select(Blob.sha256, Blob.kind)
                                    .where(Blob.sha256.in_(hashes))).all()) if hashes else {}
    row_ids = {int(row_id) for answer in (record.answers or {}).values()
               if isinstance(answer, dict) for row_id in (answer.get("rows") or {})
               if str(row_id).isdigit()}
    keys = {}
    if row_ids:
        keys = {str(key.id): key for key in db.session.scalars(
            sa.select(Key).where(Key.id.in_(row_ids), Key.property_id == record.property_id))}
    try:
        timezone = ZoneInfo(prop.timezone)
    except (KeyError, ValueError):
        timezone = ZoneInfo("UTC")
    return {"property": prop, "subject": subject, "blobs": blobs, "keys": keys,
            "timezone": timezone, "revisions": history.revisions(record),
            "reviews": history.review_events(record), "follow_ups": follow_ups}


def record_filename(record: Inspection) -> str:
    """ASCII file name: date, checklist, record id; stable for the same record."""
    day = record.completed_at.date().isoformat()
    return f"{day}_{record.checklist_code}_{record.id}.pdf"
