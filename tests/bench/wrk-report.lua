-- wrk script used by every run of tests/bench: prints one JSON line when the run ends
-- (requests/s, latency percentiles in microseconds, error counts), which bench.py parses.
-- The request itself is set from the environment, once, before the run (no per-request Lua:
-- wrk sends the same prebuilt request at full speed):
--   WRK_METHOD (GET), WRK_BODY (none), WRK_CONTENT_TYPE, WRK_ACCEPT_ENCODING (none: identity)
-- except with WRK_BODY_FILE: one body per line, sent in turn (for instance one player id per
-- body, as many players would send), which costs a Lua call per request.
local method = os.getenv("WRK_METHOD")
if method and method ~= "" then wrk.method = method end
local body = os.getenv("WRK_BODY")
if body and body ~= "" then wrk.body = body end
local content_type = os.getenv("WRK_CONTENT_TYPE")
if content_type and content_type ~= "" then wrk.headers["Content-Type"] = content_type end
local accept_encoding = os.getenv("WRK_ACCEPT_ENCODING")
if accept_encoding and accept_encoding ~= "" then
  wrk.headers["Accept-Encoding"] = accept_encoding
end

local body_file = os.getenv("WRK_BODY_FILE")
if body_file and body_file ~= "" then
  local bodies = {}
  for line in io.lines(body_file) do
    if line ~= "" then bodies[#bodies + 1] = line end
  end
  local next_body = math.random(#bodies)
  request = function()
    next_body = next_body % #bodies + 1
    return wrk.format(nil, nil, nil, bodies[next_body])
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"rps":%.1f,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
