import uuid

from flask import request
from flask_smorest import Blueprint

from server.core.db import db
from server.core.errors import Problem
from server.users.access import can_see_property, current_user

from . import operations
from .models import Inspection
from .schemas import InspectionIn, InspectionOut

blp = Blueprint("inspections", __name__, url_prefix="/api/inspections",
                description="Inspection records, pushed by phones under ids they make.")


@blp.route("/<uuid:record_id>", methods=["PUT"])
@blp.arguments(InspectionIn)
@blp.response(200, InspectionOut)
@blp.doc(parameters=[
    {"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
     "description": "revision being edited, for a record returned by a supervisor"},
    {"in": "header", "name": "X-Device-Time", "required": False, "schema": {"type": "string"},
     "description": "the phone's clock at sending (ISO 8601 with offset)"}])
@blp.alt_response(409, description="same id, different content")
@blp.alt_response(412, description="edit of a returned record on a stale revision")
@blp.alt_response(428, description="edit of a returned record without If-Match")
def push_inspection(data, record_id: uuid.UUID):
    """Store a sealed record. Idempotent: the same record sent again changes nothing."""
    return operations.push_record(current_user(), record_id, data,
                                  request.headers.get("If-Match"),
                                  request.headers.get("X-Device-Time"))


@blp.route("/<uuid:record_id>", methods=["GET"])
@blp.response(200, InspectionOut)
def get_inspection(record_id: uuid.UUID):
    """One record as the server holds it, with which attachments are still missing."""
    record = db.session.get(Inspection, record_id)
    if record is None or not can_see_property(record.property_id):
        raise Problem(404, "not_found")
    return record


def init_app(app):
    from server.core.api import api
    api.register_blueprint(blp)
