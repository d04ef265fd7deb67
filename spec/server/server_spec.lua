-- The strict test server rejects what the real API rejects: these cases are
-- what makes a passing client spec mean something.
local http = require "glimpse.http"
local json = require "glimpse.llm.json"
local cjson = require "cjson.safe"
local control = require "server.control"

local KEY = "sk-server-spec-1234"

-- A tiny valid PNG (1x1, RGB) and JPEG header bytes, base64-encoded.
local PNG_1x1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"

local function user_image(url, detail)
  local part = { type = "image_url", image_url = { url = url, detail = detail } }
  return { model = "m", messages = { { role = "user", content = { { type = "text", text = "What?" }, part } } } }
end

describe("the strict test server", function()
  local server
  setup(function() server = control.start{ key = KEY } end)
  teardown(function() server:stop() end)

  local function post(body, headers, path)
    local h = headers or { Authorization = "Bearer " .. KEY, ["Content-Type"] = "application/json" }
    local res = assert(http.request{ method = "POST", url = server.base_url .. (path or "/chat/completions"),
      headers = h, body = type(body) == "string" and body or json.encode(body), timeout = 10 })
    return res.status, cjson.decode(res.body)
  end

  it("accepts a well-formed image request and reports what it saw", function()
    local status, body = post(user_image("data:image/png;base64," .. PNG_1x1, "high"))
    assert.equal(200, status)
    assert.equal("The test server saw a 1x1 png image (detail high).", body.choices[1].message.content)
    -- 1x1 at high detail: one tile
    assert.equal(255, body.usage.image_tokens)
  end)

  local rejects = {
    { "no key", nil, 401, "didn't provide an API key", { ["Content-Type"] = "application/json" } },
    { "wrong path", { model = "m", messages = { { role = "user", content = "x" } } }, 404, "Invalid URL",
      nil, "/chat/complete" },
    { "not JSON", "{model: m}", 400, "could not parse the JSON body" },
    { "unknown top-level field", { model = "m", messages = { { role = "user", content = "x" } }, foo = 1 },
      400, "Unrecognized request argument supplied: foo" },
    { "no model", { messages = { { role = "user", content = "x" } } }, 400, "you must provide a model parameter" },
    { "empty messages", { model = "m", messages = json.array() }, 400, "Invalid 'messages'" },
    { "bad role", { model = "m", messages = { { role = "robot", content = "x" } } }, 400, "Invalid value: 'robot'" },
    { "bad part type", { model = "m", messages = { { role = "user", content = { { type = "audio" } } } } },
      400, "Invalid value: 'audio'" },
    { "extra key in a text part", { model = "m", messages = { { role = "user",
      content = { { type = "text", text = "x", lang = "en" } } } } }, 400, "a text part has exactly" },
    { "bad detail", user_image("data:image/png;base64," .. PNG_1x1, "medium"), 400, "Invalid value: 'medium'" },
    { "base64 that does not decode", user_image("data:image/png;base64,@@@@", "low"), 400,
      "Invalid base64 image data" },
    { "bytes that are not the declared type", user_image("data:image/jpeg;base64," .. PNG_1x1, "low"), 400,
      "unsupported image" },
    { "not a data URL", user_image("ftp://example.com/x.png", "low"), 400, "Invalid image URL" },
    { "image in a system message", { model = "m", messages = { { role = "system", content = {
      { type = "image_url", image_url = { url = "data:image/png;base64," .. PNG_1x1 } } } } } }, 400,
      "only allowed in user messages" },
    { "temperature out of range", { model = "m", temperature = 3, messages = { { role = "user", content = "x" } } },
      400, "Invalid 'temperature'" },
    { "json_schema without a name", { model = "m", messages = { { role = "user", content = "x" } },
      response_format = { type = "json_schema", json_schema = { schema = { type = "object" } } } }, 400,
      "json_schema.name" },
    { "strict schema with an open object", { model = "m", messages = { { role = "user", content = "x" } },
      response_format = { type = "json_schema", json_schema = { name = "x", strict = true,
        schema = { type = "object", properties = { a = { type = "string" } }, required = { "a" } } } } },
      400, "'additionalProperties' is required to be supplied and to be false" },
    { "strict schema missing a required key", { model = "m", messages = { { role = "user", content = "x" } },
      response_format = { type = "json_schema", json_schema = { name = "x", strict = true,
        schema = { type = "object", additionalProperties = false,
          properties = { a = { type = "string" }, b = { type = "string" } }, required = { "a" } } } } },
      400, "Missing 'b'" },
    { "json_object without the word json", { model = "m", messages = { { role = "user", content = "x" } },
      response_format = { type = "json_object" } }, 400, "must contain the word 'json'" },
  }
  for _, case in ipairs(rejects) do
    local name, body, status, message, headers, path = case[1], case[2], case[3], case[4], case[5], case[6]
    it("rejects " .. name .. " with " .. status, function()
      local got, reply = post(body, headers, path)
      assert.equal(status, got)
      assert.is_table(reply.error)
      assert.matches(message, reply.error.message, 1, true)
      -- the API's error shape: message, type, param, code all present
      assert.is_string(reply.error.type)
      for _, k in ipairs{ "message", "type", "param", "code" } do
        assert.is_true(reply.error[k] ~= nil, "error." .. k .. " missing")
      end
    end)
  end

  it("the default answer satisfies a strict schema it was sent", function()
    local schema = require("glimpse.llm.schema").description()
    local status, body = post{ model = "m", messages = { { role = "user", content = "Describe." } },
      response_format = { type = "json_schema", json_schema = { name = "d", strict = true, schema = schema } } }
    assert.equal(200, status)
    local data = assert(cjson.decode(body.choices[1].message.content))
    assert.is_true(require("glimpse.llm.schema").validate(data, schema))
  end)

  it("exits by itself when left idle", function()
    local idle = control.start{ idle = 1 }
    http.sleep(2.5)
    local res, err, code = http.request{ url = idle.root .. "/control/log", timeout = 5 }
    assert.is_nil(res)
    assert.equal("http: connection refused (127.0.0.1:" .. idle.port .. ")", err)
    assert.equal("ENET", code)
    idle.proc:close()
    idle.proc = nil
  end)
end)
