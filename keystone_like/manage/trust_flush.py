"""``service-manage trust_flush``: delete trusts that can no longer be used.

As ``keystone-manage trust_flush``: trusts that expired before ``--date``
(``DD-MM-YYYY``, default now), optionally only those of a project, a
trustor or a trustee. Trusts whose uses are all spent go too (Keystone
keeps them until deleted). Trusts redelegated from a flushed trust are
deleted with it. Deleted trusts are gone for good here, so there is no
soft-deleted trust to purge.

Exit codes: 0 flushed; 2 a bad ``--date``; 69 the database cannot be
reached; 78 an invalid ``[database] connection`` or a schema not at head.
"""

import datetime

from keystone_like.manage import base
from keystone_like.server import errors
from keystone_like.store import trusts

DATE_FORMAT = '%d-%m-%Y'


class TrustFlush(base.Command):
    """Delete expired and used-up trusts."""

    name = 'trust_flush'
    help = ('Delete the trusts that expired before --date (default now) or '
            'whose remaining uses are spent, and those redelegated from '
            'them; --project-id, --trustor-user-id and --trustee-user-id '
            'narrow it down. Prints how many were deleted.')
    exit_codes = dict(base.DATABASE_EXIT_CODES)

    @classmethod
    def add_arguments(cls, parser):
        """Keystone's options: the filters and the date."""
        for option, whose in (('--project-id', 'project'),
                              ('--trustor-user-id', 'trustor'),
                              ('--trustee-user-id', 'trustee')):
            parser.add_argument(option, default=None,
                                help='Only the trusts of this %s.' % whose)
        parser.add_argument(
            '--date', type=_date, default=None,
            help='Delete trusts that expired before this day, DD-MM-YYYY '
                 '(default: now).')

    def run(self):
        """Flush and print the count."""
        before = self.args.date or datetime.datetime.now(
            datetime.timezone.utc)
        with base.open_database(self.conf) as database:
            base.check_schema(database)
            with base.database_errors(database):
                with database.session() as session:
                    count = trusts.flush_trusts(
                        session, before, project_id=self.args.project_id,
                        trustor_user_id=self.args.trustor_user_id,
                        trustee_user_id=self.args.trustee_user_id)
        print('Deleted %d trust%s that expired before %s or had no uses '
              'left.' % (count, '' if count == 1 else 's',
                         before.strftime('%Y-%m-%dT%H:%M:%SZ')))
        return errors.EXIT_OK


def _date(text):
    """argparse type of --date: DD-MM-YYYY, midnight UTC."""
    try:
        day = datetime.datetime.strptime(text, DATE_FORMAT)
    except ValueError:
        raise ValueError('not a DD-MM-YYYY date') from None
    return day.replace(tzinfo=datetime.timezone.utc)


_date.__name__ = 'DD-MM-YYYY date'
