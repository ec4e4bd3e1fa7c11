"""Options of the ``[resource]`` group: the cloud admin project and the
page size of projects and domains.

As in Keystone, ``[assignment] list_limit`` is a deprecated name of
``[resource] list_limit``.
"""

from oslo_config import cfg

GROUP_NAME = 'resource'

ALL_OPTS = [
    cfg.StrOpt(
        'admin_project_name',
        help='Name of the project whose tokens carry is_admin_project = '
             'true (with admin_project_domain_name). Tokens of any other '
             'project carry false, so a policy rule such as "role:admin and '
             'is_admin_project:True" confines cloud-admin rights to this '
             'project. Unset (the default, as in Keystone): tokens carry no '
             'is_admin_project and the admin role on any project is cloud '
             'admin.'),
    cfg.StrOpt(
        'admin_project_domain_name',
        help='Name of the domain of admin_project_name. Both must be set '
             'for either to take effect.'),
    cfg.IntOpt(
        'list_limit', min=1,
        deprecated_opts=[cfg.DeprecatedOpt('list_limit', group='assignment')],
        help='The most projects or domains GET /v3/projects and GET '
             '/v3/domains return in one response when the request gives no '
             '?limit=; overrides [DEFAULT] list_limit. Unset uses [DEFAULT] '
             'list_limit. Also read from [assignment] list_limit, its '
             'deprecated name.'),
]


def register_opts(conf):
    """Register this group's options on ``conf``."""
    conf.register_opts(ALL_OPTS, group=GROUP_NAME)


def list_opts():
    """Return the options for the sample config generator."""
    return {GROUP_NAME: ALL_OPTS}
