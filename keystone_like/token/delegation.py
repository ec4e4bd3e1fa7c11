"""Which tokens act for someone by delegation, as Keystone 30 tells them.

A token is *delegated* when it is trust-scoped or was made by a method
other than the primary ones (a password, or another primary token): an
application credential, or an EC2 signature (``ec2credential``). Such a
token may not reach the credentials APIs nor be exchanged for another
token, so a narrow, delegated credential never widens into a broad one.
A token with no method at all counts as delegated (fail closed).
"""

PRIMARY_METHODS = frozenset({'password', 'token'})
# Tokens made by /v3/ec2tokens carry this method; they authorize nothing
# in the identity API itself (Keystone 30 refuses them, LP#2153453).
EC2_METHOD = 'ec2credential'


def delegated_method(payload):
    """Return whether ``payload`` was made by a non-primary method."""
    return not payload.methods or not PRIMARY_METHODS.issuperset(
        payload.methods)


def is_delegated(payload):
    """Return whether ``payload`` is trust-scoped or delegated by method."""
    return payload.trust_id is not None or delegated_method(payload)
