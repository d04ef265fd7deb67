--- Chinese text processing for glimpse.nlp: tokens, tags, sentences and
-- typed entities from image descriptions.
--
-- Same shapes as the English side (docs/nlp.md); Chinese specifics are in
-- docs/nlp-zh.md.
--
--     local zh = require "glimpse.nlp.zh"
--     for _, e in ipairs(assert(zh.entities("三辆红色的汽车停在路边。"))) do
--       print(e.type, e.text, e.count, e.category)  --> OBJECT 汽车 3 vehicle ...
--     end
--
-- Functions that need the compiled lexicon return `nil, message, code` when it
-- cannot be loaded (code "EIO" or "EFORMAT"); a non-string argument raises.
-- @module glimpse.nlp.zh

local segment = require "glimpse.nlp.zh.segment"
local rules = require "glimpse.nlp.zh.rules"
local tags = require "glimpse.nlp.zh.tags"
local spans_mod = require "glimpse.nlp.zh.spans"
local objects = require "glimpse.nlp.zh.objects"

local sub, byte = string.sub, string.byte

local M = { _VERSION = "0.1" }

local function check_string(v, name, fname)
  if type(v) ~= "string" then
    error(("bad argument #1 to '%s' (%s expected, got %s)"):format(fname, name, type(v)), 3)
  end
end

-- Curated words join the segmentation dictionary once, so compounds such as
-- 虎斑猫, 价格标签 and 东方明珠塔 come out as one token.
local vocabulary_added = false
local function ensure_vocabulary()
  if vocabulary_added then return true end
  local n, err, code = segment.load()
  if not n then return nil, err, code end
  local function add(w, pos) segment.add_word(w, 100, pos, true) end
  for w in pairs(rules.CATEGORY) do add(w, "n") end
  for w in pairs(rules.ORG) do add(w, "nt") end
  for w in pairs(rules.PLACE) do add(w, "ns") end
  for w in pairs(rules.COLOR_BASE) do add(w, "a") end
  vocabulary_added = true
  return true
end

---------------------------------------------------------------------------
-- tokenize / tag / sentences
---------------------------------------------------------------------------

--- Splits Chinese (or mixed) text into tokens.
-- @param text string
-- @return list of `{text, start, stop, kind}` (byte offsets, inclusive), or
--   nil, message, code when the lexicon cannot be loaded
-- @raise when text is not a string
-- @usage local toks = assert(zh.tokenize("两只狗在草地上"))
function M.tokenize(text)
  check_string(text, "string", "tokenize")
  local ok, err, code = ensure_vocabulary()
  if not ok then return nil, err, code end
  return segment.tokenize(text)
end
--- Adds `pos` (coarse tag) and `lemma` to each token, in place.
-- For Chinese the lemma is the word itself; numerals get their value
-- ("二十五" → "25", "３" → "3").
-- @param tokens list from tokenize
-- @return the same list
-- @raise when tokens is not a table
function M.tag(tokens)
  if type(tokens) ~= "table" then
    error(("bad argument #1 to 'tag' (table expected, got %s)"):format(type(tokens)), 2)
  end
  return tags.tag(tokens, ensure_vocabulary())
end

local SENTENCE_END = { ["。"] = true, ["！"] = true, ["？"] = true, ["!"] = true, ["?"] = true,
  ["；"] = true, [";"] = true, ["…"] = true, ["……"] = true, ["．"] = true }
local CLOSERS = { ["”"] = true, ["」"] = true, ["』"] = true, ["）"] = true, [")"] = true, ["’"] = true,
  ['"'] = true, ["》"] = true }

--- Splits text into sentences at 。！？；… (and ASCII .!? before a space or
-- the end) and at line breaks; closing quotes stay with their sentence.
-- @param text string
-- @return list of `{text, start, stop}`
-- @raise when text is not a string
function M.sentences(text)
  check_string(text, "string", "sentences")
  local out = {}
  local us, ue, uk, n = segment.units(text)
  local S = segment.unit_kinds
  local first
  local function close(last)
    if first then
      out[#out + 1] = { text = sub(text, us[first], ue[last]), start = us[first], stop = ue[last] }
      first = nil
    end
  end
  local i = 1
  while i <= n do
    local u = sub(text, us[i], ue[i])
    if uk[i] == S.SPACE then
      if u:find("\n", 1, true) then close(i - 1) end
    else
      first = first or i
      local ends = SENTENCE_END[u]
      if u == "." then
        local nb = byte(text, ue[i] + 1)
        ends = nb == nil or nb == 32 or nb == 10 or nb == 13 or nb == 9
      end
      if ends then
        local last = i
        while last < n and (SENTENCE_END[sub(text, us[last + 1], ue[last + 1])] or CLOSERS[sub(text, us[last + 1], ue[last + 1])]) do
          last = last + 1
        end
        close(last)
        i = last
      end
    end
    i = i + 1
  end
  -- trailing sentence without a terminator: end at the last non-space unit
  if first then
    local last = n
    while last > first and uk[last] == S.SPACE do last = last - 1 end
    close(last)
  end
  return out
end


--- Extracts typed entities from a Chinese image description.
-- @param text string
-- @param opts optional table (reserved; `lang` is accepted and ignored)
-- @return list of entities `{type, text, start, stop, lemma, count,
--   attributes, category}` in text order, or nil, message, code when the
--   lexicon cannot be loaded
-- @raise when text is not a string or opts is not a table
-- @usage for _, e in ipairs(assert(zh.entities("两只狗"))) do print(e.type, e.text, e.count) end
function M.entities(text, opts)
  check_string(text, "string", "entities")
  if opts ~= nil and type(opts) ~= "table" then
    error(("bad argument #2 to 'entities' (table expected, got %s)"):format(type(opts)), 2)
  end
  local ok, err, code = ensure_vocabulary()
  if not ok then return nil, err, code end
  local tokens = segment.tokenize(text)
  local spans = spans_mod.find(text)
  local out = {}
  for _, sp in ipairs(spans) do
    local e = { type = sp.type, text = sub(text, sp.start, sp.stop), start = sp.start, stop = sp.stop }
    e.lemma = sp.lemma or e.text
    out[#out + 1] = e
  end
  -- tokens covered by a span (quoted text included) are not analysed further
  local consumed = {}
  local ranges = {}
  for _, sp in ipairs(spans) do ranges[#ranges + 1] = { sp.outer_start or sp.start, sp.outer_stop or sp.stop } end
  table.sort(ranges, function(a, b) return a[1] < b[1] end)
  local r = 1
  for i, t in ipairs(tokens) do
    while ranges[r] and ranges[r][2] < t.start do r = r + 1 end
    local rg = ranges[r]
    if rg and t.stop >= rg[1] and t.start <= rg[2] then consumed[i] = true end
  end
  -- weekdays and holidays are whole dictionary words
  for i, t in ipairs(tokens) do
    if not consumed[i] and (rules.WEEKDAY[t.text] or rules.HOLIDAY[t.text]) then
      -- a weekday right after a date belongs to it (6月14日星期五, 6月14日，周五)
      local d
      for _, e in ipairs(out) do
        if e.type == "DATE" and rules.WEEKDAY[t.text] and e.stop < t.start then
          local gap = sub(text, e.stop + 1, t.start - 1)
          if gap == "" or gap == " " or gap == "，" or gap == "," or gap == ", " then d = e end
        end
      end
      if d then
        d.stop = t.stop
        d.text = sub(text, d.start, d.stop)
        d.lemma = d.text
      else
        out[#out + 1] = { type = "DATE", text = t.text, start = t.start, stop = t.stop, lemma = t.text }
      end
      consumed[i] = true
    elseif not consumed[i] and (t.text == "中午" or t.text == "正午" or t.text == "午夜") then
      out[#out + 1] = { type = "TIME", text = t.text, start = t.start, stop = t.stop, lemma = t.text }
      consumed[i] = true
    end
  end
  objects.extract(text, tokens, consumed, out)
  table.sort(out, function(a, b)
    if a.start ~= b.start then return a.start < b.start end
    return a.stop < b.stop
  end)
  return out
end

return M
