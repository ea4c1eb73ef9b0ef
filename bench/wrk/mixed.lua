-- wrk script: a mixed load for the memory run of scripts/bench, cycling through
--   GetSecretValue by name, AddSecret with a unique name, GetSecrets page 1, GetSecrets with a
--   name search, GetSecretValue by name again
-- (three reads for each write). Environment: VOXSECRETS_BENCH_TOKEN (bearer token),
-- VOXSECRETS_BENCH_APP_ID (where secrets are added and read), VOXSECRETS_BENCH_SECRET_NAME (a
-- secret of that application), VOXSECRETS_BENCH_LIST_APP_ID and VOXSECRETS_BENCH_NAME_PART (the
-- listing and search), VOXSECRETS_BENCH_NAME_PREFIX (default "m"). Prints
-- "errors: non200=N api_errors=N" like count_errors.lua.
local errors = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "error_counter.lua")
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
  errors.track(thread)
end

function init(args)
  local app = os.getenv("VOXSECRETS_BENCH_APP_ID") or "1"
  local list_app = os.getenv("VOXSECRETS_BENCH_LIST_APP_ID") or app
  local secret = os.getenv("VOXSECRETS_BENCH_SECRET_NAME") or "bench_secret"
  local part = os.getenv("VOXSECRETS_BENCH_NAME_PART") or "bench"
  prefix = (os.getenv("VOXSECRETS_BENCH_NAME_PREFIX") or "m") .. thread_id .. "_"
  application_id = app
  get_path = "/platform_api/GetSecretValue?application_id=" .. app .. "&secret_name=" .. secret
  list_path = "/platform_api/GetSecrets?application_id=" .. list_app
  search_path = list_path .. "&secret_name_part=" .. part
  counter = 0
  step = 0
  errors.reset()
  headers = {}
  local token = os.getenv("VOXSECRETS_BENCH_TOKEN")
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  post_headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  for name, value in pairs(headers) do post_headers[name] = value end
end

function request()
  step = step % 5 + 1
  if step == 2 then
    counter = counter + 1
    local body = "application_id=" .. application_id .. "&secret_name=" .. prefix .. counter ..
      "&secret_value=mixed+value+" .. counter
    return wrk.format("POST", "/platform_api/AddSecret", post_headers, body)
  elseif step == 3 then
    return wrk.format("GET", list_path, headers)
  elseif step == 4 then
    return wrk.format("GET", search_path, headers)
  end
  return wrk.format("GET", get_path, headers)
end
