"""Writes to properties and their registers. Each operation flushes; the request commits."""

import sqlalchemy as sa

from server.core.db import db
from server.core.errors import Problem

from .models import Key, Property, Renovation, Unit


def create_property(data: dict) -> Property:
    if db.session.scalar(sa.select(Property.id).filter_by(code=data["code"])):
        raise Problem("property.code_taken", code=data["code"])
    prop = Property(**data)
    db.session.add(prop)
    db.session.flush()
    return prop


def update_property(prop: Property, data: dict) -> Property:
    if "code" in data and data["code"] != prop.code and db.session.scalar(
            sa.select(Property.id).filter_by(code=data["code"])):
        raise Problem("property.code_taken", code=data["code"])
    for key, value in data.items():
        setattr(prop, key, value)
    db.session.flush()
    return prop


def update_register_row(row, data: dict):
    """Apply ``data``; the view has checked that the client edited the current version."""
    previous = getattr(row, "status", None)
    for key, value in data.items():
        setattr(row, key, value)
    if isinstance(row, Renovation):
        row.track_status(previous)
    _check_renovation_dates(row)
    db.session.flush()
    return row


def create_unit(prop: Property, data: dict) -> Unit:
    unit = Unit(property_id=prop.id, **data)
    duplicate = db.session.scalar(sa.select(Unit.id).filter_by(
        property_id=prop.id, building=unit.building, entrance=unit.entrance, room=unit.room))
    if duplicate:
        raise Problem("unit.duplicate", label=unit.label)
    db.session.add(unit)
    db.session.flush()
    return unit


def unit_of_property(prop: Property, unit_id: int | None) -> Unit | None:
    if unit_id is None:
        return None
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.property_id != prop.id:
        raise Problem("unit.not_in_property", details={"fields": {"unit_id": [unit_id]}})
    return unit


def create_renovation(prop: Property, data: dict) -> Renovation:
    renovation = Renovation(property_id=prop.id, **data)
    renovation.unit = unit_of_property(prop, data["unit_id"])
    renovation.track_status(None)
    _check_renovation_dates(renovation)
    db.session.add(renovation)
    db.session.flush()
    return renovation


def create_key(prop: Property, data: dict) -> Key:
    if db.session.scalar(sa.select(Key.id).filter_by(property_id=prop.id, tag_no=data["tag_no"])):
        raise Problem("key.tag_taken", tag=data["tag_no"])
    key = Key(property_id=prop.id, **data)
    key.unit = unit_of_property(prop, data.get("unit_id"))
    db.session.add(key)
    db.session.flush()
    return key


def _check_renovation_dates(row):
    if isinstance(row, Renovation) and row.permit_end < row.permit_start:
        raise Problem("renovation.bad_dates",
                      details={"fields": {"permit_end": ["before permit_start"]}})
