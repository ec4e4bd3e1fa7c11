"""keystoneauth1 against a running service-all: discovery, tokens, catalog.

A v3 Password session on the public endpoint, as every OpenStack client
builds one; the generic (discovering) Password plugin from the unversioned
root; endpoint lookup by interface; token rescoping with the Token plugin.
"""

import datetime

from keystoneauth1 import discover
from keystoneauth1 import exceptions as ka_exceptions
from keystoneauth1.identity import generic
from keystoneauth1.identity import v3
from keystoneauth1 import session as ka_session
import pytest


# The identity_service and client_versions fixtures.
pytest_plugins = ['tests.support.identity_service']

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.usefixtures('client_versions')]

TIMEOUT = 10


def password_session(identity, **overrides):
    arguments = identity.credentials()
    arguments.update(overrides)
    auth = v3.Password(**arguments)
    return ka_session.Session(auth=auth, timeout=TIMEOUT)


def test_discovery_from_the_root_and_from_v3(identity_service):
    sess = ka_session.Session(timeout=TIMEOUT)
    root = identity_service.url(identity_service.public_port, '/')
    versions = discover.get_version_data(sess, root)
    assert [v['id'] for v in versions] == ['v3.14']
    assert versions[0]['status'] == 'stable'
    found = discover.Discover(sess, root)
    data = found.version_data()
    assert [d['version'] for d in data] == [(3, 14)]
    assert data[0]['url'] == identity_service.auth_url + '/'
    # From /v3 itself (what the catalog lists): a single version document.
    found = discover.Discover(sess, identity_service.auth_url)
    assert found.url_for('3.0') == identity_service.auth_url + '/'


def test_password_session_token_catalog_and_endpoints(identity_service):
    sess = password_session(identity_service)
    token = sess.get_token()
    assert token and isinstance(token, str)
    access = sess.auth.get_access(sess)
    assert access.auth_token == token
    assert access.project_name == 'admin'
    assert access.user_domain_name == 'Default'
    assert access.project_domain_name == 'Default'
    assert access.username == 'admin'
    assert 'admin' in access.role_names
    assert access.project_scoped and not access.domain_scoped
    now = datetime.datetime.now(datetime.timezone.utc)
    assert now < access.expires <= now + datetime.timedelta(seconds=3700)
    assert access.issued <= now + datetime.timedelta(seconds=5)
    assert access._data['token']['methods'] == ['password']
    assert len(access.audit_id) == 22

    catalog = access.service_catalog
    assert catalog.url_for(service_type='identity', interface='public') \
        == identity_service.auth_url
    assert catalog.url_for(service_type='identity', interface='admin') \
        == identity_service.admin_url
    assert catalog.get_endpoints(service_type='identity',
                                 interface='internal')['identity']

    # Endpoint lookup as clients do it: catalog, then version discovery.
    assert sess.get_endpoint(service_type='identity',
                             interface='public') == identity_service.auth_url
    assert sess.get_endpoint(service_type='identity',
                             interface='admin') == identity_service.admin_url
    data = sess.get_endpoint_data(service_type='identity', interface='admin',
                                  min_version='3', max_version='3.latest')
    assert data.api_version == (3, 14)
    assert data.url.rstrip('/') == identity_service.admin_url
    assert sess.get_user_id() == access.user_id
    assert sess.get_project_id() == access.project_id

    # The token works for a request through the session (self-service).
    response = sess.get('/users/%s' % access.user_id,
                        endpoint_filter={'service_type': 'identity',
                                         'interface': 'public'})
    assert response.status_code == 200
    assert response.json()['user']['name'] == 'admin'


def test_generic_password_plugin_discovers_v3_from_the_root(
        identity_service):
    arguments = identity_service.credentials(
        auth_url=identity_service.url(identity_service.public_port, '/'))
    sess = ka_session.Session(auth=generic.Password(**arguments),
                              timeout=TIMEOUT)
    access = sess.auth.get_access(sess)
    assert access.version == 'v3'
    assert access.project_name == 'admin'
    assert sess.get_endpoint(service_type='identity', interface='admin') \
        == identity_service.admin_url


def test_token_plugin_rescopes_without_extending_expiry(identity_service):
    unscoped = password_session(identity_service, project_name=None,
                                project_domain_name=None)
    first = unscoped.auth.get_access(unscoped)
    assert not first.scoped
    assert not first.service_catalog.get_endpoints()
    token_auth = v3.Token(auth_url=identity_service.auth_url,
                          token=first.auth_token, project_name='admin',
                          project_domain_name='Default')
    scoped_session = ka_session.Session(auth=token_auth, timeout=TIMEOUT)
    scoped = token_auth.get_access(scoped_session)
    assert scoped.project_scoped
    # As Keystone: the token method keeps the methods of the token it
    # was given.
    assert sorted(scoped._data['token']['methods']) == ['password', 'token']
    assert scoped.expires <= first.expires
    assert scoped.audit_chain_id == first.audit_id
    assert scoped_session.get_endpoint(service_type='identity',
                                       interface='admin') \
        == identity_service.admin_url

    domain_auth = v3.Token(auth_url=identity_service.auth_url,
                           token=first.auth_token, domain_name='Default')
    domain_scoped = domain_auth.get_access(
        ka_session.Session(auth=domain_auth, timeout=TIMEOUT))
    assert domain_scoped.domain_scoped
    assert domain_scoped.domain_name == 'Default'


def test_bad_password_is_unauthorized(identity_service):
    sess = password_session(identity_service, password='not-the-password')
    with pytest.raises(ka_exceptions.Unauthorized) as caught:
        sess.get_token()
    assert caught.value.http_status == 401
    sess = password_session(identity_service, username='nobody-at-all')
    with pytest.raises(ka_exceptions.Unauthorized):
        sess.get_token()
