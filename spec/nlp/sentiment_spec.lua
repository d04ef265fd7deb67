local nlp = require "glimpse.nlp"

describe("glimpse.nlp.sentiment", function()
  it("labels clear positive, negative and neutral text", function()
    assert.are.equal("positive", nlp.sentiment("A beautiful, happy dog in a lovely park.").label)
    assert.are.equal("negative", nlp.sentiment("A dirty, broken car in an ugly street.").label)
    assert.are.equal("neutral", nlp.sentiment("A cat sits on a mat.").label)
    assert.are.equal(0, nlp.sentiment("").score)
  end)

  it("keeps the score within -1..1", function()
    local s = nlp.sentiment(string.rep("amazing wonderful perfect ", 200)).score
    assert.is_true(s > 0.99 and s <= 1)
    s = nlp.sentiment(string.rep("terrible awful horrible ", 200)).score
    assert.is_true(s < -0.99 and s >= -1)
  end)

  it("flips polarity under negation", function()
    assert.are.equal("positive", nlp.sentiment("The food was good.").label)
    assert.are.equal("negative", nlp.sentiment("The food was not good.").label)
    assert.are.equal("negative", nlp.sentiment("The food wasn't good.").label)
    assert.are.equal("positive", nlp.sentiment("The street is not dirty at all.").label)
  end)

  it("scales with intensifiers", function()
    local plain = nlp.sentiment("a happy dog").score
    local very = nlp.sentiment("a very happy dog").score
    local slightly = nlp.sentiment("a slightly happy dog").score
    assert.is_true(very > plain)
    assert.is_true(slightly < plain and slightly > 0)
  end)

  it("weighs the clause after 'but' more", function()
    assert.are.equal("positive", nlp.sentiment("The day was bad but the sunset was beautiful.").label)
    assert.are.equal("negative", nlp.sentiment("The sunset was beautiful but the day was bad.").label)
  end)

  it("raises on a non-string argument", function()
    assert.has.error(function() nlp.sentiment(nil) end,
      "bad argument #1 to 'sentiment' (string expected, got nil)")
  end)
end)
