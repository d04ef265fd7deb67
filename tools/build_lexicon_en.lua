-- build_lexicon_en.lua — compiles the English lexicon for glimpse.nlp from
-- Debian's WordNet 3.0 (package wordnet-base, /usr/share/wordnet).
--
--   lua5.4 tools/build_lexicon_en.lua OUT                 the lexicon (make runs this)
--   lua5.4 tools/build_lexicon_en.lua --labels OUT [DIR]  the model label map
--                                    (lua/glimpse/nlp/data/labels.lua; DIR holds
--                                    the *_labels.txt files, default ../shared/models/tflite)
--
-- The lexicon keeps only what glimpse.nlp uses, as space-separated word lists
-- that lexicon.lua splits on first use:
--   pos[mask]   single words by part-of-speech bit mask (1 noun, 2 verb, 4 adj, 8 adv);
--               noun-only words that have a category are only in cat (below)
--   rare[mask]  words whose parts of speech in mask are rare (sense-tag counts, cntlist.rev)
--   exc[p]      morphological exceptions "inflected base ..." (noun.exc, verb.exc, adj.exc)
--   cat[c]      nouns (and 2-3 word compounds, joined by "_") whose most frequent
--               physical sense falls under category c (hypernym closure, see CATEGORY_ROOTS);
--               cat[c .. "~"] those where only a later sense (2nd or 3rd) does
--   names[T]    proper names (WordNet instance nouns) classified PERSON / PLACE / ORG
--   synonyms    "|*a|b|*c| |*d|e| ...": the members of each categorised noun's chosen
--               sense; "*" marks the members whose chosen sense it is
-- Set WORDNET_DIR to read WordNet from elsewhere.
local WN = os.getenv("WORDNET_DIR") or "/usr/share/wordnet"

local function open_wn(name)
  local f, err = io.open(WN .. "/" .. name, "r")
  if not f then
    io.stderr:write("build_lexicon_en: cannot read WordNet (", err, "); install wordnet-base\n")
    os.exit(1)
  end
  return f
end

-- index.<pos>: lemma -> list of synset offsets in sense (frequency) order.
local function read_index(pos)
  local f = open_wn("index." .. pos)
  local idx = {}
  for line in f:lines() do
    if line:sub(1, 1) ~= " " then
      local fields = {}
      for w in line:gmatch("%S+") do fields[#fields + 1] = w end
      local lemma, ptr_cnt = fields[1], tonumber(fields[4])
      local nsenses = tonumber(fields[3])
      local first = 4 + ptr_cnt + 3
      local offs = {}
      for i = first, first + nsenses - 1 do offs[#offs + 1] = fields[i] end
      idx[lemma] = offs
    end
  end
  f:close()
  return idx
end

-- data.noun: offset -> {lex = lexfile number, words = {...}, hyper = {...}, inst = bool}
local function read_noun_data()
  local f = open_wn("data.noun")
  local syn = {}
  for line in f:lines() do
    if line:sub(1, 1) ~= " " then
      local head = line:match("^([^|]*)")
      local fields = {}
      for w in head:gmatch("%S+") do fields[#fields + 1] = w end
      local off, lex = fields[1], tonumber(fields[2])
      local wcnt = tonumber(fields[4], 16)
      local words = {}
      for i = 1, wcnt do words[i] = fields[3 + 2 * i]:gsub("%(.-%)$", "") end
      local p = 5 + 2 * wcnt
      local pcnt = tonumber(fields[p])
      local hyper, inst = {}, false
      for i = 0, pcnt - 1 do
        local sym, target = fields[p + 1 + 4 * i], fields[p + 2 + 4 * i]
        if sym == "@" then hyper[#hyper + 1] = target
        elseif sym == "@i" then hyper[#hyper + 1] = target; inst = true end
      end
      syn[off] = { lex = lex, words = words, hyper = hyper, inst = inst }
    end
  end
  f:close()
  return syn
end

local syn = read_noun_data()
local nidx = read_index("noun")

local function sense(lemma, n)
  local offs = assert(nidx[lemma], lemma)
  return assert(offs[n], lemma .. " sense " .. n)
end

-- Artifact categories, most specific first: the first root found in a
-- synset's hypernym closure names its category.
local CATEGORY_ROOTS = {
  { "sign", { sense("sign", 2), sense("signboard", 1), sense("visual_signal", 1) } },
  { "tableware", { sense("tableware", 1), sense("cutlery", 2) } },
  { "instrument", { sense("musical_instrument", 1) } },
  { "toy", { sense("plaything", 1) } },
  { "sports", { sense("sports_equipment", 1), sense("ball", 1) } },
  { "vehicle", { sense("vehicle", 1), sense("conveyance", 3), sense("craft", 2) } },
  { "furniture", { sense("furniture", 1) } },
  { "clothing", { sense("clothing", 1), sense("headdress", 1), sense("footwear", 2),
                  sense("jewelry", 1), sense("bag", 4) } },
  { "container", { sense("container", 1), sense("bag", 1) } },
  { "building", { sense("building", 1) } },
  { "tool", { sense("implement", 1) } },
  { "device", { sense("device", 1), sense("electronic_equipment", 1), sense("equipment", 1) } },
  { "structure", { sense("structure", 1), sense("way", 6) } },
}
local LEXFILE_CATEGORY = {
  [5] = "animal", [18] = "person", [20] = "plant", [13] = "food",
  [8] = "body_part", [17] = "natural", [6] = "artifact",
}
local root_cat = {}
for _, rc in ipairs(CATEGORY_ROOTS) do
  for _, off in ipairs(rc[2]) do root_cat[off] = root_cat[off] or rc[1] end
end
local rank = {}
for i, rc in ipairs(CATEGORY_ROOTS) do rank[rc[1]] = i end

local closure_memo = {}
local function closure(off)
  local c = closure_memo[off]
  if c then return c end
  c = { [off] = true }
  closure_memo[off] = c -- guards against cycles
  for _, h in ipairs(syn[off].hyper) do
    for k in pairs(closure(h)) do c[k] = true end
  end
  return c
end

-- noun.Tops holds the roots themselves.
local TOPS = {
  [sense("person", 1)] = "person", [sense("animal", 1)] = "animal",
  [sense("plant", 2)] = "plant", [sense("food", 1)] = "food", [sense("food", 2)] = "food",
}

local function synset_category(off)
  local s = syn[off]
  if s.inst then return nil end
  if s.lex == 3 then return TOPS[off] end
  if s.lex == 6 or s.lex == 10 then
    local best
    for k in pairs(closure(off)) do
      local c = root_cat[k]
      if c and (not best or rank[c] < rank[best]) then best = c end
    end
    if best then return best end
    return s.lex == 6 and "artifact" or nil
  end
  return LEXFILE_CATEGORY[s.lex]
end

local POS_BIT = { noun = 1, verb = 2, adj = 4, adv = 8 }

local function build_lexicon(out)
  -- Part-of-speech masks for single words.
  local mask = {}
  local indexes = { noun = nidx }
  for pos in pairs(POS_BIT) do
    if pos ~= "noun" then indexes[pos] = read_index(pos) end
  end
  for pos, idx in pairs(indexes) do
    for lemma in pairs(idx) do
      if lemma:match("^[a-z][a-z'%-]*$") then
        mask[lemma] = (mask[lemma] or 0) | POS_BIT[pos]
      end
    end
  end
  -- Rare parts of speech: for a word WordNet lists under several, those
  -- whose senses are tagged in the sense-tagged corpus (cntlist.rev) less than
  -- a tenth as often as its most frequent one ("tree" as a verb, "sign" as an
  -- adjective). The tagger drops them when another reading is possible.
  local SS_BIT = { ["1"] = 1, ["2"] = 2, ["3"] = 4, ["4"] = 8, ["5"] = 4 }
  local freq = {}
  do
    local f = open_wn("cntlist.rev")
    for line in f:lines() do
      local lemma, ss, cnt = line:match("^([^%%]+)%%(%d):%S+ %d+ (%d+)")
      if lemma and mask[lemma] then
        local b = SS_BIT[ss]
        freq[lemma] = freq[lemma] or {}
        freq[lemma][b] = (freq[lemma][b] or 0) + tonumber(cnt)
      end
    end
    f:close()
  end
  local rare_by_mask = {}
  for w, m in pairs(mask) do
    if m & (m - 1) ~= 0 then -- more than one part of speech
      local fr = freq[w] or {}
      local top = 0
      for _, c in pairs(fr) do if c > top then top = c end end
      if top >= 3 then
        local r = 0
        for b = 0, 3 do
          local bit = 1 << b
          if m & bit ~= 0 and (fr[bit] or 0) * 10 < top then r = r | bit end
        end
        if r ~= 0 then
          rare_by_mask[r] = rare_by_mask[r] or {}
          table.insert(rare_by_mask[r], w)
        end
      end
    end
  end

  local by_mask = {}
  for w, m in pairs(mask) do
    by_mask[m] = by_mask[m] or {}
    table.insert(by_mask[m], w)
  end

  -- How often each noun sense was tagged in WordNet's semantic concordance
  -- (cntlist.rev: "lemma%1:...  sense_number  count"). A person sense tagged
  -- this often is the word's real meaning ("soldier", "worker", "queen"),
  -- not a figurative one that an animal or food sense should override.
  local DOMINANT_SENSE = 5
  local counts = {}
  do
    local f = io.open(WN .. "/cntlist.rev", "r")
    if f then
      for line in f:lines() do
        local lemma, n, c = line:match("^([^%%]+)%%1:%S+%s+(%d+)%s+(%d+)")
        if lemma then
          counts[lemma] = counts[lemma] or {}
          counts[lemma][tonumber(n)] = tonumber(c)
        end
      end
      f:close()
    end
  end
  local function sense_count(lemma, n)
    local c = counts[lemma]
    return c and c[n] or 0
  end

  -- Noun categories: the first of the first three senses that has one.
  local cats = {}
  local used_synsets = {} -- the sense each categorised noun was given
  for lemma, offs in pairs(nidx) do
    local parts = select(2, lemma:gsub("_", "_")) + 1
    -- taxonomic groups ("genus_felis") are never what a picture shows
    if parts <= 3 and lemma:match("^[a-z][a-z_%-']*$") and not lemma:match("^genus_")
        and not lemma:match("^family_") and not lemma:match("^order_") then
      local first_cat, first_i, chosen
      -- the first three senses that are not proper names ("Crane" the poet
      -- comes before the crane in WordNet's list)
      local senses, sense_no = {}, {}
      for k, o in ipairs(offs) do
        if not syn[o].inst then senses[#senses + 1] = o; sense_no[#senses] = k end
        if #senses == 3 then break end
      end
      for i = 1, #senses do
        local c = synset_category(senses[i])
        if c then
          if not first_cat then
            first_cat, first_i, chosen = c, i, senses[i]
          elseif (first_cat == "person" and (c == "animal" or c == "food" or c == "plant")
                  and sense_count(lemma, sense_no[first_i]) < DOMINANT_SENSE)
              or (first_cat == "plant" and c == "food") then
            -- "tiger", "hot dog": the figurative person sense comes first in
            -- WordNet, but the animal or food is what a picture shows; and
            -- "banana" the fruit rather than the plant.
            first_cat, chosen = c, senses[i]
            break
          end
        end
      end
      if first_cat then
        -- "~" marks a category that only a later sense gives (the word's
        -- most frequent sense is abstract): used with more context.
        local bucket = first_i == 1 and first_cat or first_cat .. "~"
        cats[bucket] = cats[bucket] or {}
        table.insert(cats[bucket], lemma)
        used_synsets[chosen] = used_synsets[chosen] or {}
        used_synsets[chosen][lemma] = true
      end
    end
  end

  -- Proper names from instance nouns.
  local INSTANCE_TYPE = { [18] = "PERSON", [15] = "PLACE", [17] = "PLACE", [6] = "PLACE", [14] = "ORG" }
  local names, seen = { PERSON = {}, PLACE = {}, ORG = {} }, {}
  for lemma, offs in pairs(nidx) do
    for _, off in ipairs(offs) do
      local s = syn[off]
      if s.inst then
        local t = INSTANCE_TYPE[s.lex]
        if t then
          for _, w in ipairs(s.words) do
            if w:lower() == lemma and w:match("^%u") and not seen[w] then
              seen[w] = true
              table.insert(names[t], w)
            end
          end
        end
        break -- only the most frequent instance sense names the type
      end
    end
  end

  local function exc(pos)
    local f = open_wn(pos .. ".exc")
    local pairs_ = {}
    for line in f:lines() do
      local a, b = line:match("^(%S+) (%S+)")
      if a and a:match("^[a-z'%-]+$") then pairs_[#pairs_ + 1] = a .. " " .. b end
    end
    f:close()
    return table.concat(pairs_, " ")
  end

  -- A noun-only word that has a category is known as a noun from the
  -- category table already; leaving it out of pos[1] saves decoding time.
  do
    local categorised = {}
    for _, words in pairs(cats) do
      for _, w in ipairs(words) do categorised[w] = true end
    end
    local kept = {}
    for _, w in ipairs(by_mask[1] or {}) do
      if not categorised[w] then kept[#kept + 1] = w end
    end
    by_mask[1] = kept
  end

  local f = assert(io.open(out, "w"))
  f:write("-- Generated by tools/build_lexicon_en.lua from WordNet 3.0 (Princeton University,\n",
          "-- WordNet 3.0 license). Do not edit.\nreturn {\n  version = 1,\n  pos = {\n")
  local masks = {}
  for m in pairs(by_mask) do masks[#masks + 1] = m end
  table.sort(masks)
  for _, m in ipairs(masks) do
    table.sort(by_mask[m])
    f:write(("    [%d] = %q,\n"):format(m, table.concat(by_mask[m], " ")))
  end
  f:write("  },\n  rare = {\n")
  local rmasks = {}
  for m in pairs(rare_by_mask) do rmasks[#rmasks + 1] = m end
  table.sort(rmasks)
  for _, m in ipairs(rmasks) do
    table.sort(rare_by_mask[m])
    f:write(("    [%d] = %q,\n"):format(m, table.concat(rare_by_mask[m], " ")))
  end
  f:write("  },\n  exc = {\n")
  for _, p in ipairs({ "noun", "verb", "adj" }) do
    f:write(("    %s = %q,\n"):format(p, exc(p)))
  end
  f:write("  },\n  cat = {\n")
  local cnames = {}
  for c in pairs(cats) do cnames[#cnames + 1] = c end
  table.sort(cnames)
  for _, c in ipairs(cnames) do
    table.sort(cats[c])
    f:write(("    [%q] = %q,\n"):format(c, table.concat(cats[c], " ")))
  end
  -- Synonyms: the lower-case members of each sense chosen above that has
  -- more than one ("car automobile auto machine motorcar").
  local groups = {}
  for off, chose in pairs(used_synsets) do
    local ws = {}
    for _, w in ipairs(syn[off].words) do
      -- "*" marks the members whose own sense this is
      if w:match("^[a-z][a-z_%-']*$") then ws[#ws + 1] = (chose[w] and "*" or "") .. w end
    end
    if #ws > 1 then groups[#groups + 1] = "|" .. table.concat(ws, "|") .. "|" end
  end
  table.sort(groups)
  f:write("  },\n  synonyms = ", ("%q"):format(table.concat(groups, " ")), ",\n")
  f:write("  names = {\n")
  for _, t in ipairs({ "PERSON", "PLACE", "ORG" }) do
    table.sort(names[t])
    f:write(("    %s = %q,\n"):format(t, table.concat(names[t], " ")))
  end
  f:write("  },\n}\n")
  f:close()
end

-- Model labels -> WordNet noun -> category. Each label line may list
-- synonyms separated by commas; the first one found in WordNet wins.
local function build_labels(out, dir)
  dir = dir or "../shared/models/tflite"
  local files = { imagenet = "imagenet_labels.txt", coco = "coco_labels.txt",
                  pascal = "pascal_voc_segmentation_labels.txt" }
  local PASCAL_ALIAS = { aeroplane = "airplane", diningtable = "dining_table",
                         pottedplant = "pot_plant", tvmonitor = "television_monitor",
                         motorbike = "motorcycle", potted_plant = "pot_plant" }
  local map = {}
  for _, set in ipairs({ "imagenet", "coco", "pascal" }) do
    local f = io.open(dir .. "/" .. files[set])
    if not f then
      io.stderr:write("build_lexicon_en: ", dir, "/", files[set], " missing; skipped\n")
    else
      for line in f:lines() do
        local label = line:match("^%s*(.-)%s*$")
        local _, words = label:gsub("%S+", "")
        if label ~= "" and label ~= "background" and label ~= "???" and label ~= "n/a"
            and words <= 6 and not label:find("[.:;]") and not map[label] then
          local entry
          local function try(key)
            local offs = nidx[key]
            if not offs then return nil end
            -- A label names what a picture shows: a person sense only
            -- wins when no other physical sense exists ("tiger", "boxer").
            local person, plant
            for i = 1, math.min(5, #offs) do
              local c = synset_category(offs[i])
              if c == "person" then person = person or c
              elseif c == "plant" and not plant then plant = c
              elseif c and c ~= "body_part" then return { noun = (key:gsub("_", " ")), category = c } end
            end
            if plant then return { noun = (key:gsub("_", " ")), category = plant } end
            if person then return { noun = (key:gsub("_", " ")), category = person } end
          end
          for name in (label .. ","):gmatch("%s*([^,]-)%s*,") do
            local key = name:lower():gsub(" ", "_")
            key = PASCAL_ALIAS[key] or key
            entry = try(key) or try((key:gsub("s$", "")))
            if entry then break end
          end
          if not entry then -- fall back on the head noun: "sports ball" -> ball
            local head = label:match("^[^,]+"):lower():match("(%a+)s?$")
            entry = head and (try(head) or try((head:gsub("s$", ""))))
            if entry then entry.noun = label:match("^[^,]+"):lower() end
          end
          map[label] = entry or { noun = label:match("^[^,]+"):lower(), category = "other" }
        end
      end
      f:close()
    end
  end
  local keys = {}
  for k in pairs(map) do keys[#keys + 1] = k end
  table.sort(keys)
  local f = assert(io.open(out, "w"))
  f:write("-- Generated by `lua5.4 tools/build_lexicon_en.lua --labels ", out, "` from the\n",
          "-- label files of the shipped models (ImageNet, COCO, PASCAL VOC) and WordNet 3.0.\n",
          "-- label -> { noun = WordNet noun, category = glimpse.nlp category }. Do not edit.\n",
          "return {\n")
  for _, k in ipairs(keys) do
    f:write(("  [%q] = { noun = %q, category = %q },\n"):format(k, map[k].noun, map[k].category))
  end
  f:write("}\n")
  f:close()
end

if arg[1] == "--labels" then
  build_labels(assert(arg[2], "usage: build_lexicon_en.lua --labels OUT [DIR]"), arg[3])
else
  build_lexicon(assert(arg[1], "usage: build_lexicon_en.lua OUT"))
end
