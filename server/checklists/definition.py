"""The checklist definition format (documented in checklists/README.md) and its validation.

`validate_definition(raw)` returns the normalised definition (defaults filled in, so the PWA
and the PDF renderer read one complete shape) or raises `DefinitionError` listing every
problem as ``item <id>: <field>: <message>``.
"""

import hashlib
import json

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from .items import PHOTOS_LIMIT, can_fail, fill_defaults, possible_answers

ITEM_TYPES = ("pass_fail", "yes_no", "text", "number", "single_choice", "multi_choice",
              "date", "time", "datetime", "photo", "signature", "register_rows")
SUBJECTS = ("renovation", "property", "key_register", "unit", "staff")
SIGNERS = ("inspector", "owner", "contractor", "supervisor", "keeper", "duty_staff")
REGISTERS = ("keys",)
SCOPES = ("renovation", "property", "unit", "key_customer", "staff")
PERIODS = ("day", "week", "month")
PERFORMERS = ("patrol", "supervisor", "keeper")
CLOCK_TIME = validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error="a time like 20:00")
IDENTIFIER = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$",
                             error="must be lowercase letters, digits and _ (e.g. wall_check)")

# Keys each item type may carry beyond the common ones (id, type, label, help, required, weight).
_TYPE_KEYS = {
    "pass_fail": {"allow_na"},
    "yes_no": {"fail_on", "escalate_when"},
    "text": {"multiline", "max_length"},
    "number": {"unit", "min", "max", "integer", "fail_below", "fail_above"},
    "single_choice": {"options", "fail_values", "escalate_when"},
    "multi_choice": {"options", "fail_values", "min_selected", "max_selected"},
    "date": set(), "time": set(), "datetime": set(),
    "photo": {"min", "max"},
    "signature": {"signer"},
    "register_rows": {"register", "row_options", "row_fail_values", "row_photo_when_failed"},
}
_FAILURE_KEYS = {"photo_when_failed", "follow_up_on_fail", "follow_up_due_days", "callback"}
_COMMON_KEYS = {"id", "type", "label", "help", "required", "required_when", "weight"}


class DefinitionError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class TextSchema(Schema):
    """A label in both languages; the PWA switches between them, neither may be empty."""

    class Meta:
        unknown = RAISE

    zh = fields.String(data_key="zh-CN", attribute="zh-CN", required=True,
                       validate=validate.Length(min=1, max=2000))
    en = fields.String(data_key="en", attribute="en", required=True,
                       validate=validate.Length(min=1, max=2000))


class OptionSchema(Schema):
    class Meta:
        unknown = RAISE

    value = fields.String(required=True, validate=IDENTIFIER)
    label = fields.Nested(TextSchema, required=True)


class WhenSchema(Schema):
    class Meta:
        unknown = RAISE

    item = fields.String(required=True, validate=IDENTIFIER)
    equals = fields.Raw(required=True)


class WindowSchema(Schema):
    """A time of day window in the property's time zone; ``from`` after ``to`` spans midnight."""

    class Meta:
        unknown = RAISE

    start = fields.String(data_key="from", attribute="from", required=True, validate=CLOCK_TIME)
    end = fields.String(data_key="to", attribute="to", required=True, validate=CLOCK_TIME)

    @validates_schema
    def check_length(self, data, **kwargs):
        if data.get("from") == data.get("to"):
            raise ValidationError("from and to must differ", "to")


class OutcomeSchema(Schema):
    """The item saying whether the work could be done; its other options are legitimate
    outcomes (未遇, 停工) recorded without the signatures the work itself needs."""

    class Meta:
        unknown = RAISE

    item = fields.String(required=True, validate=IDENTIFIER)
    done = fields.String(required=True, validate=IDENTIFIER)


class ItemSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=IDENTIFIER)
    type = fields.String(required=True, validate=validate.OneOf(ITEM_TYPES))
    label = fields.Nested(TextSchema, required=True)
    help = fields.Nested(TextSchema)
    required = fields.Boolean()
    required_when = fields.Nested(WhenSchema)
    weight = fields.Float(validate=validate.Range(min=0, max=1000), allow_nan=False)
    photo_when_failed = fields.Integer(strict=True,
                                       validate=validate.Range(min=1, max=PHOTOS_LIMIT))
    follow_up_on_fail = fields.Boolean()
    follow_up_due_days = fields.Integer(strict=True, validate=validate.Range(min=1, max=365))
    # Whether a follow-up of this item involves an owner, so it needs a callback (回访); left
    # out, it does when the checklist's subject is a household or a renovation.
    callback = fields.Boolean()
    # The answer that must reach the project manager at once (seed: 第一时间告知项目经理).
    escalate_when = fields.String(validate=IDENTIFIER)
    # type-specific
    allow_na = fields.Boolean()
    fail_on = fields.String(validate=validate.OneOf(("yes", "no")))
    multiline = fields.Boolean()
    max_length = fields.Integer(strict=True, validate=validate.Range(min=1, max=20000))
    unit = fields.Nested(TextSchema)
    min = fields.Float(allow_nan=False)
    max = fields.Float(allow_nan=False)
    integer = fields.Boolean()
    fail_below = fields.Float(allow_nan=False)
    fail_above = fields.Float(allow_nan=False)
    options = fields.List(fields.Nested(OptionSchema), validate=validate.Length(min=2, max=50))
    fail_values = fields.List(fields.String(), validate=validate.Length(min=1))
    min_selected = fields.Integer(strict=True, validate=validate.Range(min=0))
    max_selected = fields.Integer(strict=True, validate=validate.Range(min=1))
    signer = fields.String(validate=validate.OneOf(SIGNERS))
    register = fields.String(validate=validate.OneOf(REGISTERS))
    row_options = fields.List(fields.Nested(OptionSchema), validate=validate.Length(min=2, max=10))
    row_fail_values = fields.List(fields.String(), validate=validate.Length(min=1))
    row_photo_when_failed = fields.Integer(strict=True, validate=validate.Range(min=1, max=10))

    @validates_schema
    def check_type_rules(self, data, **kwargs):
        item_type = data.get("type")
        if item_type not in _TYPE_KEYS:
            return
        errors: dict[str, list[str]] = {}

        def problem(key, text):
            errors.setdefault(key, []).append(text)

        allowed = _COMMON_KEYS | _TYPE_KEYS[item_type]
        if can_fail(data):
            allowed |= _FAILURE_KEYS
        for key in data:
            if key not in allowed:
                reason = ("only allowed on items that can fail (see checklists/README.md)"
                          if key in _FAILURE_KEYS else f"not allowed for type {item_type}")
                problem(key, reason)

        if item_type in ("single_choice", "multi_choice") and "options" not in data:
            problem("options", "required for a choice item")
        if item_type == "signature" and "signer" not in data:
            problem("signer", f"required: one of {', '.join(SIGNERS)}")
        if item_type == "register_rows":
            for key in ("register", "row_options"):
                if key not in data:
                    problem(key, "required for a register_rows item")
        self._check_values(data, "fail_values", "options", problem)
        self._check_values(data, "row_fail_values", "row_options", problem)
        if "escalate_when" in data:
            answers = (["yes", "no"] if item_type == "yes_no"
                       else [option["value"] for option in data.get("options", [])])
            if data["escalate_when"] not in answers:
                problem("escalate_when", f"'{data['escalate_when']}' is not a possible answer")
        for key in ("options", "row_options"):
            values = [option["value"] for option in data.get(key, [])]
            if len(values) != len(set(values)):
                problem(key, "option values must be unique")
        low, high = data.get("min"), data.get("max")
        if low is not None and high is not None and low > high:
            problem("min", "min is larger than max")
        if item_type == "photo" and (high or 0) > PHOTOS_LIMIT:
            problem("max", f"at most {PHOTOS_LIMIT} photos per item")
        if (data.get("min_selected") or 0) > (data.get("max_selected") or 10**9):
            problem("min_selected", "min_selected is larger than max_selected")
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _check_values(data, values_key, options_key, problem):
        known = {option["value"] for option in data.get(options_key, [])}
        for value in data.get(values_key, []):
            if value not in known:
                problem(values_key, f"'{value}' is not one of the {options_key}")


class SectionSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=IDENTIFIER)
    title = fields.Nested(TextSchema, required=True)
    items = fields.List(fields.Nested(ItemSchema), required=True,
                        validate=validate.Length(min=1, max=200))


class FrequencyRuleSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=IDENTIFIER)
    label = fields.Nested(TextSchema, required=True)
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
    period = fields.String(required=True, validate=validate.OneOf(PERIODS))
    min_count = fields.Integer(strict=True, validate=validate.Range(min=1, max=1000))
    min_share = fields.Float(validate=validate.Range(min=0, max=1, min_inclusive=False),
                             allow_nan=False)
    distinct = fields.Boolean(load_default=False)
    performed_by = fields.String(validate=validate.OneOf(PERFORMERS))
    when = fields.Nested(WhenSchema)
    # Whether records received late (RECORD_LATE_AFTER_HOURS after completion) count toward
    # the rule; left out, they count and compliance lists them apart.
    late_counts = fields.Boolean()
    # Only records completed in this window of the day count (a night check at 10:00 does not).
    window = fields.Nested(WindowSchema)
    # With distinct: a household visited in the last N months does not count again.
    cycle_months = fields.Integer(strict=True, validate=validate.Range(min=1, max=36))
    # Day rules: the days of the week the rule applies (1 = Monday … 7 = Sunday); default all.
    weekdays = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1, max=7)),
                           validate=validate.Length(min=1, max=7))
    # Outcomes of the checklist's `outcome` item besides `done` that count toward this rule.
    counts_outcomes = fields.List(fields.String(validate=IDENTIFIER),
                                  validate=validate.Length(min=1))

    @validates_schema
    def check_count(self, data, **kwargs):
        if ("min_count" in data) == ("min_share" in data):
            raise ValidationError("give exactly one of min_count or min_share", "min_count")
        if "cycle_months" in data and not (
                data.get("distinct") and data.get("scope") in ("unit", "key_customer")):
            raise ValidationError("only on a distinct rule over households", "cycle_months")
        if "weekdays" in data:
            if data.get("period") != "day":
                raise ValidationError("only on a rule with period day", "weekdays")
            if len(set(data["weekdays"])) != len(data["weekdays"]):
                raise ValidationError("each day once", "weekdays")


class ChecklistDefinitionSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=IDENTIFIER)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    title = fields.Nested(TextSchema, required=True)
    description = fields.Nested(TextSchema)
    source = fields.String(validate=validate.Length(max=500))
    subject = fields.String(required=True, validate=validate.OneOf(SUBJECTS))
    outcome = fields.Nested(OutcomeSchema)
    frequency = fields.List(fields.Nested(FrequencyRuleSchema), required=True,
                            validate=validate.Length(min=1))
    sections = fields.List(fields.Nested(SectionSchema), required=True,
                           validate=validate.Length(min=1, max=50))

    @validates_schema
    def check_references(self, data, **kwargs):
        errors: dict[str, list[str]] = {}
        items = {}
        section_ids = set()
        for section in data.get("sections", []):
            if section["id"] in section_ids:
                errors.setdefault("sections", []).append(
                    f"section id '{section['id']}' is used twice")
            section_ids.add(section["id"])
            for item in section["items"]:
                if item["id"] in items:
                    errors.setdefault("sections", []).append(
                        f"item {item['id']}: id is used twice")
                items[item["id"]] = item
        registers = {item.get("register") for item in items.values()
                     if item["type"] == "register_rows"}
        if registers and data.get("subject") != "key_register":
            errors.setdefault("subject", []).append(
                "a register_rows item needs subject key_register")
        for rule in data.get("frequency", []):
            scope = rule["scope"]
            subject = data.get("subject")
            if scope == "renovation" and subject != "renovation" or (
                    scope in ("unit", "key_customer") and subject != "unit") or (
                    (scope == "staff") != (subject == "staff")):
                errors.setdefault("frequency", []).append(
                    f"rule {rule['id']}: scope {scope} does not fit subject {subject}")
        for item in items.values():
            if "required_when" in item:
                self._check_when(item["required_when"], items, f"item {item['id']}: required_when",
                                 errors)
        for rule in data.get("frequency", []):
            if rule.get("when"):
                self._check_when(rule["when"], items, f"rule {rule['id']}: when", errors)
        self._check_outcome(data, items, errors)
        rule_ids = [rule["id"] for rule in data.get("frequency", [])]
        if len(rule_ids) != len(set(rule_ids)):
            errors.setdefault("frequency", []).append("frequency rule ids must be unique")
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _check_outcome(data: dict, items: dict, errors: dict):
        outcome = data.get("outcome")
        values: list = []
        if outcome:
            target = items.get(outcome["item"])
            if target is None or target["type"] != "single_choice":
                errors.setdefault("outcome", []).append(
                    f"item: '{outcome['item']}' is not a single_choice item of this checklist")
            else:
                values = possible_answers(target) or []
                if outcome["done"] not in values:
                    errors.setdefault("outcome", []).append(
                        f"done: {outcome['done']!r} is not one of {values}")
        for rule in data.get("frequency", []):
            for value in rule.get("counts_outcomes", []):
                if not outcome:
                    errors.setdefault("frequency", []).append(
                        f"rule {rule['id']}: counts_outcomes needs the checklist's outcome")
                elif value not in values or value == outcome["done"]:
                    errors.setdefault("frequency", []).append(
                        f"rule {rule['id']}: counts_outcomes: {value!r} is not another outcome")

    @staticmethod
    def _check_when(when: dict, items: dict, where: str, errors: dict):
        target = items.get(when["item"])
        if target is None:
            errors.setdefault("sections", []).append(
                f"{where}.item: '{when['item']}' is not an item of this checklist")
            return
        answers = possible_answers(target)
        if answers is None:
            errors.setdefault("sections", []).append(
                f"{where}.item: '{when['item']}' has no fixed answers to compare with")
        elif when["equals"] not in answers:
            # YAML reads an unquoted yes/no as a boolean: say so, it is the usual cause.
            hint = ' (quote it: "yes")' if isinstance(when["equals"], bool) else ""
            errors.setdefault("sections", []).append(
                f"{where}.equals: {when['equals']!r} is not one of {answers}{hint}")


def validate_definition(raw) -> dict:
    if not isinstance(raw, dict):
        raise DefinitionError(["the file must hold a mapping (code, version, title, ...)"])
    try:
        loaded = ChecklistDefinitionSchema().load(raw)
    except ValidationError as error:
        raise DefinitionError(describe_errors(error.messages, raw)) from None
    return fill_defaults(loaded)


def describe_errors(messages, raw) -> list[str]:
    """Flatten marshmallow's nested errors into lines naming the item or section id."""
    problems: list[str] = []

    def walk(node, path: list, raw_node):
        if isinstance(node, dict):
            for key, child in node.items():
                raw_child = None
                if isinstance(raw_node, dict):
                    raw_child = raw_node.get(key)
                elif isinstance(raw_node, list) and isinstance(key, int) and key < len(raw_node):
                    raw_child = raw_node[key]
                walk(child, [*path, (key, raw_child)], raw_child)
        elif isinstance(node, list):
            for text in node:
                if isinstance(text, dict | list):
                    walk(text, path, raw_node)
                else:
                    problems.append(f"{_where(path)}: {text}")
        else:
            problems.append(f"{_where(path)}: {node}")

    walk(messages, [], raw)
    return problems


def _where(path) -> str:
    """Render a path like sections[1].items[3].label.en as ``item wall_check: label.en``."""
    owner = None
    rest: list[str] = []
    for position, (key, raw_child) in enumerate(path):
        parent_key = path[position - 1][0] if position else None
        if isinstance(key, int) and parent_key in ("items", "sections", "frequency"):
            kind = {"items": "item", "sections": "section", "frequency": "rule"}[parent_key]
            name = raw_child.get("id") if isinstance(raw_child, dict) else None
            owner = f"{kind} {name}" if name else f"{kind} #{key + 1}"
            rest = []
        elif key in ("items", "sections", "frequency") and position + 1 < len(path) and (
                isinstance(path[position + 1][0], int)):
            continue
        elif key != "_schema":
            rest.append(str(key) if not isinstance(key, int) else f"[{key}]")
    field = ".".join(rest).replace(".[", "[")
    if owner and field:
        return f"{owner}: {field}"
    return owner or field or "(top level)"


def content_hash(definition: dict) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
