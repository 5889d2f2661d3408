"""Reachability probe for the PWA's connectivity check."""

from marshmallow import Schema, fields

from .api import Blueprint
from .db import db, utcnow

health = Blueprint("health", __name__, url_prefix="/api",
                   description="Reachability probe for the PWA's connectivity check.")


class HealthOut(Schema):
    status = fields.String()
    server_time = fields.DateTime()


@health.route("/health")
@health.response(200, HealthOut)
@health.doc(security=[])
def health_check():
    """Never cached and touches the database, so a 200 means the server can store work."""
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok", "server_time": utcnow()}


@health.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response

