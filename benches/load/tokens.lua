-- wrk script: every request carries the next Bearer token of a pre-minted list, so each
-- token is seen once (a verifier cache miss) until the list runs out.
--
-- Environment:
--   LOADBENCH_TOKENS   file with one token per line (required)
--   LOADBENCH_PATH     request path (default /api/x)
--   LOADBENCH_AFTER    what to do when the list is exhausted: "wrap" (start again: the
--                      tokens are then cache hits) or "stop" (send LOADBENCH_FALLBACK_PATH
--                      without credentials, a cheap public request, until wrk's -d ends)
--   LOADBENCH_FALLBACK_PATH  default /public/x
--
-- done() prints "loadbench: sent=N wraps=W" so the harness knows how many distinct
-- tokens went out.

local path = os.getenv("LOADBENCH_PATH") or "/api/x"
local file = os.getenv("LOADBENCH_TOKENS")
local after = os.getenv("LOADBENCH_AFTER") or "wrap"
local reqs = {}
local n = 0
local fallback = nil

-- Globals so that done() can read them through thread:get().
sent = 0
wraps = 0
local i = 0

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(file) do
    if #line > 0 then
      n = n + 1
      reqs[n] = wrk.format("GET", path, { ["Authorization"] = "Bearer " .. line })
    end
  end
  fallback = wrk.format("GET", os.getenv("LOADBENCH_FALLBACK_PATH") or "/public/x")
end

function request()
  i = i + 1
  if i > n then
    if after == "stop" then
      return fallback
    end
    i = 1
    wraps = wraps + 1
  end
  sent = sent + 1
  return reqs[i]
end

function done(summary, latency, requests)
  local total_sent, total_wraps = 0, 0
  for _, t in ipairs(threads) do
    total_sent = total_sent + (t:get("sent") or 0)
    total_wraps = total_wraps + (t:get("wraps") or 0)
  end
  io.write(string.format("loadbench: sent=%d wraps=%d\n", total_sent, total_wraps))
end
