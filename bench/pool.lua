-- wrk script of `python -m bench`: replays the pre-signed requests of a pool file (calls.py, `write_pool`), one
-- a line: method, target, then "Name: value" headers, tab-separated. A pool of one request is a fixed request;
-- ICE's pool has one request per expected response (each signature nonce is accepted once), and `wraps` counts
-- the times it ran out and started over (then ICE answers replayed nonces with an error: the pool was too small).
-- done() prints one JSON line the harness reads.

local threads = {}
local pool = {}
local size = 0
local next_index = 0
wraps = 0

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   local file = assert(io.open(args[1], "r"))
   for line in file:lines() do
      local fields = {}
      for part in string.gmatch(line, "[^\t]+") do
         fields[#fields + 1] = part
      end
      local headers = {}
      for i = 3, #fields do
         local name, value = string.match(fields[i], "^([^:]+): (.*)$")
         headers[name] = value
      end
      local body = nil
      if fields[1] == "POST" then
         body = ""
      end
      size = size + 1
      pool[size] = wrk.format(fields[1], fields[2], headers, body)
   end
   file:close()
end

function request()
   next_index = next_index + 1
   if next_index > size then
      next_index = 1
      wraps = wraps + 1
   end
   return pool[next_index]
end

function done(summary, latency, requests)
   local wrapped = 0
   for _, thread in ipairs(threads) do
      wrapped = wrapped + (thread:get("wraps") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, "status": %d, '
         .. '"timeout": %d, "p50_us": %d, "p99_us": %d, "wraps": %d}\n',
      summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(99), wrapped
   ))
end
