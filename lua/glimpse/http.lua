--- glimpse.http — HTTP requests over libcurl (the C core's net/http.c).
--
-- One request per call, blocking, with no state kept between calls. TLS peers
-- are verified against the system CA store; redirects are not followed unless
-- asked; the response body is capped (64 MiB by default). Request headers are
-- never logged and never appear in error messages.
--
-- This function is also the contract of an LLM client's `transport`: anything
-- with the same signature (an OpenResty cosocket wrapper, a recorder in a
-- test) can stand in for it.
-- @module glimpse.http
local core = require "glimpse.core"

local type, error = type, error

local M = { _VERSION = core._VERSION }

local methods = {
  GET = true, POST = true, PUT = true, PATCH = true, DELETE = true, HEAD = true, OPTIONS = true,
}

--- Perform one HTTP request.
-- @tparam table req
--   `url` (string, http or https), `method` ("GET"), `headers` ({name = value}),
--   `body` (string), `timeout` (seconds for the whole request, default 60; 0 = none),
--   `connect_timeout` (seconds, default 10), `max_response` (bytes, default 64 MiB),
--   `follow_redirects` (false), `max_redirects` (5), `ca_file` (PEM bundle path).
-- @return `{status = 200, headers = {["content-type"] = ...}, body = "...", time = seconds}`;
--   header names are lower-case, repeated headers are joined with ", ".
--   An HTTP error status (404, 500) is a response, not a failure.
-- @return[2] nil, message, code: "http: could not resolve host api.example.com" (ENET),
--   "http: connection refused (127.0.0.1:9)" (ENET), "http: TLS error with ..." (ENET),
--   "http: timed out after 2.0 s" (ETIMEOUT), "http: response larger than N bytes" (ELIMIT).
-- @raise when `req` is not a table, the method is unknown, or a header holds a line break.
-- @usage local res, err, code = glimpse.http.request{url = "http://127.0.0.1:8080/health", timeout = 2}
function M.request(req)
  if type(req) ~= "table" then
    error("bad argument #1 to 'request' (table expected, got " .. type(req) .. ")", 2)
  end
  if type(req.url) ~= "string" then
    error("bad argument #1 to 'request' (field 'url' must be a string)", 2)
  end
  local method = req.method or "GET"
  if type(method) ~= "string" or not methods[method:upper()] then
    error("bad argument #1 to 'request' (unknown method '" .. tostring(method) .. "')", 2)
  end
  if req.headers ~= nil and type(req.headers) ~= "table" then
    error("bad argument #1 to 'request' (field 'headers' must be a table)", 2)
  end
  if req.body ~= nil and type(req.body) ~= "string" then
    error("bad argument #1 to 'request' (field 'body' must be a string)", 2)
  end
  local opts = {}
  for k, v in pairs(req) do opts[k] = v end
  opts.method = method:upper()
  return core.http.request(opts)
end

--- Block the calling thread for `seconds` (the LLM client's default sleep
-- between retries).
M.sleep = core.http.sleep

--- Seconds from a monotonic clock: differences time stages.
M.clock = core.http.clock

--- Standard base64 (RFC 4648, padded).
M.base64_encode = core.http.base64_encode

--- Strict base64 decoding: the bytes, or nil, "base64: ...", "EFORMAT".
M.base64_decode = core.http.base64_decode

return M
