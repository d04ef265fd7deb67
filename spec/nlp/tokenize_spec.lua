local nlp = require "glimpse.nlp"

local function texts(toks)
  local t = {}
  for i, x in ipairs(toks) do t[i] = x.text end
  return t
end

local function offsets_hold(s, toks)
  for _, t in ipairs(toks) do
    assert.are.equal(t.text, s:sub(t.start, t.stop))
  end
end

describe("glimpse.nlp.tokenize", function()
  it("splits words, numbers, punctuation and symbols", function()
    local toks = nlp.tokenize("Two dogs cost $12.50 (71%).")
    assert.are.same({ "Two", "dogs", "cost", "$", "12.50", "(", "71", "%", ")", "." }, texts(toks))
    local kinds = {}
    for i, t in ipairs(toks) do kinds[i] = t.kind end
    assert.are.same({ "word", "word", "word", "symbol", "number", "punctuation", "number",
      "symbol", "punctuation", "punctuation" }, kinds)
  end)

  it("gives 1-based inclusive byte offsets", function()
    local toks = nlp.tokenize("a cat")
    assert.are.same({ text = "a", start = 1, stop = 1, kind = "word" }, toks[1])
    assert.are.same({ text = "cat", start = 3, stop = 5, kind = "word" }, toks[2])
  end)

  it("keeps offsets right with accents, CJK and emoji", function()
    local s = "Café in Zürich 🐶 東京 naïve — ok"
    local toks = nlp.tokenize(s, { lang = "en" })
    offsets_hold(s, toks)
    assert.are.same({ "Café", "in", "Zürich", "🐶", "東京", "naïve", "—", "ok" }, texts(toks))
    assert.are.equal("symbol", toks[4].kind)
    assert.are.equal(7, toks[2].start) -- "é" is two bytes
  end)

  it("splits clitics and keeps abbreviations and hyphenated words", function()
    local toks = nlp.tokenize("Mr. Smith's dog didn't bark at the T-shirt in the U.S.")
    assert.are.same({ "Mr.", "Smith", "'s", "dog", "did", "n't", "bark", "at", "the", "T-shirt",
      "in", "the", "U.S." }, texts(toks))
  end)

  it("turns invalid UTF-8 into one-byte symbol tokens", function()
    local s = "bad \255\254 bytes \226\130"
    local toks = nlp.tokenize(s)
    offsets_hold(s, toks)
    assert.are.equal("symbol", toks[2].kind)
    assert.are.equal("bytes", toks[4].text)
  end)

  it("returns no tokens for empty or blank text", function()
    assert.are.same({}, nlp.tokenize(""))
    assert.are.same({}, nlp.tokenize("  \n\t "))
  end)

  it("raises on a non-string argument", function()
    assert.has.error(function() nlp.tokenize(42) end,
      "bad argument #1 to 'tokenize' (string expected, got number)")
    assert.has.error(function() nlp.tokenize("x", { lang = "fr" }) end)
  end)
end)

describe("glimpse.nlp.sentences", function()
  it("splits on sentence punctuation but not on abbreviations", function()
    local s = "Dr. Smith walks a dog. It is 3.5 km long! Is it? Yes."
    local out = nlp.sentences(s)
    local t = {}
    for i, x in ipairs(out) do
      t[i] = x.text
      assert.are.equal(x.text, s:sub(x.start, x.stop))
    end
    assert.are.same({ "Dr. Smith walks a dog.", "It is 3.5 km long!", "Is it?", "Yes." }, t)
  end)

  it("returns the tail without final punctuation", function()
    local out = nlp.sentences("A cat. a dog sleeps")
    assert.are.equal(1, #out) -- lower-case start does not begin a sentence
    out = nlp.sentences("A cat. The dog sleeps")
    assert.are.equal("The dog sleeps", out[2].text)
    assert.are.same({}, nlp.sentences(""))
  end)
end)
