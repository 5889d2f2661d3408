"""The supervisor's records list: filters, search, paging, and export of the same selection."""

import csv
import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from server.checklists.items import can_fail, is_failure, is_row_failure, iter_items
from server.checklists.operations import latest_versions
from server.core.db import LIKE_ESCAPE, contains_pattern, db
from server.core.i18n import current_language, translate
from server.properties.access import require_property
from server.properties.models import Key, Property, Renovation
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
                  "has_failures", "completed_at", "received_at", "zone", "late", "clock_offset_s",
                  "seal"]
TIME_COLUMNS = ("completed_at", "received_at")


def export_header(language: str, with_items: list[dict] | None = None) -> list[str]:
    header = [translate(f"export.header.{column}", language) for column in EXPORT_COLUMNS]
    for item in with_items or ():
        label = _text(item.get("label"), language)
        header.append(label)
        if can_fail(item):
            header.append(translate("export.header.item_failed", language, item=label))
        header.append(translate("export.header.item_remark", language, item=label))
    return header


def _text(text, language: str) -> str:
    if isinstance(text, dict):
        return text.get(language) or text.get("zh-CN") or next(iter(text.values()), "")
    return text or ""


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A stored moment on the property's clock, without an offset: spreadsheets keep no zone,
    so the zone is a column of its own."""
    return moment.astimezone(zone).replace(tzinfo=None, microsecond=0)


def _zone_label(moment: datetime, zone: ZoneInfo) -> str:
    offset = moment.astimezone(zone).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


class ExportSelection:
    """The selected records with what the rows need, read once: labels, names, checklists."""

    def __init__(self, query: dict, language: str):
        self.language = language
        self.records = with_labels(db.session.scalars(filtered(query).limit(EXPORT_LIMIT)).all())
        properties = db.session.scalars(sa.select(Property)).all()
        self.properties = {p.id: p for p in properties}
        self.yes = translate("result.yes", language)
        self.no = translate("result.no", language)
        self.key_tags = {}
        if any(self._has_rows(r) for r in self.records):
            self.key_tags = {str(key_id): tag for key_id, tag in db.session.execute(
                sa.select(Key.id, Key.tag_no).where(Key.property_id.in_(
                    {r.property_id for r in self.records})))}

    @staticmethod
    def _has_rows(record) -> bool:
        return any(isinstance(a, dict) and "rows" in a for a in (record.answers or {}).values())

    def by_checklist(self) -> list[tuple[str, str, list[dict], list]]:
        """(code, title, items, records) per checklist, in the order of first appearance; the
        items are the newest version's, then any only an older version had."""
        groups: dict[str, list] = {}
        for record in self.records:
            groups.setdefault(record.checklist_code, []).append(record)
        result = []
        for code, records in groups.items():
            versions = sorted({r.checklist_version for r in records}, key=lambda v: -v.version)
            items, seen = [], set()
            for version in versions:
                for item in iter_items(version.definition):
                    if item["id"] not in seen:
                        seen.add(item["id"])
                        items.append(item)
            title = versions[0].title_en if self.language == "en" else versions[0].title_zh
            result.append((code, title, items, records))
        return result

    def row(self, record, items: list[dict] | None = None) -> list:
        prop = self.properties.get(record.property_id)
        zone = ZoneInfo(prop.timezone if prop else current_app.config["DEFAULT_TIMEZONE"])
        name = ((prop.name_en or prop.name) if self.language == "en" else prop.name) if prop else ""
        version = record.checklist_version
        cells = [str(record.id), name, version.title_en if self.language == "en" else version.title_zh,
                 version.version, record.subject_label, record.inspector.display_name,
                 translate(f"status.record.{record.status}", self.language),
                 self.yes if record.has_failures else self.no,
                 _local(record.completed_at, zone), _local(record.received_at, zone),
                 _zone_label(record.completed_at, zone), self.yes if record.late else self.no,
                 record.device_clock_offset_seconds, record.seal_hash]
        answers = record.answers or {}
        for item in items or ():
            answer = answers.get(item["id"])
            answer = answer if isinstance(answer, dict) else {}
            text, remark, failed = self.answer_cells(item, answer)
            cells.append(text)
            if can_fail(item):
                cells.append("" if not answer else self.yes if failed else self.no)
            cells.append(remark)
        return cells

    def answer_cells(self, item: dict, answer: dict) -> tuple[str, str, bool]:
        """(answer, remark, failed) of one item as a reader of the spreadsheet wants them."""
        kind, value = item["type"], answer.get("value")
        remark = answer.get("comment") or ""
        photos = len(answer.get("photos") or [])
        t = lambda key, **params: translate(key, self.language, **params)  # noqa: E731
        if kind == "signature":
            signature = answer.get("signature")
            if answer.get("signer_unavailable"):
                return t("pdf.signer_unavailable", reason=answer["signer_unavailable"]), remark, False
            return (signature.get("signer_name", "") if isinstance(signature, dict) else ""), remark, False
        if kind == "register_rows":
            rows = answer.get("rows") or {}
            options = {o["value"]: _text(o["label"], self.language) for o in item.get("row_options", [])}
            counts: dict[str, int] = {}
            failing = []
            for row_id, row in rows.items():
                label = options.get(row.get("value"), row.get("value") or "")
                counts[label] = counts.get(label, 0) + 1
                if is_row_failure(item, row.get("value")):
                    note = f"{self.key_tags.get(row_id, row_id)} {label}"
                    failing.append(f"{note}（{row['comment']}）" if row.get("comment") else note)
            text = t("export.rows_summary", n=len(rows), counts="，".join(
                f"{label} {n}" for label, n in counts.items())) if rows else ""
            return text, "；".join(failing + ([remark] if remark else [])), bool(failing)
        if kind == "photo":
            return (t("export.photos", n=photos) if photos else ""), remark, False
        if value is None:
            text = ""
        elif kind in ("pass_fail", "yes_no"):
            text = t(f"result.{value}")
        elif kind in ("single_choice", "multi_choice"):
            options = {o["value"]: _text(o["label"], self.language) for o in item.get("options", [])}
            values = value if isinstance(value, list) else [value]
            text = ("、" if self.language == "zh-CN" else ", ").join(options.get(v, str(v)) for v in values)
        elif kind == "number":
            unit = _text(item.get("unit"), self.language)
            text = f"{value:g} {unit}".strip() if isinstance(value, int | float) else str(value)
        else:
            text = str(value)
        if photos:
            remark = "；".join(filter(None, [remark, t("export.photos", n=photos)]))
        return text, remark, is_failure(item, value)


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
    """One table: every record with the common columns; when the selection is one checklist,
    its items' columns too (several checklists have different items: the XLSX export gives
    each its own sheet). Times are the property's local time, the zone in its own column."""
    language = current_language()
    selection = ExportSelection(query, language)
    groups = selection.by_checklist()
    items = groups[0][2] if len(groups) == 1 else None
    if not groups and query.get("checklist"):
        # Nothing selected yet: the columns still say what this checklist's rows would hold.
        latest = next((v for v in latest_versions() if v.code == query["checklist"]), None)
        items = list(iter_items(latest.definition)) if latest else None
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(export_header(language, items))
    for record in selection.records:
        writer.writerow(csv_safe(_csv_value(value)) for value in selection.row(record, items))
    # With a BOM, Excel on Windows opens the UTF-8 file with its Chinese intact.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_value(value):
    return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else value


def _text_cell(sheet, value: str):
    """openpyxl stores a string starting with "=" as a formula; this cell holds it as text,
    shown exactly as written and never evaluated."""
    from openpyxl.cell import WriteOnlyCell
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def _date_cell(sheet, value: datetime):
    from openpyxl.cell import WriteOnlyCell
    cell = WriteOnlyCell(sheet, value)
    cell.number_format = "yyyy-mm-dd hh:mm:ss"
    return cell


SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def export_xlsx(query: dict) -> bytes:
    """A first sheet with every record (the common columns), then one sheet per checklist with
    a column per item (answer, failed or not, remark). Times are real date cells on the
    property's clock."""
    from openpyxl import Workbook
    language = current_language()
    # Select first: a refusal (e.g. a property the caller may not see) must come before a
    # half-written workbook exists.
    selection = ExportSelection(query, language)
    workbook = Workbook(write_only=True)

    def write(sheet, items, records):
        sheet.append(export_header(language, items))
        for record in records:
            sheet.append([_text_cell(sheet, value) if is_formula_like(value)
                          else _date_cell(sheet, value) if isinstance(value, datetime) else value
                          for value in selection.row(record, items)])

    write(workbook.create_sheet(translate("export.sheet_title", language)), None, selection.records)
    used = set()
    for _code, title, items, records in selection.by_checklist():
        name = title.translate(SHEET_NAME_FORBIDDEN)[:28] or "-"
        while name in used:
            name = name[:26] + f"_{len(used)}"
        used.add(name)
        write(workbook.create_sheet(name), items, records)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
