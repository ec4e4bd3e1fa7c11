"""Options of the ``[security_compliance]`` group, named as Keystone's.

Every feature is off by default. They apply to users with a password
stored here (all users of this service). User resource options exempt
single users: ``ignore_lockout_failure_attempts``,
``ignore_password_expiry``, ``ignore_change_password_upon_first_use``,
``ignore_user_inactivity`` and ``lock_password``.
"""

from oslo_config import cfg

GROUP_NAME = 'security_compliance'

ALL_OPTS = [
    cfg.IntOpt(
        'disable_user_account_days_inactive', min=1,
        help='A user who has not authenticated for this many days is '
             'treated as disabled: logins are refused, existing tokens '
             'stop validating and the API shows "enabled": false until '
             'an administrator sets "enabled" to true again. Days count '
             'from the last successful login, or from creation for a user '
             'who never logged in. Unset (the default) disables the '
             'feature.'),
    cfg.IntOpt(
        'lockout_failure_attempts', min=1,
        help='After this many consecutive failed password logins a user '
             'is locked out for [security_compliance] lockout_duration '
             'seconds: even the right password is refused (401) without '
             'being checked. Existing tokens stay valid, as in Keystone. '
             'Setting "enabled": true on the user unlocks it at once. '
             'Unset (the default) disables lockout.'),
    cfg.IntOpt(
        'lockout_duration', default=1800, min=1,
        help='How many seconds a lockout lasts, counted from the last '
             'failed attempt. Has no effect unless [security_compliance] '
             'lockout_failure_attempts is set.'),
    cfg.IntOpt(
        'password_expires_days', min=1,
        help='A password set from now on expires this many days after it '
             'was set; the user must then change it (POST '
             '/v3/users/{id}/password still accepts the expired one) '
             'before logging in again. Existing passwords keep their '
             'expiry. Unset (the default): passwords never expire.'),
    cfg.IntOpt(
        'unique_last_password_count', default=0, min=0,
        help='A self-service password change must differ from this many '
             'most recent passwords, the current one included (1 means '
             'only "not the current one"). Administrative resets are not '
             'checked. 0 (the default) disables the check.'),
    cfg.IntOpt(
        'minimum_password_age', default=0, min=0,
        help='Days a password must be in use before its owner may change '
             'it (stops users cycling through passwords to reuse an old '
             'one). Administrative resets are not limited, and a password '
             'set by an administrator may be changed at once. Keep it '
             'below [security_compliance] password_expires_days. 0 (the '
             'default) allows changes at any time.'),
    cfg.StrOpt(
        'password_regex',
        help='A Python regular expression every new password must match '
             '(re.match: anchored at the start), on creation, '
             'administrative reset and self-service change. Example, at '
             r'least one letter, one digit and 7 characters: '
             r'^(?=.*\d)(?=.*[a-zA-Z]).{7,}$ . Unset (the default) '
             'accepts any password.'),
    cfg.StrOpt(
        'password_regex_description',
        help='The password_regex in words for humans; returned in the 400 '
             'answer to a password that does not match it.'),
    cfg.BoolOpt(
        'change_password_upon_first_use', default=False,
        help='A password set at user creation or by an administrative '
             'reset expires at once: the user must change it before the '
             'first login. Exempt a user (a service account) with the '
             'option "ignore_change_password_upon_first_use": true.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
