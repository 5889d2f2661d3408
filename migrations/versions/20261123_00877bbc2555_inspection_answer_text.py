"""Inspection answer text: what people wrote in a record's answers, for the records search.

Revision ID: 00877bbc2555
Revises: 8ab402da98eb
Create Date: 2026-11-23 13:15:13.412295

Records stored before this revision get their text filled from their answers here; from now on
the application keeps it in step (server/inspections/models.py, ``written_text``). The function
is copied below as it is today, so this migration keeps doing what it did when the code moves.
"""
import json
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '00877bbc2555'
down_revision = '8ab402da98eb'
branch_labels = None
depends_on = None

_OPTION_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _written_text(answers) -> str:
    found = []

    def take(answer):
        if not isinstance(answer, dict):
            return
        for key in ("comment", "value"):
            text = answer.get(key)
            if isinstance(text, str) and text.strip() and not (
                    key == "value" and _OPTION_CODE.match(text)):
                found.append(text.strip())
        signature = answer.get("signature")
        if isinstance(signature, dict) and isinstance(signature.get("signer_name"), str):
            found.append(signature["signer_name"].strip())
        rows = answer.get("rows")
        if isinstance(rows, dict):
            for row in rows.values():
                take(row)

    for answer in (answers or {}).values() if isinstance(answers, dict) else ():
        take(answer)
    return "\n".join(found)


def upgrade():
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_text', sa.Text(), server_default='', nullable=False))

    inspections = sa.table("inspections", sa.column("id", sa.Uuid), sa.column("answers", sa.Text),
                           sa.column("answer_text", sa.Text))
    connection = op.get_bind()
    # Answers are read as text and parsed here: the same on SQLite (TEXT) and PostgreSQL (JSON).
    rows = connection.execute(sa.select(inspections.c.id,
                                        sa.cast(inspections.c.answers, sa.Text))).all()
    for record_id, answers in rows:
        text = _written_text(json.loads(answers) if answers else {})
        if text:
            connection.execute(sa.update(inspections).where(inspections.c.id == record_id)
                               .values(answer_text=text))


def downgrade():
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_column('answer_text')
