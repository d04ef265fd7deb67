-- PNG decoding: every variant equals Pillow's decode exactly (no tolerance;
-- both read through zlib, 16-bit samples keep the high byte).
local glimpse = require "glimpse"
local check = dofile(glimpse_spec.fixture("codec/check.lua"))
local E = check.expected.files

describe("PNG decode", function()
  local variants = {
    { "gray8.png", 1 }, { "gray4.png", 1 }, { "bilevel.png", 1 }, { "gray16.png", 1 },
    { "gray_alpha.png", 4 }, { "gray_trns.png", 4 }, { "palette.png", 3 },
    { "palette_trns.png", 4 }, { "rgb8.png", 3 }, { "rgb16.png", 3 }, { "rgba8.png", 4 },
    { "rgba16.png", 4 }, { "interlaced.png", 3 },
  }
  for _, v in ipairs(variants) do
    local name, channels = v[1], v[2]
    it(name .. " decodes to " .. channels .. " channel(s), pixel-exact", function()
      local img = assert(glimpse.image.load(check.path(name)))
      assert.are.equal(channels, img.channels)
      check.assert_pixels(img, E[name], name)
    end)
  end

  it("gives the same pixels from memory as from a file", function()
    local img = assert(glimpse.image.decode(check.bytes("palette_trns.png")))
    check.assert_pixels(img, E["palette_trns.png"], "decode")
  end)

  it("applies the orientation of an eXIf chunk", function()
    local img = assert(glimpse.image.load(check.path("orient6.png")))
    check.assert_pixels(img, E["orient6.png"], "orient6.png")
    local stored = assert(glimpse.image.load(check.path("orient6.png"), { orient = false }))
    assert.are.same({ 13, 9 }, { stored.width, stored.height })
  end)

  it("de-interlaces Adam7 to the same pixels as the plain file", function()
    local a = assert(glimpse.image.load(check.path("interlaced.png")))
    local b = assert(glimpse.image.load(check.path("rgb8.png")))
    assert.are.equal(check.hex(b), check.hex(a))
  end)

  local forced = {
    { "rgb8.png", 1, "L" }, { "rgb8.png", 4, "RGBA" }, { "gray8.png", 3, "RGB" },
    { "gray8.png", 4, "RGBA" }, { "rgba8.png", 3, "RGB" }, { "rgba8.png", 1, "L" },
  }
  for _, f in ipairs(forced) do
    it(string.format("channels = %d on %s matches Pillow's convert('%s')", f[2], f[1], f[3]),
      function()
        local img = assert(glimpse.image.load(check.path(f[1]), { channels = f[2] }))
        assert.are.equal(f[2], img.channels)
        check.assert_pixels(img, E[f[1] .. "@" .. f[3]], f[1])
      end)
  end

  it("reports truncation at every cut point as EFORMAT with the place", function()
    for _, name in ipairs { "rgb8.png", "interlaced.png", "palette_trns.png" } do
      local s = check.bytes(name)
      for _, cut in ipairs { 8, 16, 30, 40, #s // 2, #s - 13, #s - 1 } do
        local img, err, code = glimpse.image.decode(s:sub(1, cut))
        assert.is_nil(img, name .. " cut at " .. cut)
        assert.are.equal("EFORMAT", code)
        assert.matches("^decode: truncated PNG %(data ends at byte " .. cut, err)
      end
    end
    local _, err = glimpse.image.decode(check.bytes("rgb8.png"):sub(1, 100))
    assert.are.equal("decode: truncated PNG (data ends at byte 100, in row 1 of 9)", err)
  end)

  it("reports a damaged chunk as corrupt", function()
    local s = check.bytes("rgb8.png")
    -- byte 20 is inside IHDR's width: its CRC no longer matches
    local bad = s:sub(1, 19) .. string.char(s:byte(20) ~ 0x40) .. s:sub(21)
    local img, err, code = glimpse.image.decode(bad)
    assert.is_nil(img)
    assert.are.equal("EFORMAT", code)
    assert.matches("^decode: corrupt PNG %(IHDR: CRC error", err)
  end)

  it("never crashes on flipped bytes anywhere in the file", function()
    local s = check.bytes("palette_trns.png")
    for i = 9, #s, 3 do
      local bad = s:sub(1, i - 1) .. string.char(s:byte(i) ~ 0xA5) .. s:sub(i + 1)
      local img, err, code = glimpse.image.decode(bad)
      if not img then
        assert.is_string(err)
        assert.is_truthy(code == "EFORMAT" or code == "ELIMIT" or code == "EUNSUPPORTED")
      end
    end
  end)

  it("refuses zero and huge dimensions before decoding", function()
    local img, err, code = glimpse.image.load(check.path("zero.png"))
    assert.is_nil(img)
    assert.are.equal("EFORMAT", code)
    img, err, code = glimpse.image.load(check.path("huge.png"))
    assert.is_nil(img)
    assert.are.equal("ELIMIT", code)
    assert.are.equal("decode: PNG is 100000x100000, over the 65535-pixel side limit", err)
  end)
end)
