--- glimpse.llm.schema — the JSON schema of a structured image description,
-- and a validator for the subset of JSON Schema that structured outputs use.
--
-- A reply is always validated here before it is returned, whether or not the
-- server claims to enforce the schema: some OpenAI-compatible servers accept
-- `response_format` and ignore it.
-- @module glimpse.llm.schema
local cjson = require "cjson.safe"
local json = require "glimpse.llm.json"
local compat = require "glimpse.llm.compat"

local type, pairs, ipairs, tostring = type, pairs, ipairs, tostring
local math_type, utf8_len = compat.math_type, compat.utf8_len

local M = {}

local array = json.array

--- The schema of `client:describe(img, {structured = true})` replies.
-- Strict-mode compatible: every object closed, every property required.
-- @treturn table a fresh copy (callers may edit it)
function M.description()
  return {
    type = "object",
    additionalProperties = false,
    required = array{ "description", "scene", "objects", "text" },
    properties = {
      description = { type = "string", description = "One or two plain sentences describing the image." },
      scene = { type = "string", description = "The setting, e.g. 'indoor office', 'city street at night'." },
      objects = {
        type = "array",
        description = "Distinct kinds of things visible, each with how many there are.",
        items = {
          type = "object",
          additionalProperties = false,
          required = array{ "name", "count", "attributes" },
          properties = {
            name = { type = "string", description = "A common noun, singular." },
            count = { type = "integer", minimum = 1 },
            attributes = { type = "array", items = { type = "string" },
              description = "Colours, materials, states; may be empty." },
          },
        },
      },
      text = { type = "array", items = { type = "string" },
        description = "Text visible in the image, verbatim; empty if none." },
    },
  }
end

local function is_array(v)
  if type(v) ~= "table" then return false end
  if getmetatable(v) == json.array_mt then return true end
  local n = 0
  for k in pairs(v) do
    if math_type(k) ~= "integer" or k < 1 then return false end
    n = n + 1
  end
  return n == #v
end

local function is_object(v)
  if type(v) ~= "table" or getmetatable(v) == json.array_mt then return false end
  for k in pairs(v) do
    if type(k) ~= "string" then return false end
  end
  return true
end

local function type_ok(v, t)
  if t == "string" then return type(v) == "string" end
  if t == "integer" then return math_type(v) == "integer" or (math_type(v) == "float" and v == math.floor(v)) end
  if t == "number" then return type(v) == "number" end
  if t == "boolean" then return type(v) == "boolean" end
  if t == "null" then return v == cjson.null end
  if t == "array" then return is_array(v) end
  if t == "object" then return is_object(v) end
  return true
end

local function check(v, s, path)
  if type(s) ~= "table" then return true end
  if s.enum then
    local found = false
    for _, e in ipairs(s.enum) do if e == v then found = true break end end
    if not found then return nil, path .. ": not one of the allowed values" end
  end
  local t = s.type
  if t then
    local types = type(t) == "table" and t or { t }
    local ok = false
    for _, ty in ipairs(types) do if type_ok(v, ty) then ok = true t = ty break end end
    if not ok then
      return nil, path .. ": expected " .. table.concat(types, " or ") .. ", got " ..
        (v == cjson.null and "null" or (is_array(v) and type(v) == "table" and next(v) and "array")
          or type(v) == "table" and "object" or type(v))
    end
  end
  if type(v) == "number" then
    if s.minimum and v < s.minimum then return nil, path .. ": below the minimum " .. s.minimum end
    if s.maximum and v > s.maximum then return nil, path .. ": above the maximum " .. s.maximum end
  elseif type(v) == "string" then
    if s.minLength and utf8_len(v) and utf8_len(v) < s.minLength then
      return nil, path .. ": shorter than " .. s.minLength
    end
    if s.maxLength and (utf8_len(v) or #v) > s.maxLength then
      return nil, path .. ": longer than " .. s.maxLength
    end
  elseif type(v) == "table" then
    if t == "array" or (t == nil and is_array(v) and next(v)) then
      if s.minItems and #v < s.minItems then return nil, path .. ": fewer than " .. s.minItems .. " items" end
      if s.maxItems and #v > s.maxItems then return nil, path .. ": more than " .. s.maxItems .. " items" end
      if s.items then
        for i, item in ipairs(v) do
          local ok, err = check(item, s.items, path .. "[" .. (i - 1) .. "]")
          if not ok then return nil, err end
        end
      end
    else
      local props = s.properties or {}
      for _, name in ipairs(s.required or {}) do
        if v[name] == nil then return nil, path .. ": missing required property '" .. name .. "'" end
      end
      for k, item in pairs(v) do
        local ps = props[k]
        if ps then
          local ok, err = check(item, ps, path .. "." .. tostring(k))
          if not ok then return nil, err end
        elseif s.additionalProperties == false then
          return nil, path .. ": unexpected property '" .. tostring(k) .. "'"
        end
      end
    end
  end
  return true
end

--- Validate a decoded JSON value against a schema.
-- @param value the decoded value (lua-cjson's decoding: `cjson.null` for null)
-- @tparam table schema supports type (incl. lists), properties, required,
--   additionalProperties = false, items, enum, minimum, maximum, minItems,
--   maxItems, minLength, maxLength
-- @return true, or nil and "$.objects[0].count: expected integer, got string"
function M.validate(value, schema)
  return check(value, schema, "$")
end

--- Parse a model's reply as JSON: accepts a bare document or one fenced in
-- ```json ... ``` (what prompted-JSON servers often send).
-- @return the decoded value, or nil and a reason
function M.parse_reply(text)
  if type(text) ~= "string" then return nil, "not text" end
  local body = text:match("^%s*```%w*%s*\n(.-)\n?%s*```%s*$") or text
  local v, err = cjson.decode(body)
  if v == nil then
    -- a JSON object embedded in prose
    local inner = body:match("(%b{})")
    if inner then v = cjson.decode(inner) end
    if v == nil then return nil, "not valid JSON (" .. tostring(err) .. ")" end
  end
  return v
end

return M
