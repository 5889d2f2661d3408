import uuid

import sqlalchemy as sa
from marshmallow import Schema, fields

from server.core.api import Blueprint
from server.core.db import db
from server.inspections.access import readable_record_or_404
from server.inspections.models import InspectionRevision
from server.inspections.operations import load_one_printed
from server.inspections.schemas import InspectionOut
from server.users.access import current_user, requires
from server.users.permissions import Permission

from . import operations
from .schemas import ReviewEventOut, ReviewIn

blp = Blueprint("reviews", __name__, url_prefix="/api/inspections",
                description="Supervisor review of records, and each record's history.")


class RevisionOut(Schema):
    revision = fields.Integer()
    seal_hash = fields.String()
    seal_verified = fields.Function(lambda revision: revision.seal_holds(), metadata={
        "description": "the seal recomputed from this stored revision equals seal_hash"})
    started_at = fields.String(attribute="started_at_device")
    completed_at = fields.String(attribute="completed_at_device")
    received_at = fields.DateTime()
    device_id = fields.String(allow_none=True)
    device_clock_offset_seconds = fields.Integer(allow_none=True)
    answers = fields.Dict()


class HistoryOut(Schema):
    revisions = fields.List(fields.Nested(RevisionOut))
    reviews = fields.List(fields.Nested(ReviewEventOut))


@blp.route("/<uuid:record_id>/review", methods=["POST"])
@blp.arguments(ReviewIn)
@blp.response(200, InspectionOut)
@blp.alt_response(409, description="this revision was already reviewed")
@blp.alt_response(412, description="the record has a newer revision than the one reviewed")
@requires(Permission.RECORD_REVIEW)
def review(data, record_id: uuid.UUID):
    """Approve a submitted record, or return it to its inspector with comments per item."""
    record = readable_record_or_404(record_id)
    record = operations.review_record(current_user(), record, data["action"], data["revision"],
                                      data.get("comment"), data["item_comments"])
    return load_one_printed(record)


@blp.route("/<uuid:record_id>/history", methods=["GET"])
@blp.response(200, HistoryOut)
@requires(Permission.RECORD_READ)
def history(record_id: uuid.UUID):
    """Every sealed revision and every review step, oldest first (the audit trail)."""
    record = readable_record_or_404(record_id)
    return {
        "revisions": db.session.scalars(sa.select(InspectionRevision)
                                        .filter_by(inspection_id=record.id)
                                        .order_by(InspectionRevision.revision)).all(),
        "reviews": operations.reviews_of(record.id),
    }
