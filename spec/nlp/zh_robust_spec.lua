-- glimpse.nlp.zh: adversarial input, argument errors, a missing lexicon
local zh = require "glimpse.nlp.zh"

describe("glimpse.nlp.zh on hostile input", function()
  it("returns empty lists for empty text", function()
    assert.are.same({}, assert(zh.tokenize("")))
    assert.are.same({}, assert(zh.entities("")))
    assert.are.same({}, zh.sentences(""))
  end)

  it("makes each invalid UTF-8 byte a one-byte symbol and keeps offsets exact", function()
    local text = "两只\255狗\192\128在\237\160\128草地\226\130上\244\144\128\128。"
    local toks = assert(zh.tokenize(text))
    local got = {}
    for _, t in ipairs(toks) do
      assert.are.equal(t.text, text:sub(t.start, t.stop))
      if utf8.len(t.text) then
        got[#got + 1] = t.text
      else
        assert.are.equal("symbol", t.kind)
        assert.are.equal(1, #t.text)
      end
    end
    assert.are.same({ "两只", "狗", "在", "草地", "上", "。" }, got)
    local parts = {}
    for i, t in ipairs(toks) do parts[i] = t.text end
    assert.are.equal(text, table.concat(parts))
    local list = assert(zh.entities(text))
    for _, e in ipairs(list) do assert.are.equal(e.text, text:sub(e.start, e.stop)) end
  end)

  it("survives control characters, lone quotes and symbols", function()
    for _, text in ipairs { "\0\1\2", "“没有结束的引号", "”「『", "%%%￥￥$", "😀🐶🐱", ("。"):rep(1000),
      "百分之", "京A·", "2024年", "十几", "个个个个" } do
      assert.is_table(assert(zh.tokenize(text)))
      local list = assert(zh.entities(text))
      for _, e in ipairs(list) do assert.are.equal(e.text, text:sub(e.start, e.stop)) end
    end
  end)

  it("keeps every offset exact on random mixes of tricky pieces", function()
    -- deterministic: a small linear congruential generator, not math.random
    local pieces = { "两", "只", "狗", "红色", "的", "“", "”", "「", "」", "京", "A", "·", "1", "2", "3",
      "年", "月", "日", "点", "半", "下午", "%", "％", "百分之", "元", "块", "¥", "没有", "不是", "，",
      "。", "们", "满", "一", "群", "张伟", "在", "上", "里", "相间", "白", "小", "第", "号", "写着",
      "：", "\n", " ", "\255", "\226\128", "\192", "\128", "e", "Z", "-", "/", ":", "十", "几", "多",
      "万", "〇", "星期一", "周五", "和", "车", "门口", "人", "很多", "5月3日", "B12345", "粤" }
    local state = 12345
    local function rand(n)
      state = (state * 1103515245 + 12345) % 2147483648
      return state % n + 1
    end
    for _ = 1, 3000 do
      local parts = {}
      for j = 1, rand(30) do parts[j] = pieces[rand(#pieces)] end
      local text = table.concat(parts)
      local toks = assert(zh.tokenize(text))
      zh.tag(toks)
      for _, t in ipairs(toks) do
        assert(t.start <= t.stop and t.text == text:sub(t.start, t.stop), text)
      end
      for _, e in ipairs(assert(zh.entities(text))) do
        assert(e.start <= e.stop and e.text == text:sub(e.start, e.stop), text)
      end
      for _, x in ipairs(zh.sentences(text)) do
        assert(x.text == text:sub(x.start, x.stop), text)
      end
    end
  end)

  it("handles very long words and runs of one character", function()
    local text = ("狗"):rep(5000) .. "，" .. ("a"):rep(5000) .. "，" .. ("1"):rep(5000)
    local toks = assert(zh.tokenize(text))
    local parts = {}
    for i, t in ipairs(toks) do parts[i] = t.text end
    assert.are.equal(text, table.concat(parts))
    assert.are.equal(("a"):rep(5000), toks[#toks - 2].text)
    assert.are.equal("number", toks[#toks].kind)
  end)

  it("completes 1 MB of Chinese text", function()
    local base = "这张图片展示了两只棕色的狗在公园的草地上奔跑，三辆红色的汽车停在路边，价格25元，写着“禁止停车”。"
    local text = base:rep(1024 * 1024 // #base + 1)
    assert.is_true(#text >= 1024 * 1024)
    local toks = assert(zh.tokenize(text))
    assert.is_true(#toks > 200000)
    local last = toks[#toks]
    assert.are.equal(#text, last.stop)
    local list = assert(zh.entities(text))
    assert.is_true(#list > 10000)
    assert.is_true(#zh.sentences(text) > 5000)
  end)

  it("raises on arguments of the wrong type", function()
    assert.has.error(function() zh.tokenize(nil) end, "bad argument #1 to 'tokenize' (string expected, got nil)")
    assert.has.error(function() zh.entities(42) end, "bad argument #1 to 'entities' (string expected, got number)")
    assert.has.error(function() zh.entities("狗", "zh") end, "bad argument #2 to 'entities' (table expected, got string)")
    assert.has.error(function() zh.sentences({}) end, "bad argument #1 to 'sentences' (string expected, got table)")
  end)

  it("reports a missing lexicon as nil, message, code", function()
    local script = [[
      local zh = require "glimpse.nlp.zh"
      local r, msg, code = zh.entities("两只狗")
      io.write(tostring(r), "|", tostring(code), "|", tostring(msg))
    ]]
    local dir = glimpse_spec.tmpname("-nolexicon")
    local cmd = ("GLIMPSE_LEXICON_DIR=%q LUA_PATH=%q LUA_CPATH=%q lua5.4 -e %q 2>&1")
      :format(dir, package.path, package.cpath, script)
    local p = assert(io.popen(cmd))
    local out = p:read("a")
    p:close()
    local r, code, msg = out:match("^(.-)|(.-)|(.*)$")
    assert.are.equal("nil", r)
    assert.are.equal("EIO", code)
    assert.is_truthy(msg:find("^lexicon: cannot load "))
  end)
end)
