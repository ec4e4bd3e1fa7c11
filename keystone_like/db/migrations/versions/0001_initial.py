"""The initial identity schema.

Revision ID: 0001
Revises: none
Create Date: 2025-01-01

Written by hand to match ``keystone_like.db.models``; constraint and index
names follow the models' naming convention.
"""

from alembic import op
import sqlalchemy as sa

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(64)
NAME = sa.String(255)


def _enabled():
    return sa.Column('enabled', sa.Boolean, nullable=False)


def _extra():
    return sa.Column('extra', sa.JSON, nullable=False)


def upgrade():
    """Create every table of the initial schema."""
    op.create_table(
        'domain',
        sa.Column('id', ID, nullable=False),
        sa.Column('name', NAME, nullable=False),
        sa.Column('description', sa.Text),
        _enabled(), _extra(),
        sa.PrimaryKeyConstraint('id', name='pk_domain'),
        sa.UniqueConstraint('name', name='uq_domain_name'))
    op.create_table(
        'project',
        sa.Column('id', ID, nullable=False),
        sa.Column('name', NAME, nullable=False),
        sa.Column('domain_id', ID, nullable=False),
        sa.Column('parent_id', ID),
        sa.Column('description', sa.Text),
        _enabled(), _extra(),
        sa.PrimaryKeyConstraint('id', name='pk_project'),
        sa.ForeignKeyConstraint(['domain_id'], ['domain.id'],
                                name='fk_project_domain_id_domain'),
        sa.ForeignKeyConstraint(['parent_id'], ['project.id'],
                                name='fk_project_parent_id_project'),
        sa.UniqueConstraint('domain_id', 'name',
                            name='uq_project_domain_id_name'))
    op.create_table(
        'user',
        sa.Column('id', ID, nullable=False),
        sa.Column('name', NAME, nullable=False),
        sa.Column('domain_id', ID, nullable=False),
        _enabled(),
        sa.Column('password_hash', NAME),
        sa.Column('password_created_at', sa.DateTime),
        sa.Column('default_project_id', ID),
        _extra(),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_user'),
        sa.ForeignKeyConstraint(['domain_id'], ['domain.id'],
                                name='fk_user_domain_id_domain'),
        sa.UniqueConstraint('domain_id', 'name',
                            name='uq_user_domain_id_name'))
    op.create_table(
        'role',
        sa.Column('id', ID, nullable=False),
        sa.Column('name', NAME, nullable=False),
        sa.Column('description', sa.Text),
        _extra(),
        sa.PrimaryKeyConstraint('id', name='pk_role'),
        sa.UniqueConstraint('name', name='uq_role_name'))
    op.create_table(
        'assignment',
        sa.Column('type', sa.String(16), nullable=False),
        sa.Column('actor_id', ID, nullable=False),
        sa.Column('target_id', ID, nullable=False),
        sa.Column('role_id', ID, nullable=False),
        sa.PrimaryKeyConstraint('type', 'actor_id', 'target_id', 'role_id',
                                name='pk_assignment'),
        sa.ForeignKeyConstraint(['role_id'], ['role.id'],
                                name='fk_assignment_role_id_role'),
        sa.CheckConstraint("type IN ('UserProject', 'UserDomain')",
                           name='ck_assignment_type'))
    op.create_index('ix_assignment_actor_id', 'assignment', ['actor_id'])
    op.create_index('ix_assignment_target_id', 'assignment', ['target_id'])
    _create_catalog_tables()
    _create_revocation_table()


def _create_catalog_tables():
    op.create_table(
        'region',
        sa.Column('id', NAME, nullable=False),
        sa.Column('description', NAME, nullable=False),
        sa.Column('parent_region_id', NAME),
        _extra(),
        sa.PrimaryKeyConstraint('id', name='pk_region'),
        sa.ForeignKeyConstraint(['parent_region_id'], ['region.id'],
                                name='fk_region_parent_region_id_region'))
    op.create_table(
        'service',
        sa.Column('id', ID, nullable=False),
        sa.Column('type', NAME, nullable=False),
        sa.Column('name', NAME, nullable=False),
        sa.Column('description', sa.Text),
        _enabled(), _extra(),
        sa.PrimaryKeyConstraint('id', name='pk_service'))
    op.create_table(
        'endpoint',
        sa.Column('id', ID, nullable=False),
        sa.Column('service_id', ID, nullable=False),
        sa.Column('region_id', NAME),
        sa.Column('interface', sa.String(8), nullable=False),
        sa.Column('url', sa.Text, nullable=False),
        _enabled(), _extra(),
        sa.PrimaryKeyConstraint('id', name='pk_endpoint'),
        sa.ForeignKeyConstraint(['service_id'], ['service.id'],
                                name='fk_endpoint_service_id_service'),
        sa.ForeignKeyConstraint(['region_id'], ['region.id'],
                                name='fk_endpoint_region_id_region'),
        sa.CheckConstraint("interface IN ('public', 'internal', 'admin')",
                           name='ck_endpoint_interface'))
    op.create_index('ix_endpoint_service_id', 'endpoint', ['service_id'])


def _create_revocation_table():
    op.create_table(
        'revocation_event',
        sa.Column('id', sa.Integer, autoincrement=True, nullable=False),
        sa.Column('audit_id', ID),
        sa.Column('user_id', ID),
        sa.Column('project_id', ID),
        sa.Column('domain_id', ID),
        sa.Column('role_id', ID),
        sa.Column('issued_before', sa.DateTime, nullable=False),
        sa.Column('revoked_at', sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_revocation_event'))
    for column in ('audit_id', 'user_id', 'revoked_at'):
        op.create_index('ix_revocation_event_%s' % column,
                        'revocation_event', [column])
