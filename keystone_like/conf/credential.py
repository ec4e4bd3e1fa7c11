"""Options of the ``[credential]`` group: credential encryption and EC2."""

from oslo_config import cfg

GROUP_NAME = 'credential'

ALL_OPTS = [
    cfg.StrOpt(
        'key_repository',
        help='Directory of the Fernet keys that encrypt credential blobs '
             '(/v3/credentials, EC2 secrets) at rest, laid out as the token '
             'keys: file 0 is the staged key, the highest number the primary '
             'key that encrypts, the others still decrypt. Unset means '
             'credential-keys in [DEFAULT] state_dir. Every node must share '
             'the same keys; never share them with the token keys. Create it '
             'with "service-manage credential_setup".'),
    cfg.IntOpt(
        'max_active_keys', default=3, min=3,
        help='Keys kept by "service-manage credential_rotate" (staged + '
             'primary + secondaries). Rotation refuses to remove a key that '
             'still encrypts a credential: run "service-manage '
             'credential_migrate" after each rotation.'),
    cfg.IntOpt(
        'auth_ttl', default=15, min=1,
        help='Minutes a signed EC2 request presented to /v3/ec2tokens stays '
             'valid after (and before) the time it was signed at.'),
    cfg.IntOpt(
        'user_limit', default=-1, min=-1,
        help='Most credentials one user may hold; -1 for no limit.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
