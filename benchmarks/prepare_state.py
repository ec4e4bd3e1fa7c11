"""Fallback set-up of a benchmark state directory (schema, Fernet keys).

``bench_http.py`` prepares the state directory with ``service-manage
db_sync``, ``fernet_setup`` and ``credential_setup``. While a checkout's
service-manage lacks one of those commands, the script runs this module
instead, which does the same through the library calls those commands
wrap. Usage::

    python prepare_state.py --config-file FILE \
        {db_sync,fernet_setup,credential_setup}
"""

import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config-file', required=True)
    parser.add_argument('command', choices=('db_sync', 'fernet_setup',
                                            'credential_setup'))
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    import keystone_like.conf

    conf = keystone_like.conf.CONF
    conf([], project='keystone_like',
         default_config_files=[args.config_file])
    if args.command == 'db_sync':
        from keystone_like import db
        from keystone_like.db import migration

        database = db.Database(conf)
        try:
            print('schema at %s' % migration.upgrade(database))
        finally:
            database.dispose()
    else:
        from keystone_like.token import keys

        if args.command == 'credential_setup' and not hasattr(
                keys, 'CREDENTIALS'):
            print('no credential keys in this version')
            return 0
        if not hasattr(keys, 'TOKENS'):     # before key kinds existed
            path = keys.repository_path(conf)
            keys.setup(path, conf.fernet_tokens.max_active_keys)
            print('token keys in %s' % path)
            return 0
        kind = (keys.CREDENTIALS if args.command == 'credential_setup'
                else keys.TOKENS)
        path = keys.repository_path(conf, kind)
        keys.setup(path, conf[kind.group].max_active_keys, kind=kind)
        print('%s keys in %s' % (kind.name, path))
    return 0


if __name__ == '__main__':
    sys.exit(main())
