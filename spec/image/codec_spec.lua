-- The codec API: sniff/probe, encode/save round trips, options, and the
-- error contract (caller bugs raise; bad data returns nil, msg, code).
local glimpse = require "glimpse"
local check = dofile(glimpse_spec.fixture("codec/check.lua"))

-- A deterministic test card with every channel varying.
local function card(w, h, c)
  local img = glimpse.image.new(w, h, c)
  for y = 0, h - 1 do
    for x = 0, w - 1 do
      local v = {}
      for k = 1, c do v[k] = (x * 37 + y * 91 + k * 53 + (x * y) % 17) % 256 end
      img:set(x, y, table.unpack(v))
    end
  end
  return img
end

describe("image.sniff and image.probe", function()
  it("recognise each format by its signature", function()
    assert.are.equal("png", glimpse.image.sniff(check.bytes("rgb8.png")))
    assert.are.equal("jpeg", glimpse.image.sniff(check.bytes("baseline.jpg")))
    assert.are.equal("bmp", glimpse.image.sniff(check.bytes("rgb24.bmp")))
    assert.is_nil(glimpse.image.sniff("GIF89a"))
    assert.is_nil(glimpse.image.sniff(""))
  end)

  it("list the supported formats", function()
    assert.are.same({ "png", "jpeg", "bmp" }, glimpse.image.formats)
  end)

  it("read the dimensions without decoding", function()
    assert.are.same({ format = "png", width = 13, height = 9 },
      glimpse.image.probe(check.bytes("rgb8.png")))
    assert.are.same({ format = "jpeg", width = 16, height = 8 },
      glimpse.image.probe(check.bytes("orient6.jpg")))
    assert.are.same({ format = "bmp", width = 11, height = 7 },
      glimpse.image.probe(check.bytes("rgb24_topdown.bmp")))
    assert.are.same({ format = "png", width = 100000, height = 100000 },
      glimpse.image.probe(check.bytes("huge.png")))
    local t, err, code = glimpse.image.probe("not an image")
    assert.is_nil(t)
    assert.are.equal("EFORMAT", code)
    assert.matches("^decode: unknown image format", err)
  end)
end)

describe("decode errors", function()
  it("names an unknown format by its first bytes", function()
    local img, err, code = glimpse.image.decode("GIF89a\1\0\1\0")
    assert.is_nil(img)
    assert.are.equal("decode: unknown image format (starts with 47 49 46 38 39 61 01 00)", err)
    assert.are.equal("EFORMAT", code)
    img, err, code = glimpse.image.decode("")
    assert.is_nil(img)
    assert.are.equal("decode: empty input (0 bytes)", err)
  end)

  it("applies max_pixels from the header", function()
    local img, err, code = glimpse.image.load(check.path("rgb8.png"), { max_pixels = 116 })
    assert.is_nil(img)
    assert.are.equal("ELIMIT", code)
    assert.are.equal("decode: PNG is 13x9 (117 pixels), over the limit of 116 pixels", err)
    assert.is_not_nil(glimpse.image.load(check.path("rgb8.png"), { max_pixels = 117 }))
    for _, name in ipairs { "baseline.jpg", "rgb24.bmp" } do
      local _, _, c = glimpse.image.load(check.path(name), { max_pixels = 10 })
      assert.are.equal("ELIMIT", c)
    end
  end)

  it("returns EIO for a missing file", function()
    local img, err, code = glimpse.image.load("no/such/file.png")
    assert.is_nil(img)
    assert.are.equal("EIO", code)
    assert.are.equal("load: cannot open 'no/such/file.png': No such file or directory", err)
  end)

  it("raises on wrong argument types and bad options", function()
    assert.has.error(function() glimpse.image.decode(42) end,
      "bad argument #1 to 'decode' (string expected, got number)")
    assert.has.error(function() glimpse.image.decode("x", 5) end,
      "bad argument #2 to 'decode' (table expected, got number)")
    assert.has.error(function() glimpse.image.decode("x", { max_side = "big" }) end,
      "bad argument #2 to 'decode' (option 'max_side' must be an integer in 0..1073741824)")
    assert.has.error(function() glimpse.image.decode("x", { max_side = -1 }) end)
    assert.has.error(function() glimpse.image.decode("x", { channels = 2 }) end,
      "bad argument #2 to 'decode' (option 'channels' must be 0, 1, 3 or 4)")
    assert.has.error(function() glimpse.image.decode("x", { orient = 1 }) end,
      "bad argument #2 to 'decode' (option 'orient' must be a boolean)")
    assert.has.error(function() glimpse.image.decode("x", { max_size = 10 }) end,
      "bad argument #2 to 'decode' (unknown option 'max_size')")
    assert.has.error(function() glimpse.image.load() end)
    assert.has.error(function() glimpse.image.load({}) end)
    assert.has.error(function() glimpse.image.sniff(nil) end)
    local img = card(4, 4, 3)
    assert.has.error(function() img:encode("gif") end,
      "bad argument #1 to 'encode' (invalid option 'gif')")
    assert.has.error(function() img:encode("jpeg", { quality = 0 }) end,
      "bad argument #2 to 'encode' (option 'quality' must be an integer in 1..100)")
    assert.has.error(function() img:encode("png", { compression = 10 }) end)
    assert.has.error(function() img:encode("png", { format = "jpeg" }) end,
      "bad argument #2 to 'encode' (unknown option 'format')")
    assert.has.error(function() img:save("out.gif") end,
      "bad argument #1 to 'save' (cannot tell the image format from 'out.gif' (use .png, .jpg, .bmp or opts.format))")
    assert.has.error(function() img:save("out.png", { format = "tiff" }) end)
    img:free()
    assert.has.error(function() img:encode("png") end)
  end)
end)

describe("encode and save", function()
  for _, c in ipairs { 1, 3, 4 } do
    for _, fmt in ipairs { "png", "bmp" } do
      it(string.format("round-trips %d-channel images through %s losslessly", c, fmt), function()
        local img = card(17, 11, c)
        local bytes = assert(img:encode(fmt))
        assert.are.equal(fmt, glimpse.image.sniff(bytes))
        local back = assert(glimpse.image.decode(bytes))
        assert.are.equal(c, back.channels)
        assert.are.equal(check.hex(img), check.hex(back))
      end)
    end
  end

  it("round-trips through JPEG at quality 95 within 12 levels, mean error under 3", function()
    -- a smooth image: JPEG's error is small away from sharp edges
    local img = glimpse.image.new(32, 24, 3)
    for y = 0, 23 do
      for x = 0, 31 do img:set(x, y, x * 7, y * 9, (x + y) * 4) end
    end
    local back = assert(glimpse.image.decode(assert(img:encode("jpeg", { quality = 95 }))))
    assert.are.same({ 32, 24, 3 }, { back.width, back.height, back.channels })
    local sum, n = 0, 0
    for y = 0, 23 do
      for x = 0, 31 do
        local p, q = { img:get(x, y) }, { back:get(x, y) }
        for k = 1, 3 do
          sum = sum + math.abs(p[k] - q[k]); n = n + 1
        end
      end
    end
    assert.is_true(check.max_diff(img, back) <= 12)
    assert.is_true(sum / n < 3, "mean error " .. sum / n)
  end)

  it("writes gray JPEGs as gray and drops alpha", function()
    local g = assert(glimpse.image.decode(card(8, 8, 1):encode("jpg")))
    assert.are.equal(1, g.channels)
    local a = assert(glimpse.image.decode(card(8, 8, 4):encode("jpeg")))
    assert.are.equal(3, a.channels)
  end)

  it("honours quality and progressive", function()
    local img = assert(glimpse.image.load(glimpse_spec.image_path("cat.bmp")))
    local lo = assert(img:encode("jpeg", { quality = 10 }))
    local hi = assert(img:encode("jpeg", { quality = 95 }))
    assert.is_true(#lo * 3 < #hi)
    local prog = assert(img:encode("jpeg", { quality = 95, progressive = true }))
    assert.truthy(prog:find("\255\194", 1, true)) -- SOF2: progressive
    assert.falsy(hi:find("\255\194", 1, true))
    local back = assert(glimpse.image.decode(prog))
    assert.are.same({ img.width, img.height }, { back.width, back.height })
  end)

  it("saves by extension or opts.format and loads back", function()
    local img = card(9, 5, 3)
    for _, ext in ipairs { ".png", ".BMP", ".jpg", ".jpeg" } do
      local path = glimpse_spec.tmpname(ext)
      assert.is_true(img:save(path))
      local bytes = glimpse_spec.read_file(path)
      local want = ext:lower():match("jp") and "jpeg" or ext:lower():sub(2)
      assert.are.equal(want, glimpse.image.sniff(bytes))
      local back = assert(glimpse.image.load(path))
      assert.are.same({ 9, 5 }, { back.width, back.height })
      os.remove(path)
    end
    local path = glimpse_spec.tmpname(".dat")
    assert.is_true(img:save(path, { format = "png" }))
    assert.are.equal("png", glimpse.image.sniff(glimpse_spec.read_file(path)))
    os.remove(path)
    local ok, err, code = img:save("no/such/dir/x.png")
    assert.is_nil(ok)
    assert.are.equal("EIO", code)
    assert.matches("^save: cannot open 'no/such/dir/x.png'", err)
  end)
end)
