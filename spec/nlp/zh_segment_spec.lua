-- glimpse.nlp.zh: tokenize, tag, sentences (segmentation over the jieba lexicon)
local zh = require "glimpse.nlp.zh"
local segment = require "glimpse.nlp.zh.segment"

local function words(text)
  local toks = assert(zh.tokenize(text))
  local out = {}
  for i, t in ipairs(toks) do out[i] = t.text end
  return out
end

local function check_offsets(text, toks)
  for _, t in ipairs(toks) do
    assert.are.equal(t.text, text:sub(t.start, t.stop))
    assert.is_true(t.start <= t.stop)
  end
end

describe("glimpse.nlp.zh segmentation", function()
  it("loads the compiled jieba lexicon in full", function()
    local n = assert(segment.load())
    assert.is_true(n > 300000)
    local freq, pos = segment.lookup("汽车")
    assert.is_true(freq > 1000)
    assert.are.equal("n", pos)
    assert.is_nil(segment.lookup("汽车汽车汽车"))
  end)

  local cases = {
    { "两只狗在草地上奔跑", { "两只", "狗", "在", "草地", "上", "奔跑" } },
    { "三辆红色的汽车停在路边", { "三辆", "红色", "的", "汽车", "停", "在", "路边" } },
    { "我们中出了一个叛徒", { "我们", "中", "出", "了", "一个", "叛徒" } },
    { "一只虎斑猫", { "一只", "虎斑猫" } },
    { "北京天安门", { "北京", "天安门" } },
  }
  for _, c in ipairs(cases) do
    it("segments " .. c[1], function()
      assert.are.same(c[2], words(c[1]))
    end)
  end

  it("keeps dictionary words that mix scripts", function()
    assert.are.same({ "一个", "穿", "T恤", "的", "男人" }, words("一个穿T恤的男人"))
  end)

  it("gives byte-exact offsets and kinds", function()
    local text = "猫（71%），iPhone 15 Pro。"
    local toks = assert(zh.tokenize(text))
    check_offsets(text, toks)
    local got = {}
    for i, t in ipairs(toks) do got[i] = t.text .. "/" .. t.kind end
    assert.are.same({ "猫/word", "（/punctuation", "71/number", "%/symbol", "）/punctuation",
      "，/punctuation", "iPhone/word", "15/number", "Pro/word", "。/punctuation" }, got)
    assert.are.same({ 1, 3 }, { toks[1].start, toks[1].stop })
    assert.are.same({ 4, 6 }, { toks[2].start, toks[2].stop })
  end)

  it("tokenizes Latin words and numbers inside Chinese text", function()
    local text = "在Starbucks买了3.5元的coffee，共1,200人"
    local toks = assert(zh.tokenize(text))
    check_offsets(text, toks)
    local got = {}
    for _, t in ipairs(toks) do got[t.text] = t.kind end
    assert.are.equal("word", got["Starbucks"])
    assert.are.equal("number", got["3.5"])
    assert.are.equal("word", got["coffee"])
    assert.are.equal("number", got["1,200"])
  end)

  it("marks Chinese numerals as numbers", function()
    local toks = assert(zh.tokenize("二十五"))
    assert.are.equal(1, #toks)
    assert.are.equal("number", toks[1].kind)
  end)

  it("skips whitespace, including the ideographic space", function()
    local text = "红色　汽车 \t 蓝天"
    local toks = assert(zh.tokenize(text))
    check_offsets(text, toks)
    assert.are.same({ "红色", "汽车", "蓝天" }, words(text))
  end)
end)

describe("glimpse.nlp.zh tag", function()
  it("maps jieba tags to the coarse set and keeps lemmas", function()
    local toks = zh.tag(assert(zh.tokenize("这两只狗在公园里跑。")))
    local pos = {}
    for _, t in ipairs(toks) do pos[#pos + 1] = t.text .. "/" .. t.pos end
    assert.are.same({ "这/DET", "两只/NUM", "狗/NOUN", "在/ADP", "公园/NOUN", "里/ADP", "跑/VERB", "。/PUNCT" }, pos)
    for _, t in ipairs(toks) do assert.are.equal(t.text, t.lemma) end
  end)

  it("normalises numeral lemmas", function()
    local toks = zh.tag(assert(zh.tokenize("二十五 ３ 一百零五")))
    assert.are.same({ "25", "3", "105" }, { toks[1].lemma, toks[2].lemma, toks[3].lemma })
    for _, t in ipairs(toks) do assert.are.equal("NUM", t.pos) end
  end)

  it("tags brands, places and colours", function()
    local toks = zh.tag(assert(zh.tokenize("星巴克 上海 红色 %")))
    assert.are.same({ "PROPN", "PROPN", "ADJ", "SYM" }, { toks[1].pos, toks[2].pos, toks[3].pos, toks[4].pos })
  end)

  it("raises on a non-table", function()
    assert.has.error(function() zh.tag("狗") end, "bad argument #1 to 'tag' (table expected, got string)")
  end)
end)

describe("glimpse.nlp.zh sentences", function()
  it("splits at Chinese and ASCII terminators and keeps closing quotes", function()
    local text = "他说：“你好！”然后走了。天很蓝？是的\n第二行. end"
    local ss = zh.sentences(text)
    local got = {}
    for i, s in ipairs(ss) do
      assert.are.equal(s.text, text:sub(s.start, s.stop))
      got[i] = s.text
    end
    assert.are.same({ "他说：“你好！”", "然后走了。", "天很蓝？", "是的", "第二行.", "end" }, got)
  end)

  it("returns no sentences for blank text", function()
    assert.are.same({}, zh.sentences(""))
    assert.are.same({}, zh.sentences(" \n　"))
  end)
end)
