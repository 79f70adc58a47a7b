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
        'deadline_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('record_type', sa.String(length=40), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('state', sa.String(length=60), nullable=True),
        sa.Column('period_end', sa.Date(), nullable=True),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_notices')),
        sa.UniqueConstraint(
            'record_type', 'record_id', 'key', 'kind',
            name=op.f('uq_deadline_notices_record_type_record_id_key_kind'),
        ),
    )
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
        batch_op.add_column(sa.Column('notice_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_outbox_notice_id_deadline_notices'),
            'deadline_notices', ['notice_id'], ['id'],
        )
        batch_op.drop_column('language')
        batch_op.drop_column('subject')
        batch_op.drop_column('body_text')
        batch_op.drop_column('body_html')
        batch_op.create_index('ix_outbox_sent_at', ['sent_at'], unique=False)
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('template', sa.String(length=60), nullable=False),
        sa.Column('audience', sa.String(length=200), nullable=False),
        sa.Column('log_entry_id', sa.Integer(), nullable=True),
        sa.Column('notice_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.Column('digest_pending', sa.Boolean(), nullable=False),
        sa.Column('digest_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')
        ),
        sa.ForeignKeyConstraint(
            ['log_entry_id'], ['transition_log.id'],
            name=op.f('fk_notifications_log_entry_id_transition_log'),
        ),
        sa.ForeignKeyConstraint(
            ['notice_id'], ['deadline_notices.id'],
            name=op.f('fk_notifications_notice_id_deadline_notices'),
        ),
        sa.ForeignKeyConstraint(
            ['digest_id'], ['outbox.id'], name=op.f('fk_notifications_digest_id_outbox'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_unread', ['user_id', 'read_at'], unique=False)
        batch_op.create_index('ix_notifications_digest', ['digest_pending', 'user_id'], unique=False)
    op.create_table(
        'follows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('commitment_id', sa.Integer(), nullable=False),
        sa.Column('following', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['commitment_id'], ['commitments.id'], name=op.f('fk_follows_commitment_id_commitments')
        ),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follows_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_follows')),
        sa.UniqueConstraint('user_id', 'commitment_id', name=op.f('uq_follows_user_id_commitment_id')),
    )
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follows_commitment_id'), ['commitment_id'], unique=False)
    op.create_table(
        'notification_preferences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('mode', sa.String(length=10), nullable=False),
        sa.CheckConstraint("kind IN ('updates', 'followed')", name=op.f('ck_notification_preferences_kind')),
        sa.CheckConstraint(
            "mode IN ('immediate', 'digest', 'off')", name=op.f('ck_notification_preferences_mode')
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preferences')),
        sa.UniqueConstraint(
            'user_id', 'kind', name=op.f('uq_notification_preferences_user_id_kind')
        ),
    )
    # The defaults served the rows already there; new rows always say both.
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('template', server_default=None)
        batch_op.alter_column('audience', server_default=None)


def downgrade():
    op.drop_table('notification_preferences')
    op.drop_table('follows')
    op.drop_table('notifications')
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
        batch_op.drop_constraint(
            batch_op.f('fk_outbox_notice_id_deadline_notices'), type_='foreignkey'
        )
        batch_op.drop_column('notice_id')
        batch_op.drop_column('message_id')
        batch_op.drop_column('audience')
        batch_op.drop_column('template')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        for name in ('language', 'subject', 'body_text', 'body_html'):
            batch_op.alter_column(name, server_default=None)
    op.drop_table('installation')
    op.drop_table('deadline_notices')
