"""What a checklist item means, for every part of the server that reads one.

How a definition's items are walked, when an answer counts as a failure, when an item must be
answered, which answers it accepts, and the defaults an item gets when its definition leaves
them out. Publishing fills the defaults into the stored definition (`fill_defaults`), so the
answer check, follow-ups, reviews and the PDF read complete items; the fallbacks below only
matter for a definition that was never published.

The phone applies the same rules before sealing a record; the server checks them again and
has the last word.
"""

# Defaults and limits of the checklist format (checklists/README.md).
TEXT_MAX_LENGTH = 2000      # a text item's answer, unless the item sets max_length
COMMENT_MAX_LENGTH = 2000   # the comment beside an answer or a register row
PHOTOS_MAX = 6              # photos on a photo item, unless the item sets max
PHOTOS_LIMIT = 20           # the most a definition may ask for (max, photo_when_failed)
FOLLOW_UP_DUE_DAYS = 3      # a follow-up raised by a failed item is due this many days later
ALLOW_NA = True             # pass_fail items offer "not applicable" unless allow_na is false


def iter_items(definition: dict):
    for section in definition["sections"]:
        yield from section["items"]


def can_fail(item: dict) -> bool:
    """Can an answer to this item be a failure? Only such items may carry failure keys."""
    kind = item.get("type")
    return (kind in ("pass_fail", "register_rows")
            or (kind == "yes_no" and "fail_on" in item)
            or (kind == "number" and ("fail_below" in item or "fail_above" in item))
            or (kind in ("single_choice", "multi_choice") and "fail_values" in item))


def is_failure(item: dict, value) -> bool:
    """Is ``value``, the answer to ``item``, a failure? (Register rows: `is_row_failure`.)"""
    kind = item["type"]
    if value is None:
        return False
    if kind == "pass_fail":
        return value == "fail"
    if kind == "yes_no":
        return item.get("fail_on") is not None and value == item["fail_on"]
    if kind == "number" and isinstance(value, int | float):
        return (("fail_below" in item and value < item["fail_below"])
                or ("fail_above" in item and value > item["fail_above"]))
    if kind == "single_choice":
        return value in item.get("fail_values", [])
    if kind == "multi_choice" and isinstance(value, list):
        return any(v in item.get("fail_values", []) for v in value)
    return False


def is_row_failure(item: dict, value) -> bool:
    """Is ``value``, the answer for one row of a register_rows item, a failure?"""
    return value in item.get("row_fail_values", [])


def is_required(item: dict, answers: dict) -> bool:
    condition = item.get("required_when")
    if condition:
        other = answers.get(condition["item"]) or {}
        return other.get("value") == condition["equals"]
    return item.get("required", True)


def possible_answers(item: dict) -> list | None:
    """The closed set of answers an item can take, or None for free answers (text, number)."""
    kind = item["type"]
    if kind == "pass_fail":
        return ["pass", "fail", "na"] if item.get("allow_na", ALLOW_NA) else ["pass", "fail"]
    if kind == "yes_no":
        return ["yes", "no"]
    if kind in ("single_choice", "multi_choice"):
        return [option["value"] for option in item["options"]]
    return None


def photo_bounds(item: dict, required: bool) -> tuple[int, int]:
    """(fewest, most) photos a photo item takes; a required one takes at least one."""
    return max(item.get("min", 0), 1 if required else 0), item.get("max", PHOTOS_MAX)


def text_max_length(item: dict) -> int:
    return item.get("max_length", TEXT_MAX_LENGTH)


def fill_defaults(definition: dict) -> dict:
    """Spell out every default so readers of a stored definition never guess."""
    for item in iter_items(definition):
        kind = item["type"]
        item.setdefault("required", kind not in ("photo",))
        item.setdefault("weight", 0)
        if kind == "pass_fail":
            item.setdefault("allow_na", ALLOW_NA)
        if kind == "text":
            item.setdefault("multiline", False)
            item.setdefault("max_length", TEXT_MAX_LENGTH)
        if kind == "photo":
            item.setdefault("min", 1 if item["required"] else 0)
            item.setdefault("max", PHOTOS_MAX)
        if item.get("follow_up_on_fail"):
            item.setdefault("follow_up_due_days", FOLLOW_UP_DUE_DAYS)
    return definition


def record_score(definition: dict, answers: dict) -> float | None:
    """A record's score out of 100 from its checklist's weights: the weight of every scored
    item that applied and did not fail, over the weight of every scored item that applied.

    An item applies when it was answered with something other than "not applicable"; the
    weights of a published checklist add up to 100, so a record with every item answered and
    none failed scores 100. None when no scored item applied (a 未遇 visit, a day of 停工):
    such a record says nothing about the quality of the work and is left out of averages.
    """
    applied = kept = 0.0
    for item in iter_items(definition):
        weight = item.get("weight") or 0
        answer = answers.get(item["id"]) if isinstance(answers, dict) else None
        if not weight or not isinstance(answer, dict):
            continue
        if item["type"] == "register_rows":
            rows = answer.get("rows") or {}
            if not rows:
                continue
            failed = any(is_row_failure(item, (row or {}).get("value")) for row in rows.values())
        else:
            value = answer.get("value")
            if value is None or value == "" or value == [] or value == "na":
                continue
            failed = is_failure(item, value)
        applied += weight
        if not failed:
            kept += weight
    return round(100 * kept / applied, 1) if applied else None
