"""Checking a record's answers against the checklist version it was filled against.

Returns problems per item in the caller's language, so the phone can show each one at its
item; a record with any problem is refused whole.
"""

import math
import re
from datetime import date, datetime, time

from server.checklists.items import (
    COMMENT_MAX_LENGTH,
    is_failure,
    is_required,
    is_row_failure,
    iter_items,
    photo_bounds,
    possible_answers,
    text_max_length,
)
from server.core.i18n import message

SHA256 = re.compile(r"^[0-9a-f]{64}$")
ANSWER_KEYS = {"value", "comment", "photos", "signature", "rows", "signer_unavailable"}
# A signer who is not there (an owner away, a contractor gone) is recorded with a reason in their
# words instead of a signature; the inspector signs their own record, so never for them.
SIGNER_UNAVAILABLE_MAX_LENGTH = 200
ROW_KEYS = {"value", "comment", "photos"}


class AnswerCheck:
    def __init__(self, definition: dict, answers, register_rows: dict[str, bool]):
        """`register_rows`: register row id → whether a required register_rows item must answer
        it (a key still in the register must be; a key handed back may be)."""
        self.definition = definition
        self.answers = answers
        self.register_rows = register_rows
        self.problems: dict[str, list[str]] = {}
        self.has_failures = False

    def add(self, item_id: str, code: str, **params):
        self.problems.setdefault(item_id, []).append(message(f"answer.{code}", **params))

    def run(self) -> "AnswerCheck":
        if not isinstance(self.answers, dict):
            self.add("_record", "bad_shape")
            return self
        items = {item["id"]: item for item in iter_items(self.definition)}
        for item_id in self.answers:
            if item_id not in items:
                self.add(item_id, "unknown_item")
        for item in items.values():
            answer = self.answers.get(item["id"])
            if answer is not None and not isinstance(answer, dict):
                self.add(item["id"], "bad_shape")
                continue
            self.check_item(item, answer or {}, present=answer is not None)
        return self

    def check_item(self, item: dict, answer: dict, present: bool):
        item_id, kind = item["id"], item["type"]
        if extra := set(answer) - ANSWER_KEYS:
            self.add(item_id, "unexpected_keys", keys=", ".join(sorted(extra)))
            return
        if "signer_unavailable" in answer and kind != "signature":
            self.add(item_id, "unexpected_keys", keys="signer_unavailable")
            return
        self.check_comment(item_id, answer.get("comment"))
        photos = self.check_photos(item_id, answer.get("photos"))
        required = is_required(item, self.answers)
        if kind == "photo":
            low, high = photo_bounds(item, required)
            if len(photos) < low:
                self.add(item_id, "too_few_photos", min=low)
            if len(photos) > high:
                self.add(item_id, "too_many_photos", max=high)
            return
        if kind == "signature":
            self.check_signature(item, answer, required)
            return
        if kind == "register_rows":
            self.check_rows(item, answer.get("rows"), required)
            return
        value = answer.get("value")
        if value is None or value == "" or value == []:
            if required:
                self.add(item_id, "required")
            return
        if not self.value_ok(item, value):
            return
        if is_failure(item, value):
            self.has_failures = True
            needed = item.get("photo_when_failed", 0)
            if len(photos) < needed:
                self.add(item_id, "photo_required_when_failed", min=needed)

    def check_comment(self, item_id, comment):
        if comment is not None and (not isinstance(comment, str)
                                    or len(comment) > COMMENT_MAX_LENGTH):
            self.add(item_id, "bad_comment", max=COMMENT_MAX_LENGTH)

    def check_photos(self, item_id, photos) -> list:
        if photos is None:
            return []
        if not isinstance(photos, list) or not all(
                isinstance(p, dict) and set(p) <= {"sha256", "captured_at"}
                and isinstance(p.get("sha256"), str) and SHA256.match(p["sha256"])
                and isinstance(p.get("captured_at", ""), str) and len(p.get("captured_at", "")) <= 40
                for p in photos):
            self.add(item_id, "bad_photo_ref")
            return []
        if len({p["sha256"] for p in photos}) != len(photos):
            self.add(item_id, "duplicate_photo")
        return photos

    def check_signature(self, item, answer, required):
        item_id, signature = item["id"], answer.get("signature")
        if "signer_unavailable" in answer:
            self.check_signer_unavailable(item, answer["signer_unavailable"], signature)
            return
        if signature is None:
            if required:
                self.add(item_id, "signature_required")
            return
        ok = (isinstance(signature, dict)
              and set(signature) <= {"sha256", "signer_name", "signed_at"}
              and isinstance(signature.get("sha256"), str) and SHA256.match(signature["sha256"])
              and isinstance(signature.get("signer_name"), str)
              and 0 < len(signature["signer_name"].strip()) <= 100
              and isinstance(signature.get("signed_at"), str) and _iso_datetime(signature["signed_at"]))
        if not ok:
            self.add(item_id, "bad_signature")

    def check_signer_unavailable(self, item, reason, signature):
        """A reason stands in for the signature: a required signature item is then answered."""
        item_id = item["id"]
        if item.get("signer", "inspector") == "inspector":
            self.add(item_id, "signer_unavailable_not_allowed")
        elif signature is not None:
            self.add(item_id, "signature_or_unavailable")
        elif not (isinstance(reason, str)
                  and 0 < len(reason.strip()) <= SIGNER_UNAVAILABLE_MAX_LENGTH):
            self.add(item_id, "signer_unavailable_reason", max=SIGNER_UNAVAILABLE_MAX_LENGTH)

    def check_rows(self, item, rows, required):
        item_id = item["id"]
        if not isinstance(rows, dict | None):
            self.add(item_id, "bad_shape")
            return
        rows = rows or {}
        if required and any(must and not (isinstance(rows.get(row_id), dict)
                                          and rows[row_id].get("value") not in (None, ""))
                            for row_id, must in self.register_rows.items()):
            self.add(item_id, "required")
        options = [option["value"] for option in item["row_options"]]
        for row_id, row in rows.items():
            if row_id not in self.register_rows:
                self.add(item_id, "unknown_row", row=row_id)
                continue
            if not isinstance(row, dict) or set(row) - ROW_KEYS:
                self.add(item_id, "bad_shape")
                continue
            self.check_comment(item_id, row.get("comment"))
            photos = self.check_photos(item_id, row.get("photos"))
            if row.get("value") not in options:
                self.add(item_id, "bad_choice", choices=", ".join(options))
            elif is_row_failure(item, row["value"]):
                self.has_failures = True
                needed = item.get("row_photo_when_failed", 0)
                if len(photos) < needed:
                    self.add(item_id, "photo_required_when_failed", min=needed)

    def value_ok(self, item: dict, value) -> bool:
        kind, item_id = item["type"], item["id"]
        if kind in ("pass_fail", "yes_no", "single_choice"):
            allowed = possible_answers(item)
            if value not in allowed:
                self.add(item_id, "bad_choice", choices=", ".join(allowed))
                return False
        elif kind == "multi_choice":
            allowed = possible_answers(item)
            if (not isinstance(value, list) or len(set(value)) != len(value)
                    or any(v not in allowed for v in value)):
                self.add(item_id, "bad_choice", choices=", ".join(allowed))
                return False
            if len(value) < item.get("min_selected", 0) or len(value) > item.get("max_selected",
                                                                                  len(allowed)):
                self.add(item_id, "bad_selection_count")
                return False
        elif kind == "text":
            if not isinstance(value, str) or len(value) > text_max_length(item):
                self.add(item_id, "bad_text", max=text_max_length(item))
                return False
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                self.add(item_id, "bad_number")
                return False
            if item.get("integer") and not float(value).is_integer():
                self.add(item_id, "bad_number")
                return False
            low, high = item.get("min"), item.get("max")
            if (low is not None and value < low) or (high is not None and value > high):
                self.add(item_id, "out_of_range", min=low if low is not None else "-∞",
                         max=high if high is not None else "∞")
                return False
        elif kind in ("date", "time", "datetime"):
            parser = {"date": _iso_date, "time": _iso_time, "datetime": _iso_datetime}[kind]
            if not isinstance(value, str) or not parser(value):
                self.add(item_id, "bad_date")
                return False
        return True


def _iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
        return len(text) == 10
    except ValueError:
        return False


def _iso_time(text: str) -> bool:
    try:
        time.fromisoformat(text)
        return True
    except ValueError:
        return False


def _iso_datetime(text: str) -> datetime | None:
    """An ISO 8601 timestamp with an offset; phones must say which clock they mean."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


parse_device_time = _iso_datetime
