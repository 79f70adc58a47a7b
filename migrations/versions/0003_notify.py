"""outbox rows keep what composes a message, not its text; an installation id

Revision ID: 0003_notify
Revises: 0002
Create Date: 2026-12-03 04:30:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_notify'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'installation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uid', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_installation')),
    )
    installation = sa.table('installation', sa.column('id', sa.Integer), sa.column('uid', sa.String))
    op.bulk_insert(installation, [{'id': 1, 'uid': secrets.token_hex(8)}])
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('template', sa.String(length=60), nullable=False, server_default='transition')
        )
        batch_op.add_column(
            sa.Column('audience', sa.String(length=200), nullable=False, server_default='')
        )
        batch_op.add_column(sa.Column('message_id', sa.String(length=250), nullable=True))
        batch_op.drop_column('language')
        batch_op.drop_column('subject')
        batch_op.drop_column('body_text')
        batch_op.drop_column('body_html')
        batch_op.create_index('ix_outbox_sent_at', ['sent_at'], unique=False)
    # The defaults served the rows already there; new rows always say both.
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('template', server_default=None)
        batch_op.alter_column('audience', server_default=None)


def downgrade():
    # The old rows carried their text: rows still to send have none, so they are not sent.
    outbox = sa.table(
        'outbox', sa.column('status', sa.String), sa.column('last_error', sa.Text)
    )
    op.execute(
        outbox.update()
        .where(outbox.c.status.in_(('pending', 'sending')))
        .values(status='suppressed', last_error='not sent: its text was never rendered')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_sent_at')
        batch_op.add_column(sa.Column('language', sa.String(length=5), nullable=False, server_default='en'))
        batch_op.add_column(sa.Column('subject', sa.String(length=400), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('body_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=False, server_default=''))
        batch_op.drop_column('message_id')
        batch_op.drop_column('audience')
        batch_op.drop_column('template')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        for name in ('language', 'subject', 'body_text', 'body_html'):
            batch_op.alter_column(name, server_default=None)
    op.drop_table('installation')
