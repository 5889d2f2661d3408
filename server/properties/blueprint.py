"""Properties and their registers (units, renovations, keys).

Everyone reads the registers of the properties they serve (the phone needs them offline);
supervisors and admins edit them. Edits carry the row version in If-Match.
"""

import sqlalchemy as sa

from server.core.api import Blueprint
from server.core.db import LIKE_ESCAPE, contains_pattern, db
from server.core.pagination import paginate
from server.users.access import requires, visible_or_404, visible_property_ids
from server.users.permissions import Permission

from . import operations
from .access import require_property
from .models import Key, Property, Renovation, Unit
from .schemas import (
    KeyIn,
    KeyOut,
    KeyPage,
    KeyQuery,
    KeyUpdateIn,
    PropertyIn,
    PropertyOut,
    PropertyUpdateIn,
    RenovationIn,
    RenovationOut,
    RenovationPage,
    RenovationQuery,
    RenovationUpdateIn,
    UnitIn,
    UnitOut,
    UnitPage,
    UnitQuery,
    UnitUpdateIn,
)

blp = Blueprint("properties", __name__, url_prefix="/api/properties",
                description="Properties and their registers: units, renovations, keys.")


@blp.route("", methods=["GET"])
@blp.response(200, PropertyOut(many=True))
@requires(Permission.PROPERTY_READ)
def list_properties():
    """The properties the caller serves (managers and admins: all)."""
    statement = sa.select(Property).order_by(Property.code)
    visible = visible_property_ids()
    if visible is not None:
        statement = statement.where(Property.id.in_(visible))
    return db.session.scalars(statement).all()


@blp.route("", methods=["POST"])
@blp.arguments(PropertyIn)
@blp.response(201, PropertyOut)
@requires(Permission.PROPERTY_MANAGE)
def create_property(data):
    """Add a property (admin)."""
    return operations.create_property(data)


@blp.route("/<int:property_id>", methods=["GET"])
@blp.response(200, PropertyOut)
@requires(Permission.PROPERTY_READ)
def get_property(property_id):
    return require_property(property_id)


@blp.route("/<int:property_id>", methods=["PATCH"])
@blp.arguments(PropertyUpdateIn(partial=True))
@blp.response(200, PropertyOut)
@requires(Permission.PROPERTY_MANAGE)
def update_property(data, property_id):
    """Rename a property or change its time zone (admin)."""
    return operations.update_property(require_property(property_id), data)


def _versioned(row):
    """Answer with the row's version as ETag: the client sends it back in If-Match to edit."""
    blp.set_etag(row.version)
    return row


def _edit(row, data):
    blp.check_etag(row.version, details={"current_version": row.version})
    return _versioned(operations.update_register_row(row, data))


# --- units (households) ---------------------------------------------------------------------

@blp.route("/<int:property_id>/units", methods=["GET"])
@blp.arguments(UnitQuery, location="query")
@blp.response(200, UnitPage)
@requires(Permission.PROPERTY_READ)
def list_units(query, property_id):
    """Households of a property, searchable by building, room or owner."""
    require_property(property_id)
    statement = (sa.select(Unit).filter_by(property_id=property_id)
                 .order_by(Unit.building, Unit.entrance, Unit.room))
    if query.get("building"):
        statement = statement.filter_by(building=query["building"])
    if query.get("key_customer") is not None:
        statement = statement.filter_by(is_key_customer=query["key_customer"])
    if query.get("q"):
        like = contains_pattern(query["q"])
        statement = statement.where(sa.or_(*(column.like(like, escape=LIKE_ESCAPE) for column in (
            Unit.room, Unit.building, Unit.owner_name))))
    return paginate(statement, query)


@blp.route("/<int:property_id>/units", methods=["POST"])
@blp.etag
@blp.arguments(UnitIn)
@blp.response(201, UnitOut)
@requires(Permission.REGISTER_EDIT)
def create_unit(data, property_id):
    return _versioned(operations.create_unit(require_property(property_id), data))


@blp.route("/<int:property_id>/units/<int:unit_id>", methods=["PATCH"])
@blp.etag
@blp.arguments(UnitUpdateIn)
@blp.response(200, UnitOut)
@requires(Permission.REGISTER_EDIT)
def update_unit(data, property_id, unit_id):
    require_property(property_id)
    row = visible_or_404(Unit, unit_id, property_id=property_id)
    return _edit(row, data)


# --- renovations ----------------------------------------------------------------------------

@blp.route("/<int:property_id>/renovations", methods=["GET"])
@blp.arguments(RenovationQuery, location="query")
@blp.response(200, RenovationPage)
@requires(Permission.PROPERTY_READ)
def list_renovations(query, property_id):
    """The renovation register (装修台账); `status=active` is what is patrolled daily."""
    require_property(property_id)
    statement = (sa.select(Renovation).filter_by(property_id=property_id)
                 .order_by(Renovation.permit_start.desc(), Renovation.id))
    if query.get("status"):
        statement = statement.filter_by(status=query["status"])
    return paginate(statement, query)


@blp.route("/<int:property_id>/renovations", methods=["POST"])
@blp.etag
@blp.arguments(RenovationIn)
@blp.response(201, RenovationOut)
@requires(Permission.REGISTER_EDIT)
def create_renovation(data, property_id):
    return _versioned(operations.create_renovation(require_property(property_id), data))


@blp.route("/<int:property_id>/renovations/<int:renovation_id>", methods=["PATCH"])
@blp.etag
@blp.arguments(RenovationUpdateIn)
@blp.response(200, RenovationOut)
@requires(Permission.REGISTER_EDIT)
def update_renovation(data, property_id, renovation_id):
    require_property(property_id)
    row = visible_or_404(Renovation, renovation_id, property_id=property_id)
    return _edit(row, data)


# --- keys -----------------------------------------------------------------------------------

@blp.route("/<int:property_id>/keys", methods=["GET"])
@blp.arguments(KeyQuery, location="query")
@blp.response(200, KeyPage)
@requires(Permission.PROPERTY_READ)
def list_keys(query, property_id):
    """The key register (钥匙台账)."""
    require_property(property_id)
    statement = sa.select(Key).filter_by(property_id=property_id).order_by(Key.tag_no)
    if query.get("status"):
        statement = statement.filter_by(status=query["status"])
    return paginate(statement, query)


@blp.route("/<int:property_id>/keys", methods=["POST"])
@blp.etag
@blp.arguments(KeyIn)
@blp.response(201, KeyOut)
@requires(Permission.REGISTER_EDIT)
def create_key(data, property_id):
    return _versioned(operations.create_key(require_property(property_id), data))


@blp.route("/<int:property_id>/keys/<int:key_id>", methods=["PATCH"])
@blp.etag
@blp.arguments(KeyUpdateIn)
@blp.response(200, KeyOut)
@requires(Permission.REGISTER_EDIT)
def update_key(data, property_id, key_id):
    require_property(property_id)
    row = visible_or_404(Key, key_id, property_id=property_id)
    return _edit(row, data)
