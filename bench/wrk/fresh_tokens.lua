-- wrk script: GetSecretValue with a different bearer token on every request, to measure the cost
-- of fresh tokens against a reused one (docs/AUTH.md "The fast path"). wrk's Lua cannot sign
-- RS256, so the tokens are minted beforehand, one per line, e.g.
--   for ttl in $(seq 600 3599); do voxsecrets token --credentials creds.json --ttl $ttl; done >tokens
-- (a distinct ttl per token keeps tokens minted in the same second distinct; a repeated token would
-- be a cache hit). Only the first pass through the file is "fresh": the server caches up to 65536
-- verified tokens, so for a fresh token on every request the file must hold more tokens than the
-- run makes requests (minting costs ~20 ms each with the CLI); bench/token_bench.cc measures the
-- same comparison without that limit. Environment: VOXSECRETS_BENCH_TOKENS_FILE (the file),
-- VOXSECRETS_BENCH_APP_ID, VOXSECRETS_BENCH_SECRET_NAME. Each wrk thread starts at another
-- offset and wraps around at the end of the file. Prints "errors: non200=N api_errors=N".
local errors = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "error_counter.lua")
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
  errors.track(thread)
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("VOXSECRETS_BENCH_TOKENS_FILE")) do
    if line ~= "" then table.insert(tokens, line) end
  end
  index = ((thread_id - 1) * math.floor(#tokens / 8)) % #tokens
  path = "/platform_api/GetSecretValue?application_id=" ..
    (os.getenv("VOXSECRETS_BENCH_APP_ID") or "1") .. "&secret_name=" ..
    (os.getenv("VOXSECRETS_BENCH_SECRET_NAME") or "Token")
  errors.reset()
end

function request()
  index = index % #tokens + 1
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. tokens[index] })
end
