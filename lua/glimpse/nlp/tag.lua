--- Coarse part-of-speech tags and lemmas for English tokens.
--
-- Closed classes come from a word list; open classes from WordNet's index
-- files (which parts of speech a word, after morphy, can be), then context
-- rules choose among them (after a determiner a noun, after a modal a verb,
-- an adjective-or-noun before a noun is an adjective, ...).
-- @module glimpse.nlp.tag

local lexicon = require "glimpse.nlp.lexicon"
local lemma_mod = require "glimpse.nlp.lemma"
local patterns = require "glimpse.nlp.patterns"

local M = {}

local CLOSED = {}
local function add(tag, words)
  for w in words:gmatch("%S+") do CLOSED[w] = CLOSED[w] or tag end
end
add("DET", [[a an the this that these those some any no every each all both either neither
  another such what which whose my your his her its our their several many few much more most
  less least enough various numerous multiple]])
add("PRON", [[i you he she it we they me him us them myself yourself himself herself itself
  ourselves themselves someone somebody something nobody nothing everyone everybody everything
  anyone anybody anything who whom mine yours hers ours theirs one's]])
add("ADP", [[of in on at by for with without from to into onto over under above below behind
  beside besides between among amongst through across along alongside around near nearby against
  toward towards upon within beneath underneath inside outside during before after since until
  via like about off atop throughout amid amidst despite except per versus vs opposite]])
add("CONJ", [[and or but nor yet because although though while whereas if unless whether
  & plus than]])
add("AUX", [[be is am are was were been being have has had having do does did can could will
  would shall should may might must 're 'm 've 'll 'd ca wo]])
add("PART", [[not n't 's]])
add("ADV", [[very too also just only there here then now quite rather almost really so
  nearly slightly somewhat extremely highly still even ever never always often perhaps maybe
  possibly probably likely most together away back up down out]])
add("INTJ", [[oh wow hello hi yes ok okay]])

-- Determiners that are also pronouns when nothing nominal follows.
local DET_PRON = { this = true, that = true, these = true, those = true, some = true,
  any = true, all = true, both = true, either = true, neither = true, each = true,
  several = true, many = true, few = true, much = true, more = true, most = true }

local BIT = lexicon.POS_BIT

-- punctuation after which a capitalised word may start a sentence
local SENT_BOUNDARY = { ["."] = true, ["!"] = true, ["?"] = true, [":"] = true, [";"] = true,
  ["("] = true, ['"'] = true, ["\226\128\156"] = true }

local byte = string.byte

local function is_cap(s)
  local b = byte(s, 1)
  return b ~= nil and b >= 65 and b <= 90
end

-- Suffix guesses for words WordNet does not know.
local function guess(w)
  if w:find("ly$") then return "ADV" end
  if w:find("ing$") or w:find("ed$") then return "VERB" end
  if w:find("ous$") or w:find("ful$") or w:find("ive$") or w:find("able$") or w:find("ible$")
      or w:find("ish$") or w:find("less$") or w:find("ic$") or w:find("al$") then
    return "ADJ"
  end
  return "NOUN"
end

-- Singular of a plural-looking noun WordNet does not know ("earbuds").
local function guess_singular(w)
  if w:find("ies$") and #w > 4 then return w:sub(1, -4) .. "y" end
  if w:find("[sxz]es$") or w:find("[cs]hes$") then return w:sub(1, -3) end
  if w:find("[^siu]s$") and #w > 3 then return w:sub(1, -2) end
  return w
end

-- Closed-class words whose tag depends on the words around them.
local CONTEXT_CLOSED = { ["'s"] = true, to = true, that = true, there = true, up = true,
  down = true, out = true, back = true, i = true }
local POS_OF_BIT = { [1] = "noun", [2] = "verb", [4] = "adj", [8] = "adv" }
local TAG_OF = { noun = "NOUN", verb = "VERB", adj = "ADJ", adv = "ADV" }

-- Per-word analysis (closed class, WordNet lemma candidates, POS bit mask),
-- memoised by the token's exact text: a pure function of the lexicon.
local info_memo, info_n = {}, 0
local INFO_MAX = 100000

local function analyse(tok)
  local key = tok.text
  local info = info_memo[key]
  if info then tok._i = info return end
  local w = key:lower()
  info = { lower = w, mask = 0 }
  if tok.kind == "punctuation" then info.closed = "PUNCT"
  elseif tok.kind == "symbol" then info.closed = "SYM"
  elseif tok.kind == "number" or patterns.number_word(w) then info.closed = "NUM"
  else
    info.closed = CLOSED[w]
    local cands = lemma_mod.candidates(w)
    info.cands = cands
    local mask, common = 0, 0
    local lex = lexicon.load()
    for p, l in pairs(cands) do
      if BIT[p] and l then
        mask = mask | BIT[p]
        if lex:rare(l) & BIT[p] == 0 then common = common | BIT[p] end
      end
    end
    -- readings that are not rare for this word (all of them if none is common)
    info.mask = mask
    info.cmask = common ~= 0 and common or mask
  end
  -- A reading no context rule can change is decided here once per word.
  local c = info.closed
  if c == "PUNCT" or c == "SYM" or c == "NUM" then
    info.fixed, info.fixed_lemma = c, w
  elseif c then
    if not CONTEXT_CLOSED[w] and not DET_PRON[w] then info.fixed, info.fixed_lemma = c, lemma_mod.FIXED[w] or w end
  elseif info.mask == 0 then
    local g = guess(w)
    info.fixed, info.fixed_lemma = g, g == "NOUN" and guess_singular(w) or w
  elseif info.mask & (info.mask - 1) == 0 then
    local p = POS_OF_BIT[info.mask]
    info.fixed, info.fixed_lemma = TAG_OF[p], info.cands[p] or w
  end
  if info_n >= INFO_MAX then info_memo, info_n = {}, 0 end
  info_memo[key] = info
  info_n = info_n + 1
  tok._i = info
end

local function has(tok, p) return tok._i.mask & BIT[p] ~= 0 end

local function nominal_next(toks, i)
  local n = toks[i + 1]
  if not n then return false end
  if n._i.closed then return n._i.closed == "NUM" end
  if is_cap(n.text) then return true end
  return has(n, "noun") or (n._i.mask or 0) == 0
end

--- Adds `pos` and `lemma` to each token (in place) and returns the list.
-- @tparam table tokens from `tokenize`
-- @treturn table the same tokens
-- @raise when tokens is not a table
function M.tag(tokens)
  if type(tokens) ~= "table" then
    error(("bad argument #1 to 'tag' (table expected, got %s)"):format(type(tokens)), 2)
  end
  local lex = lexicon.load()
  local n = #tokens
  for i = 1, n do
    local t = tokens[i]
    if lex then
      local info = info_memo[t.text] -- the common case, without a call
      if info then t._i = info else analyse(t) end
    else
      t._i = { lower = t.text:lower(), mask = 0 }
    end
  end
  local sent_start = true
  for i = 1, n do
    local t = tokens[i]
    local info = t._i
    local b1 = byte(t.text, 1)
    if info.fixed and not (t.kind == "word" and b1 and b1 >= 65 and b1 <= 90) then
      t.pos, t.lemma = info.fixed, info.fixed_lemma
      if info.fixed == "PUNCT" then
        sent_start = sent_start or SENT_BOUNDARY[info.lower] or false
      else
        sent_start = false
      end
    else
    local w = t._i.lower
    local prev = tokens[i - 1]
    local ppos = prev and prev.pos
    local pw = prev and prev._i.lower
    local pos
    local closed = t._i.closed
    local cap = is_cap(t.text) and t.kind == "word"
    local known = closed or (t._i.mask or 0) ~= 0
    if closed == "PUNCT" or closed == "SYM" or closed == "NUM" then
      pos = closed
    elseif cap and not sent_start and not (closed and (closed ~= "DET" or w ~= "a") and #t.text <= 1)
        and not (closed and t.text ~= t.text:upper()) then
      pos = "PROPN"
    elseif cap and sent_start and (not known or (tokens[i + 1] and tokens[i + 1].kind == "word"
        and is_cap(tokens[i + 1].text) and not closed and tokens[i + 1].text:lower() ~= "i")) then
      pos = "PROPN"
    elseif closed then
      pos = closed
      if w == "'s" then
        -- possessive after a noun, "is"/"has" after a pronoun or "there"
        if ppos == "PRON" or pw == "there" or pw == "here" or pw == "that" or pw == "what"
            or pw == "it" then
          pos = "AUX"
        else
          pos = "PART"
        end
      elseif w == "to" then
        local nx = tokens[i + 1]
        local nx2 = tokens[i + 2]
        if nx and nx._i.mask and nx._i.mask & BIT.verb ~= 0 and not nx._i.closed
            and (nx._i.mask & BIT.noun == 0 or not nx2 or (nx2._i.closed and nx2._i.closed ~= "NUM")) then
          pos = "PART"
        end
      elseif closed == "DET" and DET_PRON[w] and not nominal_next(tokens, i)
          and not (tokens[i + 1] and (tokens[i + 1]._i.closed == "ADV" or has(tokens[i + 1], "adj"))) then
        pos = "PRON"
      elseif w == "that" and (ppos == "NOUN" or ppos == "VERB") and tokens[i + 1]
          and (tokens[i + 1]._i.closed == "AUX" or has(tokens[i + 1], "verb")) then
        pos = "PRON"
      elseif w == "there" then
        pos = "PRON"
      elseif closed == "ADV" and (w == "up" or w == "down" or w == "out" or w == "back")
          and nominal_next(tokens, i) and ppos ~= "VERB" then
        pos = "ADP"
      end
    else
      -- after a determiner or adjective every reading stays possible ("a
      -- watch"); elsewhere rare readings are dropped ("pine trees")
      local m = t._i.mask or 0
      if not (ppos == "DET" or ppos == "ADJ" or ppos == "NUM") then
        m = t._i.cmask or m
      elseif t._i.cmask and (m & ~t._i.cmask) & BIT.adj ~= 0 and (m & ~BIT.adj) ~= 0 then
        m = m & ~BIT.adj -- a rare adjective reading stays out even after "a": "a sign offering"
      end
      -- a noun that forms a WordNet compound with the noun before it stays a
      -- noun: "teddy bear", "fire truck"
      if ppos == "NOUN" and (t._i.mask or 0) & BIT.noun ~= 0 and lex
          and lex:category(pw .. "_" .. (t._i.cands.noun or w)) then
        m = BIT.noun
      end
      if m == 0 then
        pos = guess(w)
      elseif m == BIT.noun then pos = "NOUN"
      elseif m == BIT.verb then pos = "VERB"
      elseif m == BIT.adj then pos = "ADJ"
      elseif m == BIT.adv then pos = "ADV"
      else
        local can_n, can_v = m & BIT.noun ~= 0, m & BIT.verb ~= 0
        local can_a, can_r = m & BIT.adj ~= 0, m & BIT.adv ~= 0
        local after_det = ppos == "DET" or ppos == "ADJ" or ppos == "NUM" or (ppos == "PART" and pw == "'s")
          or (ppos == "PRON" and (pw == "his" or pw == "her" or pw == "its"))
        local next_nom = nominal_next(tokens, i)
        local ing = w:find("ing$") ~= nil
        local ed = w:find("ed$") ~= nil
        local nx = tokens[i + 1]
        local next_ing = nx and nx._i.lower and nx._i.lower:find("ing$") and has(nx, "verb")
        local prev_plural = prev and ppos == "NOUN" and prev.lemma and prev.lemma ~= pw
        if can_v and not after_det and nx and nx._i.closed == "DET" and ppos ~= "ADP" then
          pos = "VERB" -- a determiner starts the object: "children watch a ..."
        elseif ing and can_n and ppos == "NOUN" and t._i.cands.noun == w and lex and lex:category(w)
            and (not nx or nx._i.closed == "PUNCT" or nx._i.closed == "CONJ" or nx._i.closed == "AUX") then
          pos = "NOUN" -- a thing named by an -ing noun ends the phrase: "the porch railing, ..."
        elseif ing and can_v and ppos == "NOUN" then
          pos = "VERB" -- "a chef plating a dish"
        elseif ppos == "AUX" and (ing or ed) and can_v then
          pos = "VERB"
        elseif (ppos == "PART" and (pw == "to" or pw == "not" or pw == "n't")) or (ppos == "AUX" and can_v and not can_a)
            or (ppos == "PRON" and pw ~= "it" and can_v and prev and prev._i.closed == "PRON") then
          pos = can_v and "VERB" or (can_n and "NOUN" or "ADJ")
        elseif ppos == "NOUN" and can_v and w:find("[^s]s$") and not prev_plural
            and t._i.cands.verb and t._i.cands.verb ~= w
            and not (nx and (nx._i.closed == "PUNCT" or nx._i.closed == "CONJ")) and nx then
          pos = "VERB" -- "a surfer carries"
        elseif after_det and can_a and nx and not nx._i.closed and (((nx._i.mask or 0) & BIT.adj ~= 0
            and not (nx._i.lower:find("ed$") and not nominal_next(tokens, i + 1)))
            or (nx.kind == "word" and is_cap(nx.text))) and not next_ing then
          pos = "ADJ" -- "a vintage red car"
        elseif can_a and nx and (nx._i.lower == "and" or nx._i.lower == "or" or nx._i.lower == ",")
            and tokens[i + 2] and not tokens[i + 2]._i.closed and (tokens[i + 2]._i.mask or 0) & BIT.adj ~= 0
            and tokens[i + 3] and not tokens[i + 3]._i.closed and (tokens[i + 3]._i.mask or 0) & BIT.noun ~= 0 then
          pos = "ADJ" -- "an orange and purple sky"
        elseif prev_plural and can_v and not w:find("s$") then
          pos = "VERB" -- "dogs play"
        elseif can_n and after_det and next_ing and not (tokens[i + 2] and not tokens[i + 2]._i.closed
            and (tokens[i + 2]._i.mask or 0) & BIT.noun ~= 0) then
          pos = "NOUN" -- "a sign reading", but "an empty swimming pool"
        elseif can_n and can_a and ppos == "ADP" and not next_nom then
          pos = "NOUN" -- "a field of lavender"
        elseif can_a and next_nom and (after_det or not can_v or ed or ing) and not (ing and not after_det and can_v) then
          pos = "ADJ"
        elseif after_det and can_n then
          pos = "NOUN"
        elseif after_det and can_a then
          pos = "ADJ"
        elseif ing and can_v then
          pos = "VERB"
        elseif ed and can_v and (ppos == "NOUN" or ppos == "PROPN" or ppos == "PRON") then
          pos = "VERB"
        elseif can_v and (ppos == "NOUN" or ppos == "PROPN" or ppos == "PRON") and w:find("s$")
            and t._i.cands.verb ~= w
            and not (ppos ~= "PRON" and (not nx or nx._i.closed == "PUNCT" or nx._i.closed == "CONJ"))
            and not (ppos == "PROPN" and tokens[i - 2] and (tokens[i - 2].pos == "VERB"
              or tokens[i - 2].pos == "ADP" or tokens[i - 2].pos == "DET")) -- "sells Nike shoes"
            and not (ppos == "NOUN" and prev.lemma ~= pw) then -- plural noun + -s: "dogs' toys"
          pos = "VERB"
        elseif ppos == "AUX" and can_a then
          pos = "ADJ"
        elseif can_n then
          pos = "NOUN"
        elseif can_a then
          pos = "ADJ"
        elseif can_v then
          pos = "VERB"
        elseif can_r then
          pos = "ADV"
        end
      end
    end
    t.pos = pos
    -- lemma
    if pos == "PROPN" then
      t.lemma = t.text
    elseif pos == "NUM" or pos == "PUNCT" or pos == "SYM" then
      t.lemma = w
    elseif pos == "NOUN" and (t._i.mask or 0) == 0 then
      t.lemma = guess_singular(w)
    elseif closed and pos ~= "NOUN" and pos ~= "VERB" and pos ~= "ADJ" then
      t.lemma = lemma_mod.FIXED[w] or w
    else
      local key = pos == "NOUN" and "noun" or pos == "VERB" and "verb" or pos == "ADJ" and "adj"
        or pos == "ADV" and "adv"
      t.lemma = (key and t._i.cands and t._i.cands[key]) or w
    end
    if pos == "PUNCT" then
      sent_start = sent_start or SENT_BOUNDARY[w] or false
    else
      sent_start = false
    end
    end
  end
  for i = 1, n do
    local t = tokens[i]
    t._i = nil
  end
  return tokens
end

return M
