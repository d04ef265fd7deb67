-- to_tensor_spec.lua — img:to_tensor{layout =, dtype =, scale =, mean =, std =}.
-- Values: (pixel * scale - mean[c]) / std[c]; scale defaults to 1/255.
local glimpse = require "glimpse"

local function near(a, b, tol) return math.abs(a - b) <= (tol or 1e-6) end

describe("img:to_tensor", function()
  local img = glimpse.image.new(5, 3, 3)
  for y = 0, 2 do for x = 0, 4 do img:set(x, y, 10 * x + y, 100 + x, 250 - y) end end

  it("defaults to NCHW float32 in 0..1 with a batch of one", function()
    local t = img:to_tensor()
    assert.are.equal("glimpse.Tensor float32 1x3x3x5", tostring(t))
    -- tensor indices are 1-based: (batch, channel, row, column)
    assert.is_true(near(t:get(1, 1, 3, 5), 42 / 255))
    assert.is_true(near(t:get(1, 2, 2, 4), 103 / 255))
    assert.is_true(near(t:get(1, 3, 3, 1), 248 / 255))
  end)

  it("normalises per channel in NHWC", function()
    local t = img:to_tensor { layout = "nhwc", scale = 1, mean = { 127.5, 100, 0 }, std = { 127.5, 2, 1 } }
    assert.are.same({ 1, 3, 5, 3 }, t.shape)
    assert.is_true(near(t:get(1, 2, 3, 1), (21 - 127.5) / 127.5))
    assert.is_true(near(t:get(1, 2, 3, 2), (102 - 100) / 2))
    assert.is_true(near(t:get(1, 3, 5, 3), 248))
    local imagenet = img:to_tensor { mean = { 0.485, 0.456, 0.406 }, std = { 0.229, 0.224, 0.225 } }
    assert.is_true(near(imagenet:get(1, 1, 1, 1), (0 / 255 - 0.485) / 0.229, 1e-5))
    local single = img:to_tensor { mean = 0.5, std = 0.5 }
    assert.is_true(near(single:get(1, 3, 1, 1), (250 / 255 - 0.5) / 0.5, 1e-5))
  end)

  it("gives raw pixels as uint8 and keeps the image's channel order", function()
    local t = img:to_tensor { dtype = "uint8", layout = "nhwc" }
    assert.are.equal("uint8", t.dtype)
    assert.are.equal(31, t:get(1, 2, 4, 1))
    local b = img:convert("bgr"):to_tensor { dtype = "uint8" }
    assert.are.equal(250, b:get(1, 1, 1, 1))
    assert.are.equal(0, b:get(1, 3, 1, 1))
    assert.are.same({ 1, 1, 3, 5 }, img:convert("gray"):to_tensor().shape)
  end)

  it("rejects bad options", function()
    assert.has_error(function() img:to_tensor { layout = "chw" } end)
    assert.has_error(function() img:to_tensor { dtype = "int32" } end)
    assert.has_error(function() img:to_tensor { std = { 1, 0, 1 } } end)
    assert.has_error(function() img:to_tensor { mean = { 1, 2 } } end)
    assert.has_error(function() img:to_tensor { mean = "x" } end)
    assert.has_error(function() img:to_tensor { dtype = "uint8", mean = 3 } end)
    assert.has_error(function() img:to_tensor { normalize = true } end)
    assert.has_error(function() img:to_tensor(5) end)
  end)
end)
