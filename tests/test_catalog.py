"""The message catalog: every text the server shows people exists in zh-CN and English, with the
same placeholders, and the .po files compile."""

import ast
import io
import re
import string
from pathlib import Path

import flask_babel
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from marshmallow import Schema, ValidationError, fields, validate

import server
from server import create_app
from server.checklists.definition import SIGNERS, SUBJECTS
from server.core import i18n
from server.core.problems import CODE_FOR_HTTP_STATUS, PROBLEMS
from server.followups.models import FollowUpAction, FollowUpStatus
from server.inspections.listing import EXPORT_COLUMNS
from server.inspections.models import InspectionStatus
from server.reviews.models import ReviewAction

SERVER = Path(server.__file__).parent
REPO = SERVER.parent
ZH, EN = i18n.LANGUAGES


def _po(language: str):
    with i18n.po_path(language).open("rb") as po:
        return read_po(po, abort_invalid=True)


def _missing(keys) -> dict[str, list[str]]:
    """``keys`` that either language lacks, by language."""
    return {language: sorted(set(keys) - set(i18n.catalog(language))) for language in i18n.LANGUAGES}


NOTHING_MISSING = {ZH: [], EN: []}


# ---------------------------------------------------------------- the files

@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_the_catalog_compiles_with_every_message(language):
    catalog = _po(language)
    assert [(message.id, errors) for message, errors in catalog.check()] == []
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    compiled = read_mo(mo)
    # write_mo leaves out empty and fuzzy entries: none may be lost on the way.
    assert {m.id for m in compiled if m.id} == {m.id for m in catalog if m.id}
    assert i18n.translations(language).gettext("pdf.document_title") == \
        catalog["pdf.document_title"].string


def test_both_languages_have_the_same_keys_all_translated():
    keys = {}
    for language in i18n.LANGUAGES:
        messages = [m for m in _po(language) if m.id]
        assert [m.id for m in messages if not m.string.strip() or m.fuzzy] == [], language
        keys[language] = {m.id for m in messages}
    assert sorted(keys[ZH] - keys[EN]) == [], "missing in English"
    assert sorted(keys[EN] - keys[ZH]) == [], "missing in Chinese"


# Written the same in both languages on purpose: "PDF" is what Chinese users call it too.
SAME_IN_BOTH = {"pwa.pdf", "pwa.pdf_progress", "report.none"}  # "—": nothing to divide


def test_no_text_is_left_untranslated():
    zh, en = i18n.catalog(ZH), i18n.catalog(EN)
    assert [key for key in zh if zh[key] == en[key] and key not in SAME_IN_BOTH] == []


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_placeholders_are_named_and_the_same_in_both_languages():
    zh, en = i18n.catalog(ZH), i18n.catalog(EN)
    for key in zh:
        names = _placeholders(zh[key])
        assert names == _placeholders(en[key]), key
        assert all(name.isidentifier() for name in names), key
        for text in (zh[key], en[key]):
            text.format(**dict.fromkeys(names, "x"))  # no stray brace


# ---------------------------------------------------------------- what the code uses

def _first_string_argument(call: ast.Call):
    for argument in call.args:
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            return argument.value
    return None


def _raised_codes() -> set[str]:
    """Codes written at the call sites of Problem(...) and error_response(...), and the item
    problems of AnswerCheck.add(item, "code") (answer.<code>)."""
    codes = set()
    for path in SERVER.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in {"Problem", "error_response"}):
                code = _first_string_argument(node)
                if code:
                    codes.add(code)
            if isinstance(node, ast.ClassDef) and node.name == "AnswerCheck":
                for call in ast.walk(node):
                    if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                            and call.func.attr == "add" and len(call.args) >= 2
                            and isinstance(call.args[1], ast.Constant)):
                        codes.add(f"answer.{call.args[1].value}")
    return codes


def test_every_problem_the_server_can_answer_with_has_a_message():
    raised = _raised_codes()
    # The scan must see the call sites: if they change shape, this test has to change too.
    assert {"auth.invalid_credentials", "record.stale_revision", "answer.required"} <= raised
    assert _missing(raised | set(PROBLEMS) | set(CODE_FOR_HTTP_STATUS.values())) == NOTHING_MISSING


def test_every_key_written_in_the_code_is_in_the_catalog():
    """babel.cfg names the functions that take a key; `pybabel extract` reads it too."""
    with (REPO / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    skipped = {"node_modules", "dist", "var"}

    def searched(path: str) -> bool:
        name = Path(path).name
        return name not in skipped and not name.startswith((".", "_"))

    keys = {message for _, _, message, _, _ in extract_from_dir(
        REPO, method_map, options_map, directory_filter=searched) if isinstance(message, str)}
    assert {"pdf.page", "export.sheet_title", "field.length_between"} <= keys
    assert _missing(keys) == NOTHING_MISSING


def test_every_name_people_read_is_in_the_catalog():
    """Keys made at run time: statuses, actions, subjects, signers, results, export headers,
    and the captions the PDF template prints (``L.<name>`` is ``pdf.<name>``)."""
    template = (SERVER / "pdf" / "templates" / "record.html").read_text(encoding="utf-8")
    captions = set(re.findall(r"\bL\.(\w+)", template))
    assert {"document_title", "seal", "follow_ups"} <= captions
    keys = ({f"pdf.{caption}" for caption in captions}
            | {f"status.record.{s}" for s in InspectionStatus}
            | {f"status.followup.{s}" for s in FollowUpStatus}
            | {f"action.followup.{a}" for a in FollowUpAction}
            | {f"action.review.{a}" for a in ReviewAction}
            | {f"subject.{s}" for s in SUBJECTS}
            | {f"signer.{s}" for s in SIGNERS}
            | {f"result.{r}" for r in ("pass", "fail", "na", "yes", "no")}
            | {f"export.header.{column}" for column in EXPORT_COLUMNS})
    assert _missing(keys) == NOTHING_MISSING


# ---------------------------------------------------------------- lookups

@pytest.fixture(scope="module")
def bare_app(tmp_path_factory):
    """The application without a database: enough for a request context."""
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                       "BLOB_DIR": str(tmp_path_factory.mktemp("blobs"))})


def test_the_callers_language_comes_from_accept_language(bare_app):
    cases = {"en": EN, "en-GB,en;q=0.9": EN, "zh-CN": ZH, "zh-TW": ZH, "fr": ZH, "": ZH,
             "fr, en;q=0.5": EN}
    for header, language in cases.items():
        with bare_app.test_request_context(headers={"Accept-Language": header}):
            assert i18n.current_language() == language, header
            assert flask_babel.gettext("auth.required") == i18n.catalog(language)["auth.required"]
            assert i18n.message("auth.required") == i18n.catalog(language)["auth.required"]


def test_an_explicit_language_wins_over_the_callers(bare_app):
    with bare_app.test_request_context(headers={"Accept-Language": "en"}):
        assert i18n.translate("pdf.page", ZH, page=1, pages=2) == "第 1 页 / 共 2 页"
        assert i18n.message("request.too_large", ZH, limit="1 MB") == "请求内容过大（上限 1 MB）。"
        with flask_babel.force_locale("zh_CN"):
            assert i18n.current_language() == ZH
            assert flask_babel.gettext("auth.required") == "请先登录。"
        assert i18n.message("auth.required") == "Please log in."


def test_an_unknown_error_code_reads_as_a_bad_request_and_an_unknown_key_fails():
    assert i18n.message("no.such_code", EN) == i18n.catalog(EN)["request.bad"]
    with pytest.raises(KeyError):
        i18n.translate("pdf.no_such_caption", EN)


# ---------------------------------------------------------------- marshmallow's messages

def _fields(base):
    return {
        "inner": fields.Nested(base.from_dict({"x": fields.String(required=True)})),
        "name": fields.String(required=True),
        "empty": fields.String(validate=validate.Length(min=1)),
        "short": fields.String(validate=validate.Length(min=3)),
        "long": fields.String(validate=validate.Length(max=2)),
        "sized": fields.String(validate=validate.Length(min=1, max=3)),
        "exact": fields.String(validate=validate.Length(equal=2)),
        "kind": fields.String(validate=validate.OneOf(["a", "b"])),
        "slug": fields.String(validate=validate.Regexp(r"^[a-z]+$")),
        "own_words": fields.String(validate=validate.Regexp(r"^[a-z]+$", error="letters only")),
        "count": fields.Integer(validate=validate.Range(min=1, max=10)),
        "low": fields.Integer(validate=validate.Range(min=1)),
        "high": fields.Integer(validate=validate.Range(max=10)),
        "positive": fields.Float(validate=validate.Range(min=0, min_inclusive=False)),
        "number": fields.Integer(strict=True),
        "ratio": fields.Float(),
        "text": fields.String(),
        "flag": fields.Boolean(),
        "day": fields.Date(),
        "at": fields.DateTime(),
        "clock": fields.Time(),
        "uid": fields.UUID(),
        "mail": fields.Email(),
        "tags": fields.List(fields.String(validate=validate.Length(max=2))),
        "list": fields.List(fields.String()),
        "notes": fields.Dict(keys=fields.String(validate=validate.Length(max=3))),
        "mapping": fields.Dict(),
        "never_null": fields.String(),
        "told": fields.String(required=True, error_messages={"required": "say it"}),
    }


_BAD = {"inner": {}, "empty": "", "short": "ab", "long": "abc", "sized": "abcd", "exact": "a", "kind": "c",
        "slug": "A", "own_words": "A", "count": 11, "low": 0, "high": 11, "positive": 0,
        "number": 1.5, "ratio": "x", "text": 3, "flag": "maybe", "day": "x", "at": "x",
        "clock": "x", "uid": "x", "mail": "x", "tags": ["abc", "ok"], "list": "x",
        "notes": {"abcd": "x"}, "mapping": "x", "never_null": None, "extra": 1}

# What a Chinese caller reads for _BAD, as the API has always written it.
_ZH = {
    "inner": {"x": ["必填字段缺失。"]}, "name": ["必填字段缺失。"], "empty": ["不能为空。"],
    "short": ["长度不能少于 3。"], "long": ["长度不能超过 2。"], "sized": ["长度必须在 1 到 3 之间。"],
    "exact": ["Length must be 2."], "kind": ["必须是以下之一：a, b。"], "slug": ["格式不正确。"],
    "own_words": ["letters only"], "count": ["必须在 1 到 10 之间。"], "low": ["必须大于或等于 1。"],
    "high": ["必须小于或等于 10。"], "positive": ["Must be greater than 0."],
    "number": ["不是有效的整数。"], "ratio": ["不是有效的数字。"], "text": ["不是有效的文本。"],
    "flag": ["不是有效的是/否值。"], "day": ["不是有效的日期。"], "at": ["不是有效的日期时间。"],
    "clock": ["不是有效的时间。"], "uid": ["不是有效的 UUID。"], "mail": ["Not a valid email address."],
    "tags": {0: ["长度不能超过 2。"]}, "list": ["不是有效的列表。"],
    "notes": {"abcd": {"key": ["长度不能超过 3。"]}}, "mapping": ["不是有效的对象。"],
    "never_null": ["不能为空。"], "told": ["say it"], "extra": ["未知字段。"],
}


def _errors(schema_class, data):
    with pytest.raises(ValidationError) as error:
        schema_class().load(data)
    return error.value.messages


def test_field_messages_are_written_in_the_callers_language(bare_app):
    plain = Schema.from_dict(_fields(Schema))
    localized = i18n.LocalizedSchema.from_dict(_fields(i18n.LocalizedSchema))
    english = _errors(plain, _BAD)
    assert english["name"] == ["Missing data for required field."]
    assert _errors(localized, _BAD) == english  # outside a request: marshmallow's English
    for header, expected, not_an_object in (("zh-CN", _ZH, "输入类型无效。"),
                                            ("en", english, "Invalid input type."),
                                            ("zh", _ZH, "输入类型无效。")):
        with bare_app.test_request_context(headers={"Accept-Language": header}):
            assert _errors(localized, _BAD) == expected, header
            assert _errors(localized, ["not", "an", "object"]) == {"_schema": [not_an_object]}
    # The declared fields, shared by every instance, keep marshmallow's own messages.
    with bare_app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert _errors(plain, _BAD) == english


def test_every_word_the_pwa_asks_for_is_in_the_catalog():
    """The PWA's screens read `pwa.<key>` entries (bundled by pwa/build/messages.js); a key
    written in its code but missing here would show the bare key to a patrol."""
    import re
    source = REPO / "pwa" / "src"
    asked = {key for path in source.rglob("*.js")
             for key in re.findall(r"\bt\(\s*'([a-z0-9_]+)'", path.read_text())}
    assert len(asked) > 150  # the pattern still finds the calls
    zh = i18n.catalog(ZH)
    assert sorted(key for key in asked if f"pwa.{key}" not in zh) == []
