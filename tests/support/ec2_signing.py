"""Requests signed by AWS's own signers (botocore), as EC2 clients sign them.

Each function signs a request with botocore's ``SigV4Auth`` or
``SigV2Auth`` (or, to sign at a chosen time, which botocore cannot be
told, with keystoneclient's ``Ec2Signer``) and returns the
``POST /v3/ec2tokens`` body a service forwarding it would send: access
key, signature, verb, host, path, parameters, headers and body hash
(keystoneclient's ``Ec2Signer`` layout). No tests here.
"""

import hashlib
import urllib.parse

from botocore import auth
from botocore import awsrequest
from botocore import credentials
from keystoneclient.contrib.ec2 import utils as ec2_utils

HOST = 'ec2.example.test:8788'


def v4_body(access, secret, host=HOST, path='/', query=None,
            region='RegionOne', service='ec2'):
    """Return the ec2tokens body of a GET signed with signature version 4."""
    url = 'http://%s%s' % (host, path)
    if query:
        url += '?' + urllib.parse.urlencode(query,
                                            quote_via=urllib.parse.quote)
    request = awsrequest.AWSRequest(method='GET', url=url)
    auth.SigV4Auth(credentials.Credentials(access, secret), service,
                   region).add_auth(request)
    headers = dict(request.headers.items())
    headers['Host'] = host
    return {'credentials': {
        'access': access,
        'signature': headers['Authorization'].partition('Signature=')[2],
        'host': host, 'verb': 'GET', 'path': path,
        'params': dict(query or {}), 'headers': headers,
        'body_hash': hashlib.sha256(b'').hexdigest()}}


def v2_body(access, secret, host=HOST, path='/', params=None):
    """Return the ec2tokens body of a POST signed with signature version 2
    (``Timestamp`` included, as botocore signs)."""
    params = dict(params or {'Action': 'DescribeRegions',
                             'Version': '2016-11-15'})
    request = awsrequest.AWSRequest(method='POST', url='https://%s%s' % (
        host, path), data=params)
    auth.SigV2Auth(credentials.Credentials(access, secret)).add_auth(request)
    signed = dict(request.data)
    signature = signed.pop('Signature')
    return {'credentials': {
        'access': access, 'signature': signature, 'host': host,
        'verb': 'POST', 'path': path, 'params': signed, 'headers': {},
        'body_hash': ''}}


def v2_body_at(access, secret, when, host=HOST, path='/'):
    """Return the ec2tokens body of a version 2 POST signed at ``when``
    (a ``Timestamp`` parameter), signed by keystoneclient's Ec2Signer."""
    params = {'Action': 'DescribeRegions', 'Version': '2016-11-15',
              'AWSAccessKeyId': access, 'SignatureVersion': '2',
              'SignatureMethod': 'HmacSHA256',
              'Timestamp': when.strftime('%Y-%m-%dT%H:%M:%SZ')}
    body = {'access': access, 'host': host, 'verb': 'POST', 'path': path,
            'params': params, 'headers': {}, 'body_hash': ''}
    body['signature'] = ec2_utils.Ec2Signer(secret).generate(dict(
        body, params=dict(params)))
    return {'credentials': body}
