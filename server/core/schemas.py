"""Schema building blocks shared by every package's wire schemas."""

from marshmallow import RAISE, Schema, fields, validate


class InputSchema(Schema):
    """Base of every request schema: unknown fields are refused, never silently dropped.

    A client that sends a field the server does not know has a bug or expects something the
    server will not do; saying so beats pretending it was stored.
    """

    class Meta:
        unknown = RAISE


def Name(maximum: int = 100, **kwargs):  # noqa: N802 - reads like a field class at call sites
    return fields.String(validate=validate.Length(min=1, max=maximum), **kwargs)


class PageQuerySchema(InputSchema):
    page = fields.Integer(strict=False, load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(strict=False, load_default=50, validate=validate.Range(min=1, max=500))


class PageMetaSchema(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
