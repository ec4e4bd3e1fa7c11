"""Options of the ``[identity]`` group: password hashing and checks, and
the page size of user lists."""

from oslo_config import cfg

GROUP_NAME = 'identity'

ALL_OPTS = [
    cfg.StrOpt(
        'default_domain_id', default='default',
        help='The domain users and projects are created in when the request '
             'names none and the caller\'s token is not domain-scoped. '
             '"service-manage bootstrap" creates it (id "default", name '
             '"Default").'),
    cfg.StrOpt(
        'password_hash_algorithm', default='bcrypt',
        choices=[('bcrypt', 'bcrypt; passwords are pre-hashed so bytes past '
                            'the 72nd still count'),
                 ('pbkdf2_sha512', 'PBKDF2-HMAC-SHA512'),
                 ('scrypt', 'scrypt (memory-hard)')],
        help='How new and changed passwords are hashed. Existing hashes '
             'keep verifying after a change; they are re-hashed with the new '
             'algorithm at the next successful login.'),
    cfg.IntOpt(
        'password_hash_rounds', min=4,
        help='Work factor of the hash: bcrypt log2 rounds (default 12), '
             'PBKDF2 iterations (default 600000), scrypt log2 N (default '
             '15). Unset uses the default of the chosen algorithm.'),
    cfg.IntOpt(
        'list_limit', min=1,
        help='The most users GET /v3/users returns in one response when the '
             'request gives no ?limit=; overrides [DEFAULT] list_limit. '
             'Unset uses [DEFAULT] list_limit.'),
    cfg.IntOpt(
        'max_queued_hashes_per_user', default=4, min=1,
        help='How many password verifications for one user name (as sent: '
             'domain and name, or id) may be queued or running in one '
             'process. One more is answered 429 with Retry-After before any '
             'database work (after hash_refusal_delay), so a flood of wrong '
             'passwords for one account cannot hold the hashing slots '
             'other accounts need. Slots are also shared between user '
             'names by fair queuing: a name with one login waits for what '
             'is already running, not for another name\'s backlog.'),
    cfg.IntOpt(
        'max_queued_hashes_per_address', default=32, min=1,
        help='How many password verifications from one client address '
             '(REMOTE_ADDR) may be queued or running in one process; one '
             'more is answered 429. Keep it well above the busiest proxy '
             'or NAT address in front of the service.'),
    cfg.FloatOpt(
        'hash_refusal_delay', default=1.0, min=0.0, max=60.0,
        help='Seconds a request refused by max_queued_hashes_per_user or '
             '_per_address waits before its 429 is sent (never more than '
             'its Retry-After). A client flooding one account and retrying '
             'at once is thus paced by the service instead of spinning its '
             'event loop on refusals: under a 16-client flood immediate '
             'refusals took half the CPU the service had, and every hash '
             'ran at half speed. The wait holds no hashing slot and no '
             'database connection. 0 answers at once.'),
    cfg.IntOpt(
        'max_password_length', default=4096, min=8, max=65536,
        help='Passwords longer than this many bytes are refused with 400 '
             'before any hashing, so long inputs cannot burn CPU.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
