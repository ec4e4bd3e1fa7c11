"""The Kubernetes manifests in deploy/kubernetes: schema-valid (offline,
kubernetes-validate's bundled schemas) and consistent with the service."""

import pathlib

from oslo_config import cfg
import kubernetes_validate
import pytest
import yaml

from keystone_like.conf import opts

ROOT = pathlib.Path(__file__).resolve().parents[3]
MANIFESTS = ROOT / 'deploy' / 'kubernetes'
KUBERNETES_VERSION = '1.30.0'
REQUIRED_KINDS = {'Deployment', 'Service', 'ConfigMap', 'Secret', 'CronJob',
                  'PodDisruptionBudget'}


def documents():
    found = []
    for path in sorted(MANIFESTS.glob('*.yaml')):
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                found.append((path.name, document))
    return found


def by_kind(kind):
    return [doc for _name, doc in documents() if doc['kind'] == kind]


@pytest.mark.parametrize('name, document', documents(),
                         ids=lambda v: v if isinstance(v, str) else
                         '%s/%s' % (v['kind'], v['metadata']['name']))
def test_manifest_is_valid(name, document):
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_every_required_kind_ships():
    assert REQUIRED_KINDS <= {doc['kind'] for _name, doc in documents()}


def test_probes_use_healthcheck_on_declared_ports():
    (deployment,) = by_kind('Deployment')
    (container,) = deployment['spec']['template']['spec']['containers']
    ports = {port['name'] for port in container['ports']}
    for probe in ('readinessProbe', 'livenessProbe'):
        get = container[probe]['httpGet']
        assert get['path'] == '/healthcheck'
        assert get['port'] in ports


def test_selectors_match_the_pods():
    (deployment,) = by_kind('Deployment')
    labels = deployment['spec']['template']['metadata']['labels']
    selectors = [deployment['spec']['selector']['matchLabels'],
                 by_kind('PodDisruptionBudget')[0]['spec']['selector'][
                     'matchLabels'],
                 by_kind('Service')[0]['spec']['selector']]
    for selector in selectors:
        assert selector.items() <= labels.items()


def test_mounted_secrets_and_config_maps_ship():
    shipped = {(doc['kind'], doc['metadata']['name'])
               for _name, doc in documents()}
    pod_specs = [by_kind('Deployment')[0]['spec']['template']['spec'],
                 by_kind('CronJob')[0]['spec']['jobTemplate']['spec'][
                     'template']['spec']]
    for spec in pod_specs:
        for volume in spec['volumes']:
            if 'secret' in volume:
                assert ('Secret', volume['secret']['secretName']) in shipped
            if 'configMap' in volume:
                assert ('ConfigMap', volume['configMap']['name']) in shipped


def _conf(tmp_path, text):
    path = tmp_path / 'keystone_like.conf'
    path.write_text(text)
    conf = cfg.ConfigOpts()
    opts.register_all(conf)
    conf(['--config-file', str(path)], project='keystone_like')
    return conf


def test_config_map_is_a_valid_config(tmp_path):
    config_map = next(doc for doc in by_kind('ConfigMap')
                      if doc['metadata']['name'] == 'keystone-like-config')
    conf = _conf(tmp_path, config_map['data']['keystone_like.conf'])
    (deployment,) = by_kind('Deployment')
    spec = deployment['spec']['template']['spec']
    (container,) = spec['containers']
    mounts = {m['mountPath'] for m in container['volumeMounts']}
    assert conf.fernet_tokens.key_repository in mounts
    assert conf.credential.key_repository in mounts
    assert conf.state_dir in mounts
    # Draining ends before the kubelet's SIGKILL.
    assert (conf.eventlet_server.graceful_shutdown_timeout
            < spec['terminationGracePeriodSeconds'])
    ports = {p['containerPort'] for p in container['ports']}
    assert {conf.public_port, conf.admin_port} == ports


def test_secret_volumes_are_readable_by_the_service_user():
    (deployment,) = by_kind('Deployment')
    spec = deployment['spec']['template']['spec']
    assert spec['securityContext']['fsGroup'] == \
        spec['securityContext']['runAsGroup']
    for volume in spec['volumes']:
        if 'secret' in volume:
            # Read by the group the kubelet gives the files (fsGroup).
            assert volume['secret']['defaultMode'] & 0o040, volume['name']
