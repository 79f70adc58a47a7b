"""report attachments (evidence files uploaded with reports); a plan's own stage durations

Revision ID: 0005_pages
Revises: 0004_accounts
Create Date: 2026-12-03 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_pages'
down_revision = '0004_accounts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('stored_name', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['report_id'], ['progress_reports.id'],
            name=op.f('fk_report_attachments_report_id_progress_reports'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['uploaded_by_id'], ['users.id'],
            name=op.f('fk_report_attachments_uploaded_by_id_users'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_attachments')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_report_attachments_stored_name')),
    )
    with op.batch_alter_table('report_attachments', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_report_attachments_report_id'), ['report_id'], unique=False
        )


    with op.batch_alter_table('action_plans', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('stage_days', sa.JSON(), nullable=False, server_default='{}')
        )


def downgrade():
    with op.batch_alter_table('action_plans', schema=None) as batch_op:
        batch_op.drop_column('stage_days')
    with op.batch_alter_table('report_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_attachments_report_id'))
    op.drop_table('report_attachments')
