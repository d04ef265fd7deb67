--- Lemmas by WordNet's morphology ("morphy"): exception lists first, then
-- the detachment rules, keeping the first candidate that WordNet's index
-- lists for that part of speech.
-- @module glimpse.nlp.lemma

local lexicon = require "glimpse.nlp.lexicon"

local M = {}

-- WordNet's detachment rules (morph.c), suffix -> replacement.
local RULES = {
  noun = { { "ses", "s" }, { "xes", "x" }, { "zes", "z" }, { "ches", "ch" }, { "shes", "sh" },
           { "men", "man" }, { "ies", "y" }, { "s", "" } },
  verb = { { "ies", "y" }, { "es", "e" }, { "es", "" }, { "ed", "e" }, { "ed", "" },
           { "ing", "e" }, { "ing", "" }, { "s", "" } },
  adj = { { "est", "" }, { "est", "e" }, { "er", "" }, { "er", "e" } },
}

-- Closed-class and irregular forms WordNet does not list.
local FIXED = {
  is = "be", am = "be", are = "be", was = "be", were = "be", been = "be", being = "be",
  ["'s"] = "be", ["'re"] = "be", ["'m"] = "be",
  has = "have", had = "have", having = "have", ["'ve"] = "have",
  does = "do", did = "do", done = "do", ["n't"] = "not", ca = "can", wo = "will",
  ["'ll"] = "will", ["'d"] = "would",
  an = "a", me = "i", him = "he", her = "she", us = "we", them = "they",
}

M.FIXED = FIXED

local POS_KEY = { NOUN = "noun", PROPN = "noun", VERB = "verb", AUX = "verb", ADJ = "adj", ADV = "adv" }

-- Plurals that name one thing, kept as they are.
local PLURALIA = {}
for w in ([[glasses sunglasses eyeglasses jeans pants trousers shorts leggings tights scissors
  goggles binoculars headphones earphones tongs pliers clothes people news series species
  pajamas pyjamas overalls stairs premises outskirts surroundings belongings]]):gmatch("%S+") do
  PLURALIA[w] = true
end

local function morphy(lex, w, pos)
  local exc = lex:exceptions(pos == "adv" and "adj" or pos)
  if pos ~= "adv" and exc[w] then return exc[w] end
  -- "shoes" is itself in WordNet's index (an idiom), but the plural of shoe is meant
  if pos == "noun" and not PLURALIA[w] and w:find("[^s]s$") then
    local base = w:sub(1, -2)
    if lex:has(base, "noun") then return base end
    if w:find("es$") then
      base = w:sub(1, -3)
      if lex:has(base, "noun") and base:find("[sxz]$") or base:find("[cs]h$") then
        if lex:has(base, "noun") then return base end
      end
    end
  end
  if lex:has(w, pos) then return w end
  local rules = RULES[pos]
  if not rules then return nil end
  for _, r in ipairs(rules) do
    local suf, rep = r[1], r[2]
    if #w > #suf + 1 and w:sub(-#suf) == suf then
      local base = w:sub(1, -#suf - 1) .. rep
      if lex:has(base, pos) then return base end
      -- doubled final consonant: "stopped" -> "stop" (exc lists most of these)
      if rep == "" and base:match("([bcdfgklmnprstvz])%1$") then
        local undoubled = base:sub(1, -2)
        if lex:has(undoubled, pos) then return undoubled end
      end
    end
  end
  return nil
end

--- Lemma of a word for a coarse POS (NOUN, VERB, ADJ, ...); lower-case.
-- Falls back on the lower-cased word when WordNet does not know it.
-- @tparam string word
-- @tparam[opt] string pos coarse tag; without it noun, verb, adj are tried in turn
-- @treturn string
function M.lemma(word, pos)
  local w = word:lower()
  if FIXED[w] then return FIXED[w] end
  local lex = lexicon.load()
  if not lex then return w end
  local key = POS_KEY[pos or ""]
  if key then
    if key == "noun" and w:find(" ") then
      -- compound: lemmatise the head only ("fire hydrants" -> "fire hydrant")
      local head_start = w:match("^.* ()")
      return w:sub(1, head_start - 1) .. (morphy(lex, w:sub(head_start), "noun") or w:sub(head_start))
    end
    return morphy(lex, w, key) or w
  end
  if pos == nil then
    for _, p in ipairs({ "noun", "verb", "adj" }) do
      local l = morphy(lex, w, p)
      if l then return l end
    end
  end
  return w
end

-- Memo of candidates by word: pure function of the (immutable) lexicon,
-- bounded so that a huge text of unique words cannot grow it without limit.
local memo, memo_n = {}, 0
local MEMO_MAX = 100000

--- Lemma candidates per WordNet POS, for the tagger: {noun=, verb=, adj=, adv=}.
-- The returned table is shared: do not modify it.
function M.candidates(word)
  local w = word:lower()
  local hit = memo[w]
  if hit then return hit end
  local lex = lexicon.load()
  local out = {}
  if not lex then return out end
  if memo_n >= MEMO_MAX then memo, memo_n = {}, 0 end
  memo[w] = out
  memo_n = memo_n + 1
  for _, p in ipairs({ "noun", "verb", "adj", "adv" }) do
    out[p] = morphy(lex, w, p)
  end
  return out
end

return M
