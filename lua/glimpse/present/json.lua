--- glimpse.present.json — results as JSON documents.
--
-- Results are plain tables; this turns them into JSON with lists as arrays
-- even when empty (`"labels": []`), keys sorted, userdata (images, models)
-- and functions left out, and numbers rounded to `digits` significant
-- decimals (6 by default) so output is stable across runs and machines.
-- @module glimpse.present.json
local json = require "glimpse.llm.json"
local compat = require "glimpse.llm.compat"
local math_type, tointeger = compat.math_type, compat.tointeger

local M = {}

-- Fields that are lists wherever they appear in a result.
M.LIST_FIELDS = {
  labels = true, entities = true, findings = true, segments = true, skipped = true,
  keypoints = true, objects = true, text = true, attributes = true, results = true,
  present = true, boxes = true, lines = true,
}

local function round(v, digits)
  if math_type(v) ~= "float" then return v end
  if v ~= v or v == math.huge or v == -math.huge then return nil end
  local m = 10 ^ digits
  local r = math.floor(v * m + 0.5) / m
  if r == math.floor(r) and math.abs(r) < 2 ^ 53 then return tointeger(r) or r end
  return r
end

local function plain(v, key, digits, seen)
  local t = type(v)
  if t == "number" then return round(v, digits) end
  if t == "string" or t == "boolean" then return v end
  if v == json.null then return v end
  if t ~= "table" or seen[v] then return nil end
  seen[v] = true
  local out
  local n, count, ints = #v, 0, true
  for k in pairs(v) do
    count = count + 1
    if math_type(k) ~= "integer" then ints = false end
  end
  local is_list = ints and count == n and (n > 0 or json.is_array(v) or M.LIST_FIELDS[key])
  if is_list then
    out = json.array()
    for i = 1, n do out[i] = plain(v[i], nil, digits, seen) end
  else
    out = {}
    for k, x in pairs(v) do
      if type(k) == "string" or math_type(k) == "integer" then
        local p = plain(x, type(k) == "string" and k or key, digits, seen)
        if p ~= nil then out[type(k) == "string" and k or tostring(k)] = p end
      end
    end
  end
  seen[v] = nil
  return out
end

--- A JSON-ready copy of a result (lists marked, images and functions dropped).
-- @param v a result table (from glimpse.describe, glimpse.classify, ...)
-- @tparam[opt] table opts `digits` (decimals kept, default 6)
function M.plain(v, opts)
  return plain(v, nil, opts and opts.digits or 6, {})
end

--- Encode a result (or an array of results) as JSON text.
-- @tparam[opt] table opts `indent` (e.g. "  "; default none: one line),
--   `digits` (6)
-- @treturn string
function M.encode(v, opts)
  opts = opts or {}
  return json.encode(M.plain(v, opts), { indent = opts.indent })
end

--- An array marker, for callers building documents.
M.array = json.array

return M
