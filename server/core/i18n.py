"""User-facing text in zh-CN and English, from one message catalog.

Errors are part of the product: a patrol officer in a stairwell must understand why the server
refused something, in the language the phone is set to. Every text the server gives people (error
messages, marshmallow's field messages, the PDF's captions, spreadsheet headers, status names) is
an entry of the gettext catalogs ``server/translations/<locale>/LC_MESSAGES/messages.po``. Each
msgid is a stable code: an error code the API returns (``auth.invalid_credentials``) or a name
(``pdf.document_title``, ``status.record.returned``). `tests/test_catalog.py` fails when a code is
missing from either language.

The caller's language is Flask-Babel's locale, chosen from Accept-Language (zh-CN unless English
is preferred). A PDF asks for its language explicitly: ``translate(key, "en")``.
"""

import copy
import io
from functools import cache
from pathlib import Path
from types import MappingProxyType

import flask_babel
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import has_request_context, request
from marshmallow import Schema, fields, validate

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LOCALES = {"zh-CN": "zh_CN", "en": "en"}  # language tag → the catalog's folder (a Babel locale)


# ---------------------------------------------------------------- the catalog

def po_path(language: str) -> Path:
    return TRANSLATIONS / LOCALES[language] / "LC_MESSAGES" / "messages.po"


@cache
def _po(language: str):
    with po_path(language).open("rb") as po:
        return read_po(po, locale=LOCALES[language])


@cache
def _texts(language: str) -> MappingProxyType:
    return MappingProxyType({message.id: message.string for message in _po(language)
                             if message.id and message.string and not message.fuzzy})


def catalog(language: str) -> MappingProxyType:
    """Every text of ``language`` by msgid, placeholders unfilled (read-only).

    What another client of the catalog (the PWA's build, a test) reads: ``catalog("en")``.
    """
    return _texts(language)


@cache
def translations(language: str) -> Translations:
    """The catalog as gettext translations, for Flask-Babel (``gettext``, Jinja's ``_``).

    The ``.po`` files are the only form kept in the repository; they are compiled here, in
    memory, once per process and language. A ``.mo`` file compiled at install time would be one
    more build step that scripts/serve, scripts/production, an RQ worker and a fresh clone's
    scripts/test must each remember, and it could go stale beside an edited ``.po``; compiling
    one language takes about ten milliseconds, once, at its first use.
    """
    mo = io.BytesIO()
    write_mo(mo, _po(language))
    mo.seek(0)
    return Translations(mo, domain="messages")


def translate(key: str, /, language: str | None = None, **params) -> str:
    """The text of ``key`` in ``language`` (the caller's by default), placeholders filled.

    A key the catalog lacks raises KeyError: a name used in code must exist in the catalog.
    """
    return _texts(language or current_language())[key].format(**params)


def message(code: str, /, language: str | None = None, **params) -> str:
    """The message of an error code; a code without one reads as a bad request."""
    texts = _texts(language or current_language())
    return texts.get(code, texts["request.bad"]).format(**params)


# ---------------------------------------------------------------- the caller's language

def current_language() -> str:
    """The language of the current request (Flask-Babel's locale); zh-CN outside a request."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return _language(flask_babel.get_locale())


def _language(locale) -> str:
    return "en" if locale is not None and locale.language == "en" else DEFAULT_LANGUAGE


def _select_locale() -> str:
    """The best match of Accept-Language, zh-CN when nothing matches."""
    if not has_request_context():
        return LOCALES[DEFAULT_LANGUAGE]
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default=DEFAULT_LANGUAGE)
    return LOCALES["en" if best == "en" else DEFAULT_LANGUAGE]


class _CatalogDomain(flask_babel.Domain):
    """Flask-Babel's message domain, reading the catalogs compiled by `translations`."""

    def get_translations(self):
        locale = flask_babel.get_locale()
        return NullTranslations() if locale is None else translations(_language(locale))


def init_app(app):
    babel = flask_babel.Babel(app, locale_selector=_select_locale,
                              default_locale=LOCALES[DEFAULT_LANGUAGE])
    babel.domain_instance = _CatalogDomain()
    # Flask-Babel remembers the locale on `g`, which outlives a request whenever an app context
    # was pushed around it (tests, scripts): choose it afresh from each request's header.
    app.before_request(flask_babel.refresh)


# ---------------------------------------------------------------- marshmallow's messages

def field_text(key: str) -> str:
    """A validation message template in the caller's language, placeholders unfilled.

    Outside a request (a script loading a schema) it is marshmallow's English, as before: the
    catalog's English field messages are marshmallow's own words.
    """
    return _texts(current_language() if has_request_context() else "en")[key]


# (marshmallow field class, error name) → msgid. A field whose message for that error is not
# the class's default (set with ``error_messages=``, or redefined by a subclass such as Email)
# keeps its own text.
_FIELD_MESSAGES = {
    (fields.Field, "required"): "field.required",
    (fields.Field, "null"): "field.null",
    (fields.String, "invalid"): "field.invalid_string",
    (fields.Integer, "invalid"): "field.invalid_integer",
    (fields.Number, "invalid"): "field.invalid_number",
    (fields.Boolean, "invalid"): "field.invalid_boolean",
    (fields.UUID, "invalid_uuid"): "field.invalid_uuid",
    (fields.List, "invalid"): "field.invalid_list",
    (fields.Mapping, "invalid"): "field.invalid_mapping",
    (fields.DateTime, "invalid"): "field.invalid_datetime",
    (fields.Date, "invalid"): "field.invalid_date",
    (fields.Time, "invalid"): "field.invalid_time",
}
_SCHEMA_MESSAGES = {"unknown": "field.unknown", "type": "field.invalid_input_type"}


class _Messages(dict):
    """Error messages of a field or schema; those with a catalog entry are looked up when the
    error is made, so each request reads them in its own language."""

    def __init__(self, messages: dict, keys: dict[str, str]):
        super().__init__(messages)
        self.keys_by_error = keys

    def __getitem__(self, name):
        key = self.keys_by_error.get(name)
        return field_text(key) if key else super().__getitem__(name)


class _FieldText:
    """A validator's message template, looked up when the validator formats it."""

    def __init__(self, key: str):
        self.key = key

    def format(self, **params) -> str:
        return field_text(self.key).format(**params)

    def __str__(self):
        return field_text(self.key)


def _catalog_keys(field: fields.Field) -> dict[str, str]:
    keys = {}
    for name, text in field.error_messages.items():
        for cls in type(field).__mro__:
            key = _FIELD_MESSAGES.get((cls, name))
            if key:
                if text == cls.default_error_messages.get(name):
                    keys[name] = key
                break
    return keys


def _localized_validator(validator):
    """A copy of a Length, Range, OneOf or Regexp validator whose default messages come from
    the catalog; any other validator, or one given its own ``error``, as it is."""
    kind = type(validator)
    if kind is validate.Length and validator.error is None:
        validator = copy.copy(validator)
        # At least one character: "must not be empty" says it better than "length ≥ 1".
        validator.message_min = (_FieldText("field.length_min_one") if validator.min == 1
                                 else _FieldText("field.length_min"))
        validator.message_max = _FieldText("field.length_max")
        validator.message_all = _FieldText("field.length_between")
    elif kind is validate.Range and validator.error is None:
        validator = copy.copy(validator)
        # Only inclusive bounds have a translation; "greater than" stays in English.
        if validator.min_inclusive:
            validator.message_min = _FieldText("field.range_min")
        if validator.max_inclusive:
            validator.message_max = _FieldText("field.range_max")
        if validator.min_inclusive and validator.max_inclusive:
            validator.message_all = _FieldText("field.range_between")
    elif kind in (validate.OneOf, validate.Regexp) and validator.error == kind.default_message:
        validator = copy.copy(validator)
        validator.error = (_FieldText("field.one_of") if kind is validate.OneOf
                           else _FieldText("field.pattern"))
    return validator


def _localize_field(field: fields.Field):
    """Point a schema's bound copy of ``field`` (and of its inner fields) at the catalog."""
    keys = _catalog_keys(field)
    if keys:
        field.error_messages = _Messages(field.error_messages, keys)
    field.validators = [_localized_validator(v) for v in field.validators]
    inner = [getattr(field, "inner", None), getattr(field, "key_field", None),
             getattr(field, "value_field", None), *getattr(field, "tuple_fields", ())]
    for child in inner:
        if isinstance(child, fields.Field):
            _localize_field(child)


class LocalizedSchema(Schema):
    """A schema whose validation messages are written in the caller's language.

    Its fields are bound per schema instance (marshmallow copies them), so pointing the bound
    copies at the catalog leaves the declared fields, and any plain Schema, untouched.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keys = {name: key for name, key in _SCHEMA_MESSAGES.items()
                if self.error_messages.get(name) == Schema._default_error_messages[name]}
        self.error_messages = _Messages(self.error_messages, keys)

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        _localize_field(field_obj)
