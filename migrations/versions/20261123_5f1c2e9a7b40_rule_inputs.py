"""A mark per property (and one for all) that changes with every write the frequency rules
count against, so due lists and compliance months can be kept between requests; and the
indexes every pull reads the caller's own records by.

Revision ID: 5f1c2e9a7b40
Revises: 6f129fdd92ce
Create Date: 2026-11-23 16:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5f1c2e9a7b40'
down_revision = '6f129fdd92ce'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rule_inputs',
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('shard', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('mark', sa.String(length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'shard', name=op.f('pk_rule_inputs'))
    )
    # A first mark for everything there is, so that results are kept from the first request
    # (a scope without a row is never kept; only a write makes one).
    import uuid
    from datetime import datetime, timezone
    properties = sa.table("properties", sa.column("id", sa.Integer))
    scopes = ["all"] + [str(pid) for (pid,) in op.get_bind().execute(sa.select(properties.c.id))]
    rule_inputs = sa.table("rule_inputs", sa.column("scope", sa.String), sa.column("shard", sa.Integer),
                           sa.column("mark", sa.String), sa.column("changed_at", sa.DateTime))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    op.bulk_insert(rule_inputs, [{"scope": scope, "shard": 0, "mark": uuid.uuid4().hex,
                                  "changed_at": now} for scope in scopes])
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.create_index('ix_inspections_inspector_updated', ['inspector_id', 'updated_at'], unique=False)
        batch_op.create_index('ix_inspections_inspector_status', ['inspector_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_index('ix_inspections_inspector_status')
        batch_op.drop_index('ix_inspections_inspector_updated')
    op.drop_table('rule_inputs')
