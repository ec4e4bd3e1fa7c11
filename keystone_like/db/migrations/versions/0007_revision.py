"""The revision counter validators read, and the revision of each
revocation event.

Revision ID: 0007_revision
Revises: 0006_resources
Create Date: 2026-12-03

Existing events get revision 0: a validator starting from scratch loads
them all.
"""

import uuid

from alembic import op
import sqlalchemy as sa

revision = '0007_revision'
down_revision = '0006_resources'
branch_labels = None
depends_on = None


def upgrade():
    """Create the counter at 0; number the events."""
    table = op.create_table(
        'revision',
        sa.Column('id', sa.Integer, nullable=False),
        sa.Column('value', sa.BigInteger, nullable=False),
        sa.Column('epoch', sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_revision'))
    op.bulk_insert(table, [{'id': 1, 'value': 0, 'epoch': uuid.uuid4().hex}])
    with op.batch_alter_table('revocation_event') as batch:
        batch.add_column(sa.Column('revision', sa.BigInteger, nullable=False,
                                   server_default='0'))
    op.create_index('ix_revocation_event_revision', 'revocation_event',
                    ['revision'])
