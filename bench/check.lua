-- Appended to each generated wrk script (after wrk.method/body/headers and `expect`).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  failures = 0
  first_failure = nil
end

function response(status, headers, body)
  local ok = status == expect_status and string.find(body, expect, 1, true) ~= nil
    and (status ~= 200 or string.find(body, '"errors"', 1, true) == nil)
  if not ok then
    failures = failures + 1
    if first_failure == nil then
      first_failure = status .. " " .. string.gsub(string.sub(body, 1, 300), "\n", " ")
    end
  end
end

function done(summary, latency, requests)
  local failed = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  local sample = nil
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
    sample = sample or thread:get("first_failure")
  end
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"seconds":%f,"p50_us":%f,"p99_us":%f,"failures":%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99), failed))
  if sample then
    io.write("BENCH_FAILURE " .. sample .. "\n")
  end
end
