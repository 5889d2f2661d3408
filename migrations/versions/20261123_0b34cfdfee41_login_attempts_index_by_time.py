"""Login attempts indexed by time, so the old ones can be found and deleted cheaply.

Revision ID: 0b34cfdfee41
Revises: de1a570a2656
Create Date: 2026-11-23 16:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0b34cfdfee41'
down_revision = 'de1a570a2656'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_at', ['attempted_at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_at')
