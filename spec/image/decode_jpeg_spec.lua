-- JPEG decoding through libjpeg-turbo with Pillow's settings (islow DCT,
-- fancy upsampling): pixels equal Pillow's decode exactly, no tolerance.
local glimpse = require "glimpse"
local check = dofile(glimpse_spec.fixture("codec/check.lua"))
local E = check.expected.files
local P = check.expected.photos

describe("JPEG decode", function()
  local variants = {
    { "baseline.jpg", 3 }, { "progressive.jpg", 3 }, { "gray.jpg", 1 }, { "yuv444.jpg", 3 },
    { "cmyk.jpg", 3 },
  }
  for _, v in ipairs(variants) do
    local name, channels = v[1], v[2]
    it(name .. " decodes to " .. channels .. " channel(s), pixel-exact", function()
      local img = assert(glimpse.image.load(check.path(name)))
      assert.are.equal(channels, img.channels)
      check.assert_pixels(img, E[name], name)
    end)
  end

  for o = 1, 8 do
    it("applies EXIF orientation " .. o .. " like Pillow's exif_transpose", function()
      local img = assert(glimpse.image.load(check.path("orient" .. o .. ".jpg")))
      if o >= 5 then
        assert.are.same({ 8, 16 }, { img.width, img.height })
      else
        assert.are.same({ 16, 8 }, { img.width, img.height })
      end
      check.assert_pixels(img, E["orient" .. o .. ".jpg"], "orient" .. o)
    end)
  end

  it("keeps the stored pixels with orient = false", function()
    local img = assert(glimpse.image.load(check.path("orient6.jpg"), { orient = false }))
    check.assert_pixels(img, E["orient6_stored.jpg"], "orient=false")
  end)

  it("decodes the shared photos to Pillow's pixels at sampled points", function()
    for _, name in ipairs { "cat_1080p.jpg", "cat_720p.jpg", "face.jpg", "kite_and_cold.jpg" } do
      local e = P[name]
      local img = assert(glimpse.image.load(glimpse_spec.image_path(name)))
      assert.are.same({ e.w, e.h, e.c }, { img.width, img.height, img.channels })
      for _, s in ipairs(e.spots) do assert.are.same(s[3], { img:get(s[1], s[2]) }, name) end
    end
  end)

  it("uses libjpeg's DCT scaling for max_side, matching Pillow's draft mode", function()
    for _, case in ipairs { { "cat_1080p.jpg", 240 }, { "cat_1080p.jpg", 480 },
                            { "kite_and_cold.jpg", 338 } } do
      local e = P[case[1] .. "@" .. case[2]]
      local img = assert(glimpse.image.load(glimpse_spec.image_path(case[1]),
        { max_side = case[2] }))
      assert.are.same({ e.w, e.h }, { img.width, img.height })
      for _, s in ipairs(e.spots) do assert.are.same(s[3], { img:get(s[1], s[2]) }, case[1]) end
    end
  end)

  it("finishes max_side with an area downscale so the longer side is exactly N", function()
    local path = glimpse_spec.image_path("cat_1080p.jpg")
    for _, n in ipairs { 1000, 300, 224, 100, 7, 1 } do
      local img = assert(glimpse.image.load(path, { max_side = n }))
      assert.are.equal(n, img.width)
      assert.are.equal(math.max(1, math.floor(1080 * n / 1920 + 0.5)), img.height)
    end
    local full = assert(glimpse.image.load(path, { max_side = 5000 }))
    assert.are.same({ 1920, 1080 }, { full.width, full.height })
  end)

  it("applies max_side and orientation together", function()
    local img = assert(glimpse.image.load(check.path("orient6.jpg"), { max_side = 4 }))
    assert.are.same({ 2, 4 }, { img.width, img.height })
  end)

  it("converts to the requested channel count", function()
    local gray = assert(glimpse.image.load(check.path("baseline.jpg"), { channels = 1 }))
    assert.are.equal(1, gray.channels)
    local rgba = assert(glimpse.image.load(check.path("baseline.jpg"), { channels = 4 }))
    assert.are.equal(4, rgba.channels)
    local rgb = assert(glimpse.image.load(check.path("baseline.jpg")))
    for y = 0, rgb.height - 1, 3 do
      for x = 0, rgb.width - 1, 3 do
        local r, g, b = rgb:get(x, y)
        assert.are.same({ r, g, b, 255 }, { rgba:get(x, y) })
      end
    end
    local g3 = assert(glimpse.image.load(check.path("gray.jpg"), { channels = 3 }))
    local g1 = assert(glimpse.image.load(check.path("gray.jpg")))
    local v = g1:get(5, 5)
    assert.are.same({ v, v, v }, { g3:get(5, 5) })
  end)

  it("reports truncation as EFORMAT, saying where the data ended", function()
    for _, name in ipairs { "baseline.jpg", "progressive.jpg", "cmyk.jpg" } do
      local s = check.bytes(name)
      for _, cut in ipairs { 3, 4, 20, 200, #s // 2, #s - 40, #s - 2 } do
        local img, err, code = glimpse.image.decode(s:sub(1, cut))
        assert.is_nil(img, name .. " cut at " .. cut)
        assert.are.equal("EFORMAT", code)
        assert.matches("^decode: truncated JPEG %(data ends at byte " .. cut, err)
      end
    end
    local s = check.bytes("baseline.jpg")
    local _, err = glimpse.image.decode(s:sub(1, #s - 40))
    assert.matches("^decode: truncated JPEG %(data ends at byte 727, at row %d+ of 16%)$", err)
  end)

  it("never crashes on flipped bytes", function()
    local s = check.bytes("progressive.jpg")
    for i = 3, #s, 2 do
      local bad = s:sub(1, i - 1) .. string.char(s:byte(i) ~ 0x5A) .. s:sub(i + 1)
      local img, err, code = glimpse.image.decode(bad)
      if not img then
        assert.matches("^decode: ", err)
        assert.is_truthy(code == "EFORMAT" or code == "ELIMIT" or code == "EUNSUPPORTED")
      end
    end
  end)

  it("refuses 12-bit samples as unsupported", function()
    local s = check.bytes("baseline.jpg")
    local i = s:find("\255\192", 1, true) -- SOF0; precision follows the length
    local img, err, code = glimpse.image.decode(s:sub(1, i + 3) .. "\12" .. s:sub(i + 5))
    assert.is_nil(img)
    assert.are.equal("EUNSUPPORTED", code)
    assert.are.equal("decode: unsupported JPEG (Unsupported JPEG data precision 12)", err)
  end)

  it("refuses zero and huge dimensions from the header", function()
    local img, err, code = glimpse.image.load(check.path("zero.jpg"))
    assert.is_nil(img)
    assert.are.equal("EFORMAT", code)
    img, err, code = glimpse.image.load(check.path("huge.jpg"))
    assert.is_nil(img)
    assert.are.equal("ELIMIT", code)
    assert.are.equal(
      "decode: JPEG is 60000x60000 (3600000000 pixels), over the limit of 100000000 pixels", err)
  end)
end)
