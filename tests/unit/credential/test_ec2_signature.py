"""AWS signatures checked as keystoneclient's Ec2Signer computes them,
against requests signed by botocore (header and query-string SigV4, SigV2)."""

import copy
import hashlib
import urllib.parse

from botocore import auth
from botocore import awsrequest
from botocore import credentials
from keystoneclient.contrib.ec2 import utils as ec2_utils
import pytest

from keystone_like.credential import ec2_signature
from tests.support import ec2_signing

SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'


def signed_v4(query):
    return ec2_signing.v4_body('AKID', SECRET, query=query)['credentials']


@pytest.mark.parametrize('query', [
    None, {'Action': 'DescribeInstances'},
    {'a': 'b c', 'z': 'ü/~*', 'Action': 'X'}])
def test_v4_matches_botocore_and_keystoneclient(query):
    signed = signed_v4(query)
    ec2_signature.verify(SECRET, signed)
    assert ec2_signature.expected_signature(SECRET, signed) == (
        ec2_utils.Ec2Signer(SECRET).generate(copy.deepcopy(signed)))
    with pytest.raises(ec2_signature.SignatureError,
                       match='Invalid EC2 signature'):
        ec2_signature.verify(SECRET + 'x', signed)


def test_v4_presigned_query_string():
    request = awsrequest.AWSRequest(
        method='GET', url='http://s3.example.test/bucket/key?versions=')
    auth.S3SigV4QueryAuth(credentials.Credentials('AKID', SECRET), 's3',
                          'RegionOne', expires=300).add_auth(request)
    url = urllib.parse.urlsplit(request.url)
    params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
    signature = params.pop('X-Amz-Signature')
    signed = {'access': 'AKID', 'signature': signature, 'verb': 'GET',
              'host': url.netloc, 'path': url.path, 'params': params,
              'headers': {'Host': url.netloc},
              'body_hash': 'UNSIGNED-PAYLOAD'}
    ec2_signature.verify(SECRET, signed)


def test_v2_with_either_hmac():
    signed = ec2_signing.v2_body('AKID', SECRET)['credentials']
    assert signed['params']['SignatureMethod'] == 'HmacSHA256'
    ec2_signature.verify(SECRET, signed)
    params = dict(signed['params'], SignatureMethod='HmacSHA1')
    sha1 = dict(signed, params=params)
    sha1['signature'] = ec2_signature.expected_signature(SECRET, sha1)
    ec2_signature.verify(SECRET, sha1)
    assert sha1['signature'] != signed['signature']


@pytest.mark.parametrize('change', [
    {'signature': None}, {'signature': ''}, {'params': 'x'},
    {'params': {'SignatureVersion': '1', 'Action': 'A'}},
    {'params': {'SignatureVersion': '0', 'Action': 'A'}},
    {'params': {'SignatureVersion': '2', 'SignatureMethod': 'HmacMD5'}},
    {'headers': {'Authorization': 'AWS4-HMAC-SHA256 nonsense'}},
    {'verb': None}, {'body_hash': None},
])
def test_malformed_is_a_signature_error(change):
    signed = dict(signed_v4({'Action': 'X'}), **change)
    with pytest.raises(ec2_signature.SignatureError):
        ec2_signature.verify(SECRET, signed)


def test_v4_date_must_be_the_credential_scope_date():
    signed = signed_v4(None)
    headers = dict(signed['headers'], **{'X-Amz-Date': '20000101T000000Z'})
    with pytest.raises(ec2_signature.SignatureError):
        ec2_signature.verify(SECRET, dict(signed, headers=headers))


def test_timestamps():
    assert ec2_signature.parse_time('20261203T104745Z').isoformat() == (
        '2026-12-03T10:47:45+00:00')
    assert ec2_signature.parse_time('2026-12-03T10:47:45.123Z').isoformat() \
        == '2026-12-03T10:47:45.123000+00:00'
    assert ec2_signature.timestamp({'params': {}}) is None
    with pytest.raises(ValueError):
        ec2_signature.parse_time('yesterday')
    body_hash = hashlib.sha256(b'').hexdigest()
    assert signed_v4(None)['body_hash'] == body_hash
