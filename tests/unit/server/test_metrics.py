"""The launcher's metrics without forks: tallies, flush, sweep, archives."""

import os

import pytest

from keystone_like.middleware import metrics as metrics_app
from keystone_like.server import hooks
from keystone_like.server import metrics

DEAD = 999999999        # above pid_max: never a live process


@pytest.fixture
def enabled(tmp_path):
    """Metrics on in ``tmp_path`` for one test."""
    directory = metrics.enable(tmp_path)
    yield metrics.get(), directory
    metrics.disable()


def render(directory):
    return metrics_app.render(directory).decode()


def test_requests_are_tallied_then_flushed_by_route_template(enabled):
    recorder, directory = enabled
    environ = {'REQUEST_METHOD': 'GET', hooks.ROUTE_KEY: '/v3/users/{id}'}
    for seconds in (0.003, 0.003, 20.0):
        recorder.observe_request('public', environ, 200, seconds)
    recorder.observe_request('admin', {'REQUEST_METHOD': 'BREW'}, 404, 0.1)
    assert 'route="/v3/users/{id}"' not in render(directory)
    recorder.flush()
    text = render(directory)
    labels = 'listener="public",method="GET",route="/v3/users/{id}"'
    assert ('keystone_like_http_requests_total{%s,status="200"} 3.0'
            % labels) in text
    assert ('keystone_like_http_request_duration_seconds_bucket{le="0.005",'
            '%s} 2.0' % labels) in text
    assert ('keystone_like_http_request_duration_seconds_bucket{le="+Inf",'
            '%s} 3.0' % labels) in text
    assert ('keystone_like_http_requests_total{listener="admin",'
            'method="other",route="unmatched",status="404"} 1.0') in text


def test_sweep_folds_dead_processes_into_the_archive(enabled):
    recorder, directory = enabled
    recorder.worker_starts.labels('public').inc(2)
    recorder.in_flight.labels('public').set(7)
    # A dead worker's files, as it left them.
    own = os.getpid()
    for name in os.listdir(directory):
        prefix = name[:-len('_%d.db' % own)]
        with open(os.path.join(directory, name), 'rb') as source:
            data = source.read()
        with open(os.path.join(directory, '%s_%d.db' % (prefix, DEAD)),
                  'wb') as copy:
            copy.write(data)
    before = render(directory)
    assert 'keystone_like_worker_starts_total{listener="public"} 4.0' in before
    assert 'keystone_like_http_requests_in_flight{listener="public"} 14.0' \
        in before
    assert metrics.sweep(directory) == [DEAD]
    names = sorted(os.listdir(directory))
    assert not [n for n in names if str(DEAD) in n]
    assert 'counter_archive.db' in names
    after = render(directory)
    # Counters keep the dead worker's share; its live gauges are gone.
    assert 'keystone_like_worker_starts_total{listener="public"} 4.0' in after
    assert 'keystone_like_http_requests_in_flight{listener="public"} 7.0' \
        in after
    assert metrics.sweep(directory) == []


def test_the_metrics_app_is_404_when_metrics_are_off():
    import webob
    response = webob.Request.blank('/metrics').get_response(
        metrics_app.admin_app_factory({}))
    assert response.status_int == 404
