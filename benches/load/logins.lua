-- wrk script: successful logins of distinct users. Every request posts a JSON
-- {"username","password"} to a login endpoint (kerong's POST /api/v1/auth/token) for the
-- next user of a numbered list, <prefix>00000 ... <prefix><count-1>, with their (right)
-- password, so that each user logs in once per `count` requests and a cache of users
-- keyed by name never answers twice for the same one within that.
--
-- Environment:
--   LOADBENCH_LOGIN_PREFIX    user name prefix (required), e.g. "db-login-"
--   LOADBENCH_LOGIN_COUNT     number of users (required)
--   LOADBENCH_LOGIN_START     index of the first user (default 0): the harness passes where
--                             the previous run stopped
--   LOADBENCH_LOGIN_PASSWORD  the users' password (required)
--   LOADBENCH_LOGIN_PATH      default /api/v1/auth/token
--   LOADBENCH_THREADS         wrk -t (default 1): thread t sends users start+t, start+t+T, ...
--
-- done() prints "loadbench: sent=N wraps=W" (W: times a thread went past the last user)
-- and "loadbench: status=<code> count=<n>" for every status seen.

local path = os.getenv("LOADBENCH_LOGIN_PATH") or "/api/v1/auth/token"
local prefix = os.getenv("LOADBENCH_LOGIN_PREFIX")
local count = tonumber(os.getenv("LOADBENCH_LOGIN_COUNT"))
local start = tonumber(os.getenv("LOADBENCH_LOGIN_START") or "0")
local password = os.getenv("LOADBENCH_LOGIN_PASSWORD")
local nthreads = tonumber(os.getenv("LOADBENCH_THREADS") or "1")
local headers = { ["Content-Type"] = "application/json" }

local threads = {}
local created = 0

-- Globals, so that done() can read them through thread:get().
sent = 0
wraps = 0
counts = {}
tid = 0
local i = nil

function setup(thread)
  thread:set("tid", created)
  created = created + 1
  table.insert(threads, thread)
end

function request()
  if i == nil then
    i = start + tid
  end
  if i >= count then
    i = i % count
    wraps = wraps + 1
  end
  local body = string.format('{"username":"%s%05d","password":"%s"}', prefix, i, password)
  i = i + nthreads
  sent = sent + 1
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  local key = tostring(status)
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local total_sent, total_wraps, total = 0, 0, {}
  for _, t in ipairs(threads) do
    total_sent = total_sent + (t:get("sent") or 0)
    total_wraps = total_wraps + (t:get("wraps") or 0)
    local c = t:get("counts") or {}
    for s, n in pairs(c) do
      total[s] = (total[s] or 0) + n
    end
  end
  io.write(string.format("loadbench: sent=%d wraps=%d\n", total_sent, total_wraps))
  for s, n in pairs(total) do
    io.write(string.format("loadbench: status=%s count=%d\n", s, n))
  end
end
