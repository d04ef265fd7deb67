--- Scoring of entity extraction against a gold set (used by `make eval`
-- and by the dev-set spec). Matching rule: docs/nlp.md, "Evaluation".
-- @module glimpse.nlp.eval

local nlp = require "glimpse.nlp"

local M = {}

--- Normalised entity text: case-folded, quotes and outer whitespace
-- stripped, inner whitespace collapsed, a leading "the " dropped.
function M.norm(s)
  s = tostring(s or ""):lower()
  s = s:gsub("^[%s\"'\226\128\156\226\128\157]+", ""):gsub("[%s\"'\226\128\156\226\128\157]+$", "")
  s = s:gsub("%s+", " ")
  s = s:gsub("^the ", "")
  return s
end
local norm = M.norm

local function gold_lemma(text, lang)
  if lang ~= "en" then return norm(text) end
  return norm(nlp.lemma(norm(text), "NOUN"))
end

local function attr_set(list)
  local t, n = {}, 0
  for _, x in ipairs(list or {}) do
    local k = norm(x)
    if not t[k] then t[k] = true n = n + 1 end
  end
  return t, n
end

local function same_attrs(a, b)
  local ta, na = attr_set(a)
  local tb, nb = attr_set(b)
  if na ~= nb then return false end
  for k in pairs(ta) do if not tb[k] then return false end end
  return true
end

local function prf(s)
  local p = s.tp + s.fp > 0 and s.tp / (s.tp + s.fp) or 0
  local r = s.tp + s.fn > 0 and s.tp / (s.tp + s.fn) or 0
  local f = p + r > 0 and 2 * p * r / (p + r) or 0
  return p, r, f
end
M.prf = prf

--- Scores a gold set.
-- @tparam table set `{ {id=, style=, text=, entities={...}}, ... }`
-- @tparam string lang "en" or "zh"
-- @tparam[opt] table opts `{style = "llm"|"alt"|"local", on_miss = function(item, lines)}`
-- @treturn table `{types = {TYPE = {tp=, fp=, fn=}}, all = {tp=, fp=, fn=, p=, r=, f1=},
--   texts = n, count_ok=, count_n=, attr_ok=, attr_n=}`
function M.score(set, lang, opts)
  opts = opts or {}
  local types = {}
  local function st(t)
    types[t] = types[t] or { tp = 0, fp = 0, fn = 0 }
    return types[t]
  end
  local res = { types = types, texts = 0, count_ok = 0, count_n = 0, attr_ok = 0, attr_n = 0 }
  for _, item in ipairs(set) do
    if not opts.style or item.style == opts.style then
      res.texts = res.texts + 1
      local pred = nlp.entities(item.text, { lang = lang }) or {}
      local used, lines = {}, {}
      for _, g in ipairs(item.entities) do
        local gt, gl = norm(g.text), nil
        local hit
        for pi, p in ipairs(pred) do
          if not used[pi] and p.type == g.type then
            if norm(p.text) == gt or (p.lemma and norm(p.lemma) == gt) then
              hit = pi
            elseif g.type == "OBJECT" then
              gl = gl or gold_lemma(g.text, lang)
              if norm(p.lemma or p.text) == gl then hit = pi end
            end
            if hit then break end
          end
        end
        if hit then
          used[hit] = true
          st(g.type).tp = st(g.type).tp + 1
          local p = pred[hit]
          if g.type == "OBJECT" then
            if g.count ~= nil then
              res.count_n = res.count_n + 1
              if p.count == g.count then res.count_ok = res.count_ok + 1
              else lines[#lines + 1] = ("  count %s: gold %s got %s"):format(g.text, tostring(g.count), tostring(p.count)) end
            end
            if g.attributes ~= nil then
              res.attr_n = res.attr_n + 1
              if same_attrs(g.attributes, p.attributes) then res.attr_ok = res.attr_ok + 1 end
            end
          end
        else
          st(g.type).fn = st(g.type).fn + 1
          lines[#lines + 1] = ("  FN %-8s %s"):format(g.type, g.text)
        end
      end
      for pi, p in ipairs(pred) do
        if not used[pi] then
          st(p.type).fp = st(p.type).fp + 1
          lines[#lines + 1] = ("  FP %-8s %s"):format(p.type, p.text)
        end
      end
      if opts.on_miss and #lines > 0 then opts.on_miss(item, lines) end
    end
  end
  local all = { tp = 0, fp = 0, fn = 0 }
  for _, s in pairs(types) do
    all.tp, all.fp, all.fn = all.tp + s.tp, all.fp + s.fp, all.fn + s.fn
  end
  all.p, all.r, all.f1 = prf(all)
  res.all = all
  return res
end

return M
