"""Application credentials and access rules.

Revision ID: 0004_application_credentials
Revises: 0003_credentials
Create Date: 2026-12-03

New tables only. Foreign keys cascade from users, projects and roles, so
a credential goes with its user or project and a deleted role leaves
no dangling reference; an access rule in use by a credential cannot be
deleted.
"""

from alembic import op
import sqlalchemy as sa

revision = '0004_application_credentials'
down_revision = '0003_credentials'
branch_labels = None
depends_on = None

ID = sa.String(64)
NAME = sa.String(255)
APP_CRED = 'application_credential'


def _cascade(column, table, owner):
    return sa.ForeignKeyConstraint(
        [column], ['%s.id' % table], ondelete='CASCADE',
        name='fk_%s_%s_%s' % (owner, column, table))


def upgrade():
    """Create the application credential and access rule tables."""
    op.create_table(
        APP_CRED,
        sa.Column('id', ID, nullable=False),
        sa.Column('name', NAME, nullable=False),
        sa.Column('secret_hash', NAME, nullable=False),
        sa.Column('description', sa.Text),
        sa.Column('user_id', ID, nullable=False),
        sa.Column('project_id', ID, nullable=False),
        sa.Column('system', ID),
        sa.Column('expires_at', sa.DateTime),
        sa.Column('unrestricted', sa.Boolean),
        sa.PrimaryKeyConstraint('id', name='pk_application_credential'),
        _cascade('user_id', 'user', APP_CRED),
        _cascade('project_id', 'project', APP_CRED),
        sa.UniqueConstraint('user_id', 'name',
                            name='uq_application_credential_user_id_name'))
    op.create_index('ix_application_credential_project_id', APP_CRED,
                    ['project_id'])
    link = 'app_cred_role'
    op.create_table(
        link,
        sa.Column('app_cred_id', ID, nullable=False),
        sa.Column('role_id', ID, nullable=False),
        sa.PrimaryKeyConstraint('app_cred_id', 'role_id',
                                name='pk_' + link),
        _cascade('app_cred_id', APP_CRED, link),
        _cascade('role_id', 'role', link))
    op.create_index('ix_%s_role_id' % link, link, ['role_id'])
    op.create_table(
        'access_rule',
        sa.Column('id', ID, nullable=False),
        sa.Column('user_id', ID, nullable=False),
        sa.Column('service', ID, nullable=False),
        sa.Column('path', sa.String(225), nullable=False),
        sa.Column('method', sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_access_rule'),
        _cascade('user_id', 'user', 'access_rule'),
        sa.UniqueConstraint(
            'user_id', 'service', 'path', 'method',
            name='uq_access_rule_user_id_service_path_method'))
    link = 'app_cred_access_rule'
    op.create_table(
        link,
        sa.Column('app_cred_id', ID, nullable=False),
        sa.Column('access_rule_id', ID, nullable=False),
        sa.PrimaryKeyConstraint('app_cred_id', 'access_rule_id',
                                name='pk_' + link),
        _cascade('app_cred_id', APP_CRED, link),
        sa.ForeignKeyConstraint(
            ['access_rule_id'], ['access_rule.id'],
            name='fk_%s_access_rule_id_access_rule' % link))
    op.create_index('ix_%s_access_rule_id' % link, link, ['access_rule_id'])
