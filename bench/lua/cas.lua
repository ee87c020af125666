-- wrk script for Socle's CAS benchmark (bench/socle_bench/wrkrun.py drives it).
--
-- One connection per wrk thread; each thread runs one scenario as a small state machine and
-- counts its own operations (an operation may take several requests: a login is GET form + POST),
-- successes (checked on the answer: 302 with a ticket, authenticationSuccess, samlp:Success),
-- failures and latencies, with a monotonic wall clock through LuaJIT's FFI. done() prints one
-- JSON line that the driver reads. Configuration comes from BENCH_* environment variables.
--
-- Scenarios: login, hop, validate, p3, saml, mix; "mint" is a hop run that writes the tickets it
-- receives to BENCH_DIR/tickets-<thread>.txt for a later validation run (one ticket, one request:
-- a thread stops when its tickets run out).

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local env = os.getenv
local scenario = env("BENCH_SCENARIO") or "hop"
local dir = env("BENCH_DIR") or "."
local service = env("BENCH_SERVICE") or "https://app.example.org/bench/"
local path_login = env("BENCH_PATH_LOGIN") or "/cas/login"
local path_validate = env("BENCH_PATH_VALIDATE") or "/cas/serviceValidate"
local path_p3 = env("BENCH_PATH_P3") or "/cas/p3/serviceValidate"
local path_saml = env("BENCH_PATH_SAML") or "/cas/samlValidate"
local csrf_cookie = env("BENCH_CSRF_COOKIE") or "csrftoken"
local csrf_value = env("BENCH_CSRF_VALUE") or "benchbenchbenchbenchbenchbench12"
local username = env("BENCH_USERNAME") or "bench.user"
local password = env("BENCH_PASSWORD") or "bench"
local limit = tonumber(env("BENCH_LIMIT") or "0")
local hops_per_user = tonumber(env("BENCH_MIX_HOPS") or "3")

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function html_unescape(s)
  return (s:gsub("&amp;", "&"):gsub("&quot;", '"'):gsub("&#x27;", "'"):gsub("&#39;", "'")
    :gsub("&lt;", "<"):gsub("&gt;", ">"))
end

local service_q = urlencode(service)
local login_url = path_login .. "?service=" .. service_q

-- setup phase (separate Lua state): number the threads ---------------------------------------
local threads = {}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

-- running phase (one Lua state per thread) ------------------------------------------------------
local tickets, ticket_i = {}, 0
local sessions, session_i = {}, 0
local mint_file = nil
ops, ok, failed, requests_sent = 0, 0, 0, 0
t_first, t_last = 0, 0
first_failure = ""
lat = {}

local state = "start"
local op_started = 0
local page_cookie = ""
local form_fields = ""
local pending = {}  -- tickets obtained during a mix user, to validate
local hops_done = 0
local exhausted = false

local function read_lines(path)
  local lines = {}
  local f = io.open(path, "r")
  if f then
    for line in f:lines() do
      if #line > 0 then lines[#lines + 1] = line end
    end
    f:close()
  end
  return lines
end

function init(args)
  tickets = read_lines(dir .. "/tickets-" .. id .. ".txt")
  sessions = read_lines(dir .. "/sessions.txt")
  session_i = id
  if scenario == "mint" then
    mint_file = io.open(dir .. "/tickets-" .. id .. ".txt", "w")
  end
end

local function next_session()
  session_i = session_i + 1
  return sessions[(session_i % #sessions) + 1]
end

local function next_ticket()
  ticket_i = ticket_i + 1
  return tickets[ticket_i]
end

local function finish_op(success, why)
  local t = now()
  ops = ops + 1
  if success then
    ok = ok + 1
  else
    failed = failed + 1
    if first_failure == "" then first_failure = why or "?" end
  end
  lat[#lat + 1] = (t - op_started) * 1000
  t_last = t
  if limit > 0 and ops >= limit then wrk.thread:stop() end
end

local function saml_body(ticket)
  return '<?xml version="1.0" encoding="UTF-8"?>'
    .. '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
    .. '<SOAP-ENV:Header/><SOAP-ENV:Body>'
    .. '<samlp:Request xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" MajorVersion="1"'
    .. ' MinorVersion="1" RequestID="_bench' .. id .. "_" .. ops .. '"'
    .. ' IssueInstant="2026-09-07T08:00:00Z">'
    .. "<samlp:AssertionArtifact>" .. ticket .. "</samlp:AssertionArtifact>"
    .. "</samlp:Request></SOAP-ENV:Body></SOAP-ENV:Envelope>"
end

local function validation_request(kind, ticket)
  if kind == "saml" then
    return wrk.format("POST", path_saml .. "?TARGET=" .. service_q,
      { ["Content-Type"] = "text/xml; charset=utf-8" }, saml_body(ticket))
  end
  local path = (kind == "p3") and path_p3 or path_validate
  return wrk.format("GET", path .. "?service=" .. service_q .. "&ticket=" .. urlencode(ticket))
end

local function validation_ok(kind, status, body)
  if status ~= 200 or body == nil then return false end
  if kind == "saml" then return body:find("samlp:Success", 1, true) ~= nil end
  if not body:find("authenticationSuccess", 1, true) then return false end
  if kind == "p3" then return body:find("cas:attributes", 1, true) ~= nil end
  return true
end

local function ticket_from(headers)
  local location = headers["Location"] or headers["location"]
  if not location then return nil end
  return location:match("[?&]ticket=([^&]+)")
end

local function first_cookie(headers)
  local cookie = headers["Set-Cookie"] or headers["set-cookie"]
  if not cookie then return "" end
  return cookie:match("^([^;]+)") or ""
end

local function hop_request()
  local cookie = next_session()
  return wrk.format("GET", login_url, { ["Cookie"] = cookie })
end

local function login_get()
  return wrk.format("GET", login_url, { ["Cookie"] = csrf_cookie .. "=" .. csrf_value })
end

local function login_post()
  local cookie = csrf_cookie .. "=" .. csrf_value
  if page_cookie ~= "" then cookie = cookie .. "; " .. page_cookie end
  local body = form_fields .. "username=" .. urlencode(username) .. "&password=" .. urlencode(password)
  return wrk.format("POST", login_url, {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Referer"] = "http://" .. wrk.host .. ":" .. tostring(wrk.port) .. login_url,
    ["Origin"] = "http://" .. wrk.host .. ":" .. tostring(wrk.port),
  }, body)
end

local function hidden_fields(body)
  local fields = {}
  for tag in body:gmatch("<input[^>]*>") do
    if tag:find('type="hidden"', 1, true) then
      local name = tag:match('name="([^"]*)"')
      local value = tag:match('value="([^"]*)"') or ""
      if name and name ~= "username" and name ~= "password" then
        fields[#fields + 1] = urlencode(name) .. "=" .. urlencode(html_unescape(value)) .. "&"
      end
    end
  end
  return table.concat(fields)
end

function request()
  requests_sent = requests_sent + 1
  if t_first == 0 then t_first = now() end
  if scenario == "hop" or scenario == "mint" then
    op_started = now()
    return hop_request()
  elseif scenario == "validate" or scenario == "p3" or scenario == "saml" then
    local ticket = next_ticket()
    if ticket == nil then
      exhausted = true
      wrk.thread:stop()
      return wrk.format("GET", "/healthz")
    end
    op_started = now()
    return validation_request(scenario, ticket)
  else -- login, mix: state machine
    if state == "start" then
      op_started = now()
      state = "form"
      return login_get()
    elseif state == "form_done" then
      return login_post()
    elseif state == "hop" then
      return hop_request()
    elseif state == "validate" then
      return validation_request("validate", table.remove(pending, 1))
    end
  end
end

function response(status, headers, body)
  if scenario == "hop" or scenario == "mint" then
    local ticket = (status == 302) and ticket_from(headers) or nil
    if ticket and mint_file then
      mint_file:write(ticket, "\n")
      if ops % 200 == 0 then mint_file:flush() end
    end
    finish_op(ticket ~= nil, "hop " .. status)
  elseif scenario == "validate" or scenario == "p3" or scenario == "saml" then
    if exhausted then return end
    finish_op(validation_ok(scenario, status, body), scenario .. " " .. status .. " "
      .. string.sub(body or "", 1, 300))
  elseif state == "form" then
    if status ~= 200 or body == nil then
      state = "start"
      finish_op(false, "form " .. status)
      return
    end
    page_cookie = first_cookie(headers)
    if page_cookie:find("^" .. csrf_cookie .. "=") then page_cookie = "" end
    form_fields = hidden_fields(body)
    state = "form_done" -- the next request() sends the POST
  elseif state == "form_done" then
    local ticket = (status == 302) and ticket_from(headers) or nil
    if ticket == nil then
      state = "start"
      finish_op(false, "post " .. status .. " " .. string.sub(body or "", 1, 300))
      return
    end
    if scenario == "login" then
      state = "start"
      finish_op(true)
    else
      pending = {}
      hops_done = 0
      state = "hop"
    end
  elseif state == "hop" then
    local ticket = (status == 302) and ticket_from(headers) or nil
    if ticket == nil then
      state = "start"
      finish_op(false, "mix hop " .. status)
      return
    end
    pending[#pending + 1] = ticket
    state = "validate"
  elseif state == "validate" then
    if not validation_ok("validate", status, body) then
      state = "start"
      finish_op(false, "mix validate " .. status .. " " .. string.sub(body or "", 1, 300))
      return
    end
    hops_done = hops_done + 1
    if hops_done >= hops_per_user then
      state = "start"
      finish_op(true)
    else
      state = "hop"
    end
  end
end

-- done phase (separate Lua state): one JSON line for the driver --------------------------------
local function json_string(s)
  s = tostring(s or "")
  s = s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end)
  return '"' .. s .. '"'
end

function done(summary, latency, requests)
  local all_lat = {}
  local total = { ops = 0, ok = 0, failed = 0, requests = 0 }
  local t0, t1 = nil, nil
  local failure = ""
  for _, thread in ipairs(threads) do
    total.ops = total.ops + (thread:get("ops") or 0)
    total.ok = total.ok + (thread:get("ok") or 0)
    total.failed = total.failed + (thread:get("failed") or 0)
    total.requests = total.requests + (thread:get("requests_sent") or 0)
    local a, b = thread:get("t_first"), thread:get("t_last")
    if a and a > 0 and (t0 == nil or a < t0) then t0 = a end
    if b and b > 0 and (t1 == nil or b > t1) then t1 = b end
    local f = thread:get("first_failure")
    if failure == "" and f and f ~= "" then failure = f end
    local l = thread:get("lat") or {}
    for i = 1, #l do all_lat[#all_lat + 1] = l[i] end
  end
  table.sort(all_lat)
  local function pct(p)
    if #all_lat == 0 then return 0 end
    local i = math.max(1, math.ceil(#all_lat * p / 100))
    return all_lat[i]
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"ops": %d, "ok": %d, "failed": %d, "requests": %d, "elapsed": %.6f, '
      .. '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, '
      .. '"wrk_requests": %d, "wrk_duration_s": %.3f, "socket_errors": %d, "timeouts": %d, '
      .. '"status_errors": %d, "first_failure": %s}\n',
    total.ops, total.ok, total.failed, total.requests, (t1 or 0) - (t0 or 0),
    pct(50), pct(95), pct(99), pct(100),
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write, e.timeout, e.status,
    json_string(failure)))
end
