--- The compiled English lexicon (WordNet 3.0, built by tools/build_lexicon_en.lua).
--
-- Found beside the C module: dirname(package.searchpath("glimpse.core",
-- package.cpath)) .. "/lexicon/en.lua", or in $GLIMPSE_LEXICON_DIR. The file
-- holds space-separated word lists; each list is split into a table the
-- first time it is needed.
-- @module glimpse.nlp.lexicon

local M = {}

local POS_BIT = { noun = 1, verb = 2, adj = 4, adv = 8 }
M.POS_BIT = POS_BIT

--- Path of the lexicon file `name` (e.g. "en.lua"), or nil, message.
function M.path(name)
  local dir = os.getenv("GLIMPSE_LEXICON_DIR")
  if dir and dir ~= "" then return dir .. "/" .. name end
  local so = package.searchpath("glimpse.core", package.cpath)
  if not so then return nil, "lexicon: glimpse.core not found on package.cpath" end
  return (so:match("^(.*)[/\\]") or ".") .. "/lexicon/" .. name
end

local Lexicon = {}
Lexicon.__index = Lexicon

local cache

--- Loads the English lexicon (once per Lua state).
-- @treturn Lexicon|nil
-- @treturn string message "lexicon: ..." on failure
-- @treturn string code "EIO" or "EFORMAT"
function M.load()
  if cache then return cache end
  local path, err = M.path("en.lua")
  if not path then return nil, err, "EIO" end
  local chunk, lerr = loadfile(path, "t", {})
  if not chunk then
    local f = io.open(path, "r")
    if f then f:close() return nil, "lexicon: " .. lerr, "EFORMAT" end
    return nil, "lexicon: cannot open " .. path .. " (run make)", "EIO"
  end
  local ok, data = pcall(chunk)
  if not ok or type(data) ~= "table" or data.version ~= 1 then
    return nil, "lexicon: " .. path .. " is not a version 1 English lexicon", "EFORMAT"
  end
  cache = setmetatable({ raw = data }, Lexicon)
  return cache
end

-- Lazily decoded tables ---------------------------------------------------

function Lexicon:masks()
  local t = self._mask
  if t then return t end
  t = {}
  for m, words in pairs(self.raw.pos) do
    for w in words:gmatch("%S+") do t[w] = m end
  end
  self._mask = t
  return t
end

--- Bit mask of WordNet parts of speech for a lower-case word (0 if none).
-- Noun-only words with a category are kept only in the category table.
function Lexicon:pos_mask(word)
  local m = self:masks()[word]
  if m then return m end
  return self:categories()[word] and POS_BIT.noun or 0
end

function Lexicon:has(word, pos)
  local m = self:masks()[word]
  if m and m & POS_BIT[pos] ~= 0 then return true end
  return pos == "noun" and self:categories()[word] ~= nil
end

--- Bit mask of the parts of speech that are rare for this lemma (0 if none).
function Lexicon:rare(word)
  local t = self._rare
  if not t then
    t = {}
    for m, words in pairs(self.raw.rare or {}) do
      for w in words:gmatch("%S+") do t[w] = m end
    end
    self._rare = t
  end
  return t[word] or 0
end

function Lexicon:exceptions(pos)
  self._exc = self._exc or {}
  local t = self._exc[pos]
  if t then return t end
  t = {}
  local s = self.raw.exc[pos] or ""
  for a, b in s:gmatch("(%S+) (%S+)") do
    if not t[a] then t[a] = b end
  end
  self._exc[pos] = t
  return t
end

function Lexicon:categories()
  local t = self._cat
  if t then return t end
  t = {}
  local weak = {}
  for c, words in pairs(self.raw.cat) do
    local base = c:match("^(.-)~$")
    if base then
      for w in words:gmatch("%S+") do t[w] = base weak[w] = true end
    else
      for w in words:gmatch("%S+") do t[w] = c end
    end
  end
  self._cat, self._weak = t, weak
  return t
end

--- Category of a lower-case noun lemma (or compound "fire hydrant"), and
-- whether it is only a secondary sense of the word.
function Lexicon:category(lemma)
  if lemma:find(" ", 1, true) then lemma = lemma:gsub(" ", "_") end
  local c = self:categories()[lemma]
  return c, c and self._weak[lemma] or false
end

-- Proper names are looked up in place (plain find in the space-padded
-- lists, memoised), not split into a table: a text meets few of them.
function Lexicon:name_type(name)
  local memo = self._name_memo
  if not memo then
    memo = {}
    self._name_memo = memo
    self._padded = {}
    for typ, words in pairs(self.raw.names) do self._padded[typ] = " " .. words .. " " end
  end
  local hit = memo[name]
  if hit ~= nil then return hit or nil end
  local key = " " .. name:gsub(" ", "_") .. " "
  local found = false
  for _, typ in ipairs({ "PERSON", "PLACE", "ORG" }) do
    if self._padded[typ] and self._padded[typ]:find(key, 1, true) then found = typ break end
  end
  memo[name] = found
  return found or nil
end

--- A table view of the names: names[name] -> "PERSON" | "PLACE" | "ORG" | nil.
function Lexicon:names()
  if not self._names then
    self._names = setmetatable({}, { __index = function(_, k)
      if type(k) ~= "string" then return nil end
      return self:name_type(k)
    end })
  end
  return self._names
end

--- Synonyms of a lower-case noun lemma: the other members of the WordNet
-- sense that gave it its category (spaces for "_"), or an empty list.
function Lexicon:synonyms(lemma)
  local all = self.raw.synonyms
  if not all or lemma == "" then return {} end
  local key = "|*" .. lemma:gsub(" ", "_") .. "|"
  local at = all:find(key, 1, true)
  if not at then return {} end
  local first = at
  while first > 1 and all:byte(first - 1) ~= 32 do first = first - 1 end
  local last = all:find(" ", at, true) or (#all + 1)
  local out = {}
  for w in all:sub(first, last - 1):gmatch("[^|]+") do
    w = w:gsub("^%*", ""):gsub("_", " ")
    if w ~= lemma then out[#out + 1] = w end
  end
  return out
end

--- Decodes every table now (for timing and memory measurements).
function Lexicon:warm()
  self:masks(); self:categories(); self:name_type(""); self:rare("")
  for p in pairs(self.raw.exc) do self:exceptions(p) end
  return self
end

return M
