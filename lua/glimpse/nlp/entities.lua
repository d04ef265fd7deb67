--- English entity extraction from image descriptions.
--
-- Order of the passes (each claims its tokens, later passes skip them):
--   1. LPeg patterns: MONEY, PERCENT, DATE, TIME, PLATE (patterns.lua);
--   2. TEXT: quoted text, and upper-case text after a cue ("reading", "the word");
--   3. OBJECT noun phrases: head noun (or WordNet compound) with a category,
--      its determiner / number / adjectives -> count, attributes, COUNT, COLOR;
--      negated phrases ("no cars", "without a hat") produce nothing;
--   4. PERSON / ORG / PLACE: runs of capitalised words, classified by titles,
--      suffixes, WordNet instance nouns, gazetteers and context cues;
--   5. remaining colour words -> COLOR.
-- Conventions: docs/nlp.md.
-- @module glimpse.nlp.entities

local tokenize = require("glimpse.nlp.tokenize").tokenize
local tag = require("glimpse.nlp.tag").tag
local patterns = require "glimpse.nlp.patterns"
local lexicon = require "glimpse.nlp.lexicon"

local M = {}

local function set_of(s, lower)
  local t = {}
  for w in s:gmatch("%S+") do t[lower and w:lower() or w] = true end
  return t
end

local colors_data = require "glimpse.nlp.data.colors"
local cats_data = require "glimpse.nlp.data.categories"
local gaz = require "glimpse.nlp.data.gazetteer"

local COLORS = set_of(colors_data.colors)
local COLOR_MOD = set_of(colors_data.modifiers)
local BASIC_COLORS = set_of([[red blue green yellow pink purple brown black white gray grey
  beige maroon navy teal turquoise cyan magenta violet crimson scarlet burgundy khaki]])
local META = set_of(cats_data.meta)
local QUANTITY = cats_data.quantity
local SEVERAL = set_of(cats_data.several)
local OVERRIDE = cats_data.override
local ORGS = set_of(gaz.orgs)
local PLACES = set_of(gaz.places)
local FIRST = set_of(gaz.first_names)
local TITLES = set_of(gaz.titles)
local ORG_SUF = set_of(gaz.org_suffixes)
local ORG_PRE = set_of(gaz.org_prefixes)
local PLACE_SUF = set_of(gaz.place_suffixes)
local PLACE_PRE = set_of(gaz.place_prefixes)
local PLACE_CUE = set_of(gaz.place_cues)
local PERSON_CUE = set_of(gaz.person_cues)
-- family words written like names: never an entity
local KIN = set_of([[Mom Mum Dad Mommy Mummy Daddy Grandma Grandpa Granny Nana Papa Mama]])
local MULTI = {}
for _, n in ipairs(gaz.orgs_multi) do MULTI[n] = "ORG" end
for _, n in ipairs(gaz.places_multi) do MULTI[n] = "PLACE" end
for w in gaz.orgs:gmatch("%S+") do
  if w:find("%-") then MULTI[(w:gsub("%-", " "))] = "ORG" end
end

local MATERIALS = set_of([[glass metal wood wooden plastic leather stone brick steel paper cotton
  oak walnut teak mahogany cedar pine birch cherry bamboo neon tweed linen satin suede flannel
  corduroy fleece nylon polyester mesh clay gravel
  wool silk concrete marble ceramic iron denim straw wicker bamboo rubber velvet lace fur
  cardboard porcelain granite tin copper bronze chrome aluminum aluminium canvas]])
local UNITS = set_of([[second seconds minute minutes hour hours day days week weeks month months
  year years decade decades century centuries time times meter meters metre metres km kilometer
  kilometers kilometres mile miles inch inches foot feet cm mm kg kilogram kilograms gram grams
  pound pounds ounce ounces liter liters litre litres degree degrees percent page pages step
  steps point points mph kph story stories storey storeys floor floors]])
-- adjectives that are not attributes of a thing
local NOT_ATTR = set_of([[other same various several few many much more most such own only
  whole entire certain different similar main possible likely visible present next last first
  second third single particular usual typical numerous multiple overall additional separate
  remaining top bottom left right front back middle central upper lower inner outer nearby
  distant far close]])
-- adjectives of size, age, state and quality: they describe the thing, so they
-- stay attributes even where WordNet lists "old man" or "small boat"
local GENERIC_ADJ = set_of([[old young little small large big tall short long new tiny huge
  giant great good bad high low wide narrow thick thin heavy light dark bright pale empty full
  open closed hot cold warm cool wet dry clean dirty fresh elderly main single double modern
  ancient traditional public private front back top bottom upper lower inner outer left right
  local wild whole round square flat sharp soft loose tight broken dead busy
  quiet loud rich poor beautiful pretty ugly nice fine sweet sour bitter raw cooked boiled
  fried baked roasted sliced grilled frozen red-hot first last next other same]])
-- nouns that name a thing only in the plural: "string lights" but "natural light"
local THING_IF_PLURAL = set_of([[light shade]])
local TEXT_CUES = set_of([[reading reads read says say saying said labeled labelled marked
  titled entitled spelling spells displaying displays showing shows printed written stating
  states announcing advertising proclaiming]])
local TEXT_NOUNS = set_of([[word words text letters phrase slogan message name caption logo
  inscription lettering writing]])
local NEGATORS = set_of([[no without zero neither nor]])
-- words that open one of the negation branches of the noun-phrase pass
local NP_CUE = set_of([[no without zero neither nor not n't never free lack absence devoid
  empty clear]])
local ONE = { a = 1, an = 1, one = 1, ["single"] = 1, another = 1, each = 1, every = 1 }

local lower = string.lower

local function entity(typ, text_src, s, e, extra)
  local ent = { type = typ, text = text_src:sub(s, e), start = s, stop = e }
  if extra then for k, v in pairs(extra) do ent[k] = v end end
  return ent
end

local FOLD = { ["à"] = "a", ["á"] = "a", ["â"] = "a", ["ä"] = "a", ["ç"] = "c", ["è"] = "e",
  ["é"] = "e", ["ê"] = "e", ["ë"] = "e", ["í"] = "i", ["î"] = "i", ["ï"] = "i", ["ñ"] = "n",
  ["ó"] = "o", ["ô"] = "o", ["ö"] = "o", ["ú"] = "u", ["û"] = "u", ["ü"] = "u" }

-- category lookups memoised per phrase (bounded): a pure function of the lexicon
local cat_memo, cat_n = {}, 0

local function category_of(lex, lemma)
  local c = OVERRIDE[lemma]
  if c then return c, false end
  if not lex then return nil end
  local m = cat_memo[lemma]
  if m then return m[1] or nil, m[2] end
  local cat, weak = lex:category(lemma)
  if not cat and lemma:find("[\195]") then
    -- WordNet spells "café" as "cafe"
    cat, weak = lex:category((lemma:gsub("\195[\128-\191]", FOLD)))
  end
  if cat_n >= 50000 then cat_memo, cat_n = {}, 0 end
  cat_memo[lemma] = { cat or false, weak or false }
  cat_n = cat_n + 1
  return cat, weak
end

-- adds an attribute once, in first-seen order
local function add_attr(attrs, seen, a)
  if not seen[a] then seen[a] = true attrs[#attrs + 1] = a end
end

local function is_upper_word(t)
  return t.kind == "word" and t.text:find("%u") and not t.text:find("%l")
end

local byte = string.byte

local function is_cap(t)
  local b = byte(t.text, 1)
  return b ~= nil and b >= 65 and b <= 90 and t.kind == "word"
end

-- lower-cased token texts, memoised (bounded): the passes look every token up
local low_memo, low_n = {}, 0

--- Extracts entities from English text.
-- @tparam string text
-- @tparam[opt] table opts accepted for symmetry with glimpse.nlp.zh; no English options yet
-- @treturn table list of entities in text order (shapes in docs/nlp.md)
-- @treturn table the tagged tokens
function M.entities(text, opts)
  local lex = lexicon.load()
  local toks = tag(tokenize(text))
  local n = #toks
  local low = {}
  for k = 1, n do
    local tx = toks[k].text
    local l = low_memo[tx]
    if not l then
      l = lower(tx)
      if low_n >= 50000 then low_memo, low_n = {}, 0 end
      low_memo[tx] = l
      low_n = low_n + 1
    end
    low[k] = l
  end
  local out = {}
  local claimed = {}

  local function claim(i, j, who)
    for k = i, j do claimed[k] = who end
  end

  -- quoted stretches: their content is TEXT only
  local OPEN = { ['"'] = '"', ["\226\128\156"] = "\226\128\157", ["'"] = "'", ["\226\128\152"] = "\226\128\153" }
  local quotes = {}
  do
    local k = 1
    while k <= n do
      local t = toks[k]
      local close = t.kind == "punctuation" and OPEN[t.text]
      local found = false
      if close then
        local j = k + 1
        while j <= n and j - k <= 16 and not (toks[j].text == close or (close == '"' and toks[j].text == "\226\128\157")) do
          j = j + 1
        end
        if j <= n and j - k <= 16 and j > k + 1 then
          quotes[#quotes + 1] = { k, j }
          k = j + 1
          found = true
        end
      end
      if not found then k = k + 1 end
    end
  end
  local qi = 1 -- spans come in text order, so one forward pointer suffices
  local function in_quotes(s, e)
    while quotes[qi] and toks[quotes[qi][2]].stop < s do qi = qi + 1 end
    local q = quotes[qi]
    return q ~= nil and s >= toks[q[1]].start and e <= toks[q[2]].stop
  end

  -- 1. patterns ----------------------------------------------------------
  do
    local spans = patterns.scan(text)
    local k = 1
    for _, sp in ipairs(spans) do
      local kind, s, e = sp[1], sp[2], sp[3]
      while k <= n and toks[k].stop < s do k = k + 1 end
      local i = k
      local j = i
      while j + 1 <= n and toks[j + 1].start <= e do j = j + 1 end
      if i <= n and not in_quotes(s, e) then
        if kind == "YEAR" then
          -- a bare year is a DATE unless it counts a following noun ("2000 people")
          local nx = toks[j + 1]
          if not (nx and nx.pos == "NOUN" and nx.lemma ~= nx.text:lower()) then
            out[#out + 1] = entity("DATE", text, s, e)
            claim(i, j, "DATE")
          end
        else
          out[#out + 1] = entity(kind, text, s, e)
          claim(i, j, kind)
        end
      end
    end
  end

  -- 2. TEXT --------------------------------------------------------------
  do
    for _, q in ipairs(quotes) do
      local k, j = q[1], q[2]
      if not claimed[k + 1] then
        out[#out + 1] = entity("TEXT", text, toks[k + 1].start, toks[j - 1].stop)
        claim(k, j, "TEXT")
      end
    end
    -- upper-case text after a cue: a sign reading STOP, the word EXIT
    for i = 1, n do
      local t = toks[i]
      local lw = low[i]
      if not claimed[i] and (TEXT_CUES[lw] or TEXT_NOUNS[lw]) then
        local j = i + 1
        if toks[j] and toks[j].text == ":" then j = j + 1 end
        local s = j
        while toks[j] and not claimed[j] and (is_upper_word(toks[j]) or
            (toks[j].kind == "number" and toks[j - 1] and (is_upper_word(toks[j - 1])
              or toks[j - 1].text == "/"))
            or (j > s and (toks[j].text == ":" or toks[j].text == "," or toks[j].text == "&"
              or toks[j].text == "-") and toks[j + 1] and is_upper_word(toks[j + 1]))
            or (j > s and toks[j].text == "/" and toks[j + 1] and toks[j + 1].kind == "number"
              and toks[j].start == toks[j - 1].stop + 1)) do
          j = j + 1
        end
        -- after a verb cue a run of capitalised words is text too: "a banner says Happy Birthday"
        if j == s and TEXT_CUES[lw] and lw ~= "showing" and lw ~= "shows" and lw ~= "displaying"
            and lw ~= "displays" then
          while toks[j] and not claimed[j] and is_cap(toks[j]) and j - s < 8 do j = j + 1 end
          if j - s < 2 then j = s end
        end
        -- keep a closing "!" of shouted text
        if j > s and toks[j] and toks[j].text == "!" and toks[j].start == toks[j - 1].stop + 1 then
          j = j + 1
        end
        if j > s and (j - s > 1 or #toks[s].text >= 2) then
          -- letters and digits shown by a plate are the plate: "its plate ... shows KLM 482"
          local typ = "TEXT"
          local shown = text:sub(toks[s].start, toks[j - 1].stop)
          if patterns.plate_ok(shown) then
            for b = math.max(1, i - 10), i - 1 do
              if low[b] == "plate" or low[b] == "registration" then typ = "PLATE" break end
            end
          end
          out[#out + 1] = entity(typ, text, toks[s].start, toks[j - 1].stop)
          claim(s, j - 1, typ)
        end
      end
    end
  end

  -- 3. OBJECT noun phrases -----------------------------------------------
  local neg_until = 0 -- negation applies to the noun phrase starting at or before this token
  local neg_active = false

  local function np_start_ok(t)
    return t and (t.pos == "DET" or t.pos == "ADJ" or t.pos == "NUM" or t.pos == "NOUN"
      or t.pos == "ADV")
  end

  -- "a sleeping black Labrador", "two Dalmatians": a capitalised word after an
  -- indefinite article or a number (past adjectives), with no noun or name
  -- after it, that WordNet knows as a kind of animal, food, plant or thing
  local function kind_name(k)
    local nx = toks[k + 1]
    if nx and (nx.pos == "NOUN" or nx.pos == "PROPN" or nx.text == "'s") then return false end
    local w = toks[k].text
    if ORGS[w] or PLACES[w] or FIRST[w] then return false end
    local b = k - 1
    while b >= 1 and (toks[b].pos == "ADJ" or (toks[b].pos == "VERB" and low[b]:find("[ei][dn]g?$"))) do
      b = b - 1
    end
    local p = toks[b]
    if not p or not (low[b] == "a" or low[b] == "an" or p.pos == "NUM") then return false end
    local l = toks[k].lemma and toks[k].lemma:lower() or low[k]
    if low[k]:find("s$") and lex and lex:has(low[k]:sub(1, -2), "noun") then l = low[k]:sub(1, -2) end
    local c = category_of(lex, l)
    if c == nil or c == "person" then return false end
    toks[k].pos, toks[k].lemma = "NOUN", l -- the common-noun reading
    return true
  end

  local i = 1
  local quantity_pending = nil -- count carried from "a group of" to the next phrase
  while i <= n do
    local t = toks[i]
    local lw = low[i]
    local tpos = t.pos
    if claimed[i] then
      i = i + 1
    elseif not NP_CUE[lw] and tpos ~= "NOUN" and tpos ~= "PROPN" then
      -- none of the branches below applies: the common case, decided at once
      if neg_active and i > neg_until then neg_active = false end
      if (tpos == "PUNCT" and not (lw == "," and i < neg_until)) or (tpos == "VERB")
          or (tpos == "ADP" and lw ~= "of") or lw == "but" or lw == "only" then
        neg_active = false
      end
      i = i + 1
    elseif NEGATORS[lw] or ((lw == "not" or lw == "n't" or lw == "never") and toks[i + 1]
        and (toks[i + 1].pos == "DET" or toks[i + 1].pos == "NOUN" or toks[i + 1].pos == "ADJ"
          or toks[i + 1].pos == "NUM")) then
      neg_active = true
      neg_until = i + 4
      i = i + 1
    elseif (lw == "not" or lw == "n't" or lw == "never") and toks[i + 1]
        and (toks[i + 1].pos == "VERB" or (toks[i + 1].pos == "AUX" and toks[i + 1].lemma == "have")) then
      -- "not wearing a hat", "doesn't have a collar": the verb's object is negated
      neg_active = true
      neg_until = i + 5
      i = i + 2
    elseif (lw == "free" or lw == "lack" or lw == "absence" or lw == "devoid" or lw == "empty"
        or lw == "clear") and toks[i + 1]
        and low[i + 1] == "of" then
      neg_active = true
      neg_until = i + 5
      i = i + 2
    elseif t.pos == "NOUN" or (t.pos == "PROPN" and kind_name(i)) then
      -- noun run [i, j]
      local j = i
      while j + 1 <= n and not claimed[j + 1] and toks[j + 1].pos == "NOUN"
          and (not (toks[j].lemma ~= low[j] and toks[j].text:find("s$"))
            or category_of(lex, low[j] .. " " .. (toks[j + 1].lemma or low[j + 1]))) do
        j = j + 1 -- a plural ends the run, unless WordNet joins it: "sports car"
      end
      -- a capitalised word + noun that WordNet lists as a compound: "Egyptian cat"
      local s_run = i
      local pt = toks[i - 1]
      if pt and not claimed[i - 1] and (pt.pos == "PROPN" or pt.pos == "ADJ" or pt.pos == "VERB") then
        -- "Egyptian cat", "tabby cat", "red fox", "hot dog": an adjective joins
        -- the noun only in names of species and dishes ("old man" or "blue
        -- jeans" keep it as an attribute); a participle in any WordNet
        -- compound ("rocking chair", "dining table")
        local comp = low[i - 1] .. " " .. (toks[j].lemma or low[j])
        local c = i == j and category_of(lex, comp)
        local hc = c and category_of(lex, toks[j].lemma or low[j])
        local ok
        if not c then ok = false
        elseif pt.pos == "PROPN" then ok = true
        elseif pt.pos == "VERB" then ok = low[i - 1]:find("ing$") ~= nil
        elseif not GENERIC_ADJ[low[i - 1]] and not COLORS[low[i - 1]] and not MATERIALS[low[i - 1]] then
          ok = c ~= "person" -- "grand piano", "tabby cat"
        else ok = (c == "food" and hc ~= "food") or ((c == "animal" or c == "plant") and (hc == nil or hc == c)) end
        if ok then s_run = i - 1 end
      end
      local head = j
      local head_tok = toks[head]
      local hl = head_tok.lemma or low[head]
      if toks[head + 1] and low[head + 1] == "of" and hl == low[head] and hl:find("[^s]s$") and lex then
        -- "two glasses of wine": the vessel, not spectacles
        if lex:has(hl:sub(1, -2), "noun") then hl = hl:sub(1, -2)
        elseif hl:find("[sxz]es$") and lex:has(hl:sub(1, -3), "noun") then hl = hl:sub(1, -3) end
      end
      -- compound from the run (longest first)
      local hs, cat, weak, lemma = head, nil, false, hl
      local joined = false -- joined by the noun-noun rule, not by WordNet
      for k = math.max(s_run, head - 2), head - 1 do
        local words = {}
        for m = k, head - 1 do words[#words + 1] = low[m] end
        words[#words + 1] = hl
        local comp = table.concat(words, " ")
        local c = category_of(lex, comp)
        if not c and hl:find("[^s]s$") then -- "wine glasses": kept plural, singular compound
          words[#words] = hl:sub(1, -2)
          c = category_of(lex, table.concat(words, " "))
          if c then comp = table.concat(words, " ") end
        end
        -- materials and colours stay attributes ("wicker basket"), except in
        -- species names ("black bear")
        local first = low[k]
        if c and (MATERIALS[first] or COLORS[first]) and c ~= "animal" and c ~= "plant" and c ~= "food" then
          c = nil
        end
        if c then
          hs, cat, lemma = k, c, comp
          break
        end
      end
      if not cat then
        cat, weak = category_of(lex, hl)
        -- a noun before the head that WordNet does not join with it still
        -- names the kind of thing ("desk lamp", "guitar case"), unless it is
        -- a material or colour (an attribute: "oak table", "brick wall")
        local m = head - 1
        if cat and m >= s_run and toks[m].pos == "NOUN" and not MATERIALS[low[m]] and not COLORS[low[m]]
            and not META[low[m]] and not (lex and lex:has(low[m], "adj")) then
          hs, lemma, joined = m, low[m] .. " " .. hl, true
        end
      end
      -- left context of the phrase
      local k = hs - 1
      local det, numtok, count, attrs, colors = nil, nil, nil, {}, {}
      local seen_attr = {}
      -- modifiers inside the noun run, before the compound start
      for m = s_run, hs - 1 do
        local ml = low[m]
        if COLORS[ml] then
          add_attr(attrs, seen_attr, ml); colors[#colors + 1] = m
        elseif MATERIALS[ml] or (lex and lex:has(ml, "adj") and not NOT_ATTR[ml]) then
          add_attr(attrs, seen_attr, ml) -- "a vintage typewriter", "a plastic bag"
        end
      end
      while k >= 1 and not claimed[k] do
        local p = toks[k]
        local pl = low[k]
        if p.pos == "ADJ" or (p.pos == "VERB" and pl:find("[ei]n?[dg]$") and k + 1 == hs and toks[k - 1]
            and (toks[k - 1].pos == "DET" or toks[k - 1].pos == "ADJ")) then
          if not NOT_ATTR[pl] and not SEVERAL[pl] then
            if COLORS[pl] then
              local a = pl
              if toks[k - 1] and COLOR_MOD[low[k - 1]] and not claimed[k - 1] then
                a = low[k - 1] .. " " .. pl
                colors[#colors + 1] = { k - 1, k }
                k = k - 1
              else
                colors[#colors + 1] = k
              end
              add_attr(attrs, seen_attr, a)
            elseif pl:find("^%a+%-colou?red$") and COLORS[pl:match("^(%a+)")] then
              add_attr(attrs, seen_attr, pl:match("^(%a+)"))
              colors[#colors + 1] = { k, k, #pl:match("^(%a+)") }
            else
              add_attr(attrs, seen_attr, pl)
            end
          elseif SEVERAL[pl] then
            count = count or "several"
          end
          k = k - 1
        elseif p.pos == "ADV" and toks[k + 1] and toks[k + 1].pos == "ADJ" then
          k = k - 1
        elseif (p.text == "," or pl == "and" or pl == "or") and toks[k - 1] and toks[k - 1].pos == "ADJ"
            and toks[k + 1] and (toks[k + 1].pos == "ADJ") then
          k = k - 1
        elseif p.pos == "NUM" then
          local v = patterns.number_value(pl)
          if v and v == math.floor(v) then
            numtok = k
            count = math.tointeger(v)
          end
          k = k - 1
        elseif p.pos == "DET" or (p.pos == "PRON" and SEVERAL[pl]) then
          det = pl
          if ONE[pl] then count = count or 1
          elseif SEVERAL[pl] then count = count or "several"
          elseif pl == "both" then count = count or 2
          end
          k = k - 1
          break
        elseif p.pos == "PROPN" and k < hs and toks[k - 1] and (toks[k - 1].pos == "DET"
            or toks[k - 1].pos == "PROPN" or toks[k - 1].pos == "ADJ" or toks[k - 1].pos == "NUM") then
          k = k - 1 -- a name as modifier: "a Nike shoe", "the World Cup trophy"
        elseif p.pos == "PART" and pl == "'s" then
          break
        else
          break
        end
      end
      local np_start = k + 1
      local prev_tok = toks[k]
      local negated = neg_active and np_start <= neg_until
      if negated or (det == "no") then
        negated = true
        neg_until = j + 2 -- coordinated phrases stay negated: "no cars or buses"
      else
        neg_active = false
      end
      local plural = low[head] ~= hl and not low[head]:find("ss$")
        or hl == "people"
      if numtok == nil and count == nil then
        count = plural and "several" or 1
      elseif count == 1 and plural and det and SEVERAL[det] == nil and not numtok then
        count = 1
      end
      -- "a group of people", "a pair of shoes": the quantity moves on
      local q = QUANTITY[hl]
      if q and plural then q = "several" end -- "dozens of", "pairs of"
      if q and toks[j + 1] and low[j + 1] == "of" then
        local qc = q
        if numtok and type(count) == "number" and count > 1 then qc = "several" end
        if negated then neg_active, neg_until = true, j + 4 end
        quantity_pending = { count = qc, upto = j + 5, numtok = numtok, negated = negated }
        i = j + 2
        goto next_token
      end
      if quantity_pending and np_start <= quantity_pending.upto then
        if quantity_pending.count ~= nil and not numtok then
          count = quantity_pending.count
        end
        if quantity_pending.numtok then numtok = quantity_pending.numtok end
        negated = negated or quantity_pending.negated
        quantity_pending = nil
      end
      -- a basic colour term is never the thing itself: "the sky is pale pink"
      if hs == head and BASIC_COLORS[hl] then cat = nil end
      local is_object = cat and ((hs < head and not joined) or not META[hl]) and not META[lemma]
        and not (hs == head and THING_IF_PLURAL[hl] and not plural)
        and not (UNITS[hl] and numtok)
        and (not weak or det or numtok or #attrs > 0)
      if negated then
        -- nothing from a negated phrase
      else
        if is_object then
          local rev = {}
          for m = #attrs, 1, -1 do rev[#rev + 1] = attrs[m] end
          attrs = rev
          local s_, e_ = toks[hs].start, head_tok.stop
          out[#out + 1] = { type = "OBJECT", text = text:sub(s_, e_), start = s_, stop = e_,
            lemma = lemma, count = count, attributes = attrs, category = cat }
        end
        if numtok and not UNITS[hl] and (is_object or plural) then
          out[#out + 1] = entity("COUNT", text, toks[numtok].start, toks[numtok].stop,
            { lemma = tostring(count) })
        end
        for _, c in ipairs(colors) do
          if type(c) == "table" then
            local s_ = toks[c[1]].start
            local e_ = c[3] and (s_ + c[3] - 1) or toks[c[2]].stop
            out[#out + 1] = entity("COLOR", text, s_, e_)
            claim(c[1], c[2], "COLOR")
          else
            out[#out + 1] = entity("COLOR", text, toks[c].start, toks[c].stop)
            claim(c, c, "COLOR")
          end
        end
      end
      if negated or is_object then claim(hs, j, negated and "NEG" or "OBJECT") end
      if numtok then claim(numtok, numtok, "COUNT") end
      -- a PROPN glued in front of the compound belongs to it
      i = j + 1
    else
      if neg_active and i > neg_until then neg_active = false end
      -- a comma right after a negated phrase continues a list: "no roads, buildings or people"
      if (t.pos == "PUNCT" and not (lw == "," and i < neg_until)) or (t.pos == "VERB")
          or (t.pos == "ADP" and lw ~= "of") or lw == "but" or lw == "only" then
        neg_active = false
      end
      i = i + 1
    end
    ::next_token::
  end

  -- 4. names ---------------------------------------------------------------
  local function org_of(s, j)
    for m = s, j - 1 do
      if (ORG_SUF[toks[m].text] or ORG_PRE[toks[m].text]) and toks[m + 1].text == "of" then return true end
    end
    return false
  end
  local names = lex and lex:names() or {}
  local i2 = 1
  while i2 <= n do
    local t = toks[i2]
    local tx = t.text
    local b1 = byte(tx, 1)
    local cap = ((b1 and b1 >= 65 and b1 <= 90 and t.kind == "word") or ORGS[tx]) and not claimed[i2] -- "iPhone"
    local start_ok = cap and (t.pos == "PROPN" or names[t.text] or ORGS[t.text] or PLACES[t.text]
      or TITLES[t.text] or FIRST[t.text] or (toks[i2 + 1] and toks[i2 + 1].pos == "PROPN"
        and not claimed[i2 + 1] and t.pos ~= "DET" and t.pos ~= "PRON" and t.pos ~= "ADP"
        and t.pos ~= "CONJ" and t.pos ~= "AUX" and t.pos ~= "ADV"))
    if start_ok and is_upper_word(t) and #t.text > 3 and not ORGS[t.text] and not PLACES[t.text] then
      start_ok = false -- shouted text, not a name
    end
    if start_ok and KIN[t.text] then start_ok = false end -- "a call from Mom"
    if not start_ok then
      i2 = i2 + 1
    else
      local j = i2
      while j - i2 < 7 do -- a name is a few words; longer runs are headings or shouting
        local nx = toks[j + 1]
        if nx and not claimed[j + 1] and is_cap(nx) and nx.start <= toks[j].stop + 2 then
          j = j + 1
        elseif nx and toks[j + 2] and not claimed[j + 2] and is_cap(toks[j + 2])
            and (nx.text == "of" or nx.text == "de" or nx.text == "la" or nx.text == "&" or nx.text == "von"
              or nx.text == "van" or nx.text == "del" or nx.text == "da") then
          j = j + 2
        elseif nx and nx.text == "'s" and (ORGS[toks[j].text .. "'s"] or MULTI[toks[j].text .. "'s"]) then
          j = j + 1
        elseif nx and nx.text == "'s" and toks[j + 2] and not claimed[j + 2] and is_cap(toks[j + 2])
            and (PLACE_SUF[toks[j + 2].text] or ORG_SUF[toks[j + 2].text]) then
          j = j + 2 -- "St. Peter's Square", "Joe's Bakery"
        else
          break
        end
      end
      -- a known brand at the head of a run names only itself, and the rest is
      -- its product: "Tesla Cybertruck", "Toyota Prius"
      local run_end = j
      if j > i2 and ORGS[toks[i2].text] and not MULTI[text:sub(toks[i2].start, toks[j].stop)] then
        j = i2
      end
      -- strip titles, unless the name is a place or organisation ("St. Peter's Square")
      local s = i2
      local titled = false
      local named_site = PLACE_SUF[toks[j].text] or ORG_SUF[toks[j].text]
      while s < j and TITLES[toks[s].text] and not named_site do s = s + 1 titled = true end
      if TITLES[toks[s].text] and s == j then
        i2 = j + 1
        goto continue_names
      end
      do
        local words = {}
        for m = s, j do words[#words + 1] = toks[m].text end
        local name = text:sub(toks[s].start, toks[j].stop)
        local first, last = toks[s].text, toks[j].text
        local typ
        local prev = toks[i2 - 1]
        local pl = prev and prev.text:lower()
        local nx = toks[j + 1]
        if MULTI[name] then typ = MULTI[name]
        elseif titled then typ = "PERSON"
        elseif ORG_SUF[last] and s < j then typ = "ORG"
        elseif ORG_PRE[first] and toks[s + 1] and toks[s + 1].text == "of" then typ = "ORG"
        elseif org_of(s, j) then typ = "ORG" -- "Metropolitan Museum of Art", "Bank of America"
        elseif ORGS[name] then typ = "ORG"
        elseif PLACES[name] then typ = "PLACE"
        elseif names[name] then typ = names[name]
        elseif (PLACE_SUF[last] and s < j) or (PLACE_PRE[first] and s < j) then typ = "PLACE"
        elseif FIRST[first] then typ = "PERSON"
        elseif s < j and names[last] == "PERSON" then typ = "PERSON"
        elseif pl and PERSON_CUE[pl] then typ = "PERSON"
        elseif s == j and names[first] then typ = names[first]
        elseif pl and PLACE_CUE[pl] and (not nx or (nx.pos ~= "NOUN" and nx.text ~= "'s")) then typ = "PLACE"
        elseif nx and nx.pos == "NOUN" and pl == "the" and toks[i2 - 2] and PLACE_CUE[low[i2 - 2]]
            and not ORG_SUF[(nx.text:gsub("^%l", string.upper))] then
          typ = "PLACE" -- "at the Chengdu research base", but "at the Zorbla store"
        elseif nx and nx.pos == "NOUN" and (pl == "a" or pl == "an" or pl == "the") then typ = "ORG"
        elseif s < j then typ = "PERSON"
        elseif nx and (nx.pos == "VERB" or nx.pos == "AUX" or nx.text == "'s") and t.pos == "PROPN" then
          typ = "PERSON"
        end
        -- a sentence-initial capitalised common word is not a name
        if typ and s == j and t.pos ~= "PROPN" and not (ORGS[name] or PLACES[name]
            or FIRST[name] or MULTI[name]) and (not names[name] or (lex and lex:pos_mask(name:lower()) ~= 0)) then
          typ = nil
        end
        -- adjectives of nationality and the like before a noun: "Egyptian cat"
        if typ and s == j and not names[name] and not ORGS[name] and not PLACES[name] and lex
            and lex:has(name:lower(), "adj") then
          typ = nil
        end
        -- a short upper-case word nobody lists is an abbreviation or a unit ("NT$")
        if typ and s == j and is_upper_word(t) and #name <= 3 and not (ORGS[name] or PLACES[name]
            or MULTI[name] or names[name]) then
          typ = nil
        end
        if typ then
          out[#out + 1] = entity(typ, text, toks[s].start, toks[j].stop)
          claim(i2, j, typ)
        end
        i2 = run_end + 1
      end
      ::continue_names::
    end
  end

  -- 5. remaining colours ---------------------------------------------------
  for k = 1, n do
    local t = toks[k]
    local lw = low[k]
    if not claimed[k] and COLORS[lw] and (t.pos == "ADJ" or t.pos == "NOUN") and not is_upper_word(t) then
      local s = t.start
      if toks[k - 1] and not claimed[k - 1] and COLOR_MOD[low[k - 1]] then
        s = toks[k - 1].start
      end
      out[#out + 1] = entity("COLOR", text, s, t.stop)
      claim(k, k, "COLOR")
    end
  end

  -- text order: every entity starts at a token start, so bucket by token
  local by_type = function(x, y) return x.type < y.type end
  -- (a start with one entity holds the entity itself, with more a list)
  local by_start = {}
  for _, e in ipairs(out) do
    local b = by_start[e.start]
    if not b then by_start[e.start] = e
    elseif b.type then by_start[e.start] = { b, e }
    else b[#b + 1] = e end
  end
  local sorted, ns = {}, 0
  for k = 1, n do
    local st = toks[k].start
    local b = by_start[st]
    if b then
      if b.type then
        ns = ns + 1
        sorted[ns] = b
      else
        table.sort(b, by_type)
        for _, e in ipairs(b) do ns = ns + 1 sorted[ns] = e end
      end
      by_start[st] = nil
    end
  end
  return sorted, toks
end

return M
