"""Rules of unified limits: anyone with a token reads registered limits
and the model; limits are read by admins, system readers and the domain
or project they belong to; only admins write."""

from keystone_like.policies import base

_REGISTERED = '/v3/registered_limits'
_REGISTERED_ONE = _REGISTERED + '/{registered_limit_id}'
_LIMITS = '/v3/limits'
_LIMIT = _LIMITS + '/{limit_id}'
_GET_LIMIT = (
    '%s or (%s) or (domain_id:%%(target.limit.domain.id)s or '
    'domain_id:%%(target.limit.project.domain_id)s) or '
    '(project_id:%%(target.limit.project_id)s and '
    'not None:%%(target.limit.project_id)s)' % (base.ADMIN,
                                                base.SYSTEM_READER))


def _read(name, path):
    return base.rule(name, '', base.ANY_SCOPE,
                     operations=[('GET', path), ('HEAD', path)])


def _write(name, method, path):
    return base.rule(name, base.ADMIN, base.SYSTEM_OR_PROJECT,
                     operations=[(method, path)])


RULES = [
    _read('identity:get_registered_limit', _REGISTERED_ONE),
    _read('identity:list_registered_limits', _REGISTERED),
    _write('identity:create_registered_limits', 'POST', _REGISTERED),
    _write('identity:update_registered_limit', 'PATCH', _REGISTERED_ONE),
    _write('identity:delete_registered_limit', 'DELETE', _REGISTERED_ONE),
    _read('identity:get_limit_model', _LIMITS + '/model'),
    base.rule('identity:get_limit', _GET_LIMIT, base.ANY_SCOPE,
              operations=[('GET', _LIMIT), ('HEAD', _LIMIT)]),
    _read('identity:list_limits', _LIMITS),
    _write('identity:create_limits', 'POST', _LIMITS),
    _write('identity:update_limit', 'PATCH', _LIMIT),
    _write('identity:delete_limit', 'DELETE', _LIMIT),
]
