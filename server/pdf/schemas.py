"""Wire schemas of the PDF endpoints, and the schema that turns a record into the plain dict
the PDF template renders: templates never see ORM objects, so rendering cannot run a query
or reach an attribute the schema did not choose.

`RecordDocumentSchema` runs no query: `operations.record_document(record, language)` loads
what the record refers to (property, subject, stored blobs, register rows, history) and
dumps it with the schema. The result holds only str / int / bool / None / lists / dicts;
every piece of user text in it is printed escaped by the template.
"""

from datetime import UTC, datetime, timedelta

from babel.dates import get_timezone_name
from flask import current_app
from marshmallow import Schema, fields, validate

from server.checklists.items import is_failure, is_row_failure
from server.core.i18n import LANGUAGES, catalog, translate
from server.core.schemas import Day, Id, InputSchema
from server.inspections.answers import parse_device_time
from server.inspections.models import InspectionStatus
from server.properties.models import Unit

BLOB_URL_SCHEME = "xuncha-blob"


# ---------------------------------------------------------------- wire schemas (API)

class PdfQuery(InputSchema):
    lang = fields.String(load_default="zh-CN", validate=validate.OneOf(LANGUAGES),
                         metadata={"description": "language of the printed form"})


class ExportIn(InputSchema):
    """The records list's filters (GET /api/inspections), so the PWA exports what it shows."""

    property_id = Id(required=True)
    checklist = fields.String(validate=validate.Length(min=1, max=64),
                              metadata={"description": "checklist code"})
    date_from = Day(metadata={"description": "completed on or after (property's zone)"})
    date_to = Day(metadata={"description": "completed on or before (property's zone)"})
    inspector_id = Id()
    status = fields.String(validate=validate.OneOf([s.value for s in InspectionStatus]))
    has_failures = fields.Boolean()
    unit_id = Id(metadata={"description": "records about this household"})
    q = fields.String(validate=validate.Length(min=1, max=50),
                      metadata={"description": "inspector name or text in the answers"})
    format = fields.String(load_default="pdf", validate=validate.OneOf(("pdf", "zip")),
                           metadata={"description": "one merged PDF, or a ZIP of one PDF per record"})
    lang = fields.String(load_default="zh-CN", validate=validate.OneOf(LANGUAGES))


def export_expires_at(job) -> datetime | None:
    """When a finished export's file is deleted (EXPORT_FILE_HOURS after it was made)."""
    if job.finished_at is None or job.status != "done":
        return None
    return job.finished_at + timedelta(hours=current_app.config["EXPORT_FILE_HOURS"])


class ExportOut(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "queued | running | done | failed"})
    format = fields.String()
    lang = fields.String(attribute="language")
    filters = fields.Dict()
    total = fields.Integer(metadata={"description": "records in this export"})
    done = fields.Integer(metadata={"description": "records rendered so far"})
    file_size = fields.Integer(allow_none=True)
    file_url = fields.Method("get_file_url", allow_none=True)
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)

    expires_at = fields.Function(export_expires_at, allow_none=True, metadata={
        "description": "when the finished file is deleted; export again after that"})

    def get_file_url(self, job):
        return f"/api/exports/{job.id}/file" if job.status == "done" else None


# ---------------------------------------------------------------- the document

def _text(value, language: str) -> str:
    """A bilingual label {"zh-CN", "en"} in ``language``."""
    if isinstance(value, dict):
        return value.get(language) or value.get("zh-CN") or ""
    return "" if value is None else str(value)


def _format(moment: datetime) -> str:
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M:%S} ({offset[:3]}:{offset[3:]})"


class RecordDocumentSchema(Schema):
    """Dumps an Inspection (plus what `operations.document_context` loaded) into the
    template's dict."""

    def __init__(self, language: str, context: dict, **kwargs):
        super().__init__(**kwargs)
        self.language = language
        self.ctx = context

    language = fields.Method("get_language")
    labels = fields.Method("get_labels")
    record = fields.Method("get_record")
    property = fields.Method("get_property")
    subject = fields.Method("get_subject")
    checklist = fields.Method("get_checklist")
    inspector = fields.Method("get_inspector")
    times = fields.Method("get_times")
    sections = fields.Method("get_sections")
    summary = fields.Method("get_summary")
    revisions = fields.Method("get_revisions")
    reviews = fields.Method("get_reviews")
    follow_ups = fields.Method("get_follow_ups")
    seal = fields.Method("get_seal")
    attachments = fields.Method("get_attachments")
    generated = fields.Method("get_generated")

    # -- helpers
    def t(self, key, **params):
        return translate(key, self.language, **params)

    def name(self, kind: str, value) -> str:
        """The printed name of a status, action, role or result, or ``value`` if it has none."""
        return catalog(self.language).get(f"{kind}.{value}", str(value))

    def server_time(self, moment: datetime | None) -> str:
        return _format(moment.astimezone(self.ctx["timezone"])) if moment else ""

    def device_time(self, text: str | None) -> str:
        """A phone's timestamp on the property's clock, like the server's times: one zone on
        the page, whatever zone the phone was set to (the instant is the phone's)."""
        parsed = parse_device_time(text) if text else None
        return self.server_time(parsed) if parsed is not None else (text or "")

    def zone_note(self) -> str:
        zone = self.ctx["timezone"]
        offset = datetime.now(UTC).astimezone(zone).strftime("%z")
        locale = "zh_CN" if self.language == "zh-CN" else "en"
        return self.t("pdf.times_zone", zone=get_timezone_name(zone, locale=locale),
                      offset=f"UTC{offset[:3]}:{offset[3:]}")

    # -- fields
    def get_language(self, record):
        return self.language

    def get_labels(self, record):
        """The template's captions: the catalog's ``pdf.*`` texts by their name."""
        return {key.removeprefix("pdf."): text for key, text in catalog(self.language).items()
                if key.startswith("pdf.")}

    def get_record(self, record):
        return {"id": str(record.id), "revision": record.revision, "status": record.status,
                "status_label": self.t(f"status.record.{record.status}"),
                "has_failures": record.has_failures, "device_id": record.device_id or ""}

    def get_property(self, record):
        prop = self.ctx["property"]
        name = prop.name if self.language == "zh-CN" or not prop.name_en else prop.name_en
        return {"name": name, "name_zh": prop.name, "code": prop.code, "address": prop.address or ""}

    def get_subject(self, record):
        kind = record.subject_type
        row = self.ctx["subject"]
        lines = []
        if kind == "renovation" and row is not None:
            title = self.unit_label(row.unit)
            lines.append(f"{self.t('pdf.contractor')}{self.t('pdf.colon')}{row.contractor_name}")
            if row.permit_no:
                lines.append(f"{self.t('pdf.permit')}{self.t('pdf.colon')}{row.permit_no}")
        elif kind == "unit" and row is not None:
            title = self.unit_label(row)
            if row.owner_name:
                lines.append(f"{self.t('pdf.owner')}{self.t('pdf.colon')}{row.owner_name}")
        else:
            title = self.get_property(record)["name"]
        return {"type": kind, "type_label": self.t(f"subject.{kind}"), "title": title,
                "lines": lines}

    def unit_label(self, unit: Unit | None) -> str:
        if unit is None:
            return ""
        if self.language == "zh-CN":
            return unit.label
        entrance = f"-{unit.entrance}" if unit.entrance else ""
        return f"Building {unit.building}{entrance}, room {unit.room}"

    def get_checklist(self, record):
        version = record.checklist_version
        title = version.title_zh if self.language == "zh-CN" else version.title_en
        return {"code": version.code, "version": version.version, "title": title,
                "version_label": self.t("pdf.version", version=version.version),
                "full": self.t("pdf.checklist_full", title=title, code=version.code,
                               version=version.version)}

    def get_inspector(self, record):
        user = record.inspector
        return {"name": user.display_name, "username": user.username}

    def get_times(self, record):
        offset = record.device_clock_offset_seconds
        warning = None
        if record.clock_differs:
            warning = self.t("pdf.clock_offset", minutes=round(abs(offset) / 60))
        late = None
        if record.late:
            hours = (record.received_at - record.completed_at).total_seconds() / 3600
            late = self.t("pdf.late", hours=round(hours))
        return {"started_device": self.device_time(record.started_at_device),
                "completed_device": self.device_time(record.completed_at_device),
                "received_server": self.server_time(record.received_at),
                "clock_offset_seconds": offset, "clock_warning": warning, "late": late,
                "zone_note": self.zone_note()}

    def get_sections(self, record):
        answers = record.answers or {}
        sections, number = [], 0
        for section in record.checklist_version.definition["sections"]:
            items = []
            for item in section["items"]:
                number += 1
                items.append(self.item(number, item, answers.get(item["id"]) or {}))
            sections.append({"id": section["id"], "title": _text(section["title"], self.language),
                             "items": items})
        return sections

    def item(self, number: int, item: dict, answer: dict) -> dict:
        kind = item["type"]
        value = answer.get("value")
        entry = {"no": number, "id": item["id"], "type": kind,
                 "label": _text(item.get("label"), self.language),
                 "result": self.result_text(item, value), "result_class": "",
                 "failed": is_failure(item, value), "text": None,
                 "comment": answer.get("comment") or "",
                 "photos": [self.photo(p) for p in answer.get("photos") or []],
                 "signature": None, "rows": []}
        if kind == "text" and value:
            entry["text"], entry["result"] = value, None
        if entry["failed"]:
            entry["result_class"] = "fail"
        elif value in ("pass", "yes") or (value is not None and kind not in ("pass_fail", "yes_no")):
            entry["result_class"] = "pass" if kind in ("pass_fail", "yes_no") else "value"
        elif value == "na":
            entry["result_class"] = "na"
        if kind == "signature":
            entry["signature"] = self.signature(item, answer.get("signature"))
            if not answer.get("signature") and answer.get("signer_unavailable"):
                entry["signature"]["unavailable"] = self.t(
                    "pdf.signer_unavailable", reason=answer["signer_unavailable"])
        if kind == "register_rows":
            entry["rows"] = self.rows(item, answer.get("rows") or {})
            entry["failed"] = any(row["failed"] for row in entry["rows"])
        if kind not in ("photo", "signature", "register_rows") and value is None:
            entry["result"] = self.t("pdf.not_answered")
            entry["result_class"] = "empty"
        return entry

    def result_text(self, item: dict, value) -> str | None:
        kind = item["type"]
        if value is None:
            return None
        if kind in ("pass_fail", "yes_no"):
            return self.name("result", value)
        if kind == "number":
            unit = _text(item.get("unit"), self.language)
            return f"{value:g} {unit}".strip() if isinstance(value, int | float) else str(value)
        options = {o["value"]: _text(o["label"], self.language) for o in item.get("options", [])}
        if kind == "single_choice":
            return options.get(value, str(value))
        if kind == "multi_choice" and isinstance(value, list):
            return ("、" if self.language == "zh-CN" else ", ").join(
                options.get(v, str(v)) for v in value)
        if kind == "datetime":
            return self.device_time(value)
        return str(value)

    def photo(self, photo: dict) -> dict:
        sha = photo["sha256"]
        return {"sha256": sha, "url": f"{BLOB_URL_SCHEME}:{sha}",
                "stored": self.ctx["blobs"].get(sha) == "photo",
                "captured_at": self.device_time(photo.get("captured_at"))}

    def signature(self, item: dict, signature: dict | None) -> dict | None:
        signer = item.get("signer", "inspector")
        role = self.name("signer", signer)
        if not signature:
            return {"present": False, "role": role}
        sha = signature["sha256"]
        return {"present": True, "sha256": sha, "url": f"{BLOB_URL_SCHEME}:{sha}",
                "stored": self.ctx["blobs"].get(sha) == "signature",
                "signer_name": signature.get("signer_name", ""), "role": role,
                "signed_at": self.device_time(signature.get("signed_at"))}

    def rows(self, item: dict, rows: dict) -> list[dict]:
        options = {o["value"]: _text(o["label"], self.language) for o in item.get("row_options", [])}
        keys = self.ctx["keys"]
        result = []
        for row_id, row in sorted(rows.items(), key=lambda pair: _row_sort_key(keys, pair[0])):
            key = keys.get(row_id)
            name = f"{key.tag_no} {key.description}" if key else f"#{row_id}"
            if key is not None and key.unit is not None:
                name += f"（{self.unit_label(key.unit)}）" if self.language == "zh-CN" \
                    else f" ({self.unit_label(key.unit)})"
            value = row.get("value")
            result.append({"id": row_id, "label": name, "result": options.get(value, value or ""),
                           "failed": is_row_failure(item, value), "comment": row.get("comment") or "",
                           "photos": [self.photo(p) for p in row.get("photos") or []]})
        return result

    def get_summary(self, record):
        sections = self.get_sections(record)
        items = [item for section in sections for item in section["items"]]
        photos = sum(len(i["photos"]) + sum(len(r["photos"]) for r in i["rows"]) for i in items)
        signatures = sum(1 for i in items if i["signature"] and i["signature"]["present"])
        failed = sum(1 for i in items if i["failed"])
        return {"items": len(items), "failed": failed, "photos": photos, "signatures": signatures,
                "text": self.t("pdf.summary", items=len(items), failed=failed, photos=photos,
                               signatures=signatures)}

    def get_revisions(self, record):
        return [{"revision": r["revision"], "seal_hash": r["seal_hash"],
                 "text": self.t("pdf.revision_received", revision=r["revision"],
                                received=self.server_time(r["received_at"]))}
                for r in self.ctx["revisions"]]

    def get_reviews(self, record):
        items = self.item_labels(record)
        return [{"at": self.server_time(e["at"]), "actor": e["actor"],
                 "action": self.name("action.review", e["action"]),
                 "revision": self.t("pdf.review_of_revision", revision=e["revision"]),
                 "comment": e.get("comment") or "",
                 "item_comments": [{"item": items.get(item_id, item_id), "text": text}
                                   for item_id, text in (e.get("item_comments") or {}).items()]}
                for e in self.ctx["reviews"]]

    def get_follow_ups(self, record):
        items = self.item_labels(record)
        keys = self.ctx["keys"]
        result = []
        for f in self.ctx["follow_ups"]:
            item = items.get(f["item_id"], f["item_id"] or "")
            key = keys.get(str(f.get("row_key"))) if f.get("row_key") else None
            if key is not None:
                item = f"{item} · {key.tag_no}"
            result.append({
                "item": item, "description": f["description"], "assignee": f["assignee"] or "",
                "due": f["due"] or "", "status": self.name("status.followup", f["status"]),
                "events": [{"at": self.server_time(e["at"]),
                            "at_device": self.device_time(e.get("at_device")),
                            "actor": e["actor"],
                            "action": self.name("action.followup", e["action"]),
                            "comment": e.get("comment") or "",
                            "photos": [self.photo(p) for p in e.get("photos") or []
                                       if isinstance(p, dict) and "sha256" in p]}
                           for e in f["events"]]})
        return result

    def item_labels(self, record) -> dict[str, str]:
        return {item["id"]: _text(item.get("label"), self.language)
                for section in record.checklist_version.definition["sections"]
                for item in section["items"]}

    def get_seal(self, record):
        holds = record.seal_holds()
        return {"hash": record.seal_hash, "verify_text": self.t("pdf.seal_verify"),
                "holds": holds,
                "state": self.t("pdf.seal_holds") if holds else self.t("pdf.seal_broken"),
                "qr_text": f"XUNCHA-SEAL v1 record={record.id} sha256={record.seal_hash}"}

    def get_attachments(self, record):
        """The blobs this record references that are stored: the renderer's allow-list."""
        return {sha: kind for sha, kind in self.ctx["blobs"].items()}

    def get_generated(self, record):
        return self.t("pdf.generated", time=self.server_time(datetime.now(UTC)))


def _row_sort_key(keys: dict, row_id: str):
    key = keys.get(row_id)
    return (key.tag_no if key else "~", row_id)
