--- Chinese word segmentation over the jieba dictionary.
--
-- The text is first cut into units (one Han character, one run of ASCII
-- letters, one run of digits, one punctuation mark or symbol, whitespace).
-- Each stretch of units not broken by whitespace or punctuation is segmented
-- by building the DAG of every dictionary word that starts at each unit and
-- taking the path with the highest sum of log word probabilities
-- (log(freq / total)); units no word covers stand alone. Dictionary words can
-- mix scripts ("T恤", "卡拉OK").
--
-- The compiled lexicon (tools/build_lexicon_zh.lua) groups entries by first
-- character; a group is expanded into a hash table the first time a text uses
-- that character, so short texts never pay for the whole dictionary.
-- @module glimpse.nlp.zh.segment

local byte, sub, find = string.byte, string.sub, string.find
local log = math.log
local concat = table.concat

local M = {}

-- POS tags of the jieba dictionary, indexed so an entry packs into one integer
-- (freq * 64 + pos index) in the expanded tables.
local POS_LIST = {
  "n", "nr", "v", "i", "l", "ns", "m", "nz", "nrt", "zg", "nt", "a", "vn", "z",
  "d", "t", "j", "b", "g", "r", "s", "c", "nrfg", "x", "f", "ng", "o", "q", "vg",
  "p", "ad", "mq", "y", "ag", "an", "e", "u", "tg", "vq", "vi", "k", "vd", "rr",
  "mg", "h", "dg", "uz", "uv", "ul", "uj", "ug", "ud", "rz", "rg", "df",
}
local POS_INDEX = {}
for i, p in ipairs(POS_LIST) do POS_INDEX[p] = i end

---------------------------------------------------------------------------
-- Lexicon location and loading
---------------------------------------------------------------------------

local function dirname(p) return (p:match("^(.*)[/\\][^/\\]*$")) or "." end

--- Path of the compiled lexicon: $GLIMPSE_LEXICON_DIR/zh.lua, else
-- lexicon/zh.lua beside the glimpse.core module.
-- @return path, or nil and a message
function M.lexicon_path()
  local dir = os.getenv("GLIMPSE_LEXICON_DIR")
  if dir and dir ~= "" then return dir .. "/zh.lua" end
  local so = package.searchpath("glimpse.core", package.cpath)
  if not so then return nil, "glimpse.core not found on package.cpath" end
  return dirname(so) .. "/lexicon/zh.lua"
end

local lexicon -- the loaded lexicon (read-only data plus an expansion cache)

local function load_lexicon()
  if lexicon then return lexicon end
  local path, err = M.lexicon_path()
  if not path then return nil, "lexicon: " .. err, "EIO" end
  local chunk, lerr = loadfile(path, "t", {})
  if not chunk then return nil, "lexicon: cannot load " .. path .. " (" .. lerr .. "); run make", "EIO" end
  local ok, data = pcall(chunk)
  if not ok or type(data) ~= "table" or type(data.first) ~= "table" or not data.total then
    return nil, "lexicon: " .. path .. " is not a compiled zh lexicon; run make", "EFORMAT"
  end
  lexicon = {
    first = data.first,
    total = data.total,
    entries = data.entries,
    log_total = log(data.total),
    groups = {}, -- first char -> { [word] = freq*64+pos (0 for a bare prefix) }
    maxlen = {}, -- first char -> longest word in units (chars)
    pending = {}, -- first char -> words added before the group was expanded
  }
  return lexicon
end

--- Loads the lexicon now (it otherwise loads on first use).
-- @return the entry count, or nil, message, code
function M.load()
  local lx, err, code = load_lexicon()
  if not lx then return nil, err, code end
  return lx.entries
end

local function utf8_len(s)
  local n = 0
  for i = 1, #s do
    local b = byte(s, i)
    if b < 0x80 or b >= 0xC0 then n = n + 1 end
  end
  return n
end

-- No prefix entries are stored (they would add ~150k keys): the DAG scan
-- tries every length up to the group's longest word instead.
local function insert(group, word, value, lx, first)
  local old = group[word]
  if not old or value > old then group[word] = value end
  local n = utf8_len(word)
  if n > (lx.maxlen[first] or 0) then lx.maxlen[first] = n end
end

local function group_for(lx, first)
  local g = lx.groups[first]
  if g then return g end
  g = {}
  lx.groups[first] = g
  local packed = lx.first[first]
  if packed then
    for rest, freq, pos in packed:gmatch("([^|]-) (%d+)(%a*)|") do
      insert(g, first .. rest, tonumber(freq) * 64 + (POS_INDEX[pos] or 0), lx, first)
    end
    lx.first[first] = nil -- the expanded table replaces the packed string
  end
  local added = lx.pending[first]
  if added then
    for _, a in ipairs(added) do
      local old = g[a[1]]
      if not (a[3] and old and old > 0) then insert(g, a[1], a[2], lx, first) end
    end
    lx.pending[first] = nil
  end
  lx.maxlen[first] = lx.maxlen[first] or 1
  return g
end

local function first_char(w)
  local b = byte(w, 1)
  local n = b < 0x80 and 1 or b < 0xE0 and 2 or b < 0xF0 and 3 or 4
  return sub(w, 1, n)
end

--- Adds a word to the segmentation dictionary (for this Lua state), as
-- jieba's add_word does. Used for the curated image-vocabulary nouns. The
-- word joins its group when the group is next expanded, so adding many words
-- costs nothing until a text uses them.
-- @param word string
-- @param freq number (default 2000)
-- @param pos jieba POS tag (default "n")
-- @param keep_existing when true, a word already in the dictionary keeps its entry
function M.add_word(word, freq, pos, keep_existing)
  local lx = assert(load_lexicon())
  local first = first_char(word)
  local value = (freq or 2000) * 64 + (POS_INDEX[pos or "n"] or 1)
  local g = lx.groups[first]
  if g then
    local old = g[word]
    if not (keep_existing and old and old > 0) then insert(g, word, value, lx, first) end
  else
    local list = lx.pending[first]
    if not list then list = {} lx.pending[first] = list end
    list[#list + 1] = { word, value, keep_existing }
  end
end

--- Dictionary lookup.
-- @return freq, jieba POS tag — or nil when the word is not in the dictionary
function M.lookup(word)
  if word == "" then return nil end
  local lx = load_lexicon()
  if not lx then return nil end
  local v = group_for(lx, first_char(word))[word]
  if not v or v == 0 then return nil end
  return v // 64, POS_LIST[v % 64]
end

---------------------------------------------------------------------------
-- Units
---------------------------------------------------------------------------

-- Unit kinds
local HAN, ALPHA, DIGIT, SPACE, PUNCT, SYMBOL = 1, 2, 3, 4, 5, 6
M.unit_kinds = { HAN = HAN, ALPHA = ALPHA, DIGIT = DIGIT, SPACE = SPACE, PUNCT = PUNCT, SYMBOL = SYMBOL }

local ASCII_SYMBOL = { ["$"] = true, ["%"] = true, ["+"] = true, ["<"] = true, ["="] = true,
  [">"] = true, ["^"] = true, ["`"] = true, ["|"] = true, ["~"] = true, ["#"] = true,
  ["&"] = true, ["*"] = true, ["@"] = true, ["\\"] = true, ["/"] = true }

local function classify_cp(cp)
  if (cp >= 0x4E00 and cp <= 0x9FFF) or (cp >= 0x3400 and cp <= 0x4DBF)
    or (cp >= 0xF900 and cp <= 0xFAFF) or (cp >= 0x20000 and cp <= 0x3134F) or cp == 0x3007 then
    return HAN
  end
  if cp >= 0xFF10 and cp <= 0xFF19 then return DIGIT end          -- fullwidth digits
  if (cp >= 0xFF21 and cp <= 0xFF3A) or (cp >= 0xFF41 and cp <= 0xFF5A) then return ALPHA end
  if cp == 0x3000 or cp == 0xA0 or (cp >= 0x2000 and cp <= 0x200B) or cp == 0x202F or cp == 0xFEFF then
    return SPACE
  end
  if cp == 0xFFE5 or cp == 0xA5 or cp == 0xFF04 or cp == 0xFF05 or cp == 0x20AC or cp == 0xA3
    or cp == 0xB0 or cp == 0xD7 or cp == 0xF7 or cp == 0xFF0B or cp == 0xFF1D or cp == 0x2103
    or (cp >= 0x2100 and cp <= 0x2BFF and not (cp >= 0x2010 and cp <= 0x206F))
    or cp >= 0x1F000 then
    return SYMBOL
  end
  if (cp >= 0x3000 and cp <= 0x303F) or (cp >= 0xFF00 and cp <= 0xFF65) or (cp >= 0x2010 and cp <= 0x206F)
    or (cp >= 0xFE30 and cp <= 0xFE4F) or cp == 0xB7 or cp == 0x30FB then
    return PUNCT
  end
  if (cp >= 0x00C0 and cp <= 0x024F) or (cp >= 0x0370 and cp <= 0x052F) then return ALPHA end
  if cp >= 0x3040 and cp <= 0x30FF then return HAN end -- kana: treat like Han for grouping
  if cp >= 0xAC00 and cp <= 0xD7AF then return HAN end -- hangul
  return SYMBOL
end

--- Cuts text into units. Each invalid UTF-8 byte is a one-byte SYMBOL unit.
-- Returns three parallel arrays (starts, stops, kinds) and their length.
function M.units(s)
  local us, ue, uk = {}, {}, {}
  local n, i, len = 0, 1, #s
  while i <= len do
    local b = byte(s, i)
    local j, kind
    if b < 0x80 then
      if (b >= 65 and b <= 90) or (b >= 97 and b <= 122) then
        j = i
        while true do
          local c = byte(s, j + 1)
          if c and ((c >= 65 and c <= 90) or (c >= 97 and c <= 122) or (c >= 48 and c <= 57)) then
            j = j + 1
          elseif (c == 39 or c == 45) and (function(d) return d and ((d >= 65 and d <= 90) or (d >= 97 and d <= 122)) end)(byte(s, j + 2)) then
            j = j + 1 -- internal apostrophe / hyphen: "Wi-Fi", "McDonald's"
          else
            break
          end
        end
        kind = ALPHA
      elseif b >= 48 and b <= 57 then
        j = i
        while true do
          local c = byte(s, j + 1)
          if c and c >= 48 and c <= 57 then
            j = j + 1
          elseif (c == 46 or c == 44) and (function(d) return d and d >= 48 and d <= 57 end)(byte(s, j + 2)) then
            j = j + 1 -- "3.5", "1,200"
          else
            break
          end
        end
        kind = DIGIT
      elseif b == 32 or (b >= 9 and b <= 13) then
        j, kind = i, SPACE
      else
        local ch = string.char(b)
        j = i
        kind = ASCII_SYMBOL[ch] and SYMBOL or (b < 32 or b == 127) and SPACE or PUNCT
      end
      n = n + 1
      us[n], ue[n], uk[n] = i, j, kind
      i = j + 1
    else
      -- multi-byte: validate
      local need, cp
      if b >= 0xC2 and b <= 0xDF then need, cp = 1, b & 0x1F
      elseif b >= 0xE0 and b <= 0xEF then need, cp = 2, b & 0x0F
      elseif b >= 0xF0 and b <= 0xF4 then need, cp = 3, b & 0x07
      end
      local ok = need ~= nil and i + need <= len
      if ok then
        for k = 1, need do
          local c = byte(s, i + k)
          if c < 0x80 or c > 0xBF then ok = false break end
          cp = (cp << 6) | (c & 0x3F)
        end
        if ok and ((need == 2 and cp < 0x800) or (need == 3 and (cp < 0x10000 or cp > 0x10FFFF))
          or (cp >= 0xD800 and cp <= 0xDFFF)) then
          ok = false
        end
      end
      if ok then
        kind = classify_cp(cp)
        j = i + need
        if kind == DIGIT or kind == ALPHA then
          -- merge runs of fullwidth digits / letters
          local k = j + 1
          while k + 2 <= len and byte(s, k) == 0xEF do
            local b2, b3 = byte(s, k + 1), byte(s, k + 2)
            local c2 = ((b2 & 0x3F) << 6) | (b3 & 0x3F) | 0xF000
            if classify_cp(c2) == kind then j = k + 2 k = k + 3 else break end
          end
        end
        n = n + 1
        us[n], ue[n], uk[n] = i, j, kind
        i = j + 1
      else
        -- an invalid byte becomes a one-byte symbol, as on the English side
        n = n + 1
        us[n], ue[n], uk[n] = i, i, SYMBOL
        i = i + 1
      end
    end
  end
  return us, ue, uk, n
end

---------------------------------------------------------------------------
-- Segmentation
---------------------------------------------------------------------------

local NUMERAL_CHARS = "零〇一二三四五六七八九十百千万亿两几壹贰叁肆伍陆柒捌玖拾佰仟半"
local IS_NUMERAL = {}
for _, c in utf8.codes(NUMERAL_CHARS) do IS_NUMERAL[utf8.char(c)] = true end
M.IS_NUMERAL = IS_NUMERAL

local function all_numeral(s)
  if not utf8.len(s) then return false end
  for _, c in utf8.codes(s) do
    if not IS_NUMERAL[utf8.char(c)] then return false end
  end
  return true
end

-- Segments units a..b (all HAN / ALPHA / DIGIT, contiguous) and appends tokens.
local function segment_run(s, lx, us, ue, uk, a, b, out)
  local log_total = lx.log_total
  local route, nextj = {}, {}
  route[b + 1] = 0
  for i = b, a, -1 do
    local b0 = byte(s, us[i])
    local first = sub(s, us[i], us[i] + (b0 < 0x80 and 0 or b0 < 0xE0 and 1 or b0 < 0xF0 and 2 or 3))
    local best, bestj
    local g = group_for(lx, first)
    local maxl = lx.maxlen[first] or 1
    -- the unit on its own
    local v1 = g[sub(s, us[i], ue[i])]
    local f1 = (v1 and v1 > 0) and (v1 // 64) or 1
    best, bestj = log(f1) - log_total + route[i + 1], i
    local j = i + 1
    local lim = i + maxl - 1
    if lim > b then lim = b end
    while j <= lim do
      if ue[j - 1] + 1 ~= us[j] then break end
      local v = g[sub(s, us[i], ue[j])]
      if v then
        local score = log(v // 64) - log_total + route[j + 1]
        if score > best then best, bestj = score, j end
      end
      j = j + 1
    end
    route[i], nextj[i] = best, bestj
  end
  local i = a
  while i <= b do
    local j = nextj[i]
    local text = sub(s, us[i], ue[j])
    local kind = "word"
    if i == j and uk[i] == DIGIT then
      kind = "number"
    elseif uk[i] == HAN and all_numeral(text) then
      kind = "number"
    end
    out[#out + 1] = { text = text, start = us[i], stop = ue[j], kind = kind }
    i = j + 1
  end
end

--- Tokenizes text into words, numbers, punctuation and symbols.
-- @param s string
-- @return list of tokens {text, start, stop, kind}, or nil, message, code
--   when the lexicon cannot be loaded
function M.tokenize(s)
  local lx, err, code = load_lexicon()
  if not lx then return nil, err, code end
  local us, ue, uk, n = M.units(s)
  local out = {}
  local i = 1
  while i <= n do
    local k = uk[i]
    if k == SPACE then
      i = i + 1
    elseif k == PUNCT or k == SYMBOL then
      out[#out + 1] = { text = sub(s, us[i], ue[i]), start = us[i], stop = ue[i],
        kind = k == PUNCT and "punctuation" or "symbol" }
      i = i + 1
    else
      local j = i
      while j < n and (uk[j + 1] == HAN or uk[j + 1] == ALPHA or uk[j + 1] == DIGIT) do j = j + 1 end
      segment_run(s, lx, us, ue, uk, i, j, out)
      i = j + 1
    end
  end
  return out
end

return M
