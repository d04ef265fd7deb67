-- glimpse.segment with DeepLab v3 (PASCAL VOC) on dog_segmentation.bmp: a
-- white dog fills the centre and right of a 128x128 photo, dark garden
-- background at the top-left.
local glimpse = require "glimpse"
local H = glimpse_spec

describe("glimpse.segment #models", function()
  local img, seg

  setup(function()
    img = assert(glimpse.image.load(H.image_path("dog_segmentation.bmp")))
    seg = assert(glimpse.segment(img))
  end)

  it("returns a class-id image at the input's size", function()
    assert.are.equal(img.width, seg.classes.width)
    assert.are.equal(img.height, seg.classes.height)
    assert.are.equal(1, seg.classes.channels)
    assert.are.equal(21, #seg.labels)
    assert.are.equal("background", seg.labels[1])
    assert.are.equal("dog", seg.labels[13])
  end)

  it("marks the dog as 'dog', a good part of the picture, in the right place", function()
    local dog
    for _, p in ipairs(seg.present) do
      if p.label == "dog" then dog = p end
    end
    assert.is_table(dog, "no dog found")
    assert.are.equal(12, dog.index)
    assert.is_true(dog.fraction > 0.3, "dog fraction " .. dog.fraction)
    assert.is_true(math.abs(dog.pixels - dog.fraction * img.width * img.height) <= 1)
    -- count and locate the dog pixels in the class image itself
    local n, sx, sy = 0, 0, 0
    for y = 0, img.height - 1 do
      for x = 0, img.width - 1 do
        if seg.classes:get(x, y) == 12 then n, sx, sy = n + 1, sx + x, sy + y end
      end
    end
    assert.is_true(math.abs(n / (img.width * img.height) - dog.fraction) < 0.05)
    assert.is_true(sx / n > 55 and sx / n < 110, "centroid x " .. sx / n)
    assert.is_true(sy / n > 40 and sy / n < 110, "centroid y " .. sy / n)
    assert.are.equal(12, seg.classes:get(90, 70)) -- the dog's chest
    assert.are_not.equal(12, seg.classes:get(4, 4)) -- garden, top-left
  end)

  it("lists present classes by share, and their shares add up to 1", function()
    local sum = 0
    for i, p in ipairs(seg.present) do
      if i > 1 then assert.is_true(seg.present[i - 1].fraction >= p.fraction) end
      assert.are.equal(seg.labels[p.index + 1], p.label)
      sum = sum + p.fraction
    end
    assert.is_true(math.abs(sum - 1) < 1e-9)
  end)

  it("maps a non-square image back through the letterbox", function()
    local cat = assert(glimpse.image.load(H.image_path("cat.bmp")))
    local s = assert(glimpse.segment(cat))
    assert.are.equal(cat.width, s.classes.width)
    assert.are.equal(cat.height, s.classes.height)
    assert.are.equal("cat", s.present[1].label == "background" and s.present[2].label or
      s.present[1].label)
  end)
end)
