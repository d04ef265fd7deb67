--- Lexicon-based sentiment for English text.
--
-- Each word of the hand-written lexicon (data/sentiment.lua) adds its valence;
-- an intensifier just before scales it ("very happy", "slightly sad"); a
-- negator up to three tokens before flips and damps it ("not happy" is
-- mildly negative); after "but" the clause counts double. The sum s maps to
-- score = s / sqrt(s^2 + 15), in -1..1; |score| < 0.05 is neutral.
-- @module glimpse.nlp.sentiment

local tokenize = require("glimpse.nlp.tokenize").tokenize
local lemma = require("glimpse.nlp.lemma").lemma
local data = require "glimpse.nlp.data.sentiment"

local M = {}

local WORDS, INTENS = data.words, data.intensifiers
local NEG = {}
for w in data.negators:gmatch("%S+") do NEG[w] = true end

local ALPHA = 15

--- Sentiment of a text.
-- @tparam string text
-- @treturn table {score = -1..1, label = "negative"|"neutral"|"positive"}
-- @raise when text is not a string
function M.sentiment(text)
  if type(text) ~= "string" then
    error(("bad argument #1 to 'sentiment' (string expected, got %s)"):format(type(text)), 2)
  end
  local toks = tokenize(text)
  local sum = 0
  local neg_at = -100
  local boost = 1
  local weight = 1
  for i, t in ipairs(toks) do
    local w = t.text:lower()
    if t.kind == "punctuation" and (w == "." or w == "!" or w == "?" or w == ";") then
      neg_at, boost, weight = -100, 1, 1
    elseif NEG[w] then
      neg_at = i
    elseif w == "but" or w == "however" or w == "although" then
      -- the clause after "but" carries the point; the one before counts half
      sum = sum * 0.5
      weight = 1.5
      neg_at = -100
    elseif INTENS[w] and not WORDS[w] then
      boost = boost * INTENS[w]
    elseif t.kind == "word" then
      local v = WORDS[w]
      if v == nil then
        local l = lemma(w)
        v = WORDS[l]
      end
      if v then
        local val = v * boost * weight
        if i - neg_at <= 3 then val = -val * 0.6 end
        sum = sum + val
      end
      boost = 1
    end
  end
  local score = sum / math.sqrt(sum * sum + ALPHA)
  local label = score >= 0.05 and "positive" or (score <= -0.05 and "negative" or "neutral")
  return { score = score, label = label }
end

return M
