-- wrk script: the same request over and over (method and URL from the command line), counting
-- answers that are not HTTP 200 or that carry an API error ({"error":...} with HTTP 200), so a
-- benchmark of failing calls cannot pass for a fast one. Prints "errors: non200=N api_errors=N".
-- If VOXSECRETS_BENCH_TOKEN is set, sends "Authorization: Bearer <it>" (kept off the command line).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non200 = 0
  api_errors = 0
  local token = os.getenv("VOXSECRETS_BENCH_TOKEN")
  if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  elseif body and string.find(body, '"error"', 1, true) then
    api_errors = api_errors + 1
  end
end

function done(summary, latency, requests)
  local n, e = 0, 0
  for _, thread in ipairs(threads) do
    n = n + thread:get("non200")
    e = e + thread:get("api_errors")
  end
  io.write(string.format("errors: non200=%d api_errors=%d\n", n, e))
end
