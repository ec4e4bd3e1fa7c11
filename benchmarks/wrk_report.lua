-- wrk script used by bench_http.py: no per-request Lua (request() and
-- response() stay undefined, so wrk runs at full speed); at the end, one
-- machine-readable line "WRK_JSON {...}" with the totals and latency
-- percentiles. Times are microseconds.
--
-- errors.status counts responses with a status code above 399, i.e. every
-- answer that is not 1xx/2xx/3xx.

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d}, "latency_us": {"min": %.1f, "mean": %.1f, ' ..
    '"stdev": %.1f, "max": %.1f, "p50": %.1f, "p90": %.1f, "p99": %.1f, ' ..
    '"p999": %.1f}, "thread_rate_mean": %.1f}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50.0), latency:percentile(90.0),
    latency:percentile(99.0), latency:percentile(99.9),
    requests.mean))
end
