"""outbox status 'suppressed': rows never sent on purpose

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

OLD_STATUSES = ('pending', 'sending', 'sent', 'failed')
NEW_STATUSES = (*OLD_STATUSES, 'suppressed')


def _status_check(statuses):
    return "status IN ({})".format(", ".join(f"'{s}'" for s in statuses))


def _replace_status_check(statuses):
    # batch_alter_table: SQLite cannot alter a CHECK constraint, so the table is copied.
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_outbox_status'), _status_check(statuses))


def upgrade():
    _replace_status_check(NEW_STATUSES)


def downgrade():
    # The old schema has no word for "never sent on purpose": such rows were marked sent.
    outbox = sa.table('outbox', sa.column('status', sa.String))
    op.execute(
        outbox.update().where(outbox.c.status == 'suppressed').values(status='sent')
    )
    _replace_status_check(OLD_STATUSES)
