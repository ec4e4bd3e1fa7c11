"""Rules of project tags (``/v3/projects/{project_id}/tags``)."""

from keystone_like.policies import base

_TAGS = '/v3/projects/{project_id}/tags'
_TAG = _TAGS + '/{value}'
_IN_DOMAIN = ('domain_id:%(target.project.domain_id)s and '
              'not None:%(target.project.domain_id)s')
_READ = ('(%s) or (%s) or (role:reader and %s) or '
         'project_id:%%(target.project.id)s'
         % (base.ADMIN, base.SYSTEM_READER, _IN_DOMAIN))
_READ_DEPRECATED = '%s or project_id:%%(target.project.id)s' % base.ADMIN
_WRITE = '(%s) or (role:manager and %s)' % (base.ADMIN, _IN_DOMAIN)


def _write(name, method, path):
    return base.rule(name, _WRITE, base.ANY_SCOPE, base.ADMIN,
                     [(method, path)])


RULES = [
    base.rule('identity:list_project_tags', _READ, base.ANY_SCOPE,
              _READ_DEPRECATED, [('GET', _TAGS), ('HEAD', _TAGS)]),
    base.rule('identity:get_project_tag', _READ, base.ANY_SCOPE,
              _READ_DEPRECATED, [('GET', _TAG), ('HEAD', _TAG)]),
    _write('identity:update_project_tags', 'PUT', _TAGS),
    _write('identity:create_project_tag', 'PUT', _TAG),
    _write('identity:delete_project_tags', 'DELETE', _TAGS),
    _write('identity:delete_project_tag', 'DELETE', _TAG),
]
