"""[security_compliance]: password expiry, login bookkeeping and the
password history.

Revision ID: 0008_security_compliance
Revises: 0007_revision
Create Date: 2026-12-10

Existing users upgrade in place: no expiry (as Keystone, passwords set
before ``password_expires_days`` keep theirs), no failed attempts, never
active (inactivity then counts from ``created_at``), their password not
chosen by themselves, an empty history.
"""

from alembic import op
import sqlalchemy as sa

revision = '0008_security_compliance'
down_revision = '0007_revision'
branch_labels = None
depends_on = None

ID = sa.String(64)


def upgrade():
    """Add the user columns and the password_history table."""
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('password_expires_at', sa.DateTime))
        batch.add_column(sa.Column('password_self_service', sa.Boolean,
                                   nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('failed_auth_count', sa.Integer,
                                   nullable=False, server_default='0'))
        batch.add_column(sa.Column('failed_auth_at', sa.DateTime))
        batch.add_column(sa.Column('last_active_at', sa.Date))
    op.create_table(
        'password_history',
        sa.Column('id', sa.Integer, autoincrement=True, nullable=False),
        sa.Column('user_id', ID, nullable=False),
        sa.Column('password_hash', sa.String(255), nullable=False),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_password_history'),
        sa.ForeignKeyConstraint(
            ['user_id'], ['user.id'], ondelete='CASCADE',
            name='fk_password_history_user_id_user'))
    op.create_index('ix_password_history_user_id', 'password_history',
                    ['user_id'])
