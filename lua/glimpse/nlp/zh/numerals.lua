--- Chinese numerals and measure words.
--
-- value("二十五") == 25, value("两") == 2, value("一百零五") == 105,
-- value("3.5") == 3.5, value("二〇二四") == 2024, value("十几") == "several".
-- @module glimpse.nlp.zh.numerals

local M = {}

local DIGIT = {
  ["零"] = 0, ["〇"] = 0, ["一"] = 1, ["二"] = 2, ["两"] = 2, ["俩"] = 2, ["三"] = 3, ["四"] = 4,
  ["五"] = 5, ["六"] = 6, ["七"] = 7, ["八"] = 8, ["九"] = 9,
  ["壹"] = 1, ["贰"] = 2, ["叁"] = 3, ["肆"] = 4, ["伍"] = 5, ["陆"] = 6, ["柒"] = 7, ["捌"] = 8, ["玖"] = 9,
}
local UNIT = { ["十"] = 10, ["拾"] = 10, ["百"] = 100, ["佰"] = 100, ["千"] = 1000, ["仟"] = 1000 }
local BIG = { ["万"] = 10000, ["亿"] = 100000000 }
-- vague quantities
local VAGUE = { ["几"] = true, ["数"] = true, ["多"] = true, ["余"] = true, ["来"] = true }
M.DIGIT, M.UNIT, M.BIG = DIGIT, UNIT, BIG

local function chars(s)
  local t = {}
  if not utf8.len(s) then return t end
  for _, c in utf8.codes(s) do t[#t + 1] = utf8.char(c) end
  return t
end

--- True when every character of s is a Chinese numeral character.
function M.is_numeral(s)
  if s == "" or not utf8.len(s) then return false end
  for k, c in ipairs(chars(s)) do
    -- 多 / 余 / 来 only after a numeral: 十多, 二十余
    if not (DIGIT[c] or UNIT[c] or BIG[c] or c == "几" or c == "半" or (k > 1 and VAGUE[c])) then return false end
  end
  return true
end

--- Value of a numeral string (Chinese or ASCII/fullwidth digits).
-- @return a number, "several" for vague amounts (几, 十几, 几十, 好几), or nil
function M.value(s)
  if type(s) ~= "string" or s == "" then return nil end
  -- fullwidth digits to ASCII
  s = s:gsub("\239\188([\144-\153])", function(b) return string.char(b:byte() - 144 + 48) end)
  local plain = s:gsub(",", "")
  if plain:match("^%d+$") then return math.tointeger(tonumber(plain)) end
  if plain:match("^%d+%.%d+$") then return tonumber(plain) end
  if not utf8.len(s) then return nil end
  local cs = chars(s)
  if cs[1] == "好" and cs[2] == "几" then return "several" end
  local vague = false
  for _, c in ipairs(cs) do
    if VAGUE[c] then vague = true
    elseif not (DIGIT[c] or UNIT[c] or BIG[c]) then return nil end
  end
  if vague then return "several" end
  -- digit-by-digit form without units (二〇二四)
  local has_unit = false
  for _, c in ipairs(cs) do if UNIT[c] or BIG[c] then has_unit = true break end end
  -- two neighbouring digits are an approximate amount: 两三, 三四, 七八
  if not has_unit and #cs == 2 and DIGIT[cs[1]] and DIGIT[cs[2]]
    and DIGIT[cs[2]] == DIGIT[cs[1]] + 1 and DIGIT[cs[1]] > 0 then
    return "several"
  end
  if not has_unit and #cs > 1 then
    local v = 0
    for _, c in ipairs(cs) do v = v * 10 + DIGIT[c] end
    return v
  end
  local total, section, number = 0, 0, 0
  for _, c in ipairs(cs) do
    if DIGIT[c] then
      number = DIGIT[c]
    elseif UNIT[c] then
      if number == 0 and section == 0 and total == 0 then number = 1 end -- 十五
      section = section + number * UNIT[c]
      number = 0
    else
      section = section + number
      if section == 0 then section = 1 end
      total = (total + section) * BIG[c]
      section, number = 0, 0
    end
  end
  return total + section + number
end

-- Measure words (classifiers) that may follow a numeral before a noun.
local MEASURE_LIST = [[
个 只 辆 位 名 条 张 把 台 棵 朵 头 匹 艘 架 本 支 件 双 对 串 束 群 堆 片 块 杯 碗 瓶 盘 包 份
座 栋 间 扇 顶 根 颗 粒 盒 袋 箱 副 套 部 家 口 尾 枚 面 幅 层 排 行 组 些 种 株 盆 罐 桶 盏 枝 幢 壶 篮 筐 碟 勺 锅 辆
具 道 段 滴 节 拨 伙 帮 窝 簇 丛 团 捆 叠 沓 摞 列 轮 款 樽 尊 株 扎 听 打 斤 公斤 千克 克 米
个儿 匹 峰 羽 只只 位位
]]
M.MEASURE = {}
for w in MEASURE_LIST:gmatch("%S+") do M.MEASURE[w] = true end
-- measure words that denote a group: "一群鸟" counts as several
M.COLLECTIVE = { ["群"] = true, ["堆"] = true, ["些"] = true, ["串"] = true, ["束"] = true,
  ["排"] = true, ["行"] = true, ["伙"] = true, ["帮"] = true, ["窝"] = true, ["簇"] = true,
  ["丛"] = true, ["队"] = true }
-- units of weight/length: the numeral is a quantity, not a count
M.QUANTITY = { ["斤"] = true, ["公斤"] = true, ["千克"] = true, ["克"] = true, ["米"] = true }

--- Splits a token like "两只", "十几个", "三百" into numeral and measure word.
-- @return numeral, measure (measure may be nil) — or nil if s is not of that form
function M.split(s)
  if M.is_numeral(s) then return s, nil end
  local cs = chars(s)
  for k = #cs - 1, 1, -1 do
    local num = table.concat(cs, "", 1, k)
    local mw = table.concat(cs, "", k + 1)
    if M.is_numeral(num) then
      if M.MEASURE[mw] then return num, mw end
      -- 一小碗, 一大群: a size between numeral and measure word
      if (cs[k + 1] == "小" or cs[k + 1] == "大") and M.MEASURE[table.concat(cs, "", k + 2)] then
        return num, table.concat(cs, "", k + 2)
      end
    end
  end
  return nil
end

return M
