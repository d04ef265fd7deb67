--- glimpse.llm.client — an OpenAI-compatible Chat Completions client with
-- image input, structured output, retries and a pluggable transport.
--
--     local llm = require "glimpse.llm"
--     local c = llm.client{model = "gpt-4o-mini"}          -- key from OPENAI_API_KEY
--     local r, err, code, e = c:describe(img, {detail = "low", structured = true})
--     if r then print(r.text, r.data.scene, r.usage.total_tokens)
--     else print(err, e.type) end                          -- "llm: rate limited (429): ...", "rate_limit"
--
-- Failures return `nil, message, code, err` where `code` is a glimpse error
-- code (ENET, ETIMEOUT, EHTTP, EFORMAT, EINVAL, EUNSUPPORTED) and `err` a table:
-- `{type=, message=, code=, status=, api_type=, api_code=, param=,
-- retry_after=, attempts=}`; `type` is one of network, timeout, rate_limit,
-- quota, auth, not_found, bad_request, server, bad_response, empty, refusal,
-- image. `tostring(err)` is the message.
--
-- The API key is kept out of the client table (it cannot be read back), is
-- sent only in the Authorization (or api-key) header, and is scrubbed from
-- every message, log line and returned text.
-- @module glimpse.llm.client
local http = require "glimpse.http"
local json = require "glimpse.llm.json"
local profiles = require "glimpse.llm.profiles"
local schema = require "glimpse.llm.schema"
local tokens = require "glimpse.llm.tokens"
local compat = require "glimpse.llm.compat"

local type, pairs, ipairs, tostring, tonumber, error, setmetatable, math_floor, math_min, math_max =
  type, pairs, ipairs, tostring, tonumber, error, setmetatable, math.floor, math.min, math.max

local M = {}

local Client = {}
Client.__index = Client
Client.__name = "glimpse.llm.Client"

-- The key lives here, keyed weakly by client, so no table a caller can reach
-- (or print, or encode) holds it.
local secrets = setmetatable({}, { __mode = "k" })

local DEFAULTS = {
  model = "gpt-4o-mini",
  timeout = 60,
  connect_timeout = 10,
  max_retries = 2,
  backoff_base = 0.5,
  backoff_max = 8,
  max_retry_after = 60,
}

---------------------------------------------------------------------------
-- helpers

local function argerr(fname, n, msg)
  error("bad argument #" .. n .. " to '" .. fname .. "' (" .. msg .. ")", 3)
end

local function check_field(fname, n, t, key, kind, pred)
  local v = t[key]
  if v == nil then return end
  local ok = (type(kind) == "table" and kind[type(v)]) or type(v) == kind
  if not ok or (pred and not pred(v)) then
    argerr(fname, n, "option '" .. key .. "' must be " ..
      (type(kind) == "table" and "a string or false" or (kind == "number" and "a non-negative number" or "a " .. kind)))
  end
end

local function nonneg(v) return v >= 0 end

-- Replace every occurrence of the key (plain text, no patterns).
local function scrub_with(key, s)
  if type(s) ~= "string" or not key or key == "" then return s end
  local out, i = {}, 1
  while true do
    local a, b = s:find(key, i, true)
    if not a then break end
    out[#out + 1] = s:sub(i, a - 1)
    out[#out + 1] = "[redacted]"
    i = b + 1
  end
  if i == 1 then return s end
  out[#out + 1] = s:sub(i)
  return table.concat(out)
end

local function scrub_table(key, v, depth)
  if type(v) == "string" then return scrub_with(key, v) end
  if type(v) ~= "table" or depth > 20 then return v end
  for k, x in pairs(v) do v[k] = scrub_table(key, x, depth + 1) end
  return v
end

local CODE_OF_TYPE = {
  network = "ENET", timeout = "ETIMEOUT",
  rate_limit = "EHTTP", quota = "EHTTP", auth = "EHTTP", not_found = "EHTTP",
  bad_request = "EHTTP", server = "EHTTP", http = "EHTTP",
  bad_response = "EFORMAT", empty = "EFORMAT", refusal = "EINVAL", image = "EUNSUPPORTED",
}

local Error = {}
Error.__index = Error
Error.__name = "glimpse.llm.Error"
Error.__tostring = function(e) return e.message end

local function new_error(t)
  t.code = t.code or CODE_OF_TYPE[t.type] or "EHTTP"
  return setmetatable(t, Error)
end

local function fail(e)
  return nil, e.message, e.code, e
end

-- Days since 1970-01-01 of a proleptic Gregorian date (no os.time: that
-- one reads the table as local time).
local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = math_floor(y / 400)
  local yoe = y - era * 400
  local doy = math_floor((153 * (m + (m > 2 and -3 or 9)) + 2) / 5) + d - 1
  local doe = yoe * 365 + math_floor(yoe / 4) - math_floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local MONTHS = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6, Jul = 7, Aug = 8,
  Sep = 9, Oct = 10, Nov = 11, Dec = 12 }

--- Seconds to wait from a response's `retry-after-ms` or `Retry-After`
-- (delta seconds or an HTTP date), or nil.
function M.parse_retry_after(headers, now)
  if type(headers) ~= "table" then return nil end
  local ms = tonumber(headers["retry-after-ms"])
  if ms and ms >= 0 then return ms / 1000 end
  local ra = headers["retry-after"]
  if type(ra) ~= "string" then return nil end
  local n = tonumber(ra)
  if n then return n >= 0 and n or nil end
  local d, mon, y, H, Mi, S = ra:match("^%a+,%s+(%d+)%s+(%a+)%s+(%d+)%s+(%d+):(%d+):(%d+)%s+GMT$")
  if not d or not MONTHS[mon] then return nil end
  local t = days_from_civil(tonumber(y), MONTHS[mon], tonumber(d)) * 86400 +
    tonumber(H) * 3600 + tonumber(Mi) * 60 + tonumber(S)
  return math_max(0, t - (now or os.time)())
end

---------------------------------------------------------------------------
-- construction

--- Make a client.
-- @tparam[opt] table opts
--   `base_url` (default: `OPENAI_BASE_URL`, else the profile's, else
--   https://api.openai.com/v1), `api_key` (default `OPENAI_API_KEY`; false
--   for none), `model` ("gpt-4o-mini"), `profile` ("openai", "azure",
--   "ollama", "llamacpp", "vllm", "lmstudio"), `timeout` (s per attempt, 60),
--   `connect_timeout` (10), `max_retries` (2), `backoff_base` (0.5 s),
--   `backoff_max` (8 s), `max_retry_after` (cap on a server's Retry-After,
--   60 s), `headers` (extra request headers), `query` (extra URL query
--   parameters, e.g. Azure's api-version), `transport` (a function with
--   glimpse.http.request's contract), `sleep` (function(seconds), used
--   between retries), `random` (function() -> [0, 1), for jitter), `now`
--   (function() -> epoch seconds, for Retry-After dates), `log`
--   (function(line): one line per retry; never carries the key).
-- @return a client
-- @raise on a bad option or an unknown profile
-- @usage local c = glimpse.llm.client{base_url = "http://localhost:11434/v1", profile = "ollama", model = "llava"}
function M.new(opts)
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then argerr("client", 1, "options table expected, got " .. type(opts)) end
  local F = "client"
  check_field(F, 1, opts, "base_url", "string")
  check_field(F, 1, opts, "api_key", { string = true, boolean = true })
  check_field(F, 1, opts, "model", "string")
  check_field(F, 1, opts, "profile", "string")
  for _, k in ipairs{ "timeout", "connect_timeout", "max_retries", "backoff_base", "backoff_max",
                      "max_retry_after" } do
    check_field(F, 1, opts, k, "number", nonneg)
  end
  for _, k in ipairs{ "transport", "sleep", "random", "now", "log" } do
    check_field(F, 1, opts, k, "function")
  end
  check_field(F, 1, opts, "headers", "table")
  check_field(F, 1, opts, "query", "table")
  if opts.max_retries and compat.math_type(opts.max_retries) ~= "integer" then
    argerr(F, 1, "option 'max_retries' must be an integer")
  end
  local profile = profiles.get(opts.profile)

  local base_url = opts.base_url
  if not base_url then
    local env = os.getenv("OPENAI_BASE_URL")
    if profile.name == "openai" and env and env ~= "" then base_url = env
    else base_url = profile.base_url or (env ~= "" and env) or nil end
  end
  if not base_url then argerr(F, 1, "option 'base_url' is required for profile '" .. profile.name .. "'") end
  base_url = base_url:gsub("/+$", "")

  local key = opts.api_key
  if key == nil then
    key = os.getenv("OPENAI_API_KEY")
    if key == "" then key = nil end
  end
  if key == false or key == true then key = nil end

  local self = setmetatable({
    base_url = base_url,
    model = opts.model or DEFAULTS.model,
    profile = profile,
    timeout = opts.timeout or DEFAULTS.timeout,
    connect_timeout = opts.connect_timeout or DEFAULTS.connect_timeout,
    max_retries = opts.max_retries or DEFAULTS.max_retries,
    backoff_base = opts.backoff_base or DEFAULTS.backoff_base,
    backoff_max = opts.backoff_max or DEFAULTS.backoff_max,
    max_retry_after = opts.max_retry_after or DEFAULTS.max_retry_after,
    extra_headers = opts.headers,
    query = opts.query,
    transport = opts.transport or http.request,
    sleep = opts.sleep or http.sleep,
    random = opts.random or math.random,
    now = opts.now or os.time,
    log = opts.log,
    has_key = key ~= nil,
  }, Client)
  secrets[self] = key
  return self
end

function Client:__tostring()
  return "glimpse.llm.Client (" .. self.model .. " at " .. self.base_url .. ")"
end

--- Remove the client's API key from a string (or, in place, from every
-- string in a table).
function Client:scrub(v)
  return scrub_table(secrets[self], v, 0)
end

local function url_encode(s)
  return (tostring(s):gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

function Client:_url(path)
  local url = self.base_url .. path
  if self.query then
    local keys = {}
    for k in pairs(self.query) do keys[#keys + 1] = k end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts + 1] = url_encode(k) .. "=" .. url_encode(self.query[k]) end
    if #parts > 0 then url = url .. (url:find("?", 1, true) and "&" or "?") .. table.concat(parts, "&") end
  end
  return url
end

function Client:_headers()
  local h = { ["Content-Type"] = "application/json", Accept = "application/json" }
  if self.extra_headers then
    for k, v in pairs(self.extra_headers) do h[k] = v end
  end
  local key = secrets[self]
  if key then
    if self.profile.auth == "api-key" then h["api-key"] = key
    else h.Authorization = "Bearer " .. key end
  end
  return h
end

function Client:_log(line)
  if self.log then self.log(self:scrub(line)) end
end

---------------------------------------------------------------------------
-- one call with retries

local STATUS_TEXT = {
  rate_limit = "rate limited", quota = "quota exceeded", auth = "authentication failed",
  not_found = "not found", bad_request = "request rejected", server = "server error",
  timeout = "request timed out", http = "HTTP error",
}

-- The API's own error object from a decoded body (OpenAI: {error = {...}};
-- some servers: {error = "text"} or {message = ...}).
local function api_error_of(decoded)
  if type(decoded) ~= "table" then return nil end
  local e = decoded.error
  if e == nil or e == json.null then return nil end
  if type(e) == "string" then return { message = e } end
  if type(e) == "table" then
    local function s(v) return type(v) == "string" and v or (type(v) == "number" and tostring(v)) or nil end
    return { message = s(e.message) or s(e.detail) or "unspecified error", type = s(e.type),
      code = s(e.code), param = s(e.param) }
  end
  return { message = tostring(e) }
end

local function classify(status, api)
  local t, c = api and api.type, api and api.code
  if t == "insufficient_quota" or c == "insufficient_quota" then return "quota", false end
  if status == 429 then return "rate_limit", true end
  if status == 401 or status == 403 or c == "invalid_api_key" then return "auth", false end
  if status == 404 then return "not_found", false end
  if status == 408 then return "timeout", true end
  if status == 409 then return "server", true end
  if status >= 500 then return "server", true end
  if status >= 400 then return "bad_request", false end
  if status == 200 then return "server", false end -- an error in a 200 (LM Studio)
  return "http", false
end

local function snippet(body)
  if type(body) ~= "string" or body == "" then return "empty body" end
  local s = body:sub(1, 200):gsub("%s+", " ")
  return s .. (#body > 200 and "..." or "")
end

-- POST `body_table` to `path`; the decoded reply, or the failure tuple.
function Client:_post(path, body_table, opts)
  if not secrets[self] and self.profile.needs_key and
     (self.base_url == self.profile.base_url or not self.profile.base_url) then
    -- the hosted API would answer 401: say what is missing without a round trip
    return fail(new_error{ type = "auth", attempts = 0,
      message = "llm: no API key (set OPENAI_API_KEY or pass api_key)" })
  end
  local body = json.encode(body_table)
  local url = self:_url(path)
  local max_retries = opts.max_retries or self.max_retries
  local attempt = 0
  while true do
    attempt = attempt + 1
    local res, terr, tcode = self.transport{
      method = "POST", url = url, headers = self:_headers(), body = body,
      timeout = opts.timeout or self.timeout, connect_timeout = self.connect_timeout,
    }
    local e, retryable
    if not res then
      local msg = self:scrub(tostring(terr or "transport failed"))
      if tcode == "ETIMEOUT" then
        e = new_error{ type = "timeout", code = "ETIMEOUT", message = "llm: " .. msg }
        retryable = true
      else
        local keep = { ENOMEM = true, EINVAL = true, ELIMIT = true }
        e = new_error{ type = "network", code = keep[tcode] and tcode or "ENET", message = "llm: " .. msg }
        -- a name that does not resolve, a TLS failure or a bad URL will not
        -- fix itself in a second
        retryable = tcode ~= "EINVAL" and tcode ~= "ELIMIT" and not msg:find("could not resolve", 1, true) and
          not msg:find("TLS", 1, true)
      end
    else
      local status = tonumber(res.status) or 0
      local decoded = type(res.body) == "string" and json.decode(res.body) or nil
      local api = api_error_of(decoded)
      if status >= 200 and status < 300 and not api then
        if type(decoded) ~= "table" then
          return fail(new_error{ type = "bad_response", status = status, attempts = attempt,
            message = "llm: malformed reply (status " .. status .. ", not JSON: " ..
              self:scrub(snippet(res.body)) .. ")" })
        end
        return decoded, attempt
      end
      local etype
      etype, retryable = classify(status, api)
      local detail = api and api.message or snippet(res.body)
      e = new_error{
        type = etype, status = status,
        api_type = api and self:scrub(api.type), api_code = api and self:scrub(api.code),
        param = api and self:scrub(api.param),
        retry_after = M.parse_retry_after(res.headers, self.now),
        message = self:scrub("llm: " .. STATUS_TEXT[etype] .. " (" .. status .. "): " .. detail),
      }
      -- OpenAI's x-should-retry header overrides the status rule
      local should = res.headers and res.headers["x-should-retry"]
      if should == "false" then retryable = false elseif should == "true" and etype ~= "quota" then retryable = true end
    end
    e.attempts = attempt
    if not retryable or attempt > max_retries then
      if attempt > 1 then e.message = e.message .. " (after " .. attempt .. " attempts)" end
      return fail(e)
    end
    local delay
    if e.retry_after then
      delay = math_min(e.retry_after, self.max_retry_after)
    else
      delay = math_min(self.backoff_max, self.backoff_base * 2 ^ (attempt - 1))
      delay = delay * (1 - 0.25 * self.random())
    end
    self:_log(string.format("llm: attempt %d failed (%s), retrying in %.2f s: %s", attempt, e.type,
      delay, e.message))
    self.sleep(delay)
  end
end

---------------------------------------------------------------------------
-- chat

local CHAT_OPTS = { model = true, temperature = true, max_tokens = true, response_format = true,
  schema = true, timeout = true, max_retries = true, seed = true, extra = true, top_p = true,
  stop = true }

local function text_of(content)
  if type(content) == "string" then return content end
  if type(content) == "table" then -- an array of parts, as some servers answer
    local parts = {}
    for _, p in ipairs(content) do
      if type(p) == "table" and type(p.text) == "string" then parts[#parts + 1] = p.text end
    end
    return table.concat(parts)
  end
  return nil
end

--- Send a Chat Completions request.
-- @param messages an array of `{role=, content=}` (content a string or an
--   array of parts `{type="text", text=}` / `{type="image_url",
--   image_url={url=, detail=}}`), or a string (one user message)
-- @tparam[opt] table opts `model`, `temperature`, `max_tokens`, `top_p`,
--   `seed`, `stop`, `response_format`, `schema` (validate the reply as JSON
--   against this schema and return it as `data`), `timeout`, `max_retries`,
--   `extra` (more request fields, passed as they are)
-- @treturn table `{text=, data=, model=, usage={prompt_tokens=,
--   completion_tokens=, total_tokens=}, finish_reason=, id=, attempts=}`
-- @return or nil, message, code, err (see the module's header)
-- @raise on malformed messages or options
function Client:chat(messages, opts)
  if type(messages) == "string" then messages = { { role = "user", content = messages } } end
  if type(messages) ~= "table" or #messages == 0 then
    argerr("chat", 1, "non-empty array of messages expected")
  end
  for i, m in ipairs(messages) do
    if type(m) ~= "table" or type(m.role) ~= "string" or
       (type(m.content) ~= "string" and type(m.content) ~= "table") then
      argerr("chat", 1, "message " .. i .. " needs a string 'role' and a string or table 'content'")
    end
  end
  opts = opts or {}
  if type(opts) ~= "table" then argerr("chat", 2, "options table expected") end
  for k in pairs(opts) do
    if not CHAT_OPTS[k] then argerr("chat", 2, "unknown option '" .. tostring(k) .. "'") end
  end

  local body = {
    model = opts.model or self.model,
    messages = json.array(messages),
    temperature = opts.temperature,
    max_tokens = opts.max_tokens,
    top_p = opts.top_p,
    seed = opts.seed,
    stop = opts.stop,
    response_format = opts.response_format,
  }
  if opts.extra then for k, v in pairs(opts.extra) do body[k] = v end end

  local decoded, attempts_or_msg, code, e = self:_post("/chat/completions", body, opts)
  if not decoded then return nil, attempts_or_msg, code, e end
  local attempts = attempts_or_msg

  local choice = type(decoded.choices) == "table" and decoded.choices[1]
  local message = type(choice) == "table" and choice.message
  if type(message) ~= "table" then
    return fail(new_error{ type = "bad_response", status = 200, attempts = attempts,
      message = "llm: malformed reply (no choices[1].message)" })
  end
  local usage = type(decoded.usage) == "table" and decoded.usage or {}
  local function int(v) return type(v) == "number" and math_floor(v) or nil end
  local result = {
    model = type(decoded.model) == "string" and decoded.model or body.model,
    id = type(decoded.id) == "string" and decoded.id or nil,
    finish_reason = type(choice.finish_reason) == "string" and choice.finish_reason or nil,
    usage = {
      prompt_tokens = int(usage.prompt_tokens),
      completion_tokens = int(usage.completion_tokens),
      total_tokens = int(usage.total_tokens),
    },
    attempts = attempts,
  }
  if type(message.refusal) == "string" and message.refusal ~= "" then
    return fail(new_error{ type = "refusal", status = 200, attempts = attempts,
      refusal = self:scrub(message.refusal),
      message = self:scrub("llm: the model refused: " .. message.refusal) })
  end
  local text = text_of(message.content)
  if not text or text:match("^%s*$") then
    local why = result.finish_reason == "length" and " (cut off by max_tokens)" or
      (result.finish_reason == "content_filter" and " (content filter)" or "")
    return fail(new_error{ type = "empty", status = 200, attempts = attempts,
      message = "llm: the model returned an empty reply" .. why })
  end
  result.text = self:scrub(text)
  if opts.schema then
    local data, perr = schema.parse_reply(result.text)
    local ok, verr = false, perr
    if data ~= nil then ok, verr = schema.validate(data, opts.schema) end
    if not ok then
      local rf = body.response_format
      local hint = (rf and rf.type == "json_schema") and "; the server may have ignored response_format"
        or ""
      return fail(new_error{ type = "bad_response", status = 200, attempts = attempts,
        message = "llm: the reply does not match the schema: " .. tostring(verr) .. hint })
    end
    result.data = data
  end
  return result
end

---------------------------------------------------------------------------
-- images

-- Width and height from a PNG, JPEG or BMP header; nil if none.
local function header_size(b)
  if #b >= 24 and b:sub(1, 8) == "\137PNG\r\n\26\n" then
    return compat.be(b, 17, 4), compat.be(b, 21, 4)
  end
  if #b >= 26 and b:sub(1, 2) == "BM" then
    return compat.le_i32(b, 19), math.abs(compat.le_i32(b, 23))
  end
  if #b >= 4 and b:sub(1, 3) == "\255\216\255" then
    local i = 3
    while i + 8 <= #b do
      if b:byte(i) ~= 0xFF then return nil end
      local m = b:byte(i + 1)
      if m == 0xFF then i = i + 1
      elseif m == 0xD8 or m == 0x01 or (m >= 0xD0 and m <= 0xD7) then i = i + 2
      else
        local len = compat.be(b, i + 2, 2)
        if (m >= 0xC0 and m <= 0xCF) and m ~= 0xC4 and m ~= 0xC8 and m ~= 0xCC then
          return compat.be(b, i + 7, 2), compat.be(b, i + 5, 2)
        end
        i = i + 2 + len
      end
    end
  end
  return nil
end
M.header_size = header_size

local function is_image(v)
  if type(v) ~= "userdata" then return false end
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__name == "glimpse.Image"
end

local function read_file(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, "llm: cannot open image: " .. tostring(err), "EIO" end
  local s = f:read("a")
  f:close()
  return s
end

local function image_api()
  local ok, image = pcall(require, "glimpse.image")
  return ok and image or nil
end

local DETAILS = { low = true, high = true, auto = true }

-- The image as it will be sent: {bytes=, mime=, width=, height=}.
-- Accepts a glimpse.Image (downscaled to max_side and encoded as JPEG) or a
-- file path (decoded and re-encoded when the codecs are present; else the
-- file is sent as it is if it is a JPEG or PNG within max_side).
local function prepare_image(img, max_side, quality)
  local image = image_api()
  if type(img) == "string" then
    if image and image.load then
      local loaded, err, code = image.load(img, { max_side = max_side })
      if not loaded then
        return nil, "llm: " .. tostring(err):gsub("^llm: ", ""), code or "EIO"
      end
      img = loaded
    else
      local bytes, err, code = read_file(img)
      if not bytes then return nil, err, code end
      local w, h = header_size(bytes)
      local mime = bytes:sub(1, 3) == "\255\216\255" and "image/jpeg" or
        (bytes:sub(1, 4) == "\137PNG" and "image/png") or nil
      if not (w and mime) then
        return nil, "llm: cannot send this image without the image codecs (JPEG or PNG needed)",
          "EUNSUPPORTED"
      end
      if math_max(w, h) > max_side then
        return nil, "llm: cannot downscale this image without the image codecs", "EUNSUPPORTED"
      end
      return { bytes = bytes, mime = mime, width = w, height = h }
    end
  end
  local w, h = img.width, img.height
  local nw, nh = tokens.fit(w, h, max_side)
  local work = img
  if nw ~= w or nh ~= h then
    if not img.resize then return nil, "llm: image resizing is not available", "EUNSUPPORTED" end
    local r, err, code = img:resize(nw, nh, { filter = "area" })
    if not r then return nil, "llm: " .. tostring(err), code end
    work = r
  end
  if not work.encode then return nil, "llm: JPEG encoding is not available", "EUNSUPPORTED" end
  local bytes, err, code = work:encode("jpeg", { quality = quality })
  if work ~= img and work.free then work:free() end
  if not bytes then return nil, "llm: " .. tostring(err), code end
  return { bytes = bytes, mime = "image/jpeg", width = nw, height = nh }
end

-- Dimensions of what `img` would be sent as, without encoding anything.
local function image_dims(img, max_side)
  if is_image(img) then return tokens.fit(img.width, img.height, max_side) end
  if type(img) == "table" and compat.math_type(img.width) == "integer" and
     compat.math_type(img.height) == "integer" then
    return tokens.fit(img.width, img.height, max_side)
  end
  if type(img) == "string" then
    local f = io.open(img, "rb")
    if not f then return nil, "llm: cannot open image: " .. img, "EIO" end
    local head = f:read(65536) or ""
    f:close()
    local w, h = header_size(head)
    if not w then
      local image = image_api()
      if image and image.load then
        local loaded, err, code = image.load(img)
        if not loaded then return nil, "llm: " .. tostring(err), code end
        w, h = loaded.width, loaded.height
        if loaded.free then loaded:free() end
      else
        return nil, "llm: cannot read the size of " .. img, "EFORMAT"
      end
    end
    return tokens.fit(w, h, max_side)
  end
  return nil
end

local function check_image_arg(fname, img)
  if not (is_image(img) or type(img) == "string" or
          (type(img) == "table" and fname == "estimate" and img.width and img.height)) then
    argerr(fname, 1, "glimpse.Image or file path expected, got " .. type(img))
  end
end

--- Image tokens a describe request will cost, before sending anything
-- (OpenAI's tiling rule; see glimpse.llm.tokens).
-- @param img a glimpse.Image, a file path, or `{width=, height=}`
-- @tparam[opt] table opts `detail` ("auto": counted as high), `max_side` (1024)
-- @treturn integer image tokens
-- @treturn table `{detail=, width=, height=, tiles=}` (the size after max_side)
-- @return or nil, message, code for an unreadable file
-- @usage local n = client:estimate({width = 1024, height = 1024}, {detail = "high"}) --> 765
function Client:estimate(img, opts)
  check_image_arg("estimate", img)
  opts = opts or {}
  local detail = opts.detail or "auto"
  if not DETAILS[detail] then argerr("estimate", 2, "detail must be 'low', 'high' or 'auto'") end
  local w, h, code = image_dims(img, opts.max_side or 1024)
  if not w then return nil, h, code end
  local n, info = tokens.image(w, h, detail)
  info.detail = detail
  info.width, info.height = w, h
  return n, info
end

--- The content part for an image, ready to put in a chat message.
-- The image is downscaled to `max_side` and encoded as a JPEG data URL.
-- @param img a glimpse.Image or a file path
-- @tparam[opt] table opts `detail` ("auto"), `max_side` (1024), `quality` (85)
-- @treturn table `{type = "image_url", image_url = {url = "data:image/jpeg;base64,...", detail = ...}}`
-- @treturn table `{width=, height=, bytes=, mime=, detail=, tokens=}` (what is sent, its estimated cost)
-- @return or nil, message, code, err
-- @usage
--   local part = assert(client:image_part("photo.jpg", {detail = "low"}))
--   client:chat{{role = "user", content = {{type = "text", text = "What breed?"}, part}}}
function Client:image_part(img, opts)
  check_image_arg("image_part", img)
  opts = opts or {}
  local detail = opts.detail or "auto"
  if not DETAILS[detail] then argerr("image_part", 2, "detail must be 'low', 'high' or 'auto'") end
  local max_side = opts.max_side or 1024
  if type(max_side) ~= "number" or max_side < 16 then argerr("image_part", 2, "max_side must be >= 16") end
  local sent, err, code = prepare_image(img, max_side, opts.quality or 85)
  if not sent then
    return fail(new_error{ type = "image", code = code or "EUNSUPPORTED", message = err })
  end
  local part = { type = "image_url", image_url = {
    url = "data:" .. sent.mime .. ";base64," .. http.base64_encode(sent.bytes) } }
  if self.profile.detail then part.image_url.detail = detail end
  local info = { width = sent.width, height = sent.height, bytes = #sent.bytes, mime = sent.mime,
    detail = detail, tokens = (tokens.image(sent.width, sent.height, detail)) }
  return part, info
end

local PROMPT = "Describe this image in two or three plain sentences: the main subject, what it " ..
  "is doing, the setting, and any legible text. Say only what you can see; if unsure, say so."

local STRUCTURED_PROMPT = "Describe this image. Answer with one JSON object only, no prose, " ..
  "matching this JSON schema:\n%s\n`description`: one or two plain sentences. `scene`: the " ..
  "setting. `objects`: each distinct kind of thing visible, with how many there are and its " ..
  "attributes. `text`: legible text, verbatim. Say only what you can see."

local DESCRIBE_OPTS = { detail = true, max_side = true, quality = true, prompt = true, system = true,
  structured = true, structured_mode = true, model = true, temperature = true, max_tokens = true,
  timeout = true, max_retries = true, seed = true }

--- Describe an image with the vision model.
-- The image is downscaled to `max_side` (aspect kept) and sent as a JPEG
-- base64 data URL.
-- @param img a glimpse.Image or a file path
-- @tparam[opt] table opts `detail` ("low", "high", "auto"; default "auto"),
--   `max_side` (1024), `quality` (JPEG, 85), `prompt`, `system`,
--   `structured` (true: ask for JSON matching glimpse.llm.schema.description()
--   and return it validated as `data`), `structured_mode` ("json_schema",
--   "json_object", "prompt"; default from the profile), `model`,
--   `temperature`, `max_tokens` (default 600), `timeout`, `max_retries`, `seed`
-- @treturn table `{text=, data=, model=, usage=, image={width=, height=,
--   bytes=, detail=}, image_tokens=, attempts=}`
-- @return or nil, message, code, err
-- @raise on a bad argument
function Client:describe(img, opts)
  check_image_arg("describe", img)
  opts = opts or {}
  if type(opts) ~= "table" then argerr("describe", 2, "options table expected") end
  for k in pairs(opts) do
    if not DESCRIBE_OPTS[k] then argerr("describe", 2, "unknown option '" .. tostring(k) .. "'") end
  end
  local detail = opts.detail or "auto"
  if not DETAILS[detail] then argerr("describe", 2, "detail must be 'low', 'high' or 'auto'") end
  local max_side = opts.max_side or 1024
  if type(max_side) ~= "number" or max_side < 16 then argerr("describe", 2, "max_side must be >= 16") end
  local mode = opts.structured_mode or self.profile.structured
  if opts.structured and mode ~= "json_schema" and mode ~= "json_object" and mode ~= "prompt" then
    argerr("describe", 2, "structured_mode must be 'json_schema', 'json_object' or 'prompt'")
  end

  local image_part, sent, code, e0 = self:image_part(img, { detail = detail, max_side = max_side,
    quality = opts.quality })
  if not image_part then return nil, sent, code, e0 end

  local desc_schema = opts.structured and schema.description() or nil
  local prompt = opts.prompt or (opts.structured and
    STRUCTURED_PROMPT:format(json.encode(desc_schema)) or PROMPT)
  local messages = {}
  if opts.system then messages[#messages + 1] = { role = "system", content = opts.system } end
  messages[#messages + 1] = { role = "user", content = json.array{
    { type = "text", text = prompt }, image_part } }

  local response_format
  if opts.structured then
    if mode == "json_schema" then
      response_format = { type = "json_schema",
        json_schema = { name = "image_description", strict = true, schema = desc_schema } }
    elseif mode == "json_object" then
      response_format = { type = "json_object" }
    end
  end
  local r, msg, c, e = self:chat(messages, {
    model = opts.model, temperature = opts.temperature, max_tokens = opts.max_tokens or 600,
    timeout = opts.timeout, max_retries = opts.max_retries, seed = opts.seed,
    response_format = response_format, schema = desc_schema,
  })
  if not r then return nil, msg, c, e end
  if r.data then r.text = r.data.description end
  r.image = { width = sent.width, height = sent.height, bytes = sent.bytes, detail = detail,
    mime = sent.mime }
  r.image_tokens = sent.tokens
  return r
end

M.Client = Client
M.Error = Error
return M
