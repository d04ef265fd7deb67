local nlp = require "glimpse.nlp"
local lexicon = require "glimpse.nlp.lexicon"

describe("glimpse.nlp lexicon", function()
  it("is found beside glimpse.core", function()
    local path = assert(lexicon.path("en.lua"))
    assert.truthy(path:find("lexicon/en.lua$"))
    assert.truthy(io.open(path))
  end)

  it("loads WordNet-derived tables", function()
    local lex = assert(lexicon.load())
    assert.are.equal("animal", (lex:category("dog")))
    assert.are.equal("vehicle", (lex:category("school bus")))
    assert.are.equal("person", (lex:category("nurse")))
    assert.is_nil((lex:category("idea")))
    assert.are.equal("PLACE", lex:name_type("Paris"))
    assert.are.equal("PERSON", lex:name_type("Einstein"))
    assert.are.equal("child", lex:exceptions("noun").children)
    assert.is_true(lex:has("run", "verb"))
    assert.is_true(lex:has("red", "adj"))
  end)

  it("gives WordNet synonyms of a noun's sense", function()
    local syn = nlp.synonyms("cars")
    assert.is_truthy(table.concat(syn, ","):find("automobile", 1, true))
    local set = {}
    for _, w in ipairs(nlp.synonyms("sofa")) do set[w] = true end
    assert.is_true(set.couch)
    assert.are.same({}, nlp.synonyms("idea"))
    assert.are.same({}, nlp.synonyms("zxqwv"))
    assert.has.error(function() nlp.synonyms(1) end,
      "bad argument #1 to 'synonyms' (string expected, got number)")
  end)

  it("reports a missing lexicon as nil, message, code", function()
    package.loaded["glimpse.nlp.lexicon"] = nil
    local fresh = require "glimpse.nlp.lexicon"
    local old = os.getenv
    os.getenv = function(k) if k == "GLIMPSE_LEXICON_DIR" then return "/nonexistent-dir" end return old(k) end
    local ok, msg, code = fresh.load()
    os.getenv = old
    package.loaded["glimpse.nlp.lexicon"] = lexicon
    assert.is_nil(ok)
    assert.truthy(msg:find("^lexicon: "))
    assert.are.equal("EIO", code)
  end)

  it("maps the shipped models' labels to categories", function()
    assert.are.equal("animal", nlp.category("tabby, tabby cat"))
    assert.are.equal("vehicle", nlp.category("bicycle"))
    assert.are.equal("person", nlp.category("person"))
    assert.are.equal("food", nlp.category("pizza"))
    assert.are.equal("sign", nlp.category("stop sign"))
    assert.are.equal("animal", nlp.category("tiger, Panthera tigris"))
    assert.are.equal("furniture", nlp.category("chairs"))
    assert.is_nil(nlp.category("happiness"))
    local labels = require "glimpse.nlp.data.labels"
    local n, other = 0, 0
    for _, e in pairs(labels) do
      n = n + 1
      if e.category == "other" then other = other + 1 end
    end
    assert.is_true(n > 1000)
    assert.is_true(other < n / 50)
  end)
end)

describe("glimpse.nlp language dispatch", function()
  it("hands Chinese text to glimpse.nlp.zh with the shared shapes", function()
    local s = "两只棕色的狗在雪地里玩。"
    for _, opts in ipairs({ {}, { lang = "zh" } }) do
      local toks = assert(nlp.tokenize(s, opts))
      assert.is_true(#toks > 1)
      for _, t in ipairs(toks) do assert.are.equal(t.text, s:sub(t.start, t.stop)) end
      for _, e in ipairs(assert(nlp.entities(s, opts))) do
        assert.is_string(e.type)
        assert.are.equal(e.text, s:sub(e.start, e.stop))
      end
    end
    -- forcing English keeps the Han run as one word token
    local toks = nlp.tokenize("东京 Tokyo", { lang = "en" })
    assert.are.same({ "东京", "Tokyo" }, { toks[1].text, toks[2].text })
  end)

  it("detects Han-script text", function()
    assert.are.equal("zh", nlp.detect("两只棕色的狗在雪地里玩"))
    assert.are.equal("en", nlp.detect("Two dogs in Tokyo (東京)"))
    assert.are.equal("en", nlp.detect(""))
  end)
end)
