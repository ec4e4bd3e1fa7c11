"""Trusts (OS-TRUST): the rules of a new trust and of trust-scoped tokens.

No HTTP here: :mod:`keystone_like.api.trusts` serves the API,
:mod:`keystone_like.store.trusts` stores them.
"""
