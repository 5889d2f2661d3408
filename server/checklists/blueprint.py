import sqlalchemy as sa

from server.core.api import Blueprint
from server.core.db import db
from server.core.errors import Problem
from server.users.access import requires
from server.users.permissions import Permission

from . import operations
from .models import ChecklistVersion
from .schemas import ChecklistPublishIn, ChecklistQuery, ChecklistVersionOut

blp = Blueprint("checklists", __name__, url_prefix="/api/checklists",
                description="Published checklist versions (the same for every property).")


@blp.route("", methods=["GET"])
@blp.arguments(ChecklistQuery, location="query")
@blp.response(200, ChecklistVersionOut(many=True))
@requires(Permission.CHECKLIST_READ)
def list_checklists(query):
    """The newest version of every checklist, with its items in zh-CN and en."""
    if query["all_versions"]:
        return db.session.scalars(sa.select(ChecklistVersion)
                                  .order_by(ChecklistVersion.code, ChecklistVersion.version)).all()
    return operations.latest_versions()


@blp.route("", methods=["POST"])
@blp.arguments(ChecklistPublishIn)
@blp.response(201, ChecklistVersionOut)
@blp.alt_response(409, description="that version is published with other content")
@requires(Permission.CHECKLIST_PUBLISH)
def publish_checklist(data):
    """Publish a new checklist version (admin). Re-sending identical content is accepted."""
    row, _created = operations.publish_definition(data["definition"], source="api")
    return row


@blp.route("/<code>/versions/<int:version>", methods=["GET"])
@blp.response(200, ChecklistVersionOut)
@requires(Permission.CHECKLIST_READ)
def get_checklist_version(code, version):
    """One version exactly as published; records filled against it are rendered with it."""
    row = operations.find_version(code, version)
    if row is None:
        raise Problem("not_found")
    return row
