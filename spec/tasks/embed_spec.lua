-- glimpse.embed with the MobileNet v1 embedding extractor: the same cat
-- photo at two resolutions (cat.bmp, 512x341, and cat_720p.jpg) is far
-- closer than the cat and a sunflower. A float emulation of the quantized
-- model gave 0.99 and 0.40 for these pairs.
local glimpse = require "glimpse"
local embed = require "glimpse.tasks.embed"
local H = glimpse_spec

local function load(name) return assert(glimpse.image.load(H.image_path(name))) end

describe("glimpse.embed #models", function()
  it("gives a 1024-d unit vector", function()
    local v = assert(glimpse.embed(load("cat.bmp")))
    assert.are.equal(1024, #v)
    local n = 0
    for i = 1, #v do n = n + v[i] * v[i] end
    assert.is_true(math.abs(n - 1) < 1e-6)
    assert.is_true(math.abs(embed.similarity(v, v) - 1) < 1e-6)
  end)

  it("puts the two cat photos closer together than the cat and the sunflower", function()
    local cat = assert(glimpse.embed(load("cat.bmp")))
    local cat2 = assert(glimpse.embed(load("cat_720p.jpg")))
    local flower = assert(glimpse.embed(load("sunflower.bmp")))
    local same, other = embed.similarity(cat, cat2), embed.similarity(cat, flower)
    assert.is_true(same > other, ("cat/cat %.3f, cat/sunflower %.3f"):format(same, other))
    assert.is_true(same > 0.9, ("cat/cat %.3f"):format(same))
    assert.is_true(other < 0.8, ("cat/sunflower %.3f"):format(other))
  end)

  it("rejects vectors of different lengths", function()
    assert.has.error(function() embed.similarity({ 1, 0 }, { 1 }) end,
      "bad argument #2 to 'similarity' (embeddings differ in length: 2 and 1)")
  end)
end)
