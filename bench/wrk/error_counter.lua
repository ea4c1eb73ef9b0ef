-- Shared by the wrk scripts here: counts answers that are not HTTP 200 or that carry an API error
-- ({"error":...} with HTTP 200), so a benchmark of failing calls cannot pass for a fast one, and
-- prints "errors: non200=N api_errors=N" at the end. Defines wrk's response() and done().
-- Load it from a script with
--   local errors = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "error_counter.lua")
-- then call errors.track(thread) in setup() and errors.reset() in init().
local errors = {}
local threads = {}

function errors.track(thread)
  table.insert(threads, thread)
end

function errors.reset()
  non200 = 0
  api_errors = 0
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

return errors
