--- Entities found on characters rather than words: quoted and labelled TEXT,
-- PLATE, DATE, TIME, MONEY and PERCENT.
-- @module glimpse.nlp.zh.spans

local segment = require "glimpse.nlp.zh.segment"
local numerals = require "glimpse.nlp.zh.numerals"
local rules = require "glimpse.nlp.zh.rules"

local sub, concat = string.sub, table.concat

local M = {}

---------------------------------------------------------------------------
-- Span entities found on characters: TEXT, PLATE, DATE, TIME, MONEY, PERCENT
---------------------------------------------------------------------------

local QUOTES = {
  { "\226\128\156", "\226\128\157" }, -- “ ”
  { "\227\128\140", "\227\128\141" }, -- 「 」
  { "\227\128\142", "\227\128\143" }, -- 『 』
  { "\226\128\152", "\226\128\153" }, -- ‘ ’
  { '"', '"' },
}

local function find_quotes(s, spans)
  for _, q in ipairs(QUOTES) do
    local open, close = q[1], q[2]
    local pos = 1
    while true do
      local a, b = s:find(open, pos, true)
      if not a then break end
      local c, d = s:find(close, b + 1, true)
      if not c then break end
      local inner = sub(s, b + 1, c - 1)
      local trimmed_a, trimmed_c = b + 1, c - 1
      while trimmed_a <= trimmed_c and sub(s, trimmed_a, trimmed_a):match("%s") do trimmed_a = trimmed_a + 1 end
      while trimmed_c >= trimmed_a and sub(s, trimmed_c, trimmed_c):match("%s") do trimmed_c = trimmed_c - 1 end
      if trimmed_a <= trimmed_c and utf8.len(inner) and utf8.len(inner) <= 80 then
        spans[#spans + 1] = { type = "TEXT", start = trimmed_a, stop = trimmed_c, outer_start = a, outer_stop = d }
      end
      pos = d + 1
    end
  end
end

-- Unit-level helpers ---------------------------------------------------------

local Ctx = {}
Ctx.__index = Ctx

local function new_ctx(s)
  local us, ue, uk, n = segment.units(s)
  local ut = {}
  for i = 1, n do ut[i] = sub(s, us[i], ue[i]) end
  return setmetatable({ s = s, us = us, ue = ue, uk = uk, n = n, ut = ut, K = segment.unit_kinds }, Ctx)
end

function Ctx:adjacent(i, j) return self.ue[i] and self.us[j] and self.ue[i] + 1 == self.us[j] end

-- A number starting at unit i: digits (with 万/亿/千/百 after them) or a run
-- of Chinese numeral characters. Returns value, last unit index, is_digits.
function Ctx:number_at(i, allow_vague)
  local uk, ut, K = self.uk, self.ut, self.K
  if i > self.n then return nil end
  if uk[i] == K.DIGIT then
    local v = numerals.value(ut[i])
    if not v then return nil end
    local j = i
    while j < self.n and self:adjacent(j, j + 1) and (numerals.BIG[ut[j + 1]] or numerals.UNIT[ut[j + 1]]) do
      j = j + 1
      v = v * (numerals.BIG[ut[j]] or numerals.UNIT[ut[j]])
    end
    return v, j, true
  end
  if uk[i] ~= K.HAN then return nil end
  local j = i - 1
  while j < self.n and uk[j + 1] == K.HAN and (numerals.DIGIT[ut[j + 1]] or numerals.UNIT[ut[j + 1]]
    or numerals.BIG[ut[j + 1]] or (allow_vague and ut[j + 1] == "几")) and (j < i or self:adjacent(j, j + 1)) do
    j = j + 1
  end
  if j < i then return nil end
  local text = sub(self.s, self.us[i], self.ue[j])
  local v = numerals.value(text)
  if v == nil then return nil end
  return v, j, false
end

function Ctx:match_date(i)
  local ut, n = self.ut, self.n
  local j, have_year, have_month = i, false, false
  local v, e, digits = self:number_at(j)
  if v and type(v) == "number" and e < n and ut[e + 1] == "年" and self:adjacent(e, e + 1) then
    local units = e - i + 1
    if v >= 1000 or (not digits and units == 4) then
      have_year, j = true, e + 2
      v, e = self:number_at(j)
    else
      return nil
    end
  end
  local last = have_year and j - 1 or nil
  if v and type(v) == "number" and math.type(v) == "integer" and v >= 1 and v <= 12 and e < n
    and ut[e + 1] == "月" and self:adjacent(e, e + 1) and (not have_year or self:adjacent(j - 1, j)) then
    have_month, last = true, e + 1
    local d, de = self:number_at(e + 2)
    if d and type(d) == "number" and d >= 1 and d <= 31 and de < n and self:adjacent(e + 1, e + 2)
      and (ut[de + 1] == "日" or ut[de + 1] == "号") and self:adjacent(de, de + 1) then
      last = de + 1
    end
  end
  if not (have_year or have_month) then return nil end
  -- "三个月" never reaches here; a month of a single Chinese numeral followed by a
  -- measure-like use ("一月份") is still a month.
  return last
end

function Ctx:match_iso_date(i)
  local ut, uk, K = self.ut, self.uk, self.K
  if uk[i] ~= K.DIGIT then return nil end
  if ut[i]:match("^%d%d%d%d%.%d%d?%.%d%d?$") then return i end
  if not ut[i]:match("^%d%d%d%d$") then return nil end
  local sep = ut[i + 1]
  if (sep == "-" or sep == "/") and uk[i + 2] == K.DIGIT and ut[i + 2]:match("^%d%d?$")
    and ut[i + 3] == sep and uk[i + 4] == K.DIGIT and ut[i + 4]:match("^%d%d?$")
    and self:adjacent(i, i + 1) and self:adjacent(i + 1, i + 2) and self:adjacent(i + 2, i + 3)
    and self:adjacent(i + 3, i + 4) then
    return i + 4
  end
  return nil
end

-- Start unit of a time-of-day word (下午, 早上) that ends right before unit i.
function Ctx:daypart_before(i)
  if i >= 3 and self:adjacent(i - 2, i - 1) and self:adjacent(i - 1, i)
    and rules.DAYPART[self.ut[i - 2] .. self.ut[i - 1]] then
    return i - 2
  end
  return nil
end

function Ctx:match_time(i)
  local ut, uk, K, n = self.ut, self.uk, self.K, self.n
  -- 15:30, 8:30:05
  if uk[i] == K.DIGIT and ut[i]:match("^%d%d?$") and (ut[i + 1] == ":" or ut[i + 1] == "：")
    and uk[i + 2] == K.DIGIT and ut[i + 2]:match("^%d%d$") and self:adjacent(i, i + 1) and self:adjacent(i + 1, i + 2)
    and tonumber(ut[i]) <= 24 and tonumber(ut[i + 2]) < 60 then
    local last = i + 2
    if (ut[last + 1] == ":" or ut[last + 1] == "：") and uk[last + 2] == K.DIGIT and ut[last + 2]:match("^%d%d$") then
      last = last + 2
    end
    return self:daypart_before(i) or i, last
  end
  -- 三点, 下午3点15分, 三点半
  local v, e, digits = self:number_at(i)
  if not v or type(v) ~= "number" or v > 24 or e >= n then return nil end
  local unit = ut[e + 1]
  if not (unit == "点" or unit == "时") or not self:adjacent(e, e + 1) then return nil end
  local last = e + 1
  local minutes = false
  if ut[last + 1] == "半" or ut[last + 1] == "整" then
    last, minutes = last + 1, true
  elseif ut[last + 1] == "一" and ut[last + 2] == "刻" then
    last, minutes = last + 2, true
  else
    local m, me = self:number_at(last + 1)
    if m and type(m) == "number" and m < 60 and ut[me + 1] == "分" then last, minutes = me + 1, true end
  end
  local from = self:daypart_before(i)
  if not (from or minutes or (digits and unit == "点")) then return nil end
  -- "三点" followed by a noun reads as "three points/dots", not a time
  return from or i, last
end

function Ctx:match_percent(i)
  local ut, uk, K = self.ut, self.uk, self.K
  if uk[i] == K.DIGIT and (ut[i + 1] == "%" or ut[i + 1] == "％") and self:adjacent(i, i + 1) then
    return i, i + 1, tostring(numerals.value(ut[i]) or ut[i]) .. "%"
  end
  if ut[i] == "百" and ut[i + 1] == "分" and ut[i + 2] == "之" then
    local v, e = self:number_at(i + 3)
    if v and type(v) == "number" then
      -- 百分之二十五点五
      if ut[e + 1] == "点" then
        local f, fe, fd = self:number_at(e + 2)
        if f and not fd then
          local frac = sub(self.s, self.us[e + 2], self.ue[fe])
          local digits = frac:gsub("[\128-\255]+", function(c) return tostring(numerals.DIGIT[c] or "") end)
          return i, fe, tostring(v) .. "." .. digits .. "%"
        end
      end
      return i, e, tostring(v) .. "%"
    end
  end
  return nil
end

local CURRENCY_UNITS = { "块钱", "元钱", "美元", "美金", "欧元", "英镑", "日元", "韩元", "港币", "港元", "人民币", "澳元", "卢布", "元", "块" }

function Ctx:match_money(i)
  local ut, uk, K, n = self.ut, self.uk, self.K, self.n
  if rules.CURRENCY_PREFIX[ut[i]] and uk[i + 1] == K.DIGIT and self:adjacent(i, i + 1) then
    local _, e = self:number_at(i + 1)
    return i, e or i + 1
  end
  if uk[i] == K.ALPHA and (ut[i] == "RMB" or ut[i] == "USD") and uk[i + 1] == K.DIGIT then
    local _, e = self:number_at(i + 1)
    return i, e or i + 1
  end
  local v, e = self:number_at(i)
  if not v or type(v) ~= "number" or e >= n then return nil end
  for _, cu in ipairs(CURRENCY_UNITS) do
    local len = utf8.len(cu)
    local text = concat(ut, "", e + 1, math.min(n, e + len))
    if text == cu and self:adjacent(e, e + 1) then
      local last = e + len
      if cu == "块" then
        -- 三块蛋糕 is three pieces of cake; 三块。/ 三块五 is money
        local nxt = ut[last + 1]
        if nxt and uk[last + 1] == K.HAN and not numerals.DIGIT[nxt] and nxt ~= "钱" then return nil end
      end
      return i, last
    end
  end
  return nil
end

function Ctx:match_plate(i)
  local ut, uk, K = self.ut, self.uk, self.K
  if uk[i] ~= K.HAN or not rules.PLATE_PREFIX:find(ut[i], 1, true) then return nil end
  local j, body = i + 1, {}
  while j <= self.n and self:adjacent(j - 1, j) do
    local t = ut[j]
    if uk[j] == K.ALPHA or uk[j] == K.DIGIT then
      body[#body + 1] = t
    elseif t == "·" or t == "•" or t == "-" or t == "." or t == "・" or t == "．" then
      if #body ~= 1 then break end
    else
      break
    end
    j = j + 1
  end
  local last = j - 1
  local plate = concat(body)
  if plate:match("^%u[%u%d][%u%d][%u%d][%u%d][%u%d]%u?[%u%d]?$") and plate:find("%d")
    and #plate >= 6 and #plate <= 7 then
    -- a trailing 学/警/挂 belongs to the plate
    local nxt = ut[last + 1]
    if (nxt == "学" or nxt == "警" or nxt == "挂") and self:adjacent(last, last + 1) and #plate == 6 then
      last = last + 1
    end
    return i, last
  end
  return nil
end

-- Unquoted visible text right after 写着 / 印着 (…写着：欢迎光临。), up to the
-- next punctuation mark, at most 20 characters.
local TEXT_INTRO = { "写着", "写有", "印着", "印有", "标着", "刻着", "写的是", "显示着" }
local INTRO_FIRST = {}
for _, w in ipairs(TEXT_INTRO) do INTRO_FIRST[w:sub(1, 3)] = true end
local QUOTE_OPEN = { ["“"] = true, ["「"] = true, ["『"] = true, ["‘"] = true, ['"'] = true, ["《"] = true }

local function find_unquoted_text(ctx, spans)
  local ut, uk, K, us, ue, n = ctx.ut, ctx.uk, ctx.K, ctx.us, ctx.ue, ctx.n
  for i = 1, n - 2 do
    if not INTRO_FIRST[ut[i]] then goto next_unit end
    for _, intro in ipairs(TEXT_INTRO) do
      local len = utf8.len(intro)
      if i + len <= n and concat(ut, "", i, i + len - 1) == intro then
        local j = i + len
        if ut[j] == "：" or ut[j] == ":" then j = j + 1 end
        while j <= n and uk[j] == K.SPACE and not ut[j]:find("\n") do j = j + 1 end
        if j <= n and not QUOTE_OPEN[ut[j]] and (uk[j] == K.HAN or uk[j] == K.ALPHA or uk[j] == K.DIGIT) then
          local k, last = j, nil
          while k <= n and k - j < 20 do
            local kind = uk[k]
            if kind == K.HAN or kind == K.ALPHA or kind == K.DIGIT then
              last = k
            elseif not (kind == K.SPACE and ut[k] == " ") then
              break
            end
            k = k + 1
          end
          -- a longer run is a sentence going on, not a label
          local label = last and concat(ut, "", j, last)
          if last and (k > n or uk[k] == K.PUNCT or uk[k] == K.SPACE) and last - j < 12
            and not label:find("的", 1, true) and not label:find("着", 1, true) and not label:find("了", 1, true)
            and not label:find("^很多") and not label:find("^一些") and not label:find("^[一两几]个") then
            spans[#spans + 1] = { type = "TEXT", start = us[j], stop = ue[last], outer_start = us[j], outer_stop = ue[last] }
          end
        end
        break
      end
    end
    ::next_unit::
  end
end

--- Spans in text order of insertion: `{type, start, stop, lemma, outer_start, outer_stop}`;
-- outer_* cover the quote marks of a TEXT.
function M.find(s)
  local ctx = new_ctx(s)
  local spans = {}
  find_quotes(s, spans)
  find_unquoted_text(ctx, spans)
  local us, ue = ctx.us, ctx.ue
  table.sort(spans, function(a, b)
    if a.outer_start ~= b.outer_start then return a.outer_start < b.outer_start end
    return a.outer_stop > b.outer_stop
  end)
  -- a quote inside a quote is part of the outer text, not a TEXT of its own
  do
    local kept, last = {}, nil
    for _, sp in ipairs(spans) do
      if not (last and sp.outer_stop <= last.outer_stop) then
        kept[#kept + 1] = sp
        last = sp
      end
    end
    spans = kept
  end
  local quoted = {} -- unit index -> the quote span that covers it
  do
    local k = 1
    for i = 1, ctx.n do
      while spans[k] and spans[k].outer_stop < us[i] do k = k + 1 end
      -- quotes may nest or overlap; any covering span will do
      local sp = spans[k]
      if sp and us[i] >= sp.outer_start and us[i] <= sp.outer_stop then quoted[i] = sp end
    end
  end
  local function inside_text(i) return quoted[i] end
  local i = 1
  while i <= ctx.n do
    local sp = inside_text(i)
    if sp then
      while i <= ctx.n and us[i] <= sp.outer_stop do i = i + 1 end
    else
      local a, b, lemma, ty
      a, b = ctx:match_plate(i)
      if a then ty = "PLATE" end
      if not ty then
        local last = ctx:match_iso_date(i) or ctx:match_date(i)
        if last then a, b, ty = i, last, "DATE" end
      end
      if not ty then
        a, b = ctx:match_time(i)
        if a then ty = "TIME" end
      end
      if not ty then
        a, b, lemma = ctx:match_percent(i)
        if a then ty = "PERCENT" end
      end
      if not ty then
        a, b = ctx:match_money(i)
        if a then ty = "MONEY" end
      end
      if ty then
        -- a time may start with a day-part word already passed over
        if a < i then
          for k = #spans, 1, -1 do
            if spans[k].stop >= us[a] and spans[k].type ~= "TEXT" then table.remove(spans, k) end
          end
        end
        spans[#spans + 1] = { type = ty, start = us[a], stop = ue[b], lemma = lemma }
        i = b + 1
      else
        i = i + 1
      end
    end
  end
  return spans
end

return M
