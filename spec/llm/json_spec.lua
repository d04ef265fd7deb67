-- glimpse.llm.json (the encoder) and glimpse.llm.schema (the validator).
local json = require "glimpse.llm.json"
local schema = require "glimpse.llm.schema"
local cjson = require "cjson.safe"

describe("glimpse.llm.json", function()
  local cases = {
    { "empty marked array", json.array(), "[]" },
    { "empty table is an object", {}, "{}" },
    { "sequence", { 1, 2, 3 }, "[1,2,3]" },
    { "sorted keys", { b = 1, a = 2, c = { z = true, y = false } }, '{"a":2,"b":1,"c":{"y":false,"z":true}}' },
    { "floats keep a decimal point", { 2.0, 0.5, -1e-7 }, "[2.0,0.5,-1e-07]" },
    { "null", { a = json.null }, '{"a":null}' },
    { "escapes", "q\"b\\n\n\t\1", '"q\\"b\\\\n\\n\\t\\u0001"' },
    { "UTF-8 passes through", "café 猫", '"café 猫"' },
    { "invalid UTF-8 becomes U+FFFD", "a\255b", '"a\\ufffdb"' },
    { "functions and userdata are left out", { f = print, n = 1 }, '{"n":1}' },
  }
  for _, c in ipairs(cases) do
    it(c[1], function()
      local s = json.encode(c[2])
      assert.equal(c[3], s)
      assert.is_not_nil(cjson.decode(s) ~= nil or s == "null")
    end)
  end

  it("indents on request", function()
    assert.equal('{\n  "a": [\n    1\n  ]\n}', json.encode({ a = { 1 } }, { indent = "  " }))
  end)

  it("raises on what JSON cannot hold", function()
    assert.has.error(function() json.encode(0 / 0) end)
    assert.has.error(function() json.encode(math.huge) end)
    local t = {}
    t.self = t
    assert.has.error(function() json.encode(t) end, "json: cannot encode a table that contains itself")
  end)
end)

describe("glimpse.llm.schema", function()
  local s = schema.description()

  local function valid()
    return { description = "A cat.", scene = "a sofa", text = {},
      objects = { { name = "cat", count = 1, attributes = { "grey" } } } }
  end

  it("accepts a complete reply", function()
    assert.is_true(schema.validate(valid(), s))
  end)

  local broken = {
    { "a missing property", function(v) v.scene = nil end, "$: missing required property 'scene'" },
    { "an extra property", function(v) v.mood = "calm" end, "$: unexpected property 'mood'" },
    { "a wrong type", function(v) v.objects[1].count = "two" end, "$.objects[0].count: expected integer, got string" },
    { "a fractional count", function(v) v.objects[1].count = 1.5 end, "$.objects[0].count: expected integer, got number" },
    { "a count below the minimum", function(v) v.objects[1].count = 0 end, "$.objects[0].count: below the minimum 1" },
    { "a nested extra property", function(v) v.objects[1].colour = "red" end,
      "$.objects[0]: unexpected property 'colour'" },
    { "an object where an array belongs", function(v) v.text = { a = 1 } end, "$.text: expected array, got object" },
  }
  for _, b in ipairs(broken) do
    it("rejects " .. b[1], function()
      local v = valid()
      b[2](v)
      local ok, err = schema.validate(v, s)
      assert.is_nil(ok)
      assert.equal(b[3], err)
    end)
  end

  it("parses bare, fenced and embedded JSON replies", function()
    assert.same({ a = 1 }, schema.parse_reply('{"a": 1}'))
    assert.same({ a = 1 }, schema.parse_reply('```json\n{"a": 1}\n```'))
    assert.same({ a = 1 }, schema.parse_reply('Here it is: {"a": 1} Hope that helps.'))
    local v, err = schema.parse_reply("no json here")
    assert.is_nil(v)
    assert.matches("^not valid JSON", err)
  end)
end)
