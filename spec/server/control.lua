-- control.lua — start, drive and stop the strict OpenAI-compatible test
-- server (spec/server/openai_server.py) from a spec.
--
--   local server = require("server.control").start{key = "sk-test"}
--   server.base_url            -- "http://127.0.0.1:PORT/v1"
--   server:script{{kind = "rate_limit", retry_after = "2"}, {kind = "ok"}}
--   server:log()               -- requests seen: { {status=, body=, images=...}, ... }
--   server:stop()
--
-- The server listens on 127.0.0.1 only and exits by itself after its idle
-- timeout, so a spec that dies before stop() leaves nothing behind for long.
local cjson = require "cjson.safe"
local http = require "glimpse.http"

local M = {}
local Server = {}
Server.__index = Server

local function python()
  local env = os.getenv("GLIMPSE_PYTHON")
  if env and env ~= "" then return env end
  local f = io.open("/usr/bin/python3", "r")
  if f then f:close() return "/usr/bin/python3" end
  return "python3"
end

local function script_path()
  local src = debug.getinfo(1, "S").source:gsub("^@", "")
  local dir = src:match("^(.*)/[^/]*$") or "."
  return dir .. "/openai_server.py"
end

--- Start a server. opts: key (expected bearer key; nil = no auth check),
-- lifetime (s, default 120), idle (s, default 30), tls (true: HTTPS with the
-- self-signed certificate in spec/http/fixtures; `server.ca_file` names it).
function M.start(opts)
  opts = opts or {}
  local tls = ""
  local ca_file
  if opts.tls then
    local dir = script_path():gsub("/server/openai_server%.py$", "/http/fixtures")
    ca_file = dir .. "/localhost-cert.pem"
    tls = string.format(" --tls-cert %q --tls-key %q", ca_file, dir .. "/localhost-key.pem")
  end
  -- Under `make asan-test` LD_PRELOAD carries the sanitizer runtime; the
  -- Python server is not ours to leak-check.
  local cmd = string.format("env -u LD_PRELOAD %s %q --port 0 --lifetime %d --idle %d%s%s", python(), script_path(),
    opts.lifetime or 120, opts.idle or 30,
    opts.key and string.format(" --key %q", opts.key) or "", tls)
  local p = assert(io.popen(cmd, "r"))
  local line = p:read("l")
  local port = line and tonumber(line:match("^PORT (%d+)$"))
  if not port then
    p:close()
    error("test server did not start: " .. tostring(line))
  end
  local self = setmetatable({ proc = p, port = port, ca_file = ca_file }, Server)
  self.root = (ca_file and "https" or "http") .. "://127.0.0.1:" .. port
  self.base_url = self.root .. "/v1"
  return self
end

function Server:control(method, path, body)
  local res, err = http.request{
    method = method, url = self.root .. path, timeout = 10, ca_file = self.ca_file,
    headers = body and { ["Content-Type"] = "application/json" } or nil,
    body = body and assert(cjson.encode(body)) or nil,
  }
  assert(res, err)
  assert(res.status == 200, "control " .. path .. " answered " .. tostring(res.status))
  return assert(cjson.decode(res.body))
end

--- Queue answers for the next chat requests (each an object with `kind`).
function Server:script(steps)
  self:control("POST", "/control/script", { responses = setmetatable(steps, cjson.array_mt) })
end

function Server:reset() self:control("POST", "/control/reset", {}) end

--- Requests seen since the last reset.
function Server:log() return self:control("GET", "/control/log").requests end

function Server:stop()
  if not self.proc then return end
  pcall(self.control, self, "POST", "/control/shutdown", {})
  self.proc:close()
  self.proc = nil
end

return M
