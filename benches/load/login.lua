-- wrk script: hammer a JSON login endpoint (kerong's POST /api/v1/auth/token) with a
-- real username and a different wrong password on every request, so no cache of
-- refusals can answer for the password hash.
--
-- Environment: LOADBENCH_LOGIN_PATH (default /api/v1/auth/token),
--              LOADBENCH_LOGIN_USER (default admin).
-- done() prints "loadbench: status=<code> count=<n>" for every status seen.

local path = os.getenv("LOADBENCH_LOGIN_PATH") or "/api/v1/auth/token"
local user = os.getenv("LOADBENCH_LOGIN_USER") or "admin"
local k = 0
local threads = {}
counts = {}

function setup(thread)
  table.insert(threads, thread)
end

function request()
  k = k + 1
  local body = string.format('{"username":"%s","password":"wrong-%d"}', user, k)
  return wrk.format("POST", path, { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  local key = tostring(status)
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts") or {}
    for s, n in pairs(c) do
      total[s] = (total[s] or 0) + n
    end
  end
  for s, n in pairs(total) do
    io.write(string.format("loadbench: status=%s count=%d\n", s, n))
  end
end
