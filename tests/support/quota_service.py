"""A service-like program enforcing quotas with oslo.limit.

``python -m tests.support.quota_service CONFIG CHECKS``: reads its
``[oslo_limit]`` options (keystoneauth credentials of its service user and
``endpoint_id``) from CONFIG as any OpenStack service does, builds an
oslo.limit ``Enforcer`` and runs each check of the JSON list CHECKS,
``{"project_id", "usage": {resource: n}, "deltas": {resource: n}}``,
printing one JSON list: ``"ok"`` or ``"over: <resource>"`` per check.
A separate process because oslo.limit keeps its options in the global
``cfg.CONF`` and its connection in a module global.
"""

import json
import sys

from oslo_config import cfg
from oslo_limit import exception
from oslo_limit import limit
from oslo_limit import opts


def main(config_file, checks):
    """Run every check; return the outcomes."""
    opts.register_opts(cfg.CONF)
    cfg.CONF([], project='quota_service', default_config_files=[config_file])
    # register_opts() registers the auth plugin's options only once
    # auth_type is known, which needs the file read first.
    opts.register_opts(cfg.CONF)
    outcomes = []
    for check in checks:
        usage = check['usage']
        enforcer = limit.Enforcer(
            lambda project_id, resources: {r: usage.get(r, 0)
                                           for r in resources})
        try:
            enforcer.enforce(check['project_id'], check['deltas'])
        except exception.ProjectOverLimit as over:
            outcomes.append('over: ' + ','.join(
                sorted(o.resource_name for o in over.over_limit_info_list)))
        else:
            outcomes.append('ok')
    return outcomes


if __name__ == '__main__':
    print(json.dumps(main(sys.argv[1], json.loads(sys.argv[2]))))
