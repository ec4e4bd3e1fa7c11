"""oslo.limit enforcing quotas against a running service-all.

A service-like process (``tests.support.quota_service``) authenticates as
its own service user (the reader role on the system, as oslo.limit's
documentation asks), finds its service and region through ``[oslo_limit]
endpoint_id``, reads the enforcement model, registered limits and project
limits, and refuses a claim that would take usage over the limit.
"""

import json
import subprocess
import sys
import uuid

import pytest

from tests.support import identity
from tests.support import identity_service as support

pytest_plugins = ['tests.support.identity_service']

pytestmark = [pytest.mark.timeout(150),
              pytest.mark.usefixtures('client_versions')]
PASSWORD = 'Quota-' + uuid.uuid4().hex[:12]


class Admin:
    """The bootstrap admin sending management requests."""

    def __init__(self, identity):
        self.identity = identity
        self.token = identity.password_token()

    def __call__(self, method, path, body=None, expected=(200, 201, 204)):
        status, _headers, answer = self.identity.request(
            self.identity.public_port, method, '/v3' + path, body=body,
            headers={'X-Auth-Token': self.token})
        assert status in expected, (method, path, status, answer)
        return answer


def setup_quotas(service):
    """A service with an endpoint, its user, a registered limit of 5
    widgets and a project limited to 2; return the names needed."""
    admin = Admin(service)
    suffix = uuid.uuid4().hex[:8]
    service = admin('POST', '/services', {'service': {
        'type': 'widgets-' + suffix, 'name': 'widgets'}})['service']['id']
    endpoint = admin('POST', '/endpoints', {'endpoint': {
        'service_id': service, 'interface': 'public', 'region_id':
        'RegionOne', 'url': 'http://widgets.example/'}})['endpoint']['id']
    user = admin('POST', '/users', {'user': {
        'name': 'widgets-' + suffix, 'password': PASSWORD}})['user']
    reader = admin('GET', '/roles?name=reader')['roles'][0]['id']
    admin('PUT', '/system/users/%s/roles/%s' % (user['id'], reader))
    admin('POST', '/registered_limits', {'registered_limits': [{
        'service_id': service, 'region_id': 'RegionOne',
        'resource_name': 'widgets', 'default_limit': 5}]})
    limited, default = (admin('POST', '/projects', {'project': {
        'name': '%s-%s' % (name, suffix)}})['project']['id']
        for name in ('limited', 'default'))
    admin('POST', '/limits', {'limits': [{
        'service_id': service, 'region_id': 'RegionOne',
        'resource_name': 'widgets', 'resource_limit': 2,
        'project_id': limited}]})
    return {'endpoint': endpoint, 'user': user['name'], 'limited': limited,
            'default': default}


def run_quota_service(service, quotas, checks):
    config = service.directory / ('quota-%s.conf' % uuid.uuid4().hex[:8])
    config.write_text('\n'.join([
        '[oslo_limit]', 'auth_type = password',
        'auth_url = %s' % service.auth_url,
        'username = %s' % quotas['user'], 'password = %s' % PASSWORD,
        'user_domain_name = Default', 'system_scope = all',
        'endpoint_id = %s' % quotas['endpoint'], '']))
    completed = subprocess.run(
        [sys.executable, '-m', 'tests.support.quota_service', str(config),
         json.dumps(checks)], capture_output=True, text=True, timeout=60,
        env=support.clean_environ(), stdin=subprocess.DEVNULL,
        cwd=str(identity.ROOT))
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_oslo_limit_enforces_project_and_default_limits(identity_service):
    quotas = setup_quotas(identity_service)

    def check(project, usage, delta):
        return {'project_id': quotas[project], 'usage': {'widgets': usage},
                'deltas': {'widgets': delta}}
    outcomes = run_quota_service(identity_service, quotas, [
        check('limited', 1, 1), check('limited', 1, 2),
        check('default', 1, 4), check('default', 1, 5),
        check('default', 5, 0)])
    assert outcomes == ['ok', 'over: widgets', 'ok', 'over: widgets', 'ok']
