--- Entities found on words: OBJECT (with count, attributes, category), COUNT,
-- COLOR, PERSON, ORG and PLACE.
-- @module glimpse.nlp.zh.objects

local segment = require "glimpse.nlp.zh.segment"
local numerals = require "glimpse.nlp.zh.numerals"
local rules = require "glimpse.nlp.zh.rules"
local word_pos = require("glimpse.nlp.zh.tags").word_pos

local sub = string.sub

local M = {}

---------------------------------------------------------------------------
-- Token-level entities: OBJECT, COUNT, COLOR, PERSON, ORG, PLACE
---------------------------------------------------------------------------

-- character count; 0 for a string that is not valid UTF-8
local function ulen(w) return utf8.len(w) or 0 end

local function utf8_chars(w)
  local t = {}
  if not utf8.len(w) then return t end -- a stray byte (symbol token) has no characters
  for p, c in utf8.codes(w) do t[#t + 1] = { p, utf8.char(c) } end
  return t
end

local CAUSATIVE = { ["给"] = true, ["让"] = true, ["令"] = true, ["使"] = true, ["叫"] = true, ["教"] = true }

-- cooking verbs that name a dish together with their object
local COOKING = {}
for c in ("煎 炒 烤 炸 蒸 煮 炖 卤 拌 腌 熏 焖 涮"):gmatch("%S+") do COOKING[c] = true end

-- verb-object words whose object is usually not in the picture
local VO_IDIOM = {}
for w in ("拍手 招手 挥手 握手 洗手 动手 牵手 分手 点头 摇头 回头 抬头 低头 发球 接球 击球 传球 运球 抢球 钓鱼 读书 念书 打电话 吃饭 做饭 买菜 切菜 炒菜 买票 喝茶 喝酒 抽烟 上网 看病 洗澡 刷牙 "
  .. "写字 画画 照镜子"):gmatch("%S+") do VO_IDIOM[w] = true end

-- single characters that make "X + head" a verb phrase (上车, 射门, 开灯)
local HEAD_VERB_PREFIX = {}
for c in ("上 下 进 出 开 关 坐 等 乘 射 打 推 拉 停 修 洗 买 卖 租 换 搭 骑 划 踢 投 扔 捡 放 拿 吃 喝 点 "
  .. "在 到 从 向 往 被 把 给 很 也 都 还 又 再 才"):gmatch("%S+") do HEAD_VERB_PREFIX[c] = true end

-- Category of a noun word, via the curated table or its head (last chars).
local function category_of(w)
  local c = rules.CATEGORY[w]
  if c then return c, w end
  -- 左手, 右肩, 双手: a side before a body part belongs to it
  local side = sub(w, 1, 3)
  if (side == "左" or side == "右" or side == "双") and rules.CATEGORY[sub(w, 4)] == "body_part" then
    return "body_part", w
  end
  if rules.NOT_NAME[w] or rules.ATTRIBUTE[w] or rules.COLOR_BASE[w] or VO_IDIOM[w] then return nil end
  local n = ulen(w)
  if not n or n < 2 or n > 5 then return nil end
  -- jieba tags some compounds as names (燕尾服 nr), so any noun-like tag will do
  local _, pos = segment.lookup(w)
  if pos and not (pos == "n" or pos == "nz" or pos == "ng" or pos == "nr") then return nil end
  for _, h in ipairs(rules.HEADS) do
    local suffix = h[1]
    if #w > #suffix and sub(w, -#suffix) == suffix then
      -- 上车, 射门: a verb or locative before the head is not a modifier
      local pre = sub(w, 1, #w - #suffix)
      if HEAD_VERB_PREFIX[pre] then return nil end
      return h[2], w
    end
  end
  return nil
end

-- A noun token split into (attribute prefix, noun): 黑狗 → 黑, 狗; 小男孩 → 小, 男孩.
local function split_prefixed(w)
  local cs = utf8_chars(w)
  if #cs < 2 then return nil end
  for k = math.min(#cs - 1, 3), 1, -1 do
    local pre = sub(w, 1, cs[k + 1][1] - 1)
    local rest = sub(w, cs[k + 1][1])
    local cat = rules.CATEGORY[rest]
    if cat and not rules.NOT_OBJECT[rest] then
      if rules.COLOR_CHAR[pre] or rules.COLOR_BASE[pre] then return pre, rest, cat, true end
      if rules.PREFIX_ATTRIBUTE[pre] or rules.ATTRIBUTE[pre] then return pre, rest, cat, false end
    end
  end
  return nil
end

local SEVERAL_WORDS = { ["很多"] = true, ["许多"] = true, ["好多"] = true, ["不少"] = true, ["一些"] = true,
  ["些"] = true, ["大量"] = true, ["众多"] = true, ["成群"] = true, ["诸多"] = true, ["多个"] = true,
  ["几"] = true, ["无数"] = true, ["大批"] = true, ["一堆"] = true, ["一群群"] = true, ["多名"] = true,
  ["多位"] = true, ["多只"] = true, ["多辆"] = true, ["各种"] = true, ["各式各样"] = true,
  ["种种"] = true, ["各色"] = true, ["一排排"] = true, ["上百"] = true, ["上千"] = true,
  ["上万"] = true, ["成百上千"] = true, ["成千上万"] = true, ["数十"] = true, ["数百"] = true, ["数千"] = true,
  ["几十"] = true, ["几百"] = true, ["好几"] = true, ["数不清"] = true }
-- words ending in 色 that are not colours
local COLOR_STOP = {}
for w in ("颜色 景色 夜色 特色 角色 出色 脸色 神色 声色 货色 成色 本色 姿色 春色 秋色 天色 暮色 月色 "
  .. "肤色 血色 气色 变色 褪色 色彩 绝色 物色 眼色 音色 菜色 灰色调 暖色 冷色 彩色 肉色 湖光山色 五颜六色 "
  .. "形形色色 各色 好色 国色 女色 酒色 清一色 不动声色 有声有色 面不改色 喜形于色 黯然失色 大惊失色"):gmatch("%S+") do
  COLOR_STOP[w] = true
end

-- the measure word says what kind of thing an unlisted noun is (一辆X → vehicle)
local MEASURE_CATEGORY = {
  ["位"] = "person", ["名"] = "person", ["只"] = "animal", ["头"] = "animal", ["匹"] = "animal",
  ["辆"] = "vehicle", ["艘"] = "vehicle", ["架"] = "vehicle", ["棵"] = "plant", ["朵"] = "plant",
  ["株"] = "plant", ["台"] = "device", ["部"] = "device", ["杯"] = "food", ["碗"] = "food", ["盘"] = "food",
  ["本"] = "artifact", ["幅"] = "artifact", ["座"] = "building", ["栋"] = "building", ["幢"] = "building",
  ["顶"] = "clothing", ["双"] = "clothing", ["件"] = "clothing", ["把"] = "tool", ["张"] = "furniture",
  ["盏"] = "furniture", ["个"] = "other", ["块"] = "other", ["根"] = "other", ["颗"] = "other",
  ["条"] = "other", ["瓶"] = "container", ["袋"] = "container", ["盒"] = "container", ["箱"] = "container",
  ["扇"] = "structure", ["面"] = "artifact", ["支"] = "artifact", ["枝"] = "plant", ["套"] = "other",
}

-- after a bare number these make it an ordinal, a label or a measure, not a count
local NOT_COUNT_NEXT = { ["号"] = true, ["楼"] = true, ["层"] = true, ["路"] = true, ["号线"] = true,
  ["届"] = true, ["年级"] = true, ["班"] = true, ["岁"] = true, ["度"] = true, ["分"] = true, ["秒"] = true,
  ["公里"] = true, ["千米"] = true, ["厘米"] = true, ["毫米"] = true, ["米"] = true, ["倍"] = true,
  ["号楼"] = true, ["次"] = true, ["年"] = true, ["月"] = true, ["天"] = true }
local SEVERAL_PREFIX = { "成百上千", "成千上万", "上百", "上千", "上万", "数十", "数百", "数千", "很多", "许多" }
local CLAUSE_BREAK = { ["，"] = true, ["。"] = true, ["；"] = true, ["！"] = true, ["？"] = true, ["："] = true,
  [","] = true, ["."] = true, [";"] = true, ["!"] = true, ["?"] = true, [":"] = true,
  ["（"] = true, ["("] = true, ["）"] = true, [")"] = true, ["\n"] = true }
local COPULA = { ["是"] = true, ["为"] = true, ["呈"] = true, ["都是"] = true, ["全是"] = true, ["均为"] = true,
  ["显得"] = true, ["变成"] = true, ["呈现"] = true }

local function is_han(w) return w:find("^[\228-\233]") ~= nil end

-- one-character heads (from rules.HEADS) that can close an unlisted compound
local HEAD_CHAR = {}
for _, h in ipairs(rules.HEADS) do
  if ulen(h[1]) == 1 and h[1] ~= "手" and h[1] ~= "工" then HEAD_CHAR[h[1]] = true end
end

-- A one-character head joins the noun before it (快递 + 车) when that noun has
-- two characters or more and the head is a plain noun in the dictionary (not
-- 包, which is mostly a verb).
local function single_noun_head(head, prev)
  if ulen(prev.text) < 2 then return false end
  local _, p = segment.lookup(head)
  return p == "n" or p == "ng" or p == "zg"
end

-- A caching wrapper for a function of one string (any number of results).
local function memo(f)
  local cache = {}
  return function(w)
    local r = cache[w]
    if not r then
      r = table.pack(f(w))
      cache[w] = r
    end
    return table.unpack(r, 1, r.n)
  end
end

-- Person names the dictionary lacks: surname + one or two given-name chars.
local function match_name(tokens, i)
  local t = tokens[i]
  if not rules.SURNAME[t.text] then return nil end
  local prev = tokens[i - 1]
  if prev and (prev.kind == "number" or numerals.split(prev.text) or rules.DEMONSTRATIVE[prev.text]) then return nil end
  local j = i
  for k = i + 1, i + 2 do
    local u = tokens[k]
    if not u or u.start ~= tokens[k - 1].stop + 1 or ulen(u.text) ~= 1 or not is_han(u.text)
      or rules.NOT_GIVEN[u.text] or rules.SURNAME[u.text] and k == i + 2 then
      break
    end
    if segment.lookup(u.text) and select(2, segment.lookup(u.text)) ~= "nr" and k == i + 2 then break end
    j = k
  end
  if j == i then return nil end
  local after = tokens[j + 1]
  if after and after.start == tokens[j].stop + 1 and rules.CATEGORY[after.text] then return nil end
  -- two nouns side by side (马 云) only read as a name before a verb or a break
  if rules.CATEGORY[t.text] and after and after.kind ~= "punctuation" and word_pos(after.text) == "NOUN" then
    return nil
  end
  local given = tokens[i + 1].text
  local f, p = segment.lookup(given)
  -- a common single-char noun/verb right after a surname is usually not a name
  if f and f > 20000 and p ~= "nr" then return nil end
  return j
end

local VERB_WORDS = { ["穿"] = true, ["戴"] = true, ["拿"] = true, ["抱"] = true, ["背"] = true, ["牵"] = true,
  ["骑"] = true, ["推"] = true, ["握"] = true, ["举"] = true, ["提"] = true, ["披"] = true, ["系"] = true,
  ["扛"] = true, ["带"] = true, ["坐"] = true, ["站"] = true, ["躺"] = true }
local LOCATIVE = { "上", "里", "中", "下", "边", "旁", "内", "外", "前", "后", "底" }
-- heads that name a spot next to the first noun (商店门口, 公园旁边): both stay
local PLACE_HEAD_END = { ["边"] = true, ["口"] = true, ["角"] = true, ["旁"] = true, ["头"] = true,
  ["前"] = true, ["后"] = true, ["内"] = true, ["外"] = true, ["里"] = true, ["侧"] = true, ["顶"] = true }
local NEG_CARRY = { ["和"] = true, ["或"] = true, ["与"] = true, ["及"] = true, ["或者"] = true,
  ["也"] = true, ["任何"] = true, ["其他"] = true, ["以及"] = true }
local DEGREE = { "非常", "特别", "十分", "相当", "比较", "很", "挺", "超", "较", "最" }
local POST_SEVERAL = { ["很多"] = true, ["许多"] = true, ["不少"] = true, ["众多"] = true, ["非常多"] = true,
  ["特别多"] = true, ["成群"] = true, ["好多"] = true }

-- words that end like noun + locative but are locatives themselves
local NOT_LOCATIVE = {}
for w in ("面前 跟前 眼前 身边 身旁 旁边 前面 后面 里面 外面 上面 下面 对面 左边 右边 中间 周边 "
  .. "上下 前后 里外 内外 左右"):gmatch("%S+") do NOT_LOCATIVE[w] = true end

-- Nouns hidden inside a dictionary word: 窗台上 → 窗台, 遛狗 → 狗, 河里 → 河.
-- Returns offset (bytes) and the noun, or nil.
local function inner_noun(w)
  local cs = utf8_chars(w)
  if #cs < 2 or NOT_LOCATIVE[w] then return nil end
  -- noun + locative
  for _, loc in ipairs(LOCATIVE) do
    if #w > #loc and sub(w, -#loc) == loc then
      local rest = sub(w, 1, #w - #loc)
      if rules.CATEGORY[rest] or (ulen(rest) >= 2 and category_of(rest)) then return 0, rest end
    end
  end
  -- verb + noun (踢足球, 遛狗): a one-character verb only; a longer modifier
  -- makes a compound noun (折叠椅)
  if VO_IDIOM[w] then return nil end
  local pre = sub(w, 1, cs[2][1] - 1)
  local rest = sub(w, cs[2][1])
  local _, p = segment.lookup(pre)
  local c = rules.CATEGORY[rest]
  if c and c ~= "natural" and c ~= "other" and c ~= "structure" and c ~= "person" and not rules.NOT_OBJECT[rest]
    and (VERB_WORDS[pre] or (p and p:sub(1, 1) == "v")) then
    -- a cooked dish keeps its verb (煎蛋, 炸鸡)
    if c == "food" and COOKING[pre] then return 0, w end
    return #pre, rest
  end
  return nil
end

--- Appends the word-level entities of `tokens` to `out`; tokens marked in
-- `consumed` (inside a span entity) are skipped.
function M.extract(s, tokens, consumed, out)
  -- words repeat: analyse each distinct word once per call
  local category_of, split_prefixed, inner_noun = memo(category_of), memo(split_prefixed), memo(inner_noun)
  local word_pos = memo(word_pos)
  local numeral_split = memo(numerals.split)
  -- a head character that is a noun in the dictionary (not 站, 表: verbs; not 台, 杯: measures)
  local head_char = memo(function(c)
    if not HEAD_CHAR[c] then return false end
    local _, p = segment.lookup(c)
    return p == "n" or p == "ng" or p == "zg" or p == "j" or p == "ns" or p == "nr"
  end)
  -- numeral + measure + noun in one word: numeral, measure, byte length of both
  local fused_quantity = memo(function(w)
    local cs = utf8_chars(w)
    for k = #cs, 3, -1 do
      local head, rest = sub(w, 1, cs[k][1] - 1), sub(w, cs[k][1])
      local hn, hm = numeral_split(head)
      if hn and hm and (category_of(rest) or split_prefixed(rest)) then return hn, hm, #head end
    end
    return nil
  end)
  local pending -- { count=, count_ent=, deferred= }
  local attrs, attr_set = {}, {}
  local negated = false
  local last_object
  local objects = {}
  local function reset_attrs() attrs, attr_set = {}, {} end
  local function add_attr(a)
    if not attr_set[a] then attr_set[a] = true attrs[#attrs + 1] = a end
  end
  local function emit(e) out[#out + 1] = e return e end

  local function emit_object(text, start, stop, cat)
    if negated then
      pending = nil
      reset_attrs()
      negated = "suppressed"
      return nil
    end
    -- every mention is its own OBJECT, as on the English side (a later
    -- 沙发 or 车 is listed again, not merged into the first)
    local counted = pending and not pending.deferred
    local e = { type = "OBJECT", text = text, start = start, stop = stop, lemma = text,
      category = cat, attributes = attrs }
    -- noun + noun written together (网球运动员, 地铁车厢) is one compound: its
    -- text covers both, its lemma is the head, and it takes over the first
    -- noun's count and attributes
    local prev = objects[#objects]
    if prev and prev.stop + 1 == start and out[#out] == prev and cat ~= "natural"
      and not PLACE_HEAD_END[sub(text, -3)] and (#text > 3 or single_noun_head(text, prev)) and prev.category ~= "building" and prev.category ~= "structure"
      and prev.category ~= "natural" then
      table.remove(out)
      objects[#objects] = nil
      for _, a in ipairs(prev.attributes) do
        if not attr_set[a] then attr_set[a] = true attrs[#attrs + 1] = a end
      end
      if prev.count and not counted then e.count = prev.count end
      e.start = prev.start
      e.text = sub(s, prev.start, stop)
    end
    if counted then
      e.count = pending.count
      if pending.count_ent then emit(pending.count_ent) end
      -- an amount inside a relative clause gives way to the one outside it
      pending = pending.outer
    end
    reset_attrs()
    last_object = e
    objects[#objects + 1] = e
    return emit(e)
  end

  -- Tries w (token t) as a noun phrase head; true when handled.
  local function try_noun(w, start, stop, depth)
    local cat = rules.CATEGORY[w]
    if cat then
      if rules.NOT_OBJECT[w] then reset_attrs() else emit_object(w, start, stop, cat) end
      return true
    end
    local pre, rest, rcat, is_color = split_prefixed(w)
    if pre then
      if is_color then
        emit { type = "COLOR", text = pre, start = start, stop = start + #pre - 1, lemma = pre }
      end
      add_attr(pre)
      emit_object(rest, start + #pre, stop, rcat)
      return true
    end
    local off, noun = inner_noun(w)
    if off then
      emit_object(noun, start + off, start + off + #noun - 1, rules.CATEGORY[noun])
      return true
    end
    cat = category_of(w)
    if cat then
      emit_object(w, start, stop, cat)
      return true
    end
    -- four-character words made of two noun phrases (蓝天白云)
    if depth == 0 and ulen(w) == 4 then
      local cs = utf8_chars(w)
      local a, b = sub(w, 1, cs[3][1] - 1), sub(w, cs[3][1])
      local function ok(x) return category_of(x) or split_prefixed(x) end
      if ok(a) and ok(b) then
        try_noun(a, start, start + #a - 1, 1)
        try_noun(b, start + #a, stop, 1)
        return true
      end
    end
    return false
  end

  local function emit_name(ty, w, start, stop)
    -- a place name made of two place names (北京天安门广场) gives both
    if ty == "PLACE" then
      local cs = utf8_chars(w)
      for k = 3, #cs - 1 do
        local a, b = sub(w, 1, cs[k][1] - 1), sub(w, cs[k][1])
        local _, pa = segment.lookup(a)
        local _, pb = segment.lookup(b)
        if (rules.PLACE[a] or pa == "ns") and (rules.PLACE[b] or pb == "ns") and not rules.NOT_NAME[a] and not rules.NOT_NAME[b] then
          emit { type = "PLACE", text = a, start = start, stop = start + #a - 1, lemma = a }
          emit { type = "PLACE", text = b, start = start + #a, stop = stop, lemma = b }
          return
        end
      end
    end
    emit { type = ty, text = w, start = start, stop = stop, lemma = w }
  end

  local n = #tokens
  local i = 1
  while i <= n do
    local t = tokens[i]
    local w = t.text
    if consumed[i] then
      -- a date/time/money/quoted span breaks any pending phrase
      pending = nil
      reset_attrs()
      i = i + 1
    elseif t.kind == "punctuation" or t.kind == "symbol" then
      if CLAUSE_BREAK[w] then
        pending, negated, last_object = nil, false, nil
        reset_attrs()
      end
      i = i + 1
    else
      local handled = false
      local nxt = tokens[i + 1]
      if nxt and consumed[i + 1] then nxt = nil end
      -- negation scope runs to the end of the clause
      if rules.NEGATION[w] then
        negated, pending = true, nil
        reset_attrs()
        handled = true
      end
      -- brands and listed names first: jieba tags many of them as person names
      if not handled and rules.ORG[w] then
        emit_name("ORG", w, t.start, t.stop)
        handled = true
      end
      if not handled and rules.PLACE[w] then
        emit_name("PLACE", w, t.start, t.stop)
        handled = true
      end
      -- quantities
      if not handled then
        local num, mw = numeral_split(w)
        local num_start, num_stop = t.start, t.start + (num and #num or 0) - 1
        local adv, tail = 0, nil
        if t.kind == "number" and not num then
          num, num_stop = w, t.stop
        end
        -- 一小 + 碗, 一大 + 群
        if not num and nxt and numerals.MEASURE[nxt.text] and (sub(w, -3) == "小" or sub(w, -3) == "大")
          and numerals.is_numeral(sub(w, 1, -4)) then
          num = sub(w, 1, -4)
          num_stop = t.start + #num - 1
          mw, adv = nxt.text, 1
        end
        if not num then
          -- a vague amount fused with its noun (上百人)
          for _, pre in ipairs(SEVERAL_PREFIX) do
            if #w > #pre and sub(w, 1, #pre) == pre and category_of(sub(w, #pre + 1)) then
              pending = { count = "several" }
              try_noun(sub(w, #pre + 1), t.start + #pre, t.stop, 0)
              i = i + 1
              goto continue
            end
          end
          -- numeral + measure + noun in one dictionary word (一束花)
          local hn, hm, headlen = fused_quantity(w)
          if hn then
            num, mw, tail = hn, hm, { sub(w, headlen + 1), t.start + headlen, t.stop }
            num_stop = t.start + #hn - 1
          end
        end
        if num and not mw and nxt then
          if numerals.MEASURE[nxt.text] then
            mw, adv = nxt.text, 1
          else
            -- the measure word fused with the noun (3 + 个人)
            local c1 = utf8_chars(nxt.text)
            if #c1 >= 2 then
              local m1, rest = sub(nxt.text, 1, c1[2][1] - 1), sub(nxt.text, c1[2][1])
              if numerals.MEASURE[m1] and category_of(rest) then
                mw, adv, tail = m1, 1, { rest, nxt.start + #m1, nxt.stop }
              end
            end
          end
        end
        if num and not mw and nxt and NOT_COUNT_NEXT[nxt.text] then num = nil end
        -- a bare number counts only the noun right after it (三百人, not 限速120的标志)
        if num and not mw and not tail then
          local nx = nxt and nxt.text
          if not (nx and (category_of(nx) or split_prefixed(nx))) then num = nil end
        end
        if num and tokens[i - 1] and tokens[i - 1].text == "第" then num = nil end
        if num then
          local v = numerals.value(num)
          local prev = tokens[i - 1]
          if v ~= nil and not (prev and rules.DEMONSTRATIVE[prev.text] and v == 1) then
            if mw and numerals.QUANTITY[mw] then
              pending = nil
            else
              local count, count_ent = v, nil
              if mw and numerals.COLLECTIVE[mw] and v == 1 then
                count = "several"
              elseif type(v) == "number" and math.type(v) ~= "integer" then
                count = nil
              end
              local explicit = type(v) == "number" and not (num == "一" or num == "壹")
              if count ~= nil and explicit and count ~= "several" then
                count_ent = { type = "COUNT", text = num, start = num_start, stop = num_stop, lemma = tostring(v) }
              end
              pending = count ~= nil and { count = count, count_ent = count_ent, measure = mw } or nil
            end
            if tail then try_noun(tail[1], tail[2], tail[3], 0) end
            i = i + 1 + adv
            goto continue
          end
        end
        if SEVERAL_WORDS[w] then
          pending = { count = "several" }
          handled = true
        end
        -- 坐满了观众, 开满了花: a verb + 满 says the thing is plentiful
        if not handled and sub(w, -3) == "满" and (ulen(w) == 2
          or (w == "满" and tokens[i - 1] and word_pos(tokens[i - 1].text) == "VERB")) then
          pending = { count = "several", outer = pending and pending.deferred and pending or nil }
          handled = true
        end
      end
      if not handled and rules.DEMONSTRATIVE[w] then
        pending = nil
        handled = true
      end
      -- colours
      if not handled then
        local color = rules.COLOR_BASE[w] and w
        if not color and #w >= 6 and #w <= 12 and sub(w, -3) == "色" and is_han(w) and not COLOR_STOP[w] then
          local _, p = segment.lookup(w)
          if p == nil or p == "n" or p == "nz" then color = w end
        end
        local cstart, cstop = t.start, t.stop
        -- 棕 + 白 (+ 相间): neighbouring colour characters make one colour
        if color and rules.COLOR_CHAR[w] and nxt and nxt.start == t.stop + 1 and rules.COLOR_CHAR[nxt.text] then
          color, cstop = w .. nxt.text, nxt.stop
          i = i + 1
        end
        if not color and rules.COLOR_MOD[w] and nxt and rules.COLOR_BASE[nxt.text] and nxt.start == t.stop + 1 then
          color, cstop = w .. nxt.text, nxt.stop
          i = i + 1
        end
        if color then
          emit { type = "COLOR", text = color, start = cstart, stop = cstop, lemma = color }
          local prev = tokens[i - (cstop == t.stop and 1 or 2)]
          local after = tokens[i + 1]
          if after and after.text == "的" then after = tokens[i + 2] end
          local predicate = prev and COPULA[prev.text] and last_object
            and (not after or after.kind == "punctuation")
          if predicate then
            local la = last_object.attributes
            la[#la + 1] = color
          else
            add_attr(color)
          end
          handled = true
        end
      end
      -- 灰白 + 相间: the pattern word joins the colour before it
      if not handled and w == "相间" and #attrs > 0 then
        local base = attrs[#attrs]
        attr_set[base] = nil
        attrs[#attrs] = base .. w
        attr_set[attrs[#attrs]] = true
        -- a two-colour pattern is an attribute, not a colour
        local last = out[#out]
        if w == "相间" and last and last.type == "COLOR" and last.text == base then table.remove(out) end
        handled = true
      end
      -- a material noun right before another noun describes it (石头农舍)
      if not handled and rules.ATTRIBUTE[w] and rules.CATEGORY[w] and nxt and nxt.start == t.stop + 1
        and (category_of(nxt.text) or split_prefixed(nxt.text)) then
        add_attr(w)
        handled = true
      end
      if not handled and rules.ATTRIBUTE[w] and not rules.CATEGORY[w] then
        add_attr(w)
        handled = true
      end
      -- degree adverb + attribute in one word (很大, 非常小)
      if not handled then
        for _, adv in ipairs(DEGREE) do
          if #w > #adv and sub(w, 1, #adv) == adv then
            local rest = sub(w, #adv + 1)
            if rules.ATTRIBUTE[rest] then add_attr(rest) handled = true end
            break
          end
        end
      end
      -- names the dictionary lacks (张伟, 马云)
      if not handled then
        local j = match_name(tokens, i)
        if j then
          local text = sub(s, t.start, tokens[j].stop)
          emit { type = "PERSON", text = text, start = t.start, stop = tokens[j].stop, lemma = text }
          i = j + 1
          goto continue
        end
      end
      -- 给人 / 让人 / 令人 …: "one", not a person in the picture
      if not handled and w == "人" and tokens[i - 1] and CAUSATIVE[tokens[i - 1].text] then
        handled = true
      end
      -- a word + a one-character head the dictionary split off (食谱 + 卡,
      -- 郊 + 狼, 心电监护 + 仪) is one unlisted compound noun
      if not handled and nxt and nxt.start == t.stop + 1 and head_char(nxt.text) and is_han(w)
        and not rules.CATEGORY[w] and not rules.NOT_NAME[w] and not rules.ATTRIBUTE[w]
        and not rules.COLOR_BASE[w] and not numeral_split(w) then
        local p = word_pos(w)
        if (p == "NOUN" or p == "X" or (p == "VERB" and ulen(w) >= 3)) and not split_prefixed(w .. nxt.text) then
          local combined = w .. nxt.text
          local c = category_of(combined)
          if c then
            emit_object(combined, t.start, nxt.stop, c)
            i = i + 2
            goto continue
          end
        end
      end
      -- 人们, 孩子们 as one word: the noun, several of them
      if not handled and #w > 3 and sub(w, -3) == "们" and rules.CATEGORY[sub(w, 1, -4)] == "person" then
        local base = sub(w, 1, -4)
        local o = emit_object(base, t.start, t.stop - 3, "person")
        if o and not o.count then o.count = "several" end
        handled = true
      end
      -- nouns
      if not handled then
        handled = try_noun(w, t.start, t.stop, 0)
        if handled and nxt and last_object and last_object.stop == t.stop and not last_object.count then
          -- plural suffix (孩子们) or a quantity after the noun (人很多)
          local after = nxt.text
          if after == "们" or POST_SEVERAL[after] or (after == "很" and tokens[i + 2] and tokens[i + 2].text == "多") then
            last_object.count = "several"
          end
        end
      end
      -- an unlisted common noun right after numeral + measure word is a thing;
      -- the measure word gives its category (一个飞盘, 一辆三轮摩托)
      if not handled and pending and not pending.deferred and pending.measure
        and MEASURE_CATEGORY[pending.measure] and is_han(w) and ulen(w) >= 2
        and not rules.NOT_NAME[w] and not rules.DEMONSTRATIVE[w] then
        local _, p = segment.lookup(w)
        -- not when another noun follows: then w only modifies it (一张夜景照片)
        local nn = nxt and nxt.start == t.stop + 1 and word_pos(nxt.text)
        if p == "n" and nn ~= "NOUN" and nn ~= "PROPN" and not (nxt and nxt.text == "的") then
          emit_object(w, t.start, t.stop, MEASURE_CATEGORY[pending.measure])
          handled = true
        end
      end
      -- names from the dictionary's tags
      if not handled and is_han(w) and not rules.CATEGORY[w] and not rules.NOT_NAME[w] and ulen(w) >= 2 then
        local _, p = segment.lookup(w)
        if p == "ns" then
          emit_name("PLACE", w, t.start, t.stop)
          handled = true
        elseif p == "nt" then
          emit_name("ORG", w, t.start, t.stop)
          handled = true
        elseif (p == "nr" or p == "nrfg") and ulen(w) <= 3
          and (rules.SURNAME[utf8_chars(w)[2] and sub(w, 1, utf8_chars(w)[2][1] - 1) or w]
            or rules.SURNAME[sub(w, 1, 6)]) then
          -- jieba's nr covers many common words (温馨); a name starts with a surname
          emit_name("PERSON", w, t.start, t.stop)
          handled = true
        end
      end
      if not handled then
        for _, suf in ipairs(rules.ORG_SUFFIX) do
          if #w > #suf and sub(w, -#suf) == suf and is_han(w) and ulen(w) >= 4 then
            emit_name("ORG", w, t.start, t.stop)
            handled = true
            break
          end
        end
      end
      if not handled then
        -- a verb or preposition between quantity and noun starts a relative
        -- clause (两个穿西装的男人, 一只在跑的狗): the count waits for 的
        local wp = word_pos(w)
        if pending and (VERB_WORDS[w] or wp == "VERB" or wp == "ADP") then pending.deferred = true end
        if w == "的" and pending and pending.deferred then pending.deferred = false end
        -- once the negation has covered its noun, only a conjunction carries it
        -- on (没有人或动物); anything else ends it (没有人在站台上, 没有人的车厢)
        if negated == "suppressed" and not NEG_CARRY[w] then negated = false end
      end
      i = i + 1
    end
    ::continue::
  end
end

return M
