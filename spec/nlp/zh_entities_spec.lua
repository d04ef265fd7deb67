-- glimpse.nlp.zh.entities: objects with counts, attributes and categories,
-- colours, negation, names, dates, times, money, percents, text, plates
local zh = require "glimpse.nlp.zh"
local numerals = require "glimpse.nlp.zh.numerals"

local function ents(text)
  local list = assert(zh.entities(text))
  for _, e in ipairs(list) do
    assert.are.equal(e.text, text:sub(e.start, e.stop))
  end
  return list
end

local function find(list, ty, text)
  for _, e in ipairs(list) do
    if e.type == ty and e.text == text then return e end
  end
end

local function of_type(list, ty)
  local out = {}
  for _, e in ipairs(list) do if e.type == ty then out[#out + 1] = e.text end end
  return out
end

describe("glimpse.nlp.zh numerals", function()
  local cases = {
    { "二十五", 25 }, { "两", 2 }, { "十", 10 }, { "十五", 15 }, { "三百", 300 }, { "一百零五", 105 },
    { "一千二百", 1200 }, { "两万", 20000 }, { "一万二千", 12000 }, { "二〇二四", 2024 },
    { "25", 25 }, { "3.5", 3.5 }, { "１２", 12 }, { "几", "several" }, { "十几", "several" },
    { "几十", "several" }, { "好几", "several" },
  }
  for _, c in ipairs(cases) do
    it(c[1] .. " = " .. tostring(c[2]), function()
      assert.are.equal(c[2], numerals.value(c[1]))
    end)
  end

  it("rejects what is not a numeral", function()
    assert.is_nil(numerals.value("狗"))
    assert.is_nil(numerals.value(""))
    assert.is_nil(numerals.value("一只"))
  end)

  it("splits numeral and measure word", function()
    assert.are.same({ "两", "只" }, { numerals.split("两只") })
    assert.are.same({ "十几", "个" }, { numerals.split("十几个") })
    assert.is_nil(numerals.split("只狗"))
  end)
end)

describe("glimpse.nlp.zh entities: objects", function()
  local count_cases = {
    { "两只狗在跑。", "狗", 2, "animal", "两" },
    { "三辆红色的汽车停在路边。", "汽车", 3, "vehicle", "三" },
    { "一群鸟飞过。", "鸟", "several", "animal" },
    { "十几个人在排队。", "人", "several", "person" },
    { "二十五只鸭子在河里游泳。", "鸭子", 25, "animal", "二十五" },
    { "检测到3个人。", "人", 3, "person", "3" },
    { "几棵树", "树", "several", "plant" },
    { "孩子们在踢球。", "孩子", "several", "person" },
    { "一个男人在遛狗。", "男人", 1, "person" },
    { "一束花", "花", "several", "plant" },
  }
  for _, c in ipairs(count_cases) do
    it(("%s → %s ×%s"):format(c[1], c[2], tostring(c[3])), function()
      local list = ents(c[1])
      local o = find(list, "OBJECT", c[2])
      assert.is_table(o)
      assert.are.equal(c[3], o.count)
      assert.are.equal(c[4], o.category)
      assert.are.equal(c[2], o.lemma)
      if c[5] then
        assert.is_table(find(list, "COUNT", c[5]))
      else
        assert.are.same({}, of_type(list, "COUNT"))
      end
    end)
  end

  it("gives colours as attributes and as COLOR entities", function()
    local list = ents("三辆红色的汽车和一只黑狗，天空是蓝色的。")
    local car = find(list, "OBJECT", "汽车")
    assert.are.same({ "红色" }, car.attributes)
    local dog = find(list, "OBJECT", "狗")
    assert.are.same({ "黑" }, dog.attributes)
    assert.are.same({ "红色", "黑", "蓝色" }, of_type(list, "COLOR"))
    assert.are.same({ "蓝色" }, find(list, "OBJECT", "天空").attributes)
  end)

  it("keeps sizes and materials as attributes, not in the text", function()
    local list = ents("一只白色的小狗和一个绿色的塑料桶")
    assert.are.same({ "白色", "小" }, find(list, "OBJECT", "狗").attributes)
    local bucket = find(list, "OBJECT", "桶")
    assert.are.same({ "绿色", "塑料" }, bucket.attributes)
    assert.are.equal(1, bucket.count)
  end)

  it("attaches a count across a relative clause to the head noun", function()
    local list = ents("两个穿西装的男人")
    assert.are.equal(2, find(list, "OBJECT", "男人").count)
    assert.is_nil(find(list, "OBJECT", "西装").count)
  end)

  it("gives no object for negated things", function()
    for _, text in ipairs { "房间里没有人。", "停车场里没有车。", "这不是狗。", "现场没有看到行人。" } do
      local list = ents(text)
      for _, e in ipairs(list) do
        assert.is_false(e.text == "人" or e.text == "车" or e.text == "狗" or e.text == "行人", text)
      end
    end
    -- after its noun, only a conjunction carries the negation on
    assert.are.same({ "站台" }, of_type(ents("没有人在站台上。"), "OBJECT"))
    assert.are.same({ "路" }, of_type(ents("没有任何人或动物，只有路。"), "OBJECT"))
    -- negation ends with the clause
    local list = ents("这不是狗，是一只狐狸。")
    assert.is_nil(find(list, "OBJECT", "狗"))
    assert.are.equal(1, find(list, "OBJECT", "狐狸").count)
  end)

  it("treats generic people as person objects", function()
    local list = ents("护士和两个孩子")
    assert.are.equal("person", find(list, "OBJECT", "护士").category)
    assert.are.equal(2, find(list, "OBJECT", "孩子").count)
    assert.are.same({}, of_type(list, "PERSON"))
  end)

  it("finds nouns inside dictionary words", function()
    local list = ents("两只猫在窗台上，一个男人在遛狗，蓝天白云。")
    assert.is_table(find(list, "OBJECT", "窗台"))
    assert.is_table(find(list, "OBJECT", "狗"))
    assert.is_table(find(list, "OBJECT", "天"))
    assert.is_table(find(list, "OBJECT", "云"))
  end)

  it("joins a noun + noun compound, with the head as lemma", function()
    local list = ents("一名网球运动员和一个巨大的熊猫雕塑，商店门口。")
    local player = find(list, "OBJECT", "网球运动员")
    assert.are.equal("运动员", player.lemma)
    assert.are.equal(1, player.count)
    local statue = find(list, "OBJECT", "熊猫雕塑")
    assert.are.equal("雕塑", statue.lemma)
    assert.are.same({ "巨大" }, statue.attributes)
    assert.is_nil(find(list, "OBJECT", "熊猫"))
    -- a spot next to a thing keeps both
    assert.is_table(find(list, "OBJECT", "商店"))
    assert.is_table(find(list, "OBJECT", "门口"))
  end)

  it("joins a word and a one-character head the dictionary split off", function()
    local list = ents("一张食谱卡、一只郊狼和一辆快递车，男子站在台上。")
    assert.are.equal("artifact", find(list, "OBJECT", "食谱卡").category)
    assert.are.equal("animal", find(list, "OBJECT", "郊狼").category)
    assert.are.equal("车", find(list, "OBJECT", "快递车").lemma)
    -- 站 is a verb here, not a head
    assert.is_table(find(list, "OBJECT", "男子"))
  end)

  it("keeps lexicalised colour words and sides of the body whole", function()
    local list = ents("等待红灯的汽车，他左手拿着咖啡，人们在拍手。")
    assert.is_table(find(list, "OBJECT", "红灯"))
    assert.are.same({}, of_type(list, "COLOR"))
    assert.are.equal("body_part", find(list, "OBJECT", "左手").category)
    assert.are.equal("several", find(list, "OBJECT", "人").count)
    assert.is_nil(find(list, "OBJECT", "手"))
  end)

  it("lists every mention, and a predicate colour describes the latest", function()
    local list = ents("一只金毛犬坐在沙发上。沙发是灰色的。")
    local sofas = {}
    for _, e in ipairs(list) do if e.text == "沙发" then sofas[#sofas + 1] = e end end
    assert.are.equal(2, #sofas)
    assert.are.same({}, sofas[1].attributes)
    assert.are.same({ "灰色" }, sofas[2].attributes)
  end)

  it("reads approximate and vague amounts as several", function()
    assert.are.equal("several", find(ents("两三只麻雀"), "OBJECT", "麻雀").count)
    assert.are.equal("several", find(ents("大约有上百人"), "OBJECT", "人").count)
    assert.are.equal("several", find(ents("许多年轻人在拍照"), "OBJECT", "年轻人").count)
    assert.are.same({}, of_type(ents("两三只麻雀"), "COUNT"))
  end)

  it("reads a verb + 满 as plenty, without losing the count outside", function()
    assert.are.equal("several", find(ents("台下坐满了观众。"), "OBJECT", "观众").count)
    local list = ents("一棵开满粉色花朵的樱花树")
    assert.are.equal("several", find(list, "OBJECT", "花朵").count)
    assert.are.equal(1, find(list, "OBJECT", "樱花树").count)
  end)

  it("does not count ordinals and labels", function()
    local list = ents("7号球员和第一位选手")
    assert.are.same({}, of_type(list, "COUNT"))
    assert.is_nil(find(list, "OBJECT", "球员").count)
    assert.is_nil(find(list, "OBJECT", "选手").count)
  end)

  it("takes an unlisted noun after a measure word, categorised by the measure", function()
    local list = ents("桌上有一台榨汁机，墙边停着一辆黄包车。")
    local o = find(list, "OBJECT", "榨汁机")
    assert.is_table(o)
    assert.are.equal(1, o.count)
    -- a noun that only modifies the next noun is not taken
    assert.is_nil(find(ents("这是一张夜景照片。"), "OBJECT", "夜景"))
  end)

  it("counts only with a measure word or right before the noun", function()
    local list = ents("路边立着限速120的标志，一位年约六十的老人，三百人。")
    assert.are.same({ "三百" }, of_type(list, "COUNT"))
    assert.is_nil(find(list, "OBJECT", "标志").count)
    assert.are.equal(1, find(list, "OBJECT", "老人").count)
    assert.are.equal(300, find(list, "OBJECT", "人").count)
    assert.are.equal(1, find(ents("一小碗沙拉"), "OBJECT", "沙拉").count)
  end)

  it("joins colour patterns and skips idioms", function()
    assert.are.same({ "灰白相间" }, find(ents("一只灰白相间的猫"), "OBJECT", "猫").attributes)
    -- no 人 from 给人, no 鱼 from 钓鱼
    assert.are.same({ "河边" }, of_type(ents("给人一种安静的感觉，他在河边钓鱼。"), "OBJECT"))
    assert.are.equal("furniture", find(ents("一把折叠椅"), "OBJECT", "折叠椅").category)
  end)

  it("ends a negation at 的 once it has covered its noun", function()
    local list = ents("没有人的地铁车厢。")
    assert.is_nil(find(list, "OBJECT", "人"))
    assert.is_table(find(list, "OBJECT", "地铁车厢"))
  end)

  it("reads the local describer's output", function()
    local list = ents("这张照片很可能是一只虎斑猫（71%），也可能是埃及猫（12%）。")
    assert.are.same({ "虎斑猫", "埃及猫" }, of_type(list, "OBJECT"))
    assert.are.same({ "71%", "12%" }, of_type(list, "PERCENT"))
    assert.are.equal(1, find(list, "OBJECT", "虎斑猫").count)
  end)
end)

describe("glimpse.nlp.zh entities: names and values", function()
  local cases = {
    { "PERSON", "照片中的女人是王菲。", "王菲" },
    { "PERSON", "张伟在公园里跑步。", "张伟" },
    { "ORG", "一家星巴克咖啡店", "星巴克" },
    { "ORG", "货架上摆满了可口可乐", "可口可乐" },
    { "ORG", "他在北京大学读书", "北京大学" },
    { "PLACE", "杭州西湖的小船", "西湖" },
    { "PLACE", "在北京天安门广场拍摄", "天安门广场" },
    { "DATE", "拍摄于2024年5月3日。", "2024年5月3日" },
    { "DATE", "五月三日的故宫", "五月三日" },
    { "DATE", "星期一的早上", "星期一" },
    { "DATE", "日期是2021-07-04。", "2021-07-04" },
    { "DATE", "菜单上的日期是6月14日星期五。", "6月14日星期五" },
    { "TIME", "时间显示为下午三点。", "下午三点" },
    { "TIME", "15:30的地铁站", "15:30" },
    { "TIME", "三点半出发", "三点半" },
    { "MONEY", "价格¥25。", "¥25" },
    { "MONEY", "一杯咖啡25元。", "25元" },
    { "MONEY", "花了三百块。", "三百块" },
    { "MONEY", "每瓶3.5元", "3.5元" },
    { "PERCENT", "打折百分之二十", "百分之二十" },
    { "PERCENT", "打折20%", "20%" },
    { "TEXT", "招牌上写着“禁止停车”。", "禁止停车" },
    { "TEXT", "写着「生日快乐」", "生日快乐" },
    { "TEXT", "写着『出口』", "出口" },
    { "TEXT", "牌子上写着欢迎光临。", "欢迎光临" },
    { "TEXT", "门上写着：营业中", "营业中" },
    { "COLOR", "一件奶白色的毛衣", "奶白色" },
    { "COLOR", "香槟色的礼服", "香槟色" },
    { "PLATE", "车牌号码是京A·12345。", "京A·12345" },
    { "PLATE", "一辆粤B12345的出租车", "粤B12345" },
  }
  for _, c in ipairs(cases) do
    it(c[1] .. " " .. c[3], function()
      local list = ents(c[2])
      assert.is_table(find(list, c[1], c[3]), c[2])
    end)
  end

  it("takes no sentence after 写着 as text, and no 颜色 as a colour", function()
    assert.are.same({}, of_type(ents("墙上写着很多我看不懂的字。"), "TEXT"))
    assert.are.same({}, of_type(ents("景色很美，颜色鲜艳。"), "COLOR"))
  end)

  it("normalises percent lemmas", function()
    assert.are.equal("20%", find(ents("百分之二十"), "PERCENT", "百分之二十").lemma)
    assert.are.equal("20%", find(ents("打折２０％"), "PERCENT", "２０％").lemma)
  end)

  it("does not read three pieces of cake as money", function()
    local list = ents("三块蛋糕")
    assert.are.same({}, of_type(list, "MONEY"))
    assert.are.equal(3, find(list, "OBJECT", "蛋糕").count)
  end)

  it("keeps a quote inside a quote as part of the outer text", function()
    assert.are.same({ "欢迎来到「老街」" }, of_type(ents("牌子上写着“欢迎来到「老街」”。"), "TEXT"))
    assert.are.same({ "A", "B" }, of_type(ents("写着“A”和“B”"), "TEXT"))
  end)

  it("does not analyse quoted text further", function()
    local list = ents("牌子上写着“两只狗”。")
    assert.are.same({ "两只狗" }, of_type(list, "TEXT"))
    assert.are.same({}, of_type(list, "COUNT"))
    assert.is_nil(find(list, "OBJECT", "狗"))
  end)

  it("handles mixed Chinese, English and digits", function()
    local list = ents("一个Nike的背包，价格$30，拍摄于2023年。")
    assert.is_table(find(list, "ORG", "Nike"))
    assert.is_table(find(list, "OBJECT", "背包"))
    assert.is_table(find(list, "MONEY", "$30"))
    assert.is_table(find(list, "DATE", "2023年"))
  end)

  it("returns entities in text order", function()
    local list = ents("2024年5月3日，两只狗和一只猫在“公园”里。")
    for k = 2, #list do assert.is_true(list[k - 1].start <= list[k].start) end
  end)
end)

describe("glimpse.nlp.zh development set", function()
  it("scores entity F1 of at least 0.75", function()
    local dev = dofile(glimpse_spec.fixture("nlp/dev_zh.lua"))
    assert.is_true(#dev >= 50)
    local tp, fp, fn = 0, 0, 0
    for _, item in ipairs(dev) do
      local pred = assert(zh.entities(item.text))
      local used = {}
      for _, g in ipairs(item.entities) do
        local hit
        for k, p in ipairs(pred) do
          if not used[k] and p.type == g.type and p.text == g.text then hit = k break end
        end
        if hit then used[hit] = true tp = tp + 1 else fn = fn + 1 end
      end
      for k in ipairs(pred) do if not used[k] then fp = fp + 1 end end
    end
    local p, r = tp / (tp + fp), tp / (tp + fn)
    assert.is_true(2 * p * r / (p + r) >= 0.75)
  end)
end)
