"""Credentials: /v3/credentials and OS-EC2, blobs encrypted at rest.

Revision ID: 0003_credentials
Revises: 0002
Create Date: 2026-12-03

Adds the ``credential`` table; nothing else changes.
"""

from alembic import op
import sqlalchemy as sa

revision = '0003_credentials'
down_revision = '0002'
branch_labels = None
depends_on = None

ID = sa.String(64)


def upgrade():
    """Create the credential table and its indexes."""
    op.create_table(
        'credential',
        sa.Column('id', ID, nullable=False),
        sa.Column('user_id', ID, nullable=False),
        sa.Column('project_id', ID),
        sa.Column('type', sa.String(255), nullable=False),
        sa.Column('encrypted_blob', sa.Text, nullable=False),
        sa.Column('key_hash', ID, nullable=False),
        sa.Column('extra', sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_credential'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE',
                                name='fk_credential_user_id_user'),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'],
                                ondelete='CASCADE',
                                name='fk_credential_project_id_project'))
    for column in ('user_id', 'project_id', 'key_hash'):
        op.create_index('ix_credential_%s' % column, 'credential', [column])
