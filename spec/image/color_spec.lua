-- color_spec.lua — img:convert against OpenCV 4.6 cvtColor.
-- Fixtures: spec/fixtures/opencv/color.lua + color_*.bin from
-- tools/fixtures/opencv_color.py. Tolerance: exact (glimpse uses OpenCV's
-- 15-bit gray weights and rounding).
local glimpse = require "glimpse"
local H = glimpse_spec

local function raw(img)
  return img:to_tensor { layout = "nhwc", dtype = "uint8" }:bytes()
end

describe("img:convert", function()
  for _, case in ipairs(dofile(H.fixture("opencv/color.lua"))) do
    if not H.exists(H.image_path(case.image)) then
      pending(H.image_path(case.image) .. " not found")
      goto continue
    end
    it(("matches cvtColor RGB -> %s on %s exactly"):format(case.to, case.image), function()
      local img = assert(glimpse.image.load(H.image_path(case.image)))
      img = img:crop(table.unpack(case.crop)):convert("rgb")
      local out = img:convert(case.to)
      assert.are.equal(case.to, out.format)
      assert.is_true(raw(out) == H.read_file(H.fixture("opencv/" .. case.file)))
    end)
    ::continue::
  end

  it("round-trips between RGB, BGR and RGBA", function()
    local img = glimpse.image.new(3, 2, 3)
    img:set(2, 1, 10, 20, 30)
    local bgr = img:convert("bgr")
    assert.are.same({ 30, 20, 10 }, { bgr:get(2, 1) })
    assert.are.same({ 10, 20, 30, 255 }, { bgr:convert("rgba"):get(2, 1) })
    assert.are.same({ 10, 20, 30 }, { bgr:convert("rgba"):convert("rgb"):get(2, 1) })
    assert.are.same({ 10, 20, 30 }, { bgr:convert("rgb"):get(2, 1) })
  end)

  it("uses OpenCV's fixed-point gray weights", function()
    local img = glimpse.image.new(1, 1, 3, { 255, 0, 0 })
    assert.are.equal((255 * 9798 + 16384) >> 15, img:convert("gray"):get(0, 0))
    img:set(0, 0, 12, 200, 77)
    assert.are.equal((12 * 9798 + 200 * 19235 + 77 * 3735 + 16384) >> 15, img:convert("gray"):get(0, 0))
    local gray = glimpse.image.new(2, 2, 1, 93)
    assert.are.same({ 93, 93, 93 }, { gray:convert("rgb"):get(1, 1) })
    assert.are.same({ 93, 93, 93, 255 }, { gray:convert("rgba"):get(1, 1) })
  end)

  it("drops alpha without compositing", function()
    local rgba = glimpse.image.new(1, 1, 4, { 50, 60, 70, 0 })
    assert.are.same({ 50, 60, 70 }, { rgba:convert("rgb"):get(0, 0) })
  end)

  it("rejects unknown formats and closed images", function()
    local img = glimpse.image.new(2, 2, 3)
    assert.has_error(function() img:convert("hsv") end)
    assert.has_error(function() img:convert() end)
    img:free()
    assert.has_error(function() img:convert("gray") end)
  end)
end)
