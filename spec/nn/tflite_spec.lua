-- tflite_spec.lua — the TFLite importer and glimpse.nn on tiny models written
-- by tools/fixtures/tflite_tiny.py, against NumPy references (expected.lua).
local nn = require "glimpse.nn"
local tensor = require "glimpse.tensor"
local H = glimpse_spec

local function fixture(name) return H.fixture("tflite/" .. name) end

local function make_tensor(spec)
  return tensor.from_table(spec.values, spec.dtype):reshape(spec.shape)
end

local function flat(t) return t:reshape(-1):totable() end

-- float32 accumulation over <= 75 terms of magnitude < 10
local TOL = 1e-4

describe("glimpse.nn on generated TFLite models", function()
  local cases = dofile(fixture("expected.lua"))

  for i, case in ipairs(cases) do
    local ins = {}
    for name, spec in pairs(case.inputs) do ins[#ins + 1] = name .. ":" .. spec.dtype end
    table.sort(ins)
    it(("%s (%s) matches the NumPy reference within %g"):format(case.model,
        table.concat(ins, ","), TOL), function()
      local model = assert(nn.load(fixture(case.model .. ".tflite")))
      local inputs = {}
      for name, spec in pairs(case.inputs) do inputs[name] = make_tensor(spec) end
      local out = model:run(inputs)
      for name, spec in pairs(case.outputs) do
        local t = out[name]
        assert.is_not_nil(t, "output " .. name)
        assert.equal(spec.dtype, t.dtype)
        assert.same(spec.shape, t.shape)
        local got = flat(t)
        assert.equal(#spec.values, #got)
        for k, v in ipairs(spec.values) do
          assert.is_true(math.abs(got[k] - v) <= TOL,
            ("element %d: got %.7g, expected %.7g"):format(k, got[k], v))
        end
      end
      model:free()
    end)
  end

  it("returns outputs by index and by name, as new tensors", function()
    local model = assert(nn.load(fixture("add2.tflite")))
    local case
    for _, c in ipairs(cases) do if c.model == "add2" then case = c end end
    local a, b = make_tensor(case.inputs.a), make_tensor(case.inputs.b)
    local out = model:run({a, b})
    assert.equal(out[1], out.sum)
    local again = model:run({b = b, a = a})
    assert.are_not.equal(out[1], again[1])
    assert.same(flat(out[1]), flat(again[1]))
  end)

  it("describes inputs and outputs", function()
    local model = assert(nn.load(fixture("conv_fc_quant.tflite")))
    local i, o = model.inputs, model.outputs
    assert.equal(1, #i)
    assert.equal("image", i[1].name)
    assert.same({1, 5, 5, 2}, i[1].shape)
    assert.equal("uint8", i[1].dtype)
    assert.near(1 / 64, i[1].scale, 1e-9)
    assert.equal(128, i[1].zero_point)
    assert.equal("logits", o[1].name)
    assert.equal("float32", o[1].dtype)
    assert.equal("uint8", o[1].quantized_dtype)
    assert.near(0.05, o[1].scale, 1e-9)
    assert.equal(100, o[1].zero_point)
    assert.equal("glimpse.Model uint8[1,5,5,2] -> float32[1,4]", tostring(model))
  end)

  it("returns quantized outputs raw on request", function()
    local model = assert(nn.load(fixture("conv_fc_quant.tflite")))
    local case = cases[2]
    local x = make_tensor(case.inputs.image)
    local real = flat(model:run(x)[1])
    local raw = model:run(x, {raw = true})[1]
    assert.equal("uint8", raw.dtype)
    for k, q in ipairs(flat(raw)) do
      local want = math.max(0, math.min(255, math.floor(real[k] / 0.05 + 100 + 0.5)))
      assert.is_true(math.abs(q - want) <= 1)
    end
  end)

  it("accepts an input without its leading batch dimension", function()
    local model = assert(nn.load(fixture("conv_fc_float.tflite")))
    local x = make_tensor(cases[1].inputs.input)
    local a = flat(model:run(x)[1])
    local b = flat(model:run(x:reshape(5, 5, 2))[1])
    assert.same(a, b)
  end)

  it("loads from bytes as well as from a path, keeping nothing of the string", function()
    local bytes = H.read_file(fixture("conv_fc_float.tflite"))
    local model = assert(nn.load(bytes))
    assert.equal("glimpse.Model float32[1,5,5,2] -> float32[1,4]", tostring(model))
    bytes = nil
    collectgarbage()
    collectgarbage()
    local x = make_tensor(cases[1].inputs.input)
    local want = cases[1].outputs.scores.values
    for k, v in ipairs(flat(model:run(x)[1])) do assert.is_true(math.abs(v - want[k]) <= TOL) end
  end)
end)

describe("glimpse.nn errors", function()
  it("returns nil, message, code for a missing file", function()
    local m, msg, code = nn.load(fixture("missing.tflite"))
    assert.is_nil(m)
    assert.matches("^model: cannot open .*missing%.tflite", msg)
    assert.equal("EIO", code)
  end)

  it("names an unsupported op", function()
    local m, msg, code = nn.load(fixture("unsupported.tflite"))
    assert.is_nil(m)
    assert.equal("tflite: unsupported op SQUARED_DIFFERENCE (builtin 99, version 1) at operator 0",
                 msg)
    assert.equal("EUNSUPPORTED", code)
  end)

  it("names a tensor whose buffer is too short", function()
    local m, msg, code = nn.load(fixture("bad_buffer.tflite"))
    assert.is_nil(m)
    assert.equal("tflite: tensor 1 buffer 1 holds 100 bytes, shape needs 400", msg)
    assert.equal("EFORMAT", code)
  end)

  it("rejects bytes that are not a TFLite model", function()
    local m, msg, code = nn.load(("\0"):rep(64))
    assert.is_nil(m)
    assert.equal('tflite: not a TensorFlow Lite file (no "TFL3" identifier at offset 4)', msg)
    assert.equal("EFORMAT", code)
  end)

  it("rejects every truncation of a model", function()
    local bytes = H.read_file(fixture("conv_fc_quant.tflite"))
    for cut = 8, #bytes - 1, 7 do
      local m, msg, code = nn.load(bytes:sub(1, cut))
      if m == nil then
        assert.equal("EFORMAT", code, msg)
        assert.matches("^tflite: ", msg)
      end
    end
  end)

  it("raises on wrong arguments", function()
    assert.has_error(function() nn.load(42) end,
                     "bad argument #1 to 'load' (string expected, got number)")
    assert.has_error(function() nn.load(fixture("add2.tflite"), {threads = 0}) end)
    local model = assert(nn.load(fixture("add2.tflite")))
    assert.has_error(function() model:run(tensor.new({2, 3})) end)
    assert.has_error(function() model:run({a = tensor.new({2, 3})}) end)
    assert.has_error(function() model:run({a = tensor.new({3, 3}), b = tensor.new({2, 3})}) end,
                     "model: input 1 ('a') has shape [3,3], expected [2,3]")
  end)

  it("raises on a closed model, and frees idempotently", function()
    local model = assert(nn.load(fixture("add2.tflite")))
    model:free()
    model:free()
    assert.equal("glimpse.Model (closed)", tostring(model))
    assert.has_error(function() model:run({}) end)
    do
      local m2 <close> = assert(nn.load(fixture("add2.tflite")))
      assert.equal(2, #m2.inputs)
    end
    collectgarbage()
  end)
end)
