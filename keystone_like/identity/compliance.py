"""``[security_compliance]`` rules: lockout, expiry, history, inactivity.

Pure decisions over a :class:`Policy` read from the configuration and a
user's stored facts; the store and the API apply them. Behaviour and
messages follow Keystone 30:

* lockout: ``lockout_failure_attempts`` failed logins in a row lock the
  user until ``lockout_duration`` seconds after the last failure; a locked
  user is refused before its password is checked (no hashing), with 401
  "The account is locked for user: <id>.". Existing tokens stay valid.
* expiry: a password set while ``password_expires_days`` is on expires
  then; an expired password authenticates only a password change.
* ``change_password_upon_first_use``: a password set at creation or by an
  administrator is expired at once.
* ``disable_user_account_days_inactive``: the user reads as disabled
  (API, logins, token validation) once that many days passed since its
  last login (or creation).
* ``password_regex``, ``unique_last_password_count`` (self-service only)
  and ``minimum_password_age`` (self-service, and only when the current
  password was itself chosen by the user) guard new passwords.
"""

import collections
import datetime
import logging
import re

from oslo_config import cfg

from keystone_like import exceptions

LOG = logging.getLogger(__name__)

IGNORE_LOCKOUT = 'ignore_lockout_failure_attempts'
IGNORE_EXPIRY = 'ignore_password_expiry'
IGNORE_FIRST_USE = 'ignore_change_password_upon_first_use'
IGNORE_INACTIVITY = 'ignore_user_inactivity'
LOCK_PASSWORD = 'lock_password'

Policy = collections.namedtuple('Policy', (
    'lockout_failure_attempts', 'lockout_duration', 'password_expires_days',
    'unique_last_password_count', 'minimum_password_age', 'password_regex',
    'password_regex_description', 'change_password_upon_first_use',
    'disable_user_account_days_inactive'))

#: Every feature off: what a database opened without a configuration uses.
OFF = Policy(None, 1800, None, 0, 0, None, None, False, None)


def from_conf(conf):
    """Return the Policy of ``conf`` (OFF if the group is not registered)."""
    if conf is None:
        return OFF
    try:
        group = conf.security_compliance
        return Policy(*(getattr(group, name) for name in Policy._fields))
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
        return OFF


def check_config(conf):
    """Raise ``ValueError`` (one line) if ``password_regex`` is unusable."""
    pattern = from_conf(conf).password_regex
    if pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError('[security_compliance] password_regex is not '
                             'a valid regular expression (%s); fix it or '
                             'unset it' % exc) from None


def _exempt(options, name):
    return (options or {}).get(name) is True


def is_locked(policy, row, now):
    """Whether the user of ``row`` is locked out at ``now``."""
    limit = policy.lockout_failure_attempts
    if not limit or _exempt(row.options, IGNORE_LOCKOUT):
        return False
    if (row.failed_auth_count or 0) < limit:
        return False
    if row.failed_auth_at is None:
        return True
    delta = datetime.timedelta(seconds=policy.lockout_duration)
    return row.failed_auth_at + delta > now


def locked_error(user_id):
    """Keystone's 401 for a locked user."""
    return exceptions.Unauthorized(
        'The account is locked for user: %s.' % user_id)


def is_expired(row, now):
    """Whether the current password of ``row`` has expired at ``now``."""
    if row.password_expires_at is None or _exempt(row.options,
                                                  IGNORE_EXPIRY):
        return False
    return now >= row.password_expires_at


def expired_error(user_id):
    """Keystone's 401 for an expired password."""
    return exceptions.Unauthorized(
        'The password is expired and needs to be changed for user: %s.'
        % user_id)


def expiry_for_new_password(policy, options, now, by_admin):
    """When a password set at ``now`` expires (None: never).

    ``by_admin``: set at creation or by an administrative reset, when
    ``change_password_upon_first_use`` expires it at once.
    """
    if (by_admin and policy.change_password_upon_first_use
            and not _exempt(options, IGNORE_FIRST_USE)):
        return now
    if policy.password_expires_days and not _exempt(options, IGNORE_EXPIRY):
        expires = now + datetime.timedelta(days=policy.password_expires_days)
        return expires.replace(microsecond=0)
    return None


def is_inactive(policy, row, today):
    """Whether ``row`` counts as disabled for inactivity on ``today``."""
    days = policy.disable_user_account_days_inactive
    if not days or _exempt(row.options, IGNORE_INACTIVITY):
        return False
    last = row.last_active_at
    if last is None and row.created_at is not None:
        last = row.created_at.date()
    return last is not None and (today - last).days >= days


def check_regex(policy, password):
    """400 unless ``password`` matches ``password_regex`` (if set)."""
    pattern = policy.password_regex
    if not pattern:
        return
    try:
        matched = re.match(pattern, password)
    except re.error:
        LOG.error('[security_compliance] password_regex is not a valid '
                  'regular expression; every new password is refused')
        raise exceptions.ValidationError(
            'Password validation error: Unable to validate password due '
            'to invalid configuration.') from None
    if not matched:
        raise exceptions.ValidationError(
            'The password does not match the requirements: %s.'
            % policy.password_regex_description)


def check_minimum_age(policy, row, now):
    """400 if a self-chosen current password is younger than allowed."""
    days = policy.minimum_password_age
    if not days or not row.password_self_service:
        return
    if row.password_created_at is None:
        return
    allowed = row.password_created_at + datetime.timedelta(days=days)
    if now < allowed:
        raise exceptions.ValidationError(
            'You cannot change your password at this time due to the '
            'minimum password age. Once you change your password, it must '
            'be used for %d day(s) before it can be changed. Please try '
            'again in %d day(s) or contact your administrator to reset '
            'your password.' % (days, (allowed - now).days))


def history_error(count):
    """Keystone's 400 for a password found in the history."""
    return exceptions.ValidationError(
        'The new password cannot be identical to a previous password. The '
        'total number which includes the new password must be unique is '
        '%d.' % count)
