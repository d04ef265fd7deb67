-- eval_entities.lua — scores glimpse.nlp.entities against the development sets.
--
--   make eval
--   lua5.4 tools/eval_entities.lua [--verbose] [--lang en|zh] [--style llm|alt|local] [--file SET.lua]
--
-- Reads spec/fixtures/nlp/dev_en.lua and, when present, dev_zh.lua. Matching
-- rule (docs/nlp.md, "Evaluation"; code in lua/glimpse/nlp/eval.lua): a
-- predicted entity matches a gold one when the types are equal and the
-- normalised texts are equal (case-folded, quotes and outer whitespace
-- stripped, inner whitespace collapsed, a leading "the " dropped); an OBJECT
-- also matches on equal lemmas. Each gold and each predicted entity is used
-- at most once. Prints P/R/F1 per type and overall (micro) per language, and
-- count / attribute accuracy over matched OBJECTs.
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "build/?.so;" .. package.cpath

local eval = require "glimpse.nlp.eval"

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

local function report(lang, set)
  local res = eval.score(set, lang, {
    style = only_style,
    on_miss = verbose and function(item, lines)
      print(item.id .. ": " .. item.text)
      for _, l in ipairs(lines) do print(l) end
    end or nil,
  })
  print(("\n== %s: %d texts =="):format(lang, res.texts))
  print(("%-9s %6s %6s %6s %5s %5s %5s"):format("type", "P", "R", "F1", "tp", "fp", "fn"))
  local types = {}
  for t in pairs(res.types) do types[#types + 1] = t end
  table.sort(types)
  for _, t in ipairs(types) do
    local s = res.types[t]
    local p, r, f = eval.prf(s)
    print(("%-9s %6.3f %6.3f %6.3f %5d %5d %5d"):format(t, p, r, f, s.tp, s.fp, s.fn))
  end
  local all = res.all
  print(("%-9s %6.3f %6.3f %6.3f %5d %5d %5d"):format("overall", all.p, all.r, all.f1, all.tp, all.fp, all.fn))
  if res.count_n > 0 then
    print(("OBJECT count accuracy %.3f (%d/%d), attribute-set accuracy %.3f (%d/%d)"):format(
      res.count_ok / res.count_n, res.count_ok, res.count_n,
      res.attr_n > 0 and res.attr_ok / res.attr_n or 0, res.attr_ok, res.attr_n))
  end
end

if file then
  report(only_lang or "en", dofile(file))
  os.exit(0)
end

for _, lang in ipairs({ "en", "zh" }) do
  if not only_lang or only_lang == lang then
    local path = "spec/fixtures/nlp/dev_" .. lang .. ".lua"
    local f = io.open(path)
    if f then
      f:close()
      report(lang, dofile(path))
    elseif lang == "en" then
      io.stderr:write("eval_entities: ", path, " missing\n")
      os.exit(1)
    end
  end
end
