-- BMP decoding (hand-written parser): every variant equals Pillow's decode
-- exactly, except 5-6-5 (checked against the formula v * 255 / max, rounded)
-- and RLE4 / RLE8 with a delta escape (checked against the index image the
-- generator encoded: Pillow 9.4 misreads those two).
local glimpse = require "glimpse"
local check = dofile(glimpse_spec.fixture("codec/check.lua"))
local E = check.expected.files

describe("BMP decode", function()
  local variants = {
    { "rgb24.bmp", 3 }, { "rgb24_topdown.bmp", 3 }, { "rgb32.bmp", 3 },
    { "rgba32_v4.bmp", 4 }, { "rgb565.bmp", 3 }, { "pal8.bmp", 3 }, { "gray8.bmp", 1 },
    { "pal4.bmp", 3 }, { "pal1.bmp", 3 }, { "rle8.bmp", 3 }, { "rle4.bmp", 3 },
    { "rle8_delta.bmp", 3 },
  }
  for _, v in ipairs(variants) do
    local name, channels = v[1], v[2]
    it(name .. " decodes to " .. channels .. " channel(s), pixel-exact", function()
      local img = assert(glimpse.image.load(check.path(name)))
      assert.are.equal(channels, img.channels)
      check.assert_pixels(img, E[name], name)
    end)
  end

  it("reads bottom-up and top-down rows into the same image", function()
    local a = assert(glimpse.image.load(check.path("rgb24.bmp")))
    local b = assert(glimpse.image.load(check.path("rgb24_topdown.bmp")))
    assert.are.equal(check.hex(a), check.hex(b))
  end)

  it("decodes every shared test image to Pillow's pixels at sampled points", function()
    local n = 0
    for name, e in pairs(check.expected.photos) do
      if name:match("%.bmp$") then
        n = n + 1
        local img = assert(glimpse.image.load(glimpse_spec.image_path(name)))
        assert.are.same({ e.w, e.h, e.c }, { img.width, img.height, img.channels })
        for _, s in ipairs(e.spots) do
          assert.are.same(s[3], { img:get(s[1], s[2]) }, name)
        end
      end
    end
    assert.is_true(n >= 10)
  end)

  it("reports truncated pixel data with sizes", function()
    local s = check.bytes("rgb24.bmp")
    for _, cut in ipairs { 2, 10, 17, 30, 54, 100, #s - 4 } do
      local img, err, code = glimpse.image.decode(s:sub(1, cut))
      assert.is_nil(img, "cut at " .. cut)
      assert.are.equal("EFORMAT", code)
      assert.matches("^decode: truncated BMP", err)
    end
    local _, err = glimpse.image.decode(s:sub(1, 100))
    assert.are.equal("decode: truncated BMP (pixel data needs 249 bytes at offset 54, file has 100)",
      err)
  end)

  it("refuses zero and huge dimensions before allocating", function()
    local img, err, code = glimpse.image.load(check.path("zero.bmp"))
    assert.is_nil(img)
    assert.are.equal("EFORMAT", code)
    assert.are.equal("decode: BMP header declares a 0x4 image", err)
    img, err, code = glimpse.image.load(check.path("huge.bmp"))
    assert.is_nil(img)
    assert.are.equal("ELIMIT", code)
    assert.are.equal("decode: BMP is 100000x100000, over the 65535-pixel side limit", err)
  end)

  it("refuses embedded JPEG/PNG as unsupported and mismatched RLE as corrupt", function()
    local s = check.bytes("pal8.bmp")
    local function with_compression(c) return s:sub(1, 30) .. string.pack("<I4", c) .. s:sub(35) end
    local img, err, code = glimpse.image.decode(with_compression(4))
    assert.is_nil(img)
    assert.are.equal("EUNSUPPORTED", code)
    assert.are.equal("decode: BMP compression 4 is not supported", err)
    img, err, code = glimpse.image.decode(with_compression(2))
    assert.is_nil(img)
    assert.are.equal("EFORMAT", code)
    assert.are.equal("decode: BMP RLE4 with 8 bits per pixel", err)
  end)

  it("reports RLE data that ends early", function()
    local s = check.bytes("rle8.bmp")
    for _, cut in ipairs { #s - 3, #s - 20, 1100 } do
      local img, err, code = glimpse.image.decode(s:sub(1, cut))
      assert.is_nil(img, "cut at " .. cut)
      assert.are.equal("EFORMAT", code)
      assert.matches("^decode: truncated BMP %(RLE data ends at byte %d+ of the pixel data, in row %d of 7%)$", err)
    end
  end)

  it("never crashes on flipped header bytes", function()
    local s = check.bytes("pal4.bmp")
    for i = 1, 120 do
      for _, mask in ipairs { 0x01, 0x80, 0xFF } do
        local bad = s:sub(1, i - 1) .. string.char(s:byte(i) ~ mask) .. s:sub(i + 1)
        local img, err = glimpse.image.decode(bad)
        assert.is_truthy(img or err)
      end
    end
  end)
end)
