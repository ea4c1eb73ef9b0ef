-- wrk script: AddSecret with a unique secret name per request, POSTed urlencoded to
-- /platform_api/AddSecret (the Python client's encoding). Environment: VOXSECRETS_BENCH_TOKEN (the
-- bearer token) and VOXSECRETS_BENCH_APP_ID (the application id); VOXSECRETS_BENCH_NAME_PREFIX
-- (default "w") keeps the names of parallel wrk runs apart. Usage: wrk ... -s add_secret.lua URL
-- Counts failed answers like count_errors.lua and prints "errors: non200=N api_errors=N".
local errors = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "error_counter.lua")
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
  errors.track(thread)
end

function init(args)
  application_id = os.getenv("VOXSECRETS_BENCH_APP_ID") or "1"
  name_prefix = os.getenv("VOXSECRETS_BENCH_NAME_PREFIX") or "w"
  counter = 0
  errors.reset()
  headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  local token = os.getenv("VOXSECRETS_BENCH_TOKEN")
  if token and token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
end

function request()
  counter = counter + 1
  local body = "application_id=" .. application_id ..
    "&secret_name=" .. name_prefix .. thread_id .. "_" .. counter ..
    "&secret_value=benchmark+value+" .. counter .. "+%E2%9C%93" ..
    "&description=wrk"
  return wrk.format("POST", "/platform_api/AddSecret", headers, body)
end
