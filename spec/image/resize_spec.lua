-- resize_spec.lua — img:resize against OpenCV 4.6 (nearest, bilinear, area) and
-- Pillow (bicubic, lanczos) on the shared photographs.
-- Fixtures: spec/fixtures/opencv/resize.lua + resize_*.bin, made by
-- tools/fixtures/opencv_resize.py. Tolerance: every channel of every pixel
-- within 1 level of the reference (OpenCV and Pillow round their
-- fixed-point sums slightly differently from glimpse's float passes).
local glimpse = require "glimpse"
local H = glimpse_spec

local cases = dofile(H.fixture("opencv/resize.lua"))

-- Raw interleaved bytes of an image, in bulk.
local function raw(img)
  return img:to_tensor { layout = "nhwc", dtype = "uint8" }:bytes()
end

-- The preparation tools/fixtures/opencv_resize.py applies, with glimpse.
local function prepare(case)
  local img = assert(glimpse.image.load(H.image_path(case.image)))
  if img.format == "gray" and case.mode ~= "gray" then img = img:convert("rgb") end
  if case.crop then img = img:crop(table.unpack(case.crop)) end
  if case.mode == "gray" then
    img = img:convert("gray")
  elseif case.mode == "rgba" then
    img = img:convert("rgba")
    for y = 0, img.height - 1 do
      for x = 0, img.width - 1 do
        local r, g, b = img:get(x, y)
        img:set(x, y, r, g, b, (7 * x + 13 * y) % 256)
      end
    end
  end
  return img
end

local function compare(got, want)
  assert.are.equal(#want, #got)
  local worst = 0
  for i = 1, #want, 4096 do
    local a = { got:byte(i, math.min(i + 4095, #got)) }
    local b = { want:byte(i, math.min(i + 4095, #want)) }
    for k = 1, #a do
      local d = math.abs(a[k] - b[k])
      if d > worst then worst = d end
    end
  end
  return worst
end

describe("img:resize matches the reference on shared photographs", function()
  for _, case in ipairs(cases) do
    if not H.exists(H.image_path(case.image)) then
      pending(case.name .. ": " .. H.image_path(case.image) .. " not found")
      goto continue
    end
    it(case.name .. " -> " .. case.width .. "x" .. case.height, function()
      local src = prepare(case)
      local out = src:resize(case.width, case.height, { filter = case.filter })
      assert.are.equal(case.width, out.width)
      assert.are.equal(case.height, out.height)
      assert.are.equal(src.format, out.format)
      local worst = compare(raw(out), H.read_file(H.fixture("opencv/" .. case.file)))
      assert.is_true(worst <= 1, "max difference " .. worst .. " from " .. case.reference)
    end)
    ::continue::
  end
end)

describe("img:resize", function()
  local img = glimpse.image.new(9, 5, 3, { 10, 20, 30 })

  it("defaults to bilinear and accepts the filter as a string", function()
    local g = glimpse.image.new(2, 1, 1)
    g:set(1, 0, 100)
    local out = g:resize(4, 1)
    assert.are.same({ 0, 25, 75, 100 }, { out:get(0, 0), out:get(1, 0), out:get(2, 0), out:get(3, 0) })
    local near = g:resize(4, 1, "nearest")
    assert.are.same({ 0, 0, 100, 100 }, { near:get(0, 0), near:get(1, 0), near:get(2, 0), near:get(3, 0) })
  end)

  it("keeps a flat colour flat under every filter, growing and shrinking", function()
    for _, f in ipairs { "nearest", "bilinear", "bicubic", "area", "lanczos" } do
      for _, size in ipairs { { 1, 1 }, { 3, 2 }, { 40, 17 }, { 9, 5 } } do
        local out = img:resize(size[1], size[2], { filter = f })
        assert.are.same({ 10, 20, 30 }, { out:get(size[1] - 1, size[2] - 1) })
        assert.are.same({ 10, 20, 30 }, { out:get(0, 0) })
      end
    end
  end)

  it("resizes 1-pixel, gray and RGBA images", function()
    local one = glimpse.image.new(1, 1, 4, { 1, 2, 3, 4 })
    local big = one:resize(7, 3, { filter = "area" })
    assert.are.equal("rgba", big.format)
    assert.are.same({ 1, 2, 3, 4 }, { big:get(6, 2) })
    local gray = glimpse.image.new(6, 6, 1, 200):resize(1, 1, { filter = "area" })
    assert.are.same({ 200 }, { gray:get(0, 0) })
  end)

  it("rejects bad sizes, filters and types", function()
    assert.has_error(function() img:resize(0, 5) end)
    assert.has_error(function() img:resize(5, -1) end)
    assert.has_error(function() img:resize(70000, 5) end)
    assert.has_error(function() img:resize(60000, 60000) end,
      "output of 60000x60000 pixels exceeds the limit of 256 megapixels")
    assert.has_error(function() img:resize(5.5, 5) end)
    assert.has_error(function() img:resize("5", {}) end)
    assert.has_error(function() img:resize(5, 5, { filter = "cubic" }) end,
      "bad argument #3 to 'resize' (unknown filter 'cubic' (nearest, bilinear, bicubic, area or lanczos))")
    assert.has_error(function() img:resize(5, 5, { fliter = "area" }) end)
    assert.has_error(function() img:resize(5, 5, 42) end)
  end)

  it("raises on a closed image", function()
    local c = glimpse.image.new(4, 4, 3)
    c:free()
    assert.has_error(function() c:resize(2, 2) end)
  end)
end)
