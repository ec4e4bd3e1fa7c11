"""Trusts (OS-TRUST) and the roles they delegate.

Revision ID: 0005_trusts
Revises: 0004_application_credentials
Create Date: 2026-12-03

New tables only; nothing existing changes.
"""

from alembic import op
import sqlalchemy as sa

revision = '0005_trusts'
down_revision = '0004_application_credentials'
branch_labels = None
depends_on = None

ID = sa.String(64)


def upgrade():
    """Create ``trust`` and ``trust_role``."""
    op.create_table(
        'trust',
        sa.Column('id', ID, nullable=False),
        sa.Column('trustor_user_id', ID, nullable=False),
        sa.Column('trustee_user_id', ID, nullable=False),
        sa.Column('project_id', ID),
        sa.Column('impersonation', sa.Boolean, nullable=False),
        sa.Column('expires_at', sa.DateTime),
        sa.Column('remaining_uses', sa.Integer),
        sa.Column('redelegated_trust_id', ID),
        sa.Column('redelegation_count', sa.Integer, nullable=False),
        sa.Column('extra', sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_trust'),
        sa.ForeignKeyConstraint(
            ['trustor_user_id'], ['user.id'], ondelete='CASCADE',
            name='fk_trust_trustor_user_id_user'),
        sa.ForeignKeyConstraint(
            ['trustee_user_id'], ['user.id'], ondelete='CASCADE',
            name='fk_trust_trustee_user_id_user'),
        sa.ForeignKeyConstraint(
            ['project_id'], ['project.id'], ondelete='CASCADE',
            name='fk_trust_project_id_project'),
        sa.ForeignKeyConstraint(
            ['redelegated_trust_id'], ['trust.id'], ondelete='CASCADE',
            name='fk_trust_redelegated_trust_id_trust'),
        sa.UniqueConstraint(
            'trustor_user_id', 'trustee_user_id', 'project_id',
            'impersonation', 'expires_at',
            name='duplicate_trust_constraint'))
    op.create_index('ix_trust_trustee_user_id', 'trust', ['trustee_user_id'])
    op.create_index('ix_trust_project_id', 'trust', ['project_id'])
    op.create_index('ix_trust_redelegated_trust_id', 'trust',
                    ['redelegated_trust_id'])
    op.create_table(
        'trust_role',
        sa.Column('trust_id', ID, nullable=False),
        sa.Column('role_id', ID, nullable=False),
        sa.PrimaryKeyConstraint('trust_id', 'role_id', name='pk_trust_role'),
        sa.ForeignKeyConstraint(
            ['trust_id'], ['trust.id'], ondelete='CASCADE',
            name='fk_trust_role_trust_id_trust'))
