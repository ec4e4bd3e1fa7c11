"""Groups, system and inherited assignments, implied and domain roles.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03

Upgrades a database in place: existing assignments become non-inherited
user grants, existing roles stay global, nothing is dropped but the old
global unique constraint on role names (now a partial index, since
domain-specific roles may reuse a global role's name).
"""

from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

ID = sa.String(64)
NAME = sa.String(255)
TYPES = ('UserProject', 'GroupProject', 'UserDomain', 'GroupDomain',
         'UserSystem', 'GroupSystem')


def upgrade():
    """Add groups, memberships, implied roles; widen roles, assignments."""
    op.create_table(
        'group',
        sa.Column('id', ID, nullable=False),
        sa.Column('name', NAME, nullable=False),
        sa.Column('domain_id', ID, nullable=False),
        sa.Column('description', sa.Text),
        sa.Column('extra', sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_group'),
        sa.ForeignKeyConstraint(['domain_id'], ['domain.id'],
                                name='fk_group_domain_id_domain'),
        sa.UniqueConstraint('domain_id', 'name',
                            name='uq_group_domain_id_name'))
    op.create_table(
        'user_group_membership',
        sa.Column('user_id', ID, nullable=False),
        sa.Column('group_id', ID, nullable=False),
        sa.PrimaryKeyConstraint('user_id', 'group_id',
                                name='pk_user_group_membership'),
        sa.ForeignKeyConstraint(
            ['user_id'], ['user.id'], ondelete='CASCADE',
            name='fk_user_group_membership_user_id_user'),
        sa.ForeignKeyConstraint(
            ['group_id'], ['group.id'], ondelete='CASCADE',
            name='fk_user_group_membership_group_id_group'))
    op.create_index('ix_user_group_membership_group_id',
                    'user_group_membership', ['group_id'])
    op.create_table(
        'implied_role',
        sa.Column('prior_role_id', ID, nullable=False),
        sa.Column('implied_role_id', ID, nullable=False),
        sa.PrimaryKeyConstraint('prior_role_id', 'implied_role_id',
                                name='pk_implied_role'),
        sa.ForeignKeyConstraint(
            ['prior_role_id'], ['role.id'], ondelete='CASCADE',
            name='fk_implied_role_prior_role_id_role'),
        sa.ForeignKeyConstraint(
            ['implied_role_id'], ['role.id'], ondelete='CASCADE',
            name='fk_implied_role_implied_role_id_role'))
    _widen_roles()
    _widen_assignments()


def _widen_roles():
    with op.batch_alter_table('role') as batch:
        batch.drop_constraint('uq_role_name', type_='unique')
        batch.add_column(sa.Column('domain_id', ID))
        batch.add_column(sa.Column('options', sa.JSON, nullable=False,
                                   server_default='{}'))
        batch.create_foreign_key(op.f('fk_role_domain_id_domain'), 'domain',
                                 ['domain_id'], ['id'])
        batch.create_unique_constraint(op.f('uq_role_domain_id_name'),
                                       ['domain_id', 'name'])
    op.create_index('ux_role_global_name', 'role', ['name'], unique=True,
                    sqlite_where=sa.text('domain_id IS NULL'),
                    postgresql_where=sa.text('domain_id IS NULL'))


def _widen_assignments():
    with op.batch_alter_table('assignment') as batch:
        batch.drop_constraint('ck_assignment_type', type_='check')
        batch.drop_constraint('pk_assignment', type_='primary')
        batch.add_column(sa.Column('inherited', sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        batch.create_primary_key(
            op.f('pk_assignment'),
            ['type', 'actor_id', 'target_id', 'role_id', 'inherited'])
        # op.f: the name is final, not one for the naming convention.
        batch.create_check_constraint(
            op.f('ck_assignment_type'),
            sa.text('type IN (%s)' % ', '.join("'%s'" % t for t in TYPES)))
