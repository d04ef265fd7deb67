-- tensor_spec.lua — glimpse.tensor and the glimpse.Tensor userdata.
-- Tensor indices are 1-based (t:get(batch, channel, row, column)).
local glimpse = require "glimpse"
local T = glimpse.tensor

describe("glimpse.tensor.new", function()
  it("makes a zero-filled tensor with shape, dtype, ndim and count", function()
    local t = T.new { 1, 3, 4, 5 }
    assert.are.equal("glimpse.Tensor float32 1x3x4x5", tostring(t))
    assert.are.same({ 1, 3, 4, 5 }, t.shape)
    assert.are.equal("float32", t.dtype)
    assert.are.equal(4, t.ndim)
    assert.are.equal(60, t.count)
    assert.are.equal(60, #t)
    assert.are.equal(0, t:get(1, 3, 4, 5))
    assert.is_nil(t.scale)
    assert.is_nil(t.zero_point)
  end)

  it("returns a fresh shape table each time", function()
    local t = T.new { 2, 2 }
    t.shape[1] = 99
    assert.are.same({ 2, 2 }, t.shape)
  end)

  it("takes every dtype", function()
    for _, dt in ipairs { "float32", "uint8", "int8", "int16", "int32", "int64", "bool" } do
      local t = T.new({ 3 }, dt)
      assert.are.equal(dt, t.dtype)
    end
    assert.are.equal("glimpse.Tensor int8 scalar", tostring(T.new({}, "int8")))
  end)

  it("rejects bad shapes and dtypes", function()
    assert.has_error(function() T.new({ 2 }, "float16") end,
      "bad argument #2 to 'new' (unknown dtype 'float16' (float32, uint8, int8, int16, int32, int64 or bool))")
    assert.has_error(function() T.new { -1, 2 } end)
    assert.has_error(function() T.new { 1.5 } end)
    assert.has_error(function() T.new { 1, 2, 3, 4, 5, 6, 7, 8, 9 } end)
    assert.has_error(function() T.new(3) end)
    assert.has_error(function() T.new { 1 << 40, 1 << 40 } end)
  end)
end)

describe("get and set", function()
  it("address elements with 1-based indices, row-major", function()
    local t = T.new { 2, 3 }
    t:set(2, 3, 7.5):set(1, 2, -1)
    assert.are.equal(7.5, t:get(2, 3))
    assert.are.equal(-1, t:get(1, 2))
    assert.are.same({ { 0, -1, 0 }, { 0, 0, 7.5 } }, t:totable())
  end)

  it("round and saturate integer dtypes; bool gives booleans", function()
    local u = T.new({ 3 }, "uint8")
    u:set(1, 300):set(2, -5):set(3, 2.6)
    assert.are.same({ 255, 0, 3 }, u:totable())
    assert.is_true(math.type(u:get(1)) == "integer")
    local i8 = T.new({ 2 }, "int8"):set(1, -200):set(2, 127.4)
    assert.are.same({ -128, 127 }, i8:totable())
    local b = T.new({ 2 }, "bool"):set(1, true):set(2, 0)
    assert.are.same({ true, false }, b:totable())
    local big = T.new({ 1 }, "int64"):set(1, math.maxinteger)
    assert.are.equal(math.maxinteger, big:get(1))
  end)

  it("raise on out-of-range indices, wrong counts and bad values", function()
    local t = T.new { 2, 3 }
    assert.has_error(function() t:get(3, 1) end, "bad argument #1 to 'get' (index 3 outside 1..2 (dimension 1))")
    assert.has_error(function() t:get(0, 1) end)
    assert.has_error(function() t:get(1) end, "tensor index: 1 indices given, the tensor has 2 dimensions")
    assert.has_error(function() t:get(1, 1, 1) end)
    assert.has_error(function() t:set(1, 4, 0) end)
    assert.has_error(function() t:set(1, 1, "x") end)
    assert.has_error(function() t:set() end)
  end)
end)

describe("glimpse.tensor.from_table", function()
  it("infers the shape from nested tables", function()
    local t = T.from_table { { 1, 2, 3 }, { 4, 5, 6 } }
    assert.are.same({ 2, 3 }, t.shape)
    assert.are.equal(6, t:get(2, 3))
    local i = T.from_table({ { { 1 }, { 2 } } }, "int32")
    assert.are.same({ 1, 2, 1 }, i.shape)
    assert.are.equal("int32", i.dtype)
    assert.are.same({ 0 }, T.from_table({}).shape)
  end)

  it("rejects ragged tables and non-numbers", function()
    assert.has_error(function() T.from_table { { 1, 2 }, { 3 } } end,
      "from_table: ragged table (a level 2 table has 1 elements, expected 2)")
    assert.has_error(function() T.from_table { { 1, 2 }, 3 } end)
    assert.has_error(function() T.from_table { 1, { 2 } } end)
    assert.has_error(function() T.from_table { 1, "2" } end)
    assert.has_error(function() T.from_table(5) end)
  end)
end)

describe("reshape", function()
  it("is a view sharing the bytes, with one inferred dimension", function()
    local t = T.from_table { { 1, 2, 3 }, { 4, 5, 6 } }
    local v = t:reshape { 3, -1 }
    assert.are.same({ 3, 2 }, v.shape)
    assert.are.equal(4, v:get(2, 2))
    v:set(1, 1, 42)
    assert.are.equal(42, t:get(1, 1))
    assert.are.same({ 6 }, t:reshape(6).shape)
    assert.are.same({ 1, 6 }, t:reshape(1, -1).shape)
  end)

  it("outlives its parent", function()
    local t = T.from_table { 1, 2, 3, 4 }
    local v = t:reshape { 2, 2 }
    t:free()
    t = nil
    collectgarbage()
    collectgarbage()
    assert.are.same({ { 1, 2 }, { 3, 4 } }, v:totable())
  end)

  it("rejects incompatible shapes", function()
    local t = T.new { 2, 3 }
    assert.has_error(function() t:reshape { 4, 2 } end)
    assert.has_error(function() t:reshape { -1, -1 } end)
    assert.has_error(function() t:reshape { 4, -1 } end)
  end)
end)

describe("argmax and topk", function()
  local t = T.from_table { { 0.1, 0.7, 0.2 }, { 0.9, 0.05, 0.7 } }

  it("argmax gives the 1-based flat index and the value", function()
    local i, v = t:argmax()
    assert.are.equal(4, i)
    assert.is_true(math.abs(v - 0.9) < 1e-6)
    assert.has_error(function() T.new({ 0 }):argmax() end)
  end)

  it("argmax(dim) gives the best index along a dim for every other position", function()
    local rows, vals = t:argmax(-1)
    assert.are.same({ 2, 1 }, rows)
    assert.is_true(math.abs(vals[1] - 0.7) < 1e-6 and math.abs(vals[2] - 0.9) < 1e-6)
    assert.are.same({ 2, 1 }, (t:argmax(2)))
    local cols = t:argmax(1) -- down each column: 0.9 > 0.1, 0.7 > 0.05, 0.7 > 0.2
    assert.are.same({ 2, 1, 2 }, cols)
    local c = T.from_table({ { { 1, 5 }, { 7, 2 } }, { { 0, 0 }, { 3, 9 } } }, "int32")
    assert.are.same({ 2, 1, 2, 2 }, (c:argmax(2)))
    local nan = T.from_table { { 0 / 0, 2, 1 } }
    assert.are.same({ 2 }, (nan:argmax(-1)))
    assert.has_error(function() t:argmax(0) end)
    assert.has_error(function() t:argmax(3) end)
    assert.has_error(function() t:argmax(-3) end)
  end)

  it("topk gives indices and values best first; ties keep index order", function()
    local idx, vals = t:topk(3)
    assert.are.same({ 4, 2, 6 }, idx)
    assert.are.equal(3, #vals)
    assert.is_true(vals[1] >= vals[2] and vals[2] >= vals[3])
    local all = select(1, t:topk(100))
    assert.are.equal(6, #all)
    assert.are.equal(5, all[6])
    assert.has_error(function() t:topk(0) end)
  end)

  it("topk sorts large k over many elements", function()
    local n = 1000
    local big = T.new { n }
    for i = 1, n do big:set(i, (i * 37) % n) end
    local idx, vals = big:topk(200)
    for k = 2, 200 do assert.is_true(vals[k - 1] >= vals[k]) end
    assert.are.equal(n - 1, vals[1])
    assert.are.equal(n - 1, (idx[1] * 37) % n)
  end)
end)

describe("bulk data and conversion", function()
  it("round-trips through bytes and from_bytes", function()
    local t = T.from_table({ { 1, -2 }, { 300, 4 } }, "int16")
    local s = t:bytes()
    assert.are.equal(8, #s)
    local u = T.from_bytes(s, { 4 }, "int16")
    assert.are.same({ 1, -2, 300, 4 }, u:totable())
    assert.has_error(function() T.from_bytes(s, { 3 }, "int16") end)
    assert.are.equal(string.pack("<f", 1.5), T.from_table({ 1.5 }):bytes())
  end)

  it("astype converts with rounding and saturation; clone copies", function()
    local t = T.from_table { -1.5, 2.5, 300 }
    assert.are.same({ 0, 2, 255 }, t:astype("uint8"):totable())
    assert.are.same({ -1.5, 2.5, 300 }, t:astype("float32"):totable())
    local c = t:clone():set(1, 9)
    assert.are.equal(-1.5, t:get(1))
    assert.are.equal(9, c:get(1))
    assert.are.same({ 7, 7, 7 }, T.new({ 3 }, "int32"):fill(7):totable())
    assert.has_error(function() t:astype("complex") end)
    assert.has_error(function() t:astype() end)
  end)

  it("dequantize of a plain tensor converts to float32", function()
    local q = T.from_table({ 1, 2 }, "uint8"):dequantize()
    assert.are.equal("float32", q.dtype)
    assert.are.same({ 1, 2 }, q:totable())
  end)
end)

describe("lifetime", function()
  it("free and <close> release; use after close raises", function()
    local t = T.new { 2 }
    t:free()
    t:free()
    assert.are.equal("glimpse.Tensor (closed)", tostring(t))
    assert.has_error(function() t:get(1) end)
    assert.has_error(function() return #t end)
    do
      local c <close> = T.new { 4 }
      assert.are.equal(4, #c)
      t = c
    end
    assert.has_error(function() t:totable() end)
  end)
end)
