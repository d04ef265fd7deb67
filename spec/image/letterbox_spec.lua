-- letterbox_spec.lua — img:letterbox(w, h [, {fill =, filter =}]) -> image, info.
local glimpse = require "glimpse"

describe("img:letterbox", function()
  local img = glimpse.image.new(64, 32, 3, { 200, 10, 10 })

  it("fits the image keeping its aspect ratio, centred on grey 114", function()
    local box, info = img:letterbox(32, 32)
    assert.are.equal(32, box.width)
    assert.are.equal(32, box.height)
    assert.are.same({ scale = 0.5, offset_x = 0, offset_y = 8, width = 32, height = 16 }, info)
    assert.are.same({ 114, 114, 114 }, { box:get(5, 3) })
    assert.are.same({ 114, 114, 114 }, { box:get(31, 31) })
    assert.are.same({ 200, 10, 10 }, { box:get(0, 8) })
    assert.are.same({ 200, 10, 10 }, { box:get(31, 23) })
  end)

  it("maps coordinates back with (boxed - offset) / scale", function()
    local src = glimpse.image.new(100, 50, 3)
    src:set(60, 20, 255, 255, 255)
    local box, info = src:letterbox(50, 100, { filter = "nearest", fill = 0 })
    local found
    for y = 0, 99 do
      for x = 0, 49 do
        if box:get(x, y) == 255 then found = { x, y } end
      end
    end
    assert.is_not_nil(found)
    assert.are.equal(60, (found[1] - info.offset_x) / info.scale)
    assert.are.equal(20, (found[2] - info.offset_y) / info.scale)
  end)

  it("equals a plain resize pasted at the offset", function()
    local src = glimpse.image.new(30, 20, 3)
    for y = 0, 19 do for x = 0, 29 do src:set(x, y, x * 8, y * 12, (x + y) % 256) end end
    local box, info = src:letterbox(64, 64, { fill = { 1, 2, 3 } })
    local plain = src:resize(info.width, info.height)
    for _, p in ipairs { { 0, 0 }, { 10, 7 }, { info.width - 1, info.height - 1 } } do
      assert.are.same({ plain:get(p[1], p[2]) }, { box:get(p[1] + info.offset_x, p[2] + info.offset_y) })
    end
    assert.are.same({ 1, 2, 3 }, { box:get(0, 0) })
  end)

  it("rejects bad sizes and options", function()
    assert.has_error(function() img:letterbox(0, 10) end)
    assert.has_error(function() img:letterbox(10) end)
    assert.has_error(function() img:letterbox(10, 10, { filter = "best" }) end)
    assert.has_error(function() img:letterbox(10, 10, { fill = "grey" }) end)
    assert.has_error(function() img:letterbox(10, 10, { colour = 1 }) end)
  end)
end)
