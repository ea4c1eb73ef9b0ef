-- wrk script: the same request over and over (method and URL from the command line), counting
-- answers that are not HTTP 200 or that carry an API error ({"error":...} with HTTP 200), so a
-- benchmark of failing calls cannot pass for a fast one. Prints "errors: non200=N api_errors=N".
-- If VOXSECRETS_BENCH_TOKEN is set, sends "Authorization: Bearer <it>" (kept off the command line).
local errors = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "error_counter.lua")

function setup(thread)
  errors.track(thread)
end

function init(args)
  errors.reset()
  local token = os.getenv("VOXSECRETS_BENCH_TOKEN")
  if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
end
