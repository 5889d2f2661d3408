"""The supervisor's records list: filters, search, paging, and export of the same selection."""

import csv
import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from server.core.db import LIKE_ESCAPE, contains_pattern, db
from server.core.i18n import translate
from server.properties.access import require_property
from server.properties.models import Property, Renovation
from server.users.access import can, current_user, visible_property_ids
from server.users.models import User
from server.users.permissions import Permission

from .models import Inspection
from .operations import subject_labels

EXPORT_LIMIT = 100_000


def filtered(query: dict):
    """The records the filters select, among those the caller may see, newest first."""
    user = current_user()
    statement = sa.select(Inspection)
    visible = visible_property_ids(user)
    timezone = current_app.config["DEFAULT_TIMEZONE"]
    if query.get("property_id") is not None:
        timezone = require_property(query["property_id"]).timezone
        statement = statement.where(Inspection.property_id == query["property_id"])
    elif visible is not None:
        column = Inspection.property_id
        if db.engine.dialect.name == "sqlite":
            # For "property IN (...) ORDER BY completed_at" SQLite picks the property index and
            # sorts every matching row (0.5 s on 100k); "+ 0" hides that index so it walks the
            # completed_at index newest first and stops after one page (1 ms).
            column = column + 0
        statement = statement.where(column.in_(visible))
    if not can(Permission.RECORD_READ_OTHERS, user):
        # Patrol staff list their own records only; reviewing others' is the supervisor's job.
        statement = statement.where(Inspection.inspector_id == user.id)
    if query.get("checklist"):
        statement = statement.where(Inspection.checklist_code == query["checklist"])
    tz = ZoneInfo(timezone)
    if query.get("date_from"):
        statement = statement.where(
            Inspection.completed_at >= datetime.combine(query["date_from"], time(), tz))
    if query.get("date_to"):
        statement = statement.where(Inspection.completed_at < datetime.combine(
            query["date_to"] + timedelta(days=1), time(), tz))
    if query.get("inspector_id") is not None:
        statement = statement.where(Inspection.inspector_id == query["inspector_id"])
    if query.get("status"):
        statement = statement.where(Inspection.status == query["status"])
    if query.get("has_failures") is not None:
        statement = statement.where(Inspection.has_failures.is_(query["has_failures"]))
    if query.get("unit_id") is not None:
        unit_id = query["unit_id"]
        statement = statement.where(sa.or_(
            sa.and_(Inspection.subject_type == "unit", Inspection.subject_id == unit_id),
            sa.and_(Inspection.subject_type == "renovation", Inspection.subject_id.in_(
                sa.select(Renovation.id).where(Renovation.unit_id == unit_id)))))
    if query.get("q"):
        # Free text: the inspector's name or anything people wrote in the answers, taken as
        # typed: % and _ are characters to find, not wildcards.
        like = contains_pattern(query["q"])
        statement = statement.where(sa.or_(
            Inspection.answer_text.like(like, escape=LIKE_ESCAPE),
            Inspection.inspector_id.in_(sa.select(User.id).where(
                User.display_name.like(like, escape=LIKE_ESCAPE)))))
    return statement.order_by(Inspection.completed_at.desc(), Inspection.id)


def with_labels(records):
    labels = subject_labels(records)
    for record in records:
        record.subject_label = labels[record.id]
    return records


EXPORT_COLUMNS = ["id", "property", "checklist", "version", "subject", "inspector", "status",
                  "has_failures", "completed_at", "received_at", "late", "clock_offset_s", "seal"]
# Chinese whatever the caller's language: the rows hold the Chinese checklist titles, property
# names and unit labels, and the headers match them.
EXPORT_LANGUAGE = "zh-CN"


def export_header() -> list[str]:
    return [translate(f"export.header.{column}", EXPORT_LANGUAGE) for column in EXPORT_COLUMNS]


def export_rows(query: dict):
    records = with_labels(db.session.scalars(filtered(query).limit(EXPORT_LIMIT)).all())
    names = dict(db.session.execute(sa.select(Property.id, Property.name)).all())
    yes, no = translate("result.yes", EXPORT_LANGUAGE), translate("result.no", EXPORT_LANGUAGE)
    for record in records:
        yield [str(record.id), names.get(record.property_id, ""),
               record.checklist_version.title_zh, record.checklist_version.version,
               record.subject_label, record.inspector.display_name, record.status,
               yes if record.has_failures else no, record.completed_at_device,
               record.received_at.isoformat(timespec="seconds"), yes if record.late else no,
               record.device_clock_offset_seconds, record.seal_hash]


# A cell starting with one of these is a formula to Excel, LibreOffice and WPS: a unit name or a
# display name like "=HYPERLINK(...)" or "@SUM(...)" would run on the supervisor's computer.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_safe(value):
    """Text a spreadsheet would run as a formula, quoted with a leading apostrophe (which the
    spreadsheet hides and keeps the text as typed); everything else as it is."""
    return "'" + value if is_formula_like(value) else value


def export_csv(query: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(export_header())
    writer.writerows([csv_safe(value) for value in row] for row in export_rows(query))
    # With a BOM, Excel on Windows opens the UTF-8 file with its Chinese intact.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text_cell(sheet, value: str):
    """openpyxl stores a string starting with "=" as a formula; this cell holds it as text,
    shown exactly as written and never evaluated."""
    from openpyxl.cell import WriteOnlyCell
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def export_xlsx(query: dict) -> bytes:
    from openpyxl import Workbook
    # Select first: a refusal (e.g. a property the caller may not see) must come before a
    # half-written workbook exists.
    rows = list(export_rows(query))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(translate("export.sheet_title", EXPORT_LANGUAGE))
    sheet.append(export_header())
    for row in rows:
        sheet.append([_text_cell(sheet, value) if is_formula_like(value) else value
                      for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
