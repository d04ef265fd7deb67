--- glimpse.present.text — results as readable text for a terminal.
--
--     grace_hopper.bmp (512x600)
--       A photo that most likely shows a military uniform (92%). ...
--       labels:    military uniform 92%, suit 1.4%, mortarboard 1.0%
--       entities:  military uniform (OBJECT), person (OBJECT)
--       sentiment: neutral (0.00)
--       backend:   local (mobilenet_v2, deeplab_v3) in 1711 ms
-- @module glimpse.present.text
local M = {}

local floor, concat, format = math.floor, table.concat, string.format

local function pct(p)
  if type(p) ~= "number" then return "?" end
  local v = p * 100
  if v >= 9.95 then return format("%d%%", floor(v + 0.5)) end
  if v >= 0.05 then return format("%.1f%%", v) end
  return "<0.1%"
end
M.pct = pct

-- Wrap `text` at `width` columns, each line prefixed by `indent`.
local function wrap(text, indent, width)
  local lines, line = {}, indent
  for word in tostring(text):gmatch("%S+") do
    if #line > #indent and #line + 1 + #word > width then
      lines[#lines + 1] = line
      line = indent .. word
    else
      line = (#line > #indent) and (line .. " " .. word) or (line .. word)
    end
  end
  if #line > #indent then lines[#lines + 1] = line end
  return concat(lines, "\n")
end
M.wrap = wrap

local function field(name, value)
  return format("  %-10s %s", name .. ":", value)
end

local function label_list(labels, n)
  local parts = {}
  for i = 1, math.min(#labels, n or 5) do
    local l = labels[i]
    parts[#parts + 1] = (l.name or l.label) .. " " .. pct(l.score)
  end
  return concat(parts, ", ")
end

local function title(result, name)
  local img = result.image or {}
  local t = name or img.path or "image"
  if img.width and img.height then t = t .. format(" (%dx%d)", img.width, img.height) end
  return t
end

local function ms(v) return format("%d ms", floor((v or 0) + 0.5)) end

--- Format a glimpse.describe result.
-- @tparam table result
-- @tparam[opt] table opts `name` (heading; default the image path),
--   `width` (wrap column, 78), `timings` (true: list every stage)
-- @treturn string several lines, no trailing newline
function M.describe(result, opts)
  opts = opts or {}
  local width = opts.width or 78
  local out = { title(result, opts.name) }
  out[#out + 1] = wrap(result.description or "(no description)", "  ", width)
  if result.degraded then
    out[#out + 1] = field("note", "the LLM did not answer; this is the local description (" ..
      tostring(result.degraded_reason) .. ")")
  end
  local data = result.data
  if type(data) == "table" then
    if type(data.scene) == "string" and data.scene ~= "" then out[#out + 1] = field("scene", data.scene) end
    if type(data.objects) == "table" and #data.objects > 0 then
      local parts = {}
      for _, o in ipairs(data.objects) do
        local s = tostring(o.name)
        if type(o.count) == "number" then
          s = format("%d %s", floor(o.count), s)
        end
        if type(o.attributes) == "table" and #o.attributes > 0 then
          s = s .. " (" .. concat(o.attributes, ", ") .. ")"
        end
        parts[#parts + 1] = s
      end
      out[#out + 1] = field("objects", concat(parts, "; "))
    end
    if type(data.text) == "table" and #data.text > 0 then
      local quoted = {}
      for i, t in ipairs(data.text) do quoted[i] = format("%q", t) end
      out[#out + 1] = field("text", concat(quoted, ", "))
    end
  end
  if result.labels and #result.labels > 0 then out[#out + 1] = field("labels", label_list(result.labels)) end
  if result.entities then
    local parts = {}
    for _, e in ipairs(result.entities) do
      parts[#parts + 1] = tostring(e.text) .. (e.type and (" (" .. e.type .. ")") or "")
    end
    out[#out + 1] = field("entities", #parts > 0 and concat(parts, ", ") or "none")
  end
  if result.sentiment and result.sentiment.label then
    out[#out + 1] = field("sentiment", format("%s (%.2f)", result.sentiment.label, result.sentiment.score or 0))
  end
  local models = {}
  if result.backend == "local" and type(result.models) == "table" then
    for _, task in ipairs{ "classify", "species", "segment", "pose" } do
      if result.models[task] then models[#models + 1] = result.models[task] end
    end
  elseif result.model then
    models[1] = result.model
  end
  local how = tostring(result.backend or "?")
  if #models > 0 then how = how .. " (" .. concat(models, ", ") .. ")" end
  local t = result.timings or {}
  if t.total then how = how .. " in " .. ms(t.total) end
  out[#out + 1] = field("backend", how)
  if result.usage and result.usage.total_tokens then
    local u = result.usage
    out[#out + 1] = field("tokens", format("%d (prompt %d, completion %d)", u.total_tokens,
      u.prompt_tokens or 0, u.completion_tokens or 0))
  end
  if opts.timings then
    local parts = {}
    for _, k in ipairs{ "decode", "classify", "species", "segment", "pose", "llm", "nlp" } do
      if t[k] then parts[#parts + 1] = k .. " " .. ms(t[k]) end
    end
    if #parts > 0 then out[#out + 1] = field("timings", concat(parts, ", ")) end
  end
  return concat(out, "\n")
end

--- Format classifier results for one image.
-- @tparam table labels `{ {label=, score=, index=}, ... }`
-- @tparam[opt] table opts `name` (heading), `image` ({width=, height=})
-- @treturn string
function M.classify(labels, opts)
  opts = opts or {}
  local out = { title({ image = opts.image }, opts.name) }
  local describer = require "glimpse.local_describer"
  for i, l in ipairs(labels) do
    out[#out + 1] = format("  %2d. %-7s %s", i, pct(l.score), describer.label_name(l.label))
  end
  if #labels == 0 then out[#out + 1] = "  (no labels)" end
  return concat(out, "\n")
end

return M
