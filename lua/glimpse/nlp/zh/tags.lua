--- Coarse part-of-speech tags and lemmas for Chinese tokens.
-- jieba's tags map onto the shared coarse set; the curated vocabularies win
-- where jieba's tags are wrong for image descriptions (熊猫 is not a name).
-- @module glimpse.nlp.zh.tags

local segment = require "glimpse.nlp.zh.segment"
local numerals = require "glimpse.nlp.zh.numerals"
local rules = require "glimpse.nlp.zh.rules"

local M = {}

-- jieba POS -> coarse POS
local POS_MAP = {
  n = "NOUN", ng = "NOUN", vn = "VERB", an = "NOUN", s = "NOUN", t = "NOUN", q = "NOUN", j = "NOUN",
  nr = "PROPN", nrt = "PROPN", nrfg = "PROPN", ns = "PROPN", nt = "PROPN", nz = "PROPN",
  v = "VERB", vd = "VERB", vg = "VERB", vi = "VERB", vq = "VERB",
  a = "ADJ", ag = "ADJ", b = "ADJ", z = "ADJ",
  d = "ADV", dg = "ADV", df = "ADV", ad = "ADV",
  m = "NUM", mq = "NUM", mg = "NUM",
  r = "PRON", rr = "PRON", rz = "PRON", rg = "PRON",
  p = "ADP", f = "ADP", c = "CONJ",
  u = "PART", uj = "PART", ul = "PART", uz = "PART", uv = "PART", ud = "PART", ug = "PART",
  y = "PART", k = "PART", h = "PART",
  e = "INTJ", o = "INTJ",
  i = "X", l = "X", g = "X", x = "X", zg = "X", tg = "NOUN",
}
local DET_WORDS = { ["这"] = true, ["那"] = true, ["这个"] = true, ["那个"] = true, ["这些"] = true,
  ["那些"] = true, ["每"] = true, ["各"] = true, ["某"] = true, ["该"] = true, ["此"] = true }
-- jieba gives these time or noun tags; in descriptions they are adverbs
local ADV_WORDS = { ["正在"] = true, ["正"] = true, ["已经"] = true, ["还在"] = true,
  ["一直"] = true, ["仍然"] = true, ["依然"] = true, ["刚刚"] = true }
local AUX_WORDS = { ["是"] = true, ["能"] = true, ["会"] = true, ["可以"] = true, ["可能"] = true,
  ["应该"] = true, ["要"] = true, ["得"] = true }

-- Coarse POS of one Han / Latin word.
local function word_pos(w)
  if DET_WORDS[w] then return "DET" end
  if AUX_WORDS[w] then return "AUX" end
  if ADV_WORDS[w] then return "ADV" end
  if rules.ORG[w] or rules.PLACE[w] then return "PROPN" end
  if rules.CATEGORY[w] then return "NOUN" end
  if rules.COLOR_BASE[w] then return "ADJ" end
  if numerals.split(w) then return "NUM" end
  local _, p = segment.lookup(w)
  if p then return POS_MAP[p] or "X" end
  return "X"
end
M.word_pos = word_pos

local function numeral_lemma(w)
  local v = numerals.value(w)
  if type(v) == "number" then return tostring(v) end
  return w
end

--- Adds `pos` and `lemma` to each token, in place (see glimpse.nlp.zh.tag).
-- @param tokens list from tokenize
-- @param ok false when the lexicon is unavailable: every word is then X
-- @return the same list
function M.tag(tokens, ok)
  for _, t in ipairs(tokens) do
    local w = t.text
    if t.kind == "punctuation" then
      t.pos, t.lemma = "PUNCT", w
    elseif t.kind == "symbol" then
      t.pos, t.lemma = "SYM", w
    elseif t.kind == "number" then
      t.pos, t.lemma = "NUM", numeral_lemma(w)
    elseif ok then
      t.pos, t.lemma = word_pos(w), w
      if t.pos == "X" and w:match("^%a") then t.pos = w:match("^%u") and "PROPN" or "NOUN" end
    else
      t.pos, t.lemma = "X", w
    end
  end
  return tokens
end

return M
