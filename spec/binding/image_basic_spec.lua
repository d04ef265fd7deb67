-- The glimpse.Image userdata: construction, fields, pixels, lifetime.
local glimpse = require "glimpse"

describe("glimpse.image.new", function()
  it("makes an image with the given size, channels and fill", function()
    local img = glimpse.image.new(4, 3, 3, { 10, 20, 30 })
    assert.are.equal(4, img.width)
    assert.are.equal(3, img.height)
    assert.are.equal(3, img.channels)
    assert.are.same({ 10, 20, 30 }, { img:get(3, 2) })
    assert.are.equal("glimpse.Image 4x3 RGB8", tostring(img))
  end)

  it("fills every channel with a single number", function()
    local img = glimpse.image.new(2, 2, 4, 7)
    assert.are.same({ 7, 7, 7, 7 }, { img:get(1, 1) })
  end)

  it("defaults to black", function()
    local img = glimpse.image.new(2, 2, 1)
    assert.are.same({ 0 }, { img:get(0, 0) })
  end)

  it("rejects bad sizes and channel counts as argument errors", function()
    assert.has.error(function() glimpse.image.new(0, 3) end,
      "bad argument #1 to 'new' (width must be 1..65535)")
    assert.has.error(function() glimpse.image.new(3, 3, 2) end,
      "bad argument #3 to 'new' (channels must be 1, 3 or 4)")
    assert.has.error(function() glimpse.image.new(3, 3, 3, { 1, 2 }) end)
  end)
end)

describe("img:get / img:set", function()
  it("uses 0-based coordinates and checks bounds", function()
    local img = glimpse.image.new(3, 2, 3)
    img:set(2, 1, 255, 128, 1)
    assert.are.same({ 255, 128, 1 }, { img:get(2, 1) })
    assert.are.same({ 0, 0, 0 }, { img:get(0, 0) })
    assert.has.error(function() img:get(3, 0) end)
    assert.has.error(function() img:get(0, -1) end)
    assert.has.error(function() img:set(0, 0, 256, 0, 0) end)
  end)
end)

describe("Image lifetime", function()
  it("raises on use after free, and free is idempotent", function()
    local img = glimpse.image.new(2, 2, 3)
    img:free()
    img:free()
    assert.are.equal("glimpse.Image (closed)", tostring(img))
    assert.has.error(function() img:get(0, 0) end)
  end)

  it("closes with <close>", function()
    local outer
    do
      local img <close> = glimpse.image.new(2, 2, 3)
      outer = img
    end
    assert.has.error(function() outer:get(0, 0) end)
  end)

  it("clone is a deep copy", function()
    local a = glimpse.image.new(2, 2, 3, 5)
    local b = a:clone()
    b:set(0, 0, 9, 9, 9)
    assert.are.same({ 5, 5, 5 }, { a:get(0, 0) })
  end)
end)

describe("glimpse.errors", function()
  it("names every error code", function()
    for _, code in ipairs { "EINVAL", "ENOMEM", "EFORMAT", "EUNSUPPORTED", "ELIMIT", "EIO", "ENET", "EHTTP", "ETIMEOUT" } do
      assert.is_string(glimpse.errors[code])
    end
  end)
end)

describe("glimpse.image.from_bytes / img:bytes", function()
  it("round-trips packed pixels", function()
    local bytes = string.char(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
    local img = glimpse.image.from_bytes(2, 2, 3, bytes)
    assert.are.same({ 10, 11, 12 }, { img:get(1, 1) })
    assert.are.same({ 4, 5, 6 }, { img:get(1, 0) })
    assert.are.equal(bytes, img:bytes())
  end)

  it("refuses a byte count that does not match the size", function()
    assert.has.error(function() glimpse.image.from_bytes(2, 2, 1, "abc") end,
      "bad argument #4 to 'from_bytes' (expected 4 bytes (2x2x1), got 3)")
  end)
end)
