-- eval_entities.lua — scores glimpse.nlp.entities against the development sets.
--
--   make eval
--   lua5.4 tools/eval_entities.lua [--verbose] [--lang en|zh] [--style llm|alt|local] [--file SET.lua]
--
-- Reads spec/fixtures/nlp/dev_en.lua and, when present, dev_zh.lua. Matching
-- rule (docs/nlp.md, "Evaluation"): a predicted entity matches a gold one
-- when the types are equal and the normalised texts are equal (case-folded,
-- quotes and outer whitespace stripped, inner whitespace collapsed, a leading
-- "the " dropped); an OBJECT also matches on equal lemmas. Each gold and each
-- predicted entity is used at most once. Prints P/R/F1 per type and overall
-- (micro) per language, and count / attribute accuracy over matched OBJECTs.
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "build/?.so;" .. package.cpath

local nlp = require "glimpse.nlp"

local verbose, only_lang, only_style, file = false, nil, nil, nil
local a = 1
while arg[a] do
  if arg[a] == "--verbose" or arg[a] == "-v" then verbose = true
  elseif arg[a] == "--lang" then a = a + 1 only_lang = arg[a]
  elseif arg[a] == "--style" then a = a + 1 only_style = arg[a]
  elseif arg[a] == "--file" then a = a + 1 file = arg[a]
  end
  a = a + 1
end

local function norm(s)
  s = tostring(s or ""):lower()
  s = s:gsub("^[%s\"'\226\128\156\226\128\157]+", ""):gsub("[%s\"'\226\128\156\226\128\157]+$", "")
  s = s:gsub("%s+", " ")
  s = s:gsub("^the ", "")
  return s
end

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

local function same_attrs(a_, b_)
  local ta, na = attr_set(a_)
  local tb, nb = attr_set(b_)
  if na ~= nb then return false end
  for k in pairs(ta) do if not tb[k] then return false end end
  return true
end

local function evaluate(lang, set)
  local stats = {} -- type -> {tp, fp, fn}
  local function st(t)
    stats[t] = stats[t] or { tp = 0, fp = 0, fn = 0 }
    return stats[t]
  end
  local count_ok, count_n, attr_ok, attr_n = 0, 0, 0, 0
  local docs = 0
  for _, item in ipairs(set) do
    if not only_style or item.style == only_style then
      docs = docs + 1
      local pred, err = nlp.entities(item.text, { lang = lang })
      if not pred then
        io.stderr:write(("%s: %s\n"):format(item.id, tostring(err)))
        pred = {}
      end
      local used = {}
      local misses = {}
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
              count_n = count_n + 1
              if p.count == g.count then count_ok = count_ok + 1
              elseif verbose then misses[#misses + 1] = ("  count %s: gold %s got %s"):format(g.text, tostring(g.count), tostring(p.count)) end
            end
            if g.attributes ~= nil then
              attr_n = attr_n + 1
              if same_attrs(g.attributes, p.attributes) then attr_ok = attr_ok + 1 end
            end
          end
        else
          st(g.type).fn = st(g.type).fn + 1
          misses[#misses + 1] = ("  FN %-8s %s"):format(g.type, g.text)
        end
      end
      for pi, p in ipairs(pred) do
        if not used[pi] then
          st(p.type).fp = st(p.type).fp + 1
          misses[#misses + 1] = ("  FP %-8s %s"):format(p.type, p.text)
        end
      end
      if verbose and #misses > 0 then
        print(item.id .. ": " .. item.text)
        for _, m in ipairs(misses) do print(m) end
      end
    end
  end
  local function prf(s)
    local p = s.tp + s.fp > 0 and s.tp / (s.tp + s.fp) or 0
    local r = s.tp + s.fn > 0 and s.tp / (s.tp + s.fn) or 0
    local f = p + r > 0 and 2 * p * r / (p + r) or 0
    return p, r, f
  end
  print(("\n== %s: %d texts =="):format(lang, docs))
  print(("%-9s %6s %6s %6s %5s %5s %5s"):format("type", "P", "R", "F1", "tp", "fp", "fn"))
  local types = {}
  for t in pairs(stats) do types[#types + 1] = t end
  table.sort(types)
  local all = { tp = 0, fp = 0, fn = 0 }
  for _, t in ipairs(types) do
    local s = stats[t]
    local p, r, f = prf(s)
    print(("%-9s %6.3f %6.3f %6.3f %5d %5d %5d"):format(t, p, r, f, s.tp, s.fp, s.fn))
    all.tp, all.fp, all.fn = all.tp + s.tp, all.fp + s.fp, all.fn + s.fn
  end
  local p, r, f = prf(all)
  print(("%-9s %6.3f %6.3f %6.3f %5d %5d %5d"):format("overall", p, r, f, all.tp, all.fp, all.fn))
  if count_n > 0 then
    print(("OBJECT count accuracy %.3f (%d/%d), attribute-set accuracy %.3f (%d/%d)"):format(
      count_ok / count_n, count_ok, count_n, attr_n > 0 and attr_ok / attr_n or 0, attr_ok, attr_n))
  end
  return f
end

if file then
  evaluate(only_lang or "en", dofile(file))
  os.exit(0)
end

for _, lang in ipairs({ "en", "zh" }) do
  if not only_lang or only_lang == lang then
    local path = "spec/fixtures/nlp/dev_" .. lang .. ".lua"
    local f = io.open(path)
    if f then
      f:close()
      local set = dofile(path)
      evaluate(lang, set)
    elseif lang == "en" then
      io.stderr:write("eval_entities: ", path, " missing\n")
      os.exit(1)
    end
  end
end
