-- geometry_spec.lua — img:crop, img:flip, img:rotate (0-based pixel coordinates;
-- rotation counter-clockwise for positive angles, as in Pillow).
-- Rotation fixtures: spec/fixtures/opencv/rotate.lua + rotate_*.bin from
-- tools/fixtures/opencv_geometry.py (Pillow's Image.rotate, BILINEAR).
-- Tolerance: same canvas size, every channel within 1 level (Pillow
-- truncates its interpolated values, glimpse rounds them).
local glimpse = require "glimpse"
local H = glimpse_spec

-- A w x h RGB image whose pixel (x, y) holds (x, y, (x * 7 + y) % 256).
local function coords(w, h)
  local img = glimpse.image.new(w, h, 3)
  for y = 0, h - 1 do
    for x = 0, w - 1 do img:set(x, y, x, y, (x * 7 + y) % 256) end
  end
  return img
end

local function at(img, x, y) return { img:get(x, y) } end
local function src(x, y) return { x, y, (x * 7 + y) % 256 } end

local function same(a, b)
  if a.width ~= b.width or a.height ~= b.height or a.format ~= b.format then return false end
  local ta = a:to_tensor { layout = "nhwc", dtype = "uint8" }:bytes()
  local tb = b:to_tensor { layout = "nhwc", dtype = "uint8" }:bytes()
  return ta == tb
end

describe("img:crop", function()
  local img = coords(20, 10)

  it("copies the rectangle at 0-based (x, y)", function()
    local c = img:crop(3, 2, 5, 4)
    assert.are.equal(5, c.width)
    assert.are.equal(4, c.height)
    assert.are.same(src(3, 2), at(c, 0, 0))
    assert.are.same(src(7, 5), at(c, 4, 3))
  end)

  it("clips a rectangle that runs past the edges", function()
    local c = img:crop(-4, 7, 10, 10)
    assert.are.equal(6, c.width)
    assert.are.equal(3, c.height)
    assert.are.same(src(0, 7), at(c, 0, 0))
    assert.are.same(src(5, 9), at(c, 5, 2))
    assert.are.equal(20, img:crop(0, 0, 1000, 1000).width)
  end)

  it("raises for a rectangle outside the image or a bad size", function()
    assert.has_error(function() img:crop(20, 0, 3, 3) end,
      "crop: rectangle (20, 0, 3, 3) lies outside the 20x10 image")
    assert.has_error(function() img:crop(-5, 0, 5, 3) end)
    assert.has_error(function() img:crop(0, 0, 0, 3) end)
    assert.has_error(function() img:crop(0, 0, 3, -1) end)
    assert.has_error(function() img:crop(0, 0, 3) end)
    assert.has_error(function() img:crop("a", 0, 3, 3) end)
  end)
end)

describe("img:flip", function()
  local img = coords(7, 5)

  it("mirrors horizontally, vertically or both", function()
    local h, v, b = img:flip("horizontal"), img:flip("vertical"), img:flip("both")
    for _, p in ipairs { { 0, 0 }, { 6, 4 }, { 3, 1 } } do
      local x, y = p[1], p[2]
      assert.are.same(src(6 - x, y), at(h, x, y))
      assert.are.same(src(x, 4 - y), at(v, x, y))
      assert.are.same(src(6 - x, 4 - y), at(b, x, y))
    end
    assert.is_true(same(img, h:flip("horizontal")))
  end)

  it("rejects unknown directions", function()
    assert.has_error(function() img:flip("diagonal") end)
    assert.has_error(function() img:flip() end)
  end)
end)

describe("img:rotate", function()
  local img = coords(6, 4)

  it("turns counter-clockwise by exact index remapping for quarter turns", function()
    local r = img:rotate(90)
    assert.are.equal(4, r.width)
    assert.are.equal(6, r.height)
    assert.are.same(src(5, 0), at(r, 0, 0)) -- top-right comes to top-left
    assert.are.same(src(0, 3), at(r, 3, 5))
    assert.is_true(same(img:rotate(-90), img:rotate(270)))
    assert.is_true(same(img:rotate(180), img:flip("both")))
    assert.is_true(same(img, r:rotate(90):rotate(90):rotate(90)))
    assert.is_true(same(img, img:rotate(360)))
  end)

  it("expands the canvas by default and keeps it with expand = false", function()
    local r = glimpse.image.new(40, 20, 3, 200):rotate(45, { fill = { 10, 20, 30 } })
    -- corners span centre +- 21.21 on both axes: x 20 +- 21.21, y 10 +- 21.21
    assert.are.equal(math.ceil(20 + 30 / math.sqrt(2)) - math.floor(20 - 30 / math.sqrt(2)), r.width)
    assert.are.equal(math.ceil(10 + 30 / math.sqrt(2)) - math.floor(10 - 30 / math.sqrt(2)), r.height)
    assert.are.same({ 200, 200, 200 }, at(r, r.width // 2, r.height // 2))
    assert.are.same({ 10, 20, 30 }, at(r, 0, 0))
    local k = img:rotate(30, { expand = false })
    assert.are.equal(6, k.width)
    assert.are.equal(4, k.height)
    local q = img:rotate(90, { expand = false, fill = 9 })
    assert.are.equal(6, q.width)
    assert.are.same({ 9, 9, 9 }, at(q, 0, 0))
  end)

  for _, case in ipairs(dofile(H.fixture("opencv/rotate.lua"))) do
    if not H.exists(H.image_path(case.image)) then
      pending(H.image_path(case.image) .. " not found")
      goto continue
    end
    it(("matches Pillow: %s %s %g degrees, expand %s"):format(case.image, case.mode, case.angle,
      tostring(case.expand)), function()
      local img = assert(glimpse.image.load(H.image_path(case.image)))
      img = img:crop(table.unpack(case.crop)):convert(case.mode)
      local r = img:rotate(case.angle, { expand = case.expand, fill = case.fill })
      assert.are.equal(case.width, r.width)
      assert.are.equal(case.height, r.height)
      local got = r:to_tensor { layout = "nhwc", dtype = "uint8" }:bytes()
      local want = H.read_file(H.fixture("opencv/" .. case.file))
      assert.are.equal(#want, #got)
      local worst = 0
      for i = 1, #want do
        local d = math.abs(got:byte(i) - want:byte(i))
        if d > worst then worst = d end
      end
      assert.is_true(worst <= 1, "max difference " .. worst)
    end)
    ::continue::
  end

  it("moves a point right of centre upwards for a small positive angle", function()
    local dot = glimpse.image.new(41, 41, 1)
    dot:set(35, 20, 255)
    local r = dot:rotate(10, { expand = false })
    local best, bx, by = -1, 0, 0
    for y = 0, 40 do
      for x = 0, 40 do
        local v = r:get(x, y)
        if v > best then best, bx, by = v, x, y end
      end
    end
    assert.is_true(by < 20 and bx >= 34)
  end)

  it("rejects bad angles and options", function()
    assert.has_error(function() img:rotate(0 / 0) end)
    assert.has_error(function() img:rotate(math.huge) end)
    assert.has_error(function() img:rotate("x") end)
    assert.has_error(function() img:rotate(10, { fill = { 1, 2 } }) end)
    assert.has_error(function() img:rotate(10, { fill = 300 }) end)
    assert.has_error(function() img:rotate(10, { expand = "yes" }) end)
    assert.has_error(function() img:rotate(10, { expnad = true }) end)
    local long = glimpse.image.new(20000, 4000, 1)
    assert.has_error(function() long:rotate(45) end,
      "output of 16972x16972 pixels exceeds the limit of 256 megapixels")
  end)

  it("raises on a closed image", function()
    local c = coords(2, 2)
    c:close()
    assert.has_error(function() c:rotate(90) end)
    assert.has_error(function() c:crop(0, 0, 1, 1) end)
    assert.has_error(function() c:flip("vertical") end)
  end)
end)
