local nlp = require "glimpse.nlp"

local function tagged(s)
  local toks = assert(nlp.tag(nlp.tokenize(s)))
  local pos, lemma = {}, {}
  for i, t in ipairs(toks) do pos[i] = t.pos lemma[i] = t.lemma end
  return pos, lemma, toks
end

describe("glimpse.nlp.lemma", function()
  local cases = {
    { "dogs", "NOUN", "dog" }, { "children", "NOUN", "child" }, { "ran", "VERB", "run" },
    { "women", "NOUN", "woman" }, { "boxes", "NOUN", "box" }, { "mice", "NOUN", "mouse" },
    { "running", "VERB", "run" }, { "stopped", "VERB", "stop" }, { "better", "ADJ", "good" },
    { "bigger", "ADJ", "big" }, { "is", "AUX", "be" }, { "strawberries", "NOUN", "strawberry" },
    { "fire hydrants", "NOUN", "fire hydrant" }, { "leaves", "NOUN", "leaf" },
  }
  for _, c in ipairs(cases) do
    it(("%s/%s -> %s"):format(c[1], c[2], c[3]), function()
      assert.are.equal(c[3], nlp.lemma(c[1], c[2]))
    end)
  end

  it("falls back on the lower-cased word", function()
    assert.are.equal("zxqwv", nlp.lemma("Zxqwv", "NOUN"))
  end)
end)

describe("glimpse.nlp.tag", function()
  it("tags a simple description", function()
    local pos, lemma = tagged("Two brown dogs are running in the park.")
    assert.are.same({ "NUM", "ADJ", "NOUN", "AUX", "VERB", "ADP", "DET", "NOUN", "PUNCT" }, pos)
    assert.are.same({ "two", "brown", "dog", "be", "run", "in", "the", "park", "." }, lemma)
  end)

  it("uses context for noun/verb ambiguity", function()
    local pos = tagged("The children watch a watch.")
    assert.are.same({ "DET", "NOUN", "VERB", "DET", "NOUN", "PUNCT" }, pos)
    pos = tagged("They want to play with a ball.")
    assert.are.equal("PART", pos[3])
    assert.are.equal("VERB", pos[4])
  end)

  it("marks capitalised words inside a sentence as proper nouns", function()
    local pos, lemma = tagged("A man walks in Paris with Maria.")
    assert.are.equal("PROPN", pos[5])
    assert.are.equal("Paris", lemma[5])
    assert.are.equal("PROPN", pos[7])
  end)

  it("tags pronouns, conjunctions, particles and symbols", function()
    local pos = tagged("She didn't see it and $5 is missing.")
    assert.are.same({ "PRON", "AUX", "PART", "VERB", "PRON", "CONJ", "SYM", "NUM", "AUX", "VERB", "PUNCT" }, pos)
  end)

  it("raises on a non-table argument", function()
    assert.has.error(function() nlp.tag("dogs") end,
      "bad argument #1 to 'tag' (table expected, got string)")
  end)
end)
