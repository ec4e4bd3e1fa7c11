"""Metrics cost: GET /v3 req/s with ``[metrics] enabled`` on and off.

Starts two single-process ``service-all`` servers from this checkout on
the same prepared state (``access_log = false`` in both, as in
bench_http.py), one with ``[metrics] enabled = true`` and one with
``false``, and loads them with wrk in alternating rounds (on, off, on,
off, ...) so that the machine's noise hits both alike. Reports each
side's median req/s and p99 and the ratio on/off of the medians (the
target is >= 0.9), and writes JSON to
``benchmarks/results/bench_metrics-<timestamp>.json``. Needs wrk.

    .venv/bin/python benchmarks/bench_metrics.py --rounds 5 --duration 5
"""

import argparse
import datetime
import json
import pathlib
import statistics
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_http  # noqa: E402 - a sibling script, not a package

PATH = '/v3'
SIDES = ('on', 'off')
TARGET = 0.9


class MetricsServer(bench_http.Server):
    """``service-all`` with metrics switched on or off."""

    def __init__(self, side, procs, workdir, env):
        super().__init__(bench_http.KEYSTONE, procs, workdir, env)
        self.side = side

    def command(self):
        """Write a config with ``[metrics] enabled``; return the argv."""
        self.port = bench_http.free_port()
        admin_port = bench_http.free_port()
        text = bench_http.config_text(self.env.state_dir, False,
                                      self.env.paste_ini, admin_port,
                                      self.port)
        text = text.replace('[DEFAULT]\n', '[DEFAULT]\npid_file = %s\n' % (
            self.workdir / 'service-all.pid'), 1)
        text += '\n[metrics]\nenabled = %s\n' % (
            'true' if self.side == 'on' else 'false')
        config = self.workdir / ('metrics-%s.conf' % self.side)
        config.write_text(text)
        return [self.env.service_all, '--config-file', str(config)]


def parse_args(argv):
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=5,
                        help='measured runs per side, alternating')
    parser.add_argument('--duration', type=int, default=5,
                        help='seconds per wrk run')
    parser.add_argument('--warmup', type=int, default=2,
                        help='seconds of unmeasured load per side first')
    parser.add_argument('--connections', type=int, default=50)
    parser.add_argument('--wrk-cpus', default='auto',
                        help='taskset CPU list for wrk, "auto" or "none"')
    return parser.parse_args(argv)


def run(args, workdir, procs):
    """Start both servers, alternate the measured runs; return the report."""
    python, service_all, service_manage = bench_http.venv_paths(None)
    env = bench_http.Environment(python, service_all, service_manage,
                                 workdir, access_log=False)
    env.prepare_state()
    wrk_cpus = bench_http.choose_wrk_cpus(args.wrk_cpus)
    servers = {}
    for side in SIDES:
        directory = pathlib.Path(workdir) / side
        directory.mkdir()
        servers[side] = MetricsServer(side, procs, directory,
                                      env).start_for_load()
    for side in SIDES:
        bench_http.run_wrk(procs, bench_http.wrk_command(
            servers[side].port, PATH, args.connections, args.warmup,
            wrk_cpus), args.warmup)
    runs = {side: [] for side in SIDES}
    for number in range(args.rounds):
        order = SIDES if number % 2 == 0 else tuple(reversed(SIDES))
        for side in order:
            raw = bench_http.run_wrk(procs, bench_http.wrk_command(
                servers[side].port, PATH, args.connections, args.duration,
                wrk_cpus), args.duration)
            rps = raw['requests'] / (raw['duration_us'] / 1e6)
            runs[side].append({'rps': rps,
                               'p99_ms': raw['latency_us']['p99'] / 1000,
                               'errors': raw['errors']})
            bench_http.log('round %d metrics %-3s %8.0f req/s' % (
                number + 1, side, rps))
    for server in servers.values():
        server.stop()
    summary = {side: {
        'median_rps': statistics.median(r['rps'] for r in runs[side]),
        'median_p99_ms': statistics.median(r['p99_ms'] for r in runs[side]),
    } for side in SIDES}
    # Per round too: each pair ran back to back.
    pairs = [on['rps'] / off['rps'] for on, off in zip(runs['on'],
                                                       runs['off'])]
    return {'path': PATH, 'connections': args.connections,
            'duration_s': args.duration, 'rounds': args.rounds,
            'runs': runs, 'summary': summary,
            'ratio_on_off': (summary['on']['median_rps']
                             / summary['off']['median_rps']),
            'round_ratios': pairs, 'target': TARGET}


def main(argv=None):
    """Run the comparison; print the table; exit 1 below the target."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    procs = bench_http.Processes()
    try:
        with tempfile.TemporaryDirectory(prefix='bench-metrics-') as workdir:
            report = run(args, workdir, procs)
    finally:
        procs.stop_all()
    for side in SIDES:
        print('metrics %-3s  GET %s c%d: median %8.0f req/s, p99 %.2f ms' % (
            side, PATH, args.connections, report['summary'][side]
            ['median_rps'], report['summary'][side]['median_p99_ms']))
    print('ratio on/off (medians): %.3f  (per round: %s; target >= %.1f)' % (
        report['ratio_on_off'],
        ', '.join('%.3f' % r for r in report['round_ratios']), TARGET))
    bench_http.RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    out = bench_http.RESULTS_DIR / ('bench_metrics-%s.json' % stamp)
    report['at'] = time.time()
    out.write_text(json.dumps(report, indent=2))
    print('JSON: %s' % out)
    return 0 if report['ratio_on_off'] >= TARGET else 1


if __name__ == '__main__':
    sys.exit(main())
