"""Options of the ``[fernet_tokens]`` group: the token key repository."""

from oslo_config import cfg

GROUP_NAME = 'fernet_tokens'

ALL_OPTS = [
    cfg.StrOpt(
        'key_repository',
        help='Directory of Fernet keys, laid out as Keystone\'s: file 0 is '
             'the staged key, the highest number the primary key that signs '
             'new tokens, the others still verify. Unset means fernet-keys '
             'in [DEFAULT] state_dir. Every node must share the same keys. '
             'Create it with "service-manage fernet_setup".'),
    cfg.IntOpt(
        'max_active_keys', default=3, min=2,
        help='Keys kept by "service-manage fernet_rotate" (staged + primary '
             '+ secondaries). Rotate more often than token expiration '
             'divided by (max_active_keys - 2) and no live token is ever '
             'invalidated.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
