"""Schema building blocks shared by every package's wire schemas."""

from collections.abc import Mapping
from datetime import date, datetime

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, pre_load, validate

from .i18n import LocalizedSchema, field_text


def _unstorable(value) -> bool:
    """Text no database can keep: lone UTF-16 surrogates (not valid UTF-8) and NUL."""
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, Mapping):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(v) for v in value)
    return False


class InputSchema(LocalizedSchema):
    """Base of every request schema: unknown fields are refused, never silently dropped, and
    every validation message is in the caller's language.

    A client that sends a field the server does not know has a bug or expects something the
    server will not do; saying so beats pretending it was stored.
    """

    class Meta:
        unknown = RAISE

    @pre_load(pass_collection=True)
    def refuse_unstorable_text(self, data, **kwargs):
        if isinstance(data, Mapping):  # JSON objects, and query strings (MultiDictProxy)
            bad = {key: [field_text("field.invalid_characters")] for key, value in data.items()
                   if _unstorable(key) or _unstorable(value)}
            if bad:
                raise ValidationError(bad)
        elif _unstorable(data):
            raise ValidationError(field_text("field.invalid_characters"))
        return data


class HeadersSchema(LocalizedSchema):
    """Base of request-header schemas (``@blp.arguments(..., location="headers")``): a request
    carries many headers a view does not read, so the others are ignored, not refused."""

    class Meta:
        unknown = EXCLUDE


# Primary keys are 32-bit integers on PostgreSQL; a bigger number can name nothing.
MAX_ID = 2**31 - 1


def Id(**kwargs):  # noqa: N802 - reads like a field class at call sites
    """A database id in input: an integer (never a float) that a row could have."""
    kwargs.setdefault("strict", True)
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


# Dates and times people and phones send lie in this century. Year 0001 or 9999 is a typo or an
# attack; refused at the wire, they never reach arithmetic that overflows (a day after
# 9999-12-31) or a database column that cannot hold them.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def Day(**kwargs):  # noqa: N802 - reads like a field class at call sites
    """A calendar day in input (YYYY-MM-DD) between EARLIEST_DAY and LATEST_DAY."""
    return fields.Date(validate=validate.Range(min=EARLIEST_DAY, max=LATEST_DAY), **kwargs)


def plausible_moment(moment: datetime) -> bool:
    """A time a phone's clock could show: within EARLIEST_DAY and LATEST_DAY, by its own date
    (no arithmetic, so even year 1 or 9999 with any offset is answered, not overflowed)."""
    return EARLIEST_DAY <= moment.date() <= LATEST_DAY


def Name(maximum: int = 100, **kwargs):  # noqa: N802 - reads like a field class at call sites
    return fields.String(validate=validate.Length(min=1, max=maximum), **kwargs)


class PageQuerySchema(InputSchema):
    page = fields.Integer(strict=False, load_default=1, validate=validate.Range(min=1, max=10**6))
    per_page = fields.Integer(strict=False, load_default=50, validate=validate.Range(min=1, max=500))


class PageMetaSchema(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
