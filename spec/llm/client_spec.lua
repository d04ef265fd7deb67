-- glimpse.llm.client against the strict local server (spec/server): request
-- shapes, structured output, retries and backoff, error types, timeouts,
-- profiles, token estimates, and that the API key never leaks.
local llm = require "glimpse.llm"
local json = require "glimpse.llm.json"
local http = require "glimpse.http"
local control = require "server.control"

local KEY = "sk-test-7f3a9c2e1d5b4a68"

-- Every string reachable from v (tables walked), for leak searches.
local function strings_of(v, out, seen)
  out, seen = out or {}, seen or {}
  if type(v) == "string" then out[#out + 1] = v
  elseif type(v) == "table" and not seen[v] then
    seen[v] = true
    for k, x in pairs(v) do strings_of(k, out, seen) strings_of(x, out, seen) end
    local mt = getmetatable(v)
    if type(mt) == "table" and mt.__tostring then out[#out + 1] = tostring(v) end
  end
  return out
end

local function assert_no_key(...)
  for _, s in ipairs(strings_of({ ... })) do
    assert.is_nil(s:find(KEY, 1, true), "the API key leaked into: " .. s)
  end
end

local function can_encode()
  local image = require "glimpse.image"
  local ok, img = pcall(image.new, 8, 8, 3)
  return ok and img.encode ~= nil
end

local CAT = glimpse_spec.image_path("cat_720p.jpg") -- 1280x720 JPEG

describe("glimpse.llm.client", function()
  local server, sleeps, logs

  local function client(opts)
    sleeps, logs = {}, {}
    local o = {
      base_url = server.base_url, api_key = KEY, timeout = 10,
      sleep = function(s) sleeps[#sleeps + 1] = s end,
      random = function() return 0 end,
      log = function(line) logs[#logs + 1] = line end,
    }
    for k, v in pairs(opts or {}) do o[k] = v end
    return llm.client(o)
  end

  setup(function() server = control.start{ key = KEY } end)
  teardown(function() server:stop() end)
  before_each(function() server:reset() end)

  describe("construction", function()
    it("has documented defaults and keeps the key unreadable", function()
      local c = llm.client{ api_key = KEY, base_url = "https://api.openai.com/v1/" }
      assert.equal("https://api.openai.com/v1", c.base_url)
      assert.equal("gpt-4o-mini", c.model)
      assert.equal("openai", c.profile.name)
      assert.is_true(c.has_key)
      assert_no_key(c, tostring(c))
    end)

    it("reads OPENAI_API_KEY and OPENAI_BASE_URL", function()
      local cmd = "OPENAI_API_KEY=sk-env OPENAI_BASE_URL=http://127.0.0.1:1/v1 " ..
        "LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='" .. glimpse_spec.build .. "/?.so;;' " ..
        "lua5.4 -e 'local c = require(\"glimpse.llm\").client(); " ..
        "io.write(c.base_url, \" \", tostring(c.has_key))'"
      local p = io.popen(cmd)
      local out = p:read("a")
      p:close()
      assert.equal("http://127.0.0.1:1/v1 true", out)
    end)

    it("uses a profile's default base URL", function()
      assert.equal("http://localhost:11434/v1", llm.client{ profile = "ollama", api_key = false }.base_url)
      assert.equal("http://localhost:1234/v1", llm.client{ profile = "lmstudio", api_key = false }.base_url)
    end)

    it("raises on bad options", function()
      assert.has.error(function() llm.client{ timeout = "soon" } end,
        "bad argument #1 to 'client' (option 'timeout' must be a non-negative number)")
      assert.has.error(function() llm.client{ profile = "skynet" } end)
      assert.has.error(function() llm.client{ transport = 1 } end,
        "bad argument #1 to 'client' (option 'transport' must be a function)")
    end)
  end)

  describe("chat", function()
    it("sends a valid request and returns text, model and usage", function()
      local c = client()
      local r, err = c:chat({ { role = "system", content = "Be brief." },
        { role = "user", content = "Hello" } }, { temperature = 0.2, max_tokens = 50 })
      assert.is_nil(err)
      assert.equal("The test server saw no image.", r.text)
      assert.equal("gpt-4o-mini", r.model)
      assert.equal("stop", r.finish_reason)
      assert.is_true(r.usage.total_tokens > 0)
      assert.equal(r.usage.prompt_tokens + r.usage.completion_tokens, r.usage.total_tokens)
      assert.equal(1, r.attempts)
      local log = server:log()
      assert.equal(1, #log)
      assert.equal(200, log[1].status)
      assert.is_true(log[1].authorization)
      assert.equal("gpt-4o-mini", log[1].body.model)
      assert.equal("system", log[1].body.messages[1].role)
      assert.equal(50, log[1].body.max_tokens)
    end)

    it("takes a string as one user message", function()
      local r = assert(client():chat("Hi"))
      assert.equal("The test server saw no image.", r.text)
      assert.equal("user", server:log()[1].body.messages[1].role)
    end)

    it("surfaces the server's rejection of an unknown field, unretried", function()
      local r, err, code, e = client():chat("Hi", { extra = { frobnicate = true } })
      assert.is_nil(r)
      assert.equal("llm: request rejected (400): Unrecognized request argument supplied: frobnicate", err)
      assert.equal("EHTTP", code)
      assert.equal("bad_request", e.type)
      assert.equal(400, e.status)
      assert.equal(1, #server:log())
    end)

    it("raises on malformed messages", function()
      local c = client()
      assert.has.error(function() c:chat({}) end)
      assert.has.error(function() c:chat({ { content = "no role" } }) end)
      assert.has.error(function() c:chat("x", { tempreture = 1 }) end,
        "bad argument #2 to 'chat' (unknown option 'tempreture')")
    end)
  end)

  describe("errors", function()
    local cases = {
      { kind = "quota", type = "quota", code = "EHTTP", status = 429,
        msg = "llm: quota exceeded (429): You exceeded your current quota, please check your plan and billing details." },
      { kind = "auth", type = "auth", code = "EHTTP", status = 401,
        msg = "llm: authentication failed (401): Incorrect API key provided." },
      { kind = "refusal", type = "refusal", code = "EINVAL",
        msg = "llm: the model refused: I'm sorry, but I can't help with that request." },
      { kind = "empty", type = "empty", code = "EFORMAT", msg = "llm: the model returned an empty reply" },
      { kind = "null_content", type = "empty", code = "EFORMAT", msg = "llm: the model returned an empty reply" },
      { kind = "malformed", type = "bad_response", code = "EFORMAT",
        pattern = "^llm: malformed reply %(status 200, not JSON: " },
      { kind = "error200", type = "server", code = "EHTTP", msg = "llm: server error (200): Model is not loaded" },
      { kind = "bad_request", type = "bad_request", code = "EHTTP", status = 400,
        msg = "llm: request rejected (400): Invalid request." },
    }
    for _, case in ipairs(cases) do
      it(case.kind .. " -> " .. case.type .. ", not retried", function()
        server:script{ { kind = case.kind }, { kind = "ok" } }
        local r, err, code, e = client():chat("Hi")
        assert.is_nil(r)
        if case.msg then assert.equal(case.msg, err) else assert.matches(case.pattern, err) end
        assert.equal(case.code, code)
        assert.equal(case.type, e.type)
        assert.equal(err, tostring(e))
        if case.status then assert.equal(case.status, e.status) end
        assert.equal(1, e.attempts)
        assert.equal(1, #server:log())
        assert.same({}, sleeps)
      end)
    end

    it("a wrong key gives auth, and the echoed key is scrubbed", function()
      local c = client{ api_key = KEY .. "-wrong" }
      local r, err, code, e = c:chat("Hi")
      assert.is_nil(r)
      assert.equal("auth", e.type)
      assert.equal("invalid_api_key", e.api_code)
      assert.matches("Incorrect API key provided: [redacted].", err, 1, true)
      assert.is_nil(err:find("-wrong", 1, true))
      assert.equal("EHTTP", code)
    end)

    it("a missing key for the hosted API fails before any request", function()
      local sent = false
      local c = llm.client{ api_key = false, base_url = "https://api.openai.com/v1",
        transport = function() sent = true end }
      local r, err, code, e = c:chat("Hi")
      assert.is_nil(r)
      assert.equal("llm: no API key (set OPENAI_API_KEY or pass api_key)", err)
      assert.equal("EHTTP", code)
      assert.equal("auth", e.type)
      assert.is_false(sent)
    end)

    it("a missing key is an auth error", function()
      local r, err, _, e = client{ api_key = false }:chat("Hi")
      assert.is_nil(r)
      assert.equal("auth", e.type)
      assert.matches("didn't provide an API key", err, 1, true)
    end)
  end)

  describe("retries", function()
    it("honours Retry-After in seconds, then succeeds", function()
      server:script{ { kind = "rate_limit", retry_after = "2" }, { kind = "ok" } }
      local r = assert(client():chat("Hi"))
      assert.equal(2, r.attempts)
      assert.same({ 2 }, sleeps)
      assert.equal(2, #server:log())
      assert.equal(1, #logs)
      assert.matches("attempt 1 failed %(rate_limit%), retrying in 2%.00 s", logs[1])
    end)

    it("honours retry-after-ms", function()
      server:script{ { kind = "rate_limit", retry_after_ms = "250" }, { kind = "ok" } }
      assert(client():chat("Hi"))
      assert.same({ 0.25 }, sleeps)
    end)

    it("honours Retry-After as an HTTP date", function()
      -- 2026-01-02 03:04:05 UTC is 1767323045
      server:script{ { kind = "rate_limit", retry_after = "Fri, 02 Jan 2026 03:04:05 GMT" }, { kind = "ok" } }
      assert(client{ now = function() return 1767323045 - 7 end }:chat("Hi"))
      assert.same({ 7 }, sleeps)
    end)

    it("caps a long Retry-After", function()
      server:script{ { kind = "rate_limit", retry_after = "3600" }, { kind = "ok" } }
      assert(client{ max_retry_after = 5 }:chat("Hi"))
      assert.same({ 5 }, sleeps)
    end)

    it("backs off exponentially with jitter on 5xx", function()
      server:script{ { kind = "server_error" }, { kind = "overloaded" }, { kind = "ok" } }
      local r = assert(client{ backoff_base = 0.5, random = function() return 1 end }:chat("Hi"))
      assert.equal(3, r.attempts)
      -- base * 2^(n-1), less up to 25% jitter (random() = 1: the full 25%)
      assert.same({ 0.375, 0.75 }, sleeps)
    end)

    it("caps the backoff", function()
      server:script{ { kind = "server_error" }, { kind = "server_error" }, { kind = "server_error" }, { kind = "ok" } }
      assert(client{ backoff_base = 1, backoff_max = 1.5, max_retries = 3 }:chat("Hi"))
      assert.same({ 1, 1.5, 1.5 }, sleeps)
    end)

    it("gives up after max_retries with the last error", function()
      server:script{ { kind = "rate_limit" }, { kind = "rate_limit" }, { kind = "rate_limit" }, { kind = "ok" } }
      local r, err, code, e = client{ max_retries = 2 }:chat("Hi")
      assert.is_nil(r)
      assert.equal("rate_limit", e.type)
      assert.equal(3, e.attempts)
      assert.equal(3, #server:log())
      assert.equal(2, #sleeps)
      assert.equal("EHTTP", code)
      assert.matches("^llm: rate limited %(429%): Rate limit reached for requests on model gpt%-4o%-mini%.", err)
      assert.matches("(after 3 attempts)", err, 1, true)
    end)

    it("does not retry insufficient_quota although it is a 429", function()
      server:script{ { kind = "quota" }, { kind = "ok" } }
      local r, _, _, e = client():chat("Hi")
      assert.is_nil(r)
      assert.equal("quota", e.type)
      assert.equal(1, #server:log())
    end)

    it("retries a timeout, and reports ETIMEOUT when every attempt times out", function()
      server:script{ { kind = "slow", delay = 2 }, { kind = "ok" } }
      local r = assert(client{ timeout = 0.4 }:chat("Hi"))
      assert.equal(2, r.attempts)
      server:reset()
      server:script{ { kind = "slow", delay = 2 }, { kind = "slow", delay = 2 } }
      local r2, err, code, e = client{ timeout = 0.4, max_retries = 1 }:chat("Hi")
      assert.is_nil(r2)
      assert.equal("ETIMEOUT", code)
      assert.equal("timeout", e.type)
      assert.equal("llm: http: timed out after 0.4 s (after 2 attempts)", err)
    end)

    it("retries a dropped connection", function()
      server:script{ { kind = "drop" }, { kind = "ok" } }
      local r = assert(client():chat("Hi"))
      assert.equal(2, r.attempts)
    end)

    it("does not retry an unresolvable host", function()
      local c = client{ base_url = "http://no-such-host.invalid/v1" }
      local r, err, code, e = c:chat("Hi")
      assert.is_nil(r)
      assert.equal("llm: http: could not resolve host no-such-host.invalid", err)
      assert.equal("ENET", code)
      assert.equal("network", e.type)
      assert.same({}, sleeps)
    end)
  end)

  describe("transport", function()
    it("is injectable and sees the whole request", function()
      local seen
      local c = client{ transport = function(req)
        seen = req
        return http.request(req)
      end }
      assert(c:chat("Hi"))
      assert.equal("POST", seen.method)
      assert.equal(server.base_url .. "/chat/completions", seen.url)
      assert.equal("Bearer " .. KEY, seen.headers.Authorization)
      assert.equal("application/json", seen.headers["Content-Type"])
      assert.equal(10, seen.timeout)
    end)

    it("passes a transport's failure through as a network error", function()
      local c = client{ max_retries = 0, transport = function() return nil, "cosocket: closed", "ENET" end }
      local r, err, code, e = c:chat("Hi")
      assert.is_nil(r)
      assert.equal("llm: cosocket: closed", err)
      assert.equal("ENET", code)
      assert.equal("network", e.type)
    end)

    it("azure profile: api-key header and api-version query", function()
      local seen
      local c = llm.client{ profile = "azure", api_key = KEY,
        base_url = "https://example.openai.azure.com/openai/deployments/gpt4o",
        query = { ["api-version"] = "2024-10-21" },
        transport = function(req)
          seen = req
          return { status = 200, headers = {}, body = json.encode{
            model = "gpt-4o", choices = { { message = { role = "assistant", content = "ok" } } } } }
        end }
      local r = assert(c:chat("Hi"))
      assert.equal("ok", r.text)
      assert.equal("https://example.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21",
        seen.url)
      assert.equal(KEY, seen.headers["api-key"])
      assert.is_nil(seen.headers.Authorization)
    end)
  end)

  describe("estimate", function()
    local c
    before_each(function() c = llm.client{ api_key = false, base_url = "http://127.0.0.1:9/v1" } end)

    it("matches OpenAI's documented examples", function()
      assert.equal(765, (c:estimate({ width = 1024, height = 1024 }, { detail = "high" })))
      assert.equal(1105, (c:estimate({ width = 2048, height = 4096 }, { detail = "high", max_side = 4096 })))
      assert.equal(85, (c:estimate({ width = 4000, height = 3000 }, { detail = "low" })))
    end)

    it("counts tiles after the client's own downscale", function()
      -- 2048x4096 sent at max_side 1024 -> 512x1024 -> 1x2 tiles
      local n, info = c:estimate({ width = 2048, height = 4096 }, { detail = "high" })
      assert.equal(2 * 170 + 85, n)
      assert.same({ detail = "high", width = 512, height = 1024, tiles = 2 }, info)
      -- small images are not scaled up: 300x200 is one tile
      assert.equal(255, (c:estimate({ width = 300, height = 200 }, { detail = "high" })))
      -- auto counts as high (an upper bound)
      assert.equal(765, (c:estimate({ width = 1024, height = 1024 }, { detail = "auto" })))
    end)

    it("reads a file's size from its header", function()
      local n, info = c:estimate(CAT, { detail = "high" })
      assert.equal(1024, info.width)
      assert.equal(576, info.height)
      -- 1024x576: shortest side <= 768, 2x2 tiles
      assert.equal(4 * 170 + 85, n)
    end)

    it("returns nil, msg, code for a missing file", function()
      local n, err, code = c:estimate("/nonexistent/x.jpg")
      assert.is_nil(n)
      assert.matches("cannot open image", err, 1, true)
      assert.equal("EIO", code)
    end)
  end)

  describe("describe", function()
    it("sends a JPEG data URL with detail, and returns the description", function()
      local r = assert(client():describe(CAT, { detail = "low", max_side = 2048 }))
      local log = server:log()
      assert.equal(1, #log)
      local im = log[1].images[1]
      assert.equal("image/jpeg", im.mime)
      assert.equal("low", im.detail)
      assert.equal(r.image.width, im.width)
      assert.equal(r.image.height, im.height)
      assert.equal(string.format("The test server saw a %dx%d jpeg image (detail low).", im.width, im.height),
        r.text)
      assert.equal(85, r.image_tokens)
      local part = log[1].body.messages[1].content[2]
      assert.equal("image_url", part.type)
      assert.matches("^data:image/jpeg;base64,", part.image_url.url)
    end)

    it("downscales a glimpse.Image to max_side before sending", function()
      if not can_encode() then
        pending("img:encode is not available yet")
        return
      end
      local image = require "glimpse.image"
      local img = image.new(1600, 900, 3, { 40, 120, 200 })
      local r = assert(client():describe(img, { detail = "high" }))
      local im = server:log()[1].images[1]
      assert.equal(1024, im.width)
      assert.equal(576, im.height)
      assert.same({ 1024, 576 }, { r.image.width, r.image.height })
      assert.equal(r.image_tokens, (client():estimate(img, { detail = "high" })))
    end)

    it("structured: sends a strict json_schema and returns validated data", function()
      local r = assert(client():describe(CAT, { structured = true, max_side = 2048 }))
      local rf = server:log()[1].body.response_format
      assert.equal("json_schema", rf.type)
      assert.equal("image_description", rf.json_schema.name)
      assert.is_true(rf.json_schema.strict)
      assert.equal("object", rf.json_schema.schema.type)
      assert.is_table(r.data)
      assert.is_string(r.data.scene)
      assert.is_table(r.data.objects)
      assert.equal(r.data.description, r.text)
      assert.is_true(llm.schema.validate(r.data, llm.schema.description()))
    end)

    it("structured: a reply that ignores the schema is an error that says so", function()
      server:script{ { kind = "ignore_schema" } }
      local r, err, code, e = client():describe(CAT, { structured = true, max_side = 2048 })
      assert.is_nil(r)
      assert.equal("bad_response", e.type)
      assert.equal("EFORMAT", code)
      assert.matches("the server may have ignored response_format", err, 1, true)
      server:script{ { kind = "bad_schema_reply" } }
      r, err = client():describe(CAT, { structured = true, max_side = 2048 })
      assert.is_nil(r)
      assert.matches("^llm: the reply does not match the schema: %$: missing required property", err)
    end)

    it("structured with the ollama profile: json_object, no detail, still validated", function()
      local r = client{ profile = "ollama" }:describe(CAT, { structured = true, max_side = 2048 })
      local body = server:log()[1].body
      assert.equal("json_object", body.response_format.type)
      assert.is_nil(body.messages[1].content[2].image_url.detail)
      -- the server's json_object answer lacks the schema's fields: caught
      assert.is_nil(r)
    end)

    it("structured_mode = 'prompt': no response_format, a fenced JSON reply is parsed and validated", function()
      local reply = { description = "A cat on a sofa.", scene = "living room", text = {},
        objects = { { name = "cat", count = 1, attributes = { "tabby" } } } }
      server:script{ { kind = "ok", content = "```json\n" .. json.encode(reply) .. "\n```" } }
      local r = assert(client():describe(CAT, { structured = true, structured_mode = "prompt", max_side = 2048 }))
      local body = server:log()[1].body
      assert.is_nil(body.response_format)
      assert.matches("JSON schema", body.messages[1].content[1].text, 1, true)
      assert.equal("A cat on a sofa.", r.text)
      assert.equal("living room", r.data.scene)
      assert.equal(1, r.data.objects[1].count)
    end)

    it("sends detail 'auto' by default", function()
      assert(client():describe(CAT, { max_side = 2048 }))
      assert.equal("auto", server:log()[1].images[1].detail)
    end)

    it("lmstudio profile: a 200 carrying an error is an error", function()
      server:script{ { kind = "error200", error = "No models loaded. Please load a model." } }
      local r, err, _, e = client{ profile = "lmstudio" }:describe(CAT, { max_side = 2048 })
      assert.is_nil(r)
      assert.equal("server", e.type)
      assert.equal("llm: server error (200): No models loaded. Please load a model.", err)
    end)

    it("image_part builds a content part for chat", function()
      local c = client()
      local part, info = assert(c:image_part(CAT, { detail = "high" }))
      assert.equal("image_url", part.type)
      assert.equal("high", part.image_url.detail)
      assert.matches("^data:image/jpeg;base64,", part.image_url.url)
      assert.same({ 1024, 576 }, { info.width, info.height })
      assert.equal((c:estimate(CAT, { detail = "high" })), info.tokens)
      local r = assert(c:chat{ { role = "user", content = { { type = "text", text = "What?" }, part } } })
      assert.equal("The test server saw a 1024x576 jpeg image (detail high).", r.text)
    end)

    it("raises on a bad image argument or option", function()
      local c = client()
      assert.has.error(function() c:describe(42) end)
      assert.has.error(function() c:describe(CAT, { detail = "ultra" }) end,
        "bad argument #2 to 'describe' (detail must be 'low', 'high' or 'auto')")
    end)
  end)

  it("never lets the key into results, errors or logs", function()
    local c = client()
    local c_logs = logs
    local kinds = { "ok", "rate_limit", "quota", "server_error", "auth", "malformed", "empty",
      "refusal", "error200", "drop", "truncated", "ignore_schema" }
    local collected = {}
    for _, kind in ipairs(kinds) do
      server:script{ { kind = kind }, { kind = kind }, { kind = kind } }
      collected[#collected + 1] = { c:chat("Hi") }
      collected[#collected + 1] = { c:describe(CAT, { structured = true, max_side = 2048 }) }
      -- a model that repeats the key back must not hand it to the caller
      server:script{ { kind = "ok", content = "your key is " .. KEY } }
      collected[#collected + 1] = { c:chat("Hi") }
    end
    collected[#collected + 1] = { client{ api_key = KEY .. "x" }:chat("Hi") }
    assert.equal("your key is [redacted]", collected[3][1].text)
    assert_no_key(collected, c_logs, logs, c)
    assert.is_true(#c_logs > 0)
  end)
end)
