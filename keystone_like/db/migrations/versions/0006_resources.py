"""Project tags, resource options, unified limits, endpoint filtering and
policies.

Revision ID: 0006_resources
Revises: 0005_trusts
Create Date: 2026-12-03

Upgrades in place: tags and options that earlier revisions kept in a
project's or domain's ``extra`` move to the new ``*_tag`` tables and
``options`` columns. Every table referencing another one is emptied with
it (``ON DELETE CASCADE``).
"""

from alembic import op
import sqlalchemy as sa

revision = '0006_resources'
down_revision = '0005_trusts'
branch_labels = None
depends_on = None

ID = sa.String(64)
NAME = sa.String(255)
_OWNERS = ('user', 'project', 'domain')


def _fk(table, column, target, length=ID, nullable=False, **kwargs):
    """A column and its cascading foreign key (named as the models do)."""
    referred = target.split('.')[0]
    return (sa.Column(column, length, nullable=nullable, **kwargs),
            sa.ForeignKeyConstraint(
                [column], [target], ondelete='CASCADE',
                name='fk_%s_%s_%s' % (table, column, referred)))


def _table(name, *parts, primary=('id',)):
    """Create ``name`` from columns and constraints (flattened pairs)."""
    items = []
    for part in parts:
        items.extend(part if isinstance(part, tuple) else (part,))
    op.create_table(name, *items,
                    sa.PrimaryKeyConstraint(*primary, name='pk_' + name))


def upgrade():
    """Create the new tables, add ``options`` and move old tags/options."""
    for owner in _OWNERS:
        with op.batch_alter_table(owner) as batch:
            batch.add_column(sa.Column('options', sa.JSON, nullable=False,
                                       server_default='{}'))
    _tags()
    _limits()
    _endpoint_filter()
    _policies()
    _move_extra('project', 'project_tag', 'project_id')
    _move_extra('domain', 'domain_tag', 'domain_id')


def _tags():
    for owner in ('project', 'domain'):
        table = owner + '_tag'
        _table(table, _fk(table, owner + '_id', owner + '.id'),
               sa.Column('name', NAME, nullable=False),
               primary=(owner + '_id', 'name'))
        op.create_index('ix_%s_name' % table, table, ['name'])


def _limits():
    _table('registered_limit', sa.Column('id', ID, nullable=False),
           _fk('registered_limit', 'service_id', 'service.id'),
           _fk('registered_limit', 'region_id', 'region.id', NAME, True),
           sa.Column('resource_name', NAME, nullable=False),
           sa.Column('default_limit', sa.Integer, nullable=False),
           sa.Column('description', sa.Text),
           sa.UniqueConstraint(
               'service_id', 'region_id', 'resource_name',
               name='uq_registered_limit_service_id_region_id_resource_name'))
    op.create_index('ux_registered_limit_no_region', 'registered_limit',
                    ['service_id', 'resource_name'], unique=True,
                    sqlite_where=sa.text('region_id IS NULL'),
                    postgresql_where=sa.text('region_id IS NULL'))
    _table('limit', sa.Column('id', ID, nullable=False),
           _fk('limit', 'registered_limit_id', 'registered_limit.id'),
           _fk('limit', 'project_id', 'project.id', nullable=True),
           _fk('limit', 'domain_id', 'domain.id', nullable=True),
           sa.Column('resource_limit', sa.Integer, nullable=False),
           sa.Column('description', sa.Text),
           sa.UniqueConstraint('registered_limit_id', 'project_id',
                               name='uq_limit_registered_limit_id_project_id'),
           sa.UniqueConstraint('registered_limit_id', 'domain_id',
                               name='uq_limit_registered_limit_id_domain_id'),
           sa.CheckConstraint('(project_id IS NULL) != (domain_id IS NULL)',
                              name=op.f('ck_limit_one_owner')))


def _endpoint_filter():
    _table('endpoint_group', sa.Column('id', ID, nullable=False),
           sa.Column('name', NAME, nullable=False),
           sa.Column('description', sa.Text),
           sa.Column('filters', sa.JSON, nullable=False))
    _table('project_endpoint',
           _fk('project_endpoint', 'endpoint_id', 'endpoint.id'),
           _fk('project_endpoint', 'project_id', 'project.id'),
           primary=('endpoint_id', 'project_id'))
    _table('project_endpoint_group',
           _fk('project_endpoint_group', 'endpoint_group_id',
               'endpoint_group.id'),
           _fk('project_endpoint_group', 'project_id', 'project.id'),
           primary=('endpoint_group_id', 'project_id'))


def _policies():
    _table('policy', sa.Column('id', ID, nullable=False),
           sa.Column('type', NAME, nullable=False),
           sa.Column('blob', sa.Text, nullable=False),
           sa.Column('extra', sa.JSON, nullable=False))
    _table('policy_association', sa.Column('id', ID, nullable=False),
           _fk('policy_association', 'policy_id', 'policy.id'),
           _fk('policy_association', 'endpoint_id', 'endpoint.id',
               nullable=True),
           _fk('policy_association', 'service_id', 'service.id',
               nullable=True),
           _fk('policy_association', 'region_id', 'region.id', NAME, True))


def _move_extra(owner, tag_table, column):
    """Move ``extra['tags']`` and ``extra['options']`` out of ``extra``."""
    connection = op.get_bind()
    table = sa.table(owner, sa.column('id'), sa.column('extra', sa.JSON),
                     sa.column('options', sa.JSON))
    tags = sa.table(tag_table, sa.column(column), sa.column('name'))
    for row in connection.execute(sa.select(table.c.id, table.c.extra)):
        extra = dict(row.extra or {})
        if 'tags' not in extra and 'options' not in extra:
            continue
        names = extra.pop('tags', None) or []
        options = {key: value for key, value in
                   (extra.pop('options', None) or {}).items()
                   if value is not None}
        for name in dict.fromkeys(str(tag) for tag in names):
            connection.execute(tags.insert().values(
                {column: row.id, 'name': name}))
        connection.execute(table.update().where(table.c.id == row.id)
                           .values(extra=extra, options=options))
