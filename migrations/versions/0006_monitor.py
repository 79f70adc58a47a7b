"""monitor: imported commitment sources, IRM-style ratings, indexes for the board

Revision ID: 0006_monitor
Revises: 0005_pages
Create Date: 2026-12-03 04:10:28.776275

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_monitor'
down_revision = '0005_pages'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('commitment_sources',
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('action_plan', sa.String(length=300), nullable=False),
    sa.Column('cycle_year', sa.Integer(), nullable=True),
    sa.Column('lead_institution', sa.Text(), nullable=False),
    sa.Column('support_institutions', sa.Text(), nullable=False),
    sa.Column('policy_areas', sa.JSON(), nullable=False),
    sa.Column('source_url', sa.String(length=500), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_commitment_sources_commitment_id_commitments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('commitment_id', name=op.f('pk_commitment_sources'))
    )
    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=20), nullable=False),
    sa.Column('scale', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("measure IN ('verifiability', 'relevance', 'potential', 'completion', 'early_results')", name=op.f('ck_ratings_measure')),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_ratings_commitment_id_commitments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('commitment_id', 'measure', name=op.f('uq_ratings_commitment_id_measure'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_commitment_responded', ['commitment_id', 'responded_at'], unique=False)

    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.create_index('ix_commitments_ogp_id', ['ogp_id'], unique=True)
        batch_op.create_index('ix_commitments_plan_state', ['plan_id', 'state'], unique=False)

    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.create_index('ix_progress_reports_commitment_state', ['commitment_id', 'state'], unique=False)



def downgrade():
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_reports_commitment_state')

    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index('ix_commitments_plan_state')
        batch_op.drop_index('ix_commitments_ogp_id')

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_commitment_responded')

    op.drop_table('ratings')
    op.drop_table('commitment_sources')
