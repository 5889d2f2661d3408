from marshmallow import Schema, fields

from server.core.schemas import InputSchema


class ChecklistVersionOut(Schema):
    id = fields.Integer()
    code = fields.String()
    version = fields.Integer()
    title_zh = fields.String()
    title_en = fields.String()
    subject = fields.String()
    content_hash = fields.String()
    published_at = fields.DateTime()
    definition = fields.Dict(metadata={"description": "sections, items and frequency rules; "
                                                      "format in checklists/README.md"})


class ChecklistQuery(InputSchema):
    all_versions = fields.Boolean(load_default=False,
                                  metadata={"description": "every published version, not only "
                                                           "the newest of each checklist"})


class ChecklistPublishIn(InputSchema):
    definition = fields.Dict(required=True,
                             metadata={"description": "format in checklists/README.md"})
