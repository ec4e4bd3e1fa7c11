"""An application credential's secret is in its create response and
nowhere else: not in the log (every logger, DEBUG), not in a later
response, not in an error message, not in the database."""

import logging

import pytest
import sqlalchemy as sa

from keystone_like.db import models
from tests.support import api_app_creds_support as support
from tests.support import api_auth_support as auth_support
from tests.support import api_users_support as users_support

pytestmark = pytest.mark.timeout(120)

SECRET = 'Very-s3cret-' + 'x' * 20


def test_the_secret_appears_only_once(identity_api, caplog):
    api = identity_api
    caplog.set_level(logging.DEBUG)
    owner = support.make_owner(api)
    later = []
    made = support.create(api, owner, secret=SECRET, access_rules=[
        {'service': 'identity', 'method': 'GET', 'path': '/v3/users/*'}])
    assert made.status_int == 201 and SECRET in made.text
    cred = made.json['application_credential']
    # Refused bodies holding the secret: the answers never echo it.
    later.append(api.request('POST', owner.path(), {
        'application_credential': {'name': 'x', 'secret': SECRET,
                                   'unknown': SECRET}}, token=owner.token))
    later.append(support.create(api, owner, name=cred['name'],
                                secret=SECRET))
    later.append(support.create(api, owner, secret=SECRET,
                                roles=[{'name': 'no-such-role'}]))
    later.append(support.create(api, owner, secret=SECRET,
                                expires_at=SECRET))
    # Logins, good and bad, and everything a token shows.
    token_id, _ = support.login(api, cred)
    later.append(auth_support.issue(api, support.auth_body(cred)))
    for wrong in (SECRET + 'x', SECRET[:-1]):
        later.append(auth_support.issue(api, support.auth_body(
            cred, secret=wrong)))
    later.append(auth_support.issue(api, support.auth_body(
        secret=SECRET, name='nope', user={'id': owner.id})))
    scoped = support.auth_body(cred)
    scoped['auth']['scope'] = 'unscoped'
    later.append(auth_support.issue(api, scoped))
    admin = users_support.admin_token(api)
    later.append(api.request(
        'GET', auth_support.TOKENS, token=admin, headers={
            'X-Subject-Token': token_id,
            'OpenStack-Identity-Access-Rules': '1'}))
    later.append(api.request('GET', owner.path(cred['id']),
                             token=owner.token))
    later.append(api.request('GET', owner.path(), token=admin))
    later.append(api.request('GET', owner.rules_path(), token=owner.token))
    later.append(api.request('GET', owner.path(), token=token_id))
    assert [r.status_int for r in later] == [
        400, 409, 404, 400, 201, 401, 401, 401, 401, 200, 200, 200, 200,
        401]
    for response in later:
        assert SECRET not in response.text, response.text
    assert caplog.records, 'nothing was logged: the check proves nothing'
    assert SECRET not in caplog.text
    assert any(cred['id'] in record.getMessage()
               for record in caplog.records)
    with api.database.session() as session:
        stored = session.execute(sa.select(
            models.ApplicationCredential)).scalars().all()
        assert all(SECRET not in row.secret_hash for row in stored)
