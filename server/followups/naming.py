"""A follow-up's text names the problem, not the question that found it.

"K005 入户门钥匙 · 缺失 · 4栋1单元1001" rather than "逐把核对台账与实物是否相符、有无缺失（5）";
"厨房下水管渗漏" (what the visitor wrote under "需整改问题描述") rather than "是否有需要整改的问题".
Both languages are kept; what people typed stays as they typed it.
"""

from server.checklists.items import iter_items
from server.core.i18n import translate
from server.properties.models import Key, Unit

LANGUAGES = ("zh-CN", "en")
SEPARATOR = " · "


def unit_words(unit: Unit | None, language: str) -> str:
    if unit is None:
        return ""
    if language == "zh-CN":
        return unit.label
    entrance = f"-{unit.entrance}" if unit.entrance else ""
    return f"Building {unit.building}{entrance}, room {unit.room}"


def answer_words(item: dict, value, language: str) -> str:
    if item["type"] == "pass_fail":
        return translate(f"result.{value}", language=language)
    if item["type"] == "yes_no":
        return translate(f"result.{value}", language=language)
    options = {o["value"]: o["label"][language] for o in item.get("options") or []}
    if isinstance(value, list):
        return "、".join(options.get(v, v) for v in value)
    if item["type"] == "number":
        return str(value)
    return options.get(value, str(value))


def _details_of(definition: dict, item: dict, answers: dict) -> str:
    """What the inspector wrote in a text item asked for because of this answer (an item whose
    `required_when` points here), e.g. the description of what needs rectifying."""
    texts = []
    for other in iter_items(definition):
        condition = other.get("required_when") or {}
        if other["type"] == "text" and condition.get("item") == item["id"]:
            value = ((answers.get(other["id"]) or {}).get("value") or "").strip()
            if value:
                texts.append(value)
    return "；".join(texts)


def item_problem(definition: dict, item: dict, answers: dict, value, comment: str | None) -> dict:
    """{language: text} for a failed answer of an ordinary item."""
    details = _details_of(definition, item, answers)
    result = {}
    for language in LANGUAGES:
        parts = ([details] if details
                 else [item["label"][language], answer_words(item, value, language)])
        if comment:
            parts.append(comment.strip())
        result[language] = SEPARATOR.join(p for p in parts if p)
    return result


def row_problem(item: dict, key: Key | None, row_key: str, value, comment: str | None) -> dict:
    """{language: text} for one failed row of a register (a key): tag, key, answer, household."""
    options = {o["value"]: o["label"] for o in item.get("row_options") or []}
    result = {}
    for language in LANGUAGES:
        name = f"{key.tag_no} {key.description}" if key else item["label"][language]
        answer = options[value][language] if value in options else str(value)
        parts = [name, answer, unit_words(key.unit if key else None, language)]
        if comment:
            parts.append(comment.strip())
        result[language] = SEPARATOR.join(p for p in parts if p)
    return result
