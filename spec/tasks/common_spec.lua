-- glimpse.tasks.common: the pieces the task helpers share, without models.
local common = require "glimpse.tasks.common"
local glimpse = require "glimpse"

describe("glimpse.tasks.common", function()
  it("topk returns the k best indices, ties to the lower index", function()
    local v = { 0.1, 0.5, 0.2, 0.5, 0.9, 0.0 }
    assert.are.same({ 5, 2, 4 }, common.topk(v, 3))
    assert.are.same({ 5, 2, 4, 3, 1, 6 }, common.topk(v, 6))
    assert.are.same({ 5, 2, 4, 3, 1, 6 }, common.topk(v, 50))
    assert.are.same({}, common.topk({}, 3))
  end)

  it("topk agrees with a full sort on random inputs with many ties", function()
    math.randomseed(7)
    for _ = 1, 300 do
      local n, v = math.random(1, 80), {}
      for i = 1, n do v[i] = math.random(1, 6) end
      local idx = {}
      for i = 1, n do idx[i] = i end
      table.sort(idx, function(a, b)
        if v[a] ~= v[b] then return v[a] > v[b] end
        return a < b
      end)
      local k = math.random(1, 40)
      local got = common.topk(v, k)
      assert.are.equal(math.min(k, n), #got)
      for i = 1, #got do assert.are.equal(idx[i], got[i]) end
    end
  end)

  it("softmax gives probabilities in the scores' order, stable for large scores", function()
    local p = common.softmax({ 1000, 1001, 999 })
    assert.is_true(math.abs(p[1] + p[2] + p[3] - 1) < 1e-12)
    assert.is_true(p[2] > p[1] and p[1] > p[3])
    -- e / (1 + e + e^-1) for the largest, tolerance 1e-12
    assert.is_true(math.abs(p[2] - math.exp(1) / (1 + math.exp(1) + math.exp(-1))) < 1e-12)
  end)

  it("values flattens a tensor and dequantizes quantized integer tensors", function()
    local t = glimpse.tensor.from_table({ { 1, 2 }, { 3, 4 } }, "float32")
    assert.are.same({ 1, 2, 3, 4 }, (common.values(t)))
  end)

  it("reads the input geometry from the model's own input tensor", function()
    local fake = { inputs = { { shape = { 1, 96, 128, 3 }, dtype = "uint8" } } }
    local g = common.input_geometry(fake, nil)
    assert.are.equal(128, g.width)
    assert.are.equal(96, g.height)
    assert.are.equal("nhwc", g.layout)
    assert.are.equal("rgb", g.colour)
    g = common.input_geometry({ inputs = { { shape = { 1, 3, 48, 192 }, dtype = "float32" } } })
    assert.are.equal("nchw", g.layout)
    assert.are.equal(192, g.width)
    g = common.input_geometry({ inputs = { { shape = { 1, 28, 28 }, dtype = "uint8" } } })
    assert.are.equal("hw", g.layout)
    assert.are.equal("gray", g.colour)
  end)

  it("prepares a uint8 NHWC tensor at the model's size, and maps points back", function()
    local img = glimpse.image.new(40, 20, 3, { 10, 20, 30 })
    local fake = { inputs = { { shape = { 1, 8, 8, 3 }, dtype = "uint8" } } }
    local t, map = assert(common.prepare("x", img, fake, nil))
    assert.are.same({ 1, 8, 8, 3 }, t.shape)
    assert.are.equal("uint8", t.dtype)
    assert.are.same({ 10, 20, 30 }, { t:get(1, 4, 4, 1), t:get(1, 4, 4, 2), t:get(1, 4, 4, 3) })
    local x, y = common.unmap(map, 4, 4)
    assert.are.equal(20, x)
    assert.are.equal(10, y)
    -- a BGR model gets the channels swapped
    local bgr = assert(common.prepare("x", img, fake, { input = { colour = "bgr" } }))
    assert.are.same({ 30, 20, 10 }, { bgr:get(1, 1, 1, 1), bgr:get(1, 1, 1, 2), bgr:get(1, 1, 1, 3) })
  end)

  it("normalises float inputs by the entry, or to [-1, 1] without one", function()
    local img = glimpse.image.new(4, 4, 3, { 255, 0, 127.5 // 1 })
    local fake = { inputs = { { shape = { 1, 3, 4, 4 }, dtype = "float32" } } }
    local t = assert(common.prepare("x", img, fake, nil))
    assert.are.equal("float32", t.dtype)
    assert.is_true(math.abs(t:get(1, 1, 1, 1) - 1) < 1e-6)
    assert.is_true(math.abs(t:get(1, 2, 1, 1) + 1) < 1e-6)
    local entry = { input = { layout = "nchw" }, normalize = { scale = 1 / 255, mean = 0.5, std = 0.5 } }
    t = assert(common.prepare("x", img, fake, entry))
    assert.is_true(math.abs(t:get(1, 1, 1, 1) - 1) < 1e-6)
    assert.is_true(math.abs(t:get(1, 2, 1, 1) + 1) < 1e-6)
  end)

  it("letterboxes: the map undoes scale and padding", function()
    local img = glimpse.image.new(200, 100, 3, 50)
    local fake = { inputs = { { shape = { 1, 50, 50, 3 }, dtype = "uint8" } } }
    local t, map = assert(common.prepare("x", img, fake, { input = { fit = "letterbox" } }))
    assert.are.same({ 1, 50, 50, 3 }, t.shape)
    assert.are.equal(0.25, map.sx)
    assert.are.equal(0, t:get(1, 1, 1, 1)) -- black padding above the image
    assert.are.equal(50, t:get(1, 25, 25, 1))
    -- the image's centre (100, 50) sits at offset + centre * scale
    assert.are.equal(12, map.oy) -- (50 - 25) / 2, rounded down
    local x, y = common.unmap(map, map.ox + 25, map.oy + 12.5)
    assert.are.equal(100, x)
    assert.are.equal(50, y)
  end)

  it("rejects bad options with the caller's function name", function()
    local img = glimpse.image.new(4, 4, 3)
    assert.has.error(function() glimpse.classify(img, { cache = {} }) end,
      "bad argument #2 to 'classify' (option 'cache' must be false or a cache from glimpse.catalog.new_cache)")
    assert.has.error(function() glimpse.classify(img, { threads = 0 }) end,
      "bad argument #2 to 'classify' (option 'threads' must be a positive integer)")
  end)
end)
