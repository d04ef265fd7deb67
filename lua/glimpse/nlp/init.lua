--- glimpse.nlp — tokens, tags, lemmas, entities and sentiment for image descriptions.
--
--     local nlp = require "glimpse.nlp"
--     for _, e in ipairs(assert(nlp.entities("Two brown dogs play near the Eiffel Tower."))) do
--       print(e.type, e.text, e.count, e.category)
--     end
--     --> OBJECT dogs 2 animal / COUNT Two / COLOR brown / PLACE Eiffel Tower
--
-- English is handled here; text that is mainly Han script (or opts.lang ==
-- "zh") goes to glimpse.nlp.zh, which returns the same shapes. Conventions
-- and the evaluation rule: docs/nlp.md.
-- @module glimpse.nlp

local M = { _VERSION = "0.1" }

local function check_text(fname, text)
  if type(text) ~= "string" then
    error(("bad argument #1 to '%s' (string expected, got %s)"):format(fname, type(text)), 3)
  end
end

local function check_opts(fname, opts, idx)
  if opts ~= nil and type(opts) ~= "table" then
    error(("bad argument #%d to '%s' (table expected, got %s)"):format(idx, fname, type(opts)), 3)
  end
  local lang = opts and opts.lang
  if lang ~= nil and lang ~= "en" and lang ~= "zh" then
    error(("bad argument #%d to '%s' (opts.lang must be \"en\" or \"zh\", got %s)"):format(
      idx, fname, tostring(lang)), 3)
  end
  return lang
end

--- Guesses the language: "zh" when Han characters outnumber Latin letters.
-- @tparam string text
-- @treturn string "en" or "zh"
function M.detect(text)
  check_text("detect", text)
  local han = 0
  -- CJK Unified Ideographs (U+4E00..U+9FFF) are E4..E9 lead bytes; U+3400.. is E3 9X..
  for _ in text:gmatch("[\228-\233][\128-\191][\128-\191]") do han = han + 1 end
  if han == 0 then return "en" end
  local _, latin = text:gsub("%a", "")
  return han * 2 >= latin and "zh" or "en"
end

local zh_mod
local function zh()
  if zh_mod == nil then
    local ok, m = pcall(require, "glimpse.nlp.zh")
    zh_mod = ok and m or false
    M._zh_error = not ok and m or nil
  end
  return zh_mod or nil
end

local function pick(text, lang)
  lang = lang or M.detect(text)
  if lang == "zh" then
    local m = zh()
    if m then return m, "zh" end
    return nil, "zh"
  end
  return nil, "en"
end

local function zh_missing()
  return nil, "nlp: Chinese support (glimpse.nlp.zh) is not available: " .. tostring(M._zh_error), "EUNSUPPORTED"
end

--- Splits text into tokens (words, numbers, punctuation, symbols).
-- @tparam string text UTF-8; invalid bytes become one-byte symbol tokens
-- @tparam[opt] table opts {lang = "en"|"zh"}
-- @treturn table tokens {text=, start=, stop=, kind=} with 1-based inclusive byte offsets
-- @raise on a non-string text or bad opts
-- @usage local toks = nlp.tokenize("Café Zürich 🐶")
function M.tokenize(text, opts)
  check_text("tokenize", text)
  local mod, lang = pick(text, check_opts("tokenize", opts, 2))
  if lang == "zh" then
    if not mod then return zh_missing() end
    return mod.tokenize(text)
  end
  return require("glimpse.nlp.tokenize").tokenize(text)
end

--- Adds coarse POS tags (`pos`) and lemmas (`lemma`) to tokens in place.
-- @tparam table tokens from `tokenize`
-- @tparam[opt] table opts {lang = "en"|"zh"}
-- @treturn table the same tokens
-- @raise on a non-table argument
-- @usage local toks = nlp.tag(nlp.tokenize("The children ran.")) -- toks[2].lemma == "child"
function M.tag(tokens, opts)
  if type(tokens) ~= "table" then
    error(("bad argument #1 to 'tag' (table expected, got %s)"):format(type(tokens)), 2)
  end
  local lang = check_opts("tag", opts, 2)
  if lang == nil and tokens[1] then
    local sample = {}
    for k = 1, math.min(#tokens, 50) do sample[k] = tostring(tokens[k].text) end
    lang = M.detect(table.concat(sample, " "))
  end
  if lang == "zh" then
    local m = zh()
    if not m then return zh_missing() end
    return m.tag(tokens)
  end
  local lex, err, code = require("glimpse.nlp.lexicon").load()
  if not lex then return nil, err, code end
  return require("glimpse.nlp.tag").tag(tokens)
end

--- Splits text into sentences.
-- @tparam string text
-- @tparam[opt] table opts {lang = "en"|"zh"}
-- @treturn table {{text=, start=, stop=}, ...}
-- @raise on a non-string text or bad opts
function M.sentences(text, opts)
  check_text("sentences", text)
  local mod, lang = pick(text, check_opts("sentences", opts, 2))
  if lang == "zh" then
    if not mod then return zh_missing() end
    return mod.sentences(text)
  end
  return require("glimpse.nlp.sentences").sentences(text)
end

--- Extracts typed entities (OBJECT, PERSON, ORG, PLACE, COLOR, COUNT, DATE,
-- TIME, MONEY, PERCENT, TEXT, PLATE) from a description.
-- @tparam string text
-- @tparam[opt] table opts {lang = "en"|"zh"}
-- @treturn table|nil entities {type=, text=, start=, stop=, lemma=, count=, attributes=, category=}
-- @treturn[2] string "lexicon: ..." when the compiled lexicon is missing or broken
-- @treturn[2] string "EIO" / "EFORMAT" / "EUNSUPPORTED"
-- @raise on a non-string text or bad opts
-- @usage for _, e in ipairs(assert(nlp.entities("a red car"))) do print(e.type, e.text) end
function M.entities(text, opts)
  check_text("entities", text)
  local mod, lang = pick(text, check_opts("entities", opts, 2))
  if lang == "zh" then
    if not mod then return zh_missing() end
    return mod.entities(text, opts)
  end
  local lex, err, code = require("glimpse.nlp.lexicon").load()
  if not lex then return nil, err, code end
  return (require("glimpse.nlp.entities").entities(text, opts))
end

--- Sentiment of an English text, lexicon-based with negation and intensifiers.
-- @tparam string text
-- @treturn table {score = -1..1, label = "negative"|"neutral"|"positive"}
-- @raise on a non-string text
-- @usage nlp.sentiment("not very good").label --> "negative"
function M.sentiment(text)
  check_text("sentiment", text)
  return require("glimpse.nlp.sentiment").sentiment(text)
end

--- Lemma of one English word for a coarse POS ("NOUN", "VERB", "ADJ"; optional).
-- @usage nlp.lemma("children") --> "child"
function M.lemma(word, pos)
  check_text("lemma", word)
  return require("glimpse.nlp.lemma").lemma(word, pos)
end

--- WordNet synonyms of an English noun ("car" -> {"auto", "automobile", ...}):
-- the other words of the sense that gives the noun its category.
-- @tparam string word a noun, any inflection ("cars")
-- @treturn table list of strings, empty when WordNet has none
-- @treturn[2] nil, "lexicon: ...", code without a usable lexicon
-- @raise on a non-string word
-- @usage nlp.synonyms("dog") --> {"domestic dog", "Canis familiaris"...} (lower-case members only)
function M.synonyms(word)
  check_text("synonyms", word)
  local lex, err, code = require("glimpse.nlp.lexicon").load()
  if not lex then return nil, err, code end
  return lex:synonyms(M.lemma(word, "NOUN"))
end

--- Category of a model label or noun ("tabby, tabby cat" -> "animal"), or nil.
-- @tparam string label an ImageNet / COCO / PASCAL label or a noun
-- @treturn string|nil category, noun
function M.category(label)
  check_text("category", label)
  local labels = require "glimpse.nlp.data.labels"
  local e = labels[label]
  if e then return e.category, e.noun end
  local lex = require("glimpse.nlp.lexicon").load()
  local cats = require "glimpse.nlp.data.categories"
  local noun = label:lower():match("^%s*([^,]-)%s*,") or label:lower():match("^%s*(.-)%s*$")
  local l = M.lemma(noun, "NOUN")
  local c = cats.override[l] or (lex and lex:category(l))
  if c then return c, l end
  return nil
end

return M
