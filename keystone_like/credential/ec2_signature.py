"""AWS request signatures (versions 2 and 4), checked as Keystone checks them.

A service in front of EC2-style clients (an S3 or EC2 API) forwards what
the client signed to ``POST /v3/ec2tokens``: the access key, the
signature, and the request's verb, host, path, parameters, headers and
body hash. :func:`verify` computes the signature the secret gives for
that request the way keystoneclient's ``Ec2Signer`` (what Keystone uses)
computes it, and compares the two in constant time; AWS's own signers
(botocore's ``SigV2Auth`` and ``SigV4Auth``) produce signatures it accepts.

Versions 0 and 1 are not accepted (AWS retired them; version 1 compares
parameter names case-insensitively, so different requests share a
signature). Whatever is missing or malformed is a :class:`SignatureError`:
the caller answers 401, never 500.
"""

import base64
import datetime
import hashlib
import hmac
import urllib.parse

V4_ALGORITHM = 'AWS4-HMAC-SHA256'
_V2_DIGESTS = {'HmacSHA256': hashlib.sha256, 'HmacSHA1': hashlib.sha1}


class SignatureError(Exception):
    """The signature is missing, malformed or wrong (401)."""


def verify(secret, credentials):
    """Raise SignatureError unless ``credentials`` is signed by ``secret``."""
    signature = credentials.get('signature')
    if not signature or not isinstance(signature, str):
        raise SignatureError('EC2 signature not supplied.')
    try:
        if _matches(secret, credentials, signature):
            return
        host = credentials.get('host')
        if isinstance(host, str) and ':' in host:
            # Some clients sign without the port (as Keystone, try again).
            hostname = urllib.parse.urlsplit('//' + host).hostname or ''
            if _matches(secret, dict(credentials, host=hostname), signature):
                return
    except (LookupError, TypeError, ValueError, AttributeError,
            UnicodeError) as exc:
        raise SignatureError('Malformed EC2 credentials: %s'
                             % type(exc).__name__) from None
    raise SignatureError('Invalid EC2 signature.')


def _matches(secret, credentials, signature):
    expected = expected_signature(secret, credentials)
    return hmac.compare_digest(expected.encode('utf-8'),
                               signature.encode('utf-8'))


def expected_signature(secret, credentials):
    """Return the signature ``secret`` gives the described request."""
    params = _str_dict(credentials.get('params') or {})
    headers = _str_dict(credentials.get('headers') or {})
    version = params.get('SignatureVersion')
    if version == '2':
        return _v2(secret.encode('utf-8'), params, credentials['verb'],
                   credentials['host'], credentials['path'])
    if _is_v4(params, headers):
        return _v4(secret.encode('utf-8'), params, credentials['verb'],
                   credentials['path'], headers, credentials['body_hash'])
    raise ValueError('unsupported signature version')


def timestamp(credentials):
    """Return the signing time the request carries (aware UTC), or None."""
    params = credentials.get('params') or {}
    headers = credentials.get('headers') or {}
    text = (params.get('Timestamp') or _header(headers, 'X-Amz-Date')
            or params.get('X-Amz-Date'))
    if not text:
        return None
    return parse_time(text)


def parse_time(text):
    """Parse ``20261203T104745Z`` or an ISO 8601 time; ValueError if bad."""
    if not isinstance(text, str):
        raise ValueError('the timestamp is not a string')
    try:
        value = datetime.datetime.strptime(text, '%Y%m%dT%H%M%SZ')
    except ValueError:
        value = datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc)


def _str_dict(value):
    if not isinstance(value, dict) or not all(
            isinstance(k, str) for k in value):
        raise TypeError('expected an object with string keys')
    return value


def _header(headers, name):
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == name.lower():
            return value
    return None


def _utf8(value):
    if not isinstance(value, (str, bytes)):
        value = str(value)
    return value.encode('utf-8') if isinstance(value, str) else value


def canonical_query(params):
    """The sorted, percent-encoded query string both versions sign."""
    return '&'.join(
        urllib.parse.quote(key, safe='') + '=' + urllib.parse.quote(
            _utf8(params[key]), safe='-_~')
        for key in sorted(params))


def _v2(secret, params, verb, host, path):
    params = {k: v for k, v in params.items() if k != 'Signature'}
    digest = _V2_DIGESTS.get(params.get('SignatureMethod', 'HmacSHA256'))
    if digest is None:
        raise ValueError('unknown SignatureMethod')
    string_to_sign = '%s\n%s\n%s\n%s' % (verb, host, path,
                                         canonical_query(params))
    mac = hmac.new(secret, string_to_sign.encode('utf-8'), digest)
    return base64.b64encode(mac.digest()).decode('ascii')


def _is_v4(params, headers):
    authorization = _header(headers, 'Authorization')
    if isinstance(authorization, str):
        return authorization.startswith(V4_ALGORITHM)
    return params.get('X-Amz-Algorithm') == V4_ALGORITHM


def _v4_param(params, headers, name):
    """A field of the Authorization header, or its X-Amz-* parameter."""
    authorization = _header(headers, 'Authorization')
    if isinstance(authorization, str):
        return authorization.partition('%s=' % name)[2].split(',')[0]
    return params['X-Amz-%s' % name]


def _v4(secret, params, verb, path, headers, body_hash):
    signed_headers = _v4_param(params, headers, 'SignedHeaders')
    lowered = {k.lower().strip(): str(v).strip() for k, v in headers.items()}
    canonical_headers = '\n'.join(
        '%s:%s' % (name, lowered[name])
        for name in signed_headers.split(';') if name in lowered) + '\n'
    # Parameters of a POST travel in its body, covered by the body hash.
    query = '' if verb.upper() == 'POST' else canonical_query(params)
    canonical = '\n'.join((verb.upper(), path, query, canonical_headers,
                           signed_headers, body_hash))
    scope_parts = _v4_param(params, headers, 'Credential').split('/')
    date, region, service = scope_parts[1], scope_parts[2], scope_parts[3]
    signed_at = _header(headers, 'X-Amz-Date') or params['X-Amz-Date']
    if not signed_at.startswith(date):
        raise ValueError('the request date is not the credential scope date')
    string_to_sign = '\n'.join((
        V4_ALGORITHM, signed_at, '/'.join(scope_parts[1:]),
        hashlib.sha256(canonical.encode('utf-8')).hexdigest()))
    key = b'AWS4' + secret
    for part in (date, region, service, 'aws4_request'):
        key = hmac.new(key, _utf8(part), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode('utf-8'),
                    hashlib.sha256).hexdigest()
