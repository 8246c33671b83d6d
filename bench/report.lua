-- wrk script of bench/run.py.
--
--   wrk ... -s bench/report.lua <url> -- <bust> <token>
--
-- bust = 1 adds a unique "_=<token>.<thread>.<n>" query parameter to every request, so every
-- request misses the anonymous page cache (the page is rendered from the database each time).
-- At the end one line "BENCH_JSON {...}" reports the counts and the latency percentiles in
-- microseconds; bench/run.py reads it.

local bust = false
local token = "run"
local counter = 0
local threads = {}

function setup(thread)
  -- "tid" becomes a global of that thread's Lua state
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  bust = args[1] == "1"
  token = args[2] or token
end

function request()
  if not bust then
    return wrk.request()
  end
  counter = counter + 1
  local sep = "?"
  if string.find(wrk.path, "?", 1, true) then
    sep = "&"
  end
  return wrk.format(nil, wrk.path .. sep .. "_=" .. token .. "." .. tostring(tid) .. "." .. counter)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, '
      .. '"p50": %.1f, "p90": %.1f, "p95": %.1f, "p99": %.1f, "max": %.1f, "mean": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean
  ))
end
