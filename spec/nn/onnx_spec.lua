-- onnx_spec.lua — the ONNX importer through glimpse.nn: tiny models written by
-- tools/fixtures/onnx_tiny.py (one per feature, expected outputs from
-- PyTorch / NumPy), malformed files, and the three PaddleOCR models.
local nn = require "glimpse.nn"
local tensor = require "glimpse.tensor"
local H = glimpse_spec

local function fixture(name) return H.fixture("onnx_tiny/" .. name) end

-- GOPF (tools/fixtures/ops.py): "GOPF", u32 count, then per tensor u32 dtype,
-- u32 ndim, i64 dims, raw data. Only float32 tensors here.
local function read_gopf(path)
  local s = H.read_file(path)
  assert(s:sub(1, 4) == "GOPF", path .. " is not a GOPF file")
  local n, pos = string.unpack("<I4", s, 5)
  local out = {}
  for i = 1, n do
    local dt, nd
    dt, nd, pos = string.unpack("<I4I4", s, pos)
    assert(dt == 0, "float32 expected")
    local shape, count = {}, 1
    for d = 1, nd do
      shape[d], pos = string.unpack("<i8", s, pos)
      count = count * shape[d]
    end
    out[i] = {shape = shape, bytes = s:sub(pos, pos + count * 4 - 1)}
    pos = pos + count * 4
  end
  return out
end

local function max_diff(t, want)
  local got = t:bytes()
  assert.equal(#want.bytes, #got)
  local worst = 0
  for k = 1, #got // 4 do
    local a = string.unpack("<f", got, (k - 1) * 4 + 1)
    local b = string.unpack("<f", want.bytes, (k - 1) * 4 + 1)
    local d = math.abs(a - b)
    if d ~= d then return math.huge end
    if d > worst then worst = d end
  end
  return worst
end

describe("glimpse.nn on generated ONNX models", function()
  local cases = dofile(fixture("cases.lua"))
  for _, c in ipairs(cases) do
    it(("%s (%s) matches the reference within %g"):format(c.data, c.what, c.tol), function()
      local model = assert(nn.load(fixture(c.model .. ".onnx")))
      local data = read_gopf(fixture(c.data .. ".bin"))
      local inputs = {}
      for i = 1, c.inputs do
        inputs[i] = tensor.from_bytes(data[i].bytes, data[i].shape, "float32")
      end
      local out = model:run(inputs)
      for k = 1, c.outputs do
        local want = data[c.inputs + k]
        local t = out[k]
        assert.same(want.shape, t.shape)
        local d = max_diff(t, want)
        assert.is_true(d <= c.tol, ("output %d differs by %g"):format(k, d))
      end
    end)
  end

  it("reports dynamic dims as -1 and rebuilds for each input shape", function()
    local model = assert(nn.load(fixture("conv_dynamic.onnx")))
    assert.same({-1, 3, -1, -1}, model.inputs[1].shape)
    assert.same({-1, 5, -1, -1}, model.outputs[1].shape)
    -- alternate the two shapes: each run must use the graph of its own shape
    for _, tag in ipairs{"a", "b", "a"} do
      local data = read_gopf(fixture("conv_dynamic_" .. tag .. ".bin"))
      local out = model:run(tensor.from_bytes(data[1].bytes, data[1].shape, "float32"))
      assert.same(data[2].shape, out[1].shape)
      assert.is_true(max_diff(out[1], data[2]) <= 1e-5)
    end
  end)

  it("checks static dims and the channel count of dynamic models", function()
    local model = assert(nn.load(fixture("conv_dynamic.onnx")))
    local bad = tensor.new({1, 4, 8, 8}, "float32")
    assert.has_error(function() model:run(bad) end,
      "model: input 1 ('x') has shape [1,4,8,8], expected [-1,3,-1,-1] (-1: any size)")
    local static = assert(nn.load(fixture("conv_bn_relu.onnx")))
    assert.has_error(function() static:run(tensor.new({1, 3, 7, 7}, "float32")) end)
  end)

  it("loads from bytes as well as from a path", function()
    local bytes = H.read_file(fixture("conv_bn_relu.onnx"))
    local model = assert(nn.load(bytes))
    assert.same({1, 3, 7, 6}, model.inputs[1].shape)
    assert.equal("float32", model.inputs[1].dtype)
  end)

  it("fails at load on an unsupported op, naming it and the node", function()
    local m, err, code = nn.load(fixture("unsupported_op.onnx"))
    assert.is_nil(m)
    assert.equal("EUNSUPPORTED", code)
    assert.equal("onnx: unsupported op 'NonMaxSuppression' (opset 11) at node 'nms_1'", err)
  end)

  it("rejects every truncation of a model with EFORMAT, never crashing", function()
    local bytes = H.read_file(fixture("shape_chain.onnx"))
    local failures = 0
    for len = 1, #bytes - 1 do
      local m, err, code = nn.load(bytes:sub(1, len) .. ("\0"):rep(len < 8 and 1 or 0))
      if m == nil then
        failures = failures + 1
        assert.is_string(err)
        assert.is_true(code == "EFORMAT" or code == "EIO",
          ("length %d: %s %s"):format(len, tostring(code), tostring(err)))
      end
    end
    -- all but the few cuts that end exactly between two top-level fields
    -- after the graph (none here: the graph is followed by the opset import)
    assert.is_true(failures >= #bytes - 8)
  end)

  it("survives corrupted bytes (every byte flipped in turn)", function()
    local bytes = H.read_file(fixture("conv_bn_relu.onnx"))
    local x = tensor.new({1, 3, 7, 6}, "float32")
    for i = 1, #bytes do
      local b = bytes:byte(i)
      local bad = bytes:sub(1, i - 1) .. string.char(b ~ 0x5a) .. bytes:sub(i + 1)
      local ok, m = pcall(nn.load, bad)
      assert.is_true(ok)
      if m then pcall(m.run, m, x) end
    end
  end)
end)

describe("glimpse.nn on the PaddleOCR ONNX models #models", function()
  local models = {
    {file = "onnx/ch_PP-OCRv4_det_infer.onnx", input = {1, 3, 64, 96},
     declared = {-1, 3, -1, -1}, output = {1, 1, 64, 96}},
    {file = "onnx/ch_PP-OCRv4_rec_infer.onnx", input = {1, 3, 48, 160},
     declared = {-1, 3, 48, -1}, output = {1, 20, 6625}},
    {file = "onnx/ch_ppocr_mobile_v2.0_cls_infer.onnx", input = {1, 3, 48, 192},
     declared = {-1, 3, -1, -1}, output = {1, 2}},
  }
  for _, spec in ipairs(models) do
    it(spec.file .. " loads and runs with the expected output shape", function()
      local path = H.model_path(spec.file)
      if not H.exists(path) then
        pending("no " .. path)
        return
      end
      local model = assert(nn.load(path))
      assert.same(spec.declared, model.inputs[1].shape)
      local x = tensor.new(spec.input, "float32")
      x:fill(0.25)
      local out = assert(model:run(x))
      assert.same(spec.output, out[1].shape)
      -- probabilities: sigmoid map or softmax rows
      for _, v in ipairs(out[1]:reshape(-1):totable()) do
        assert.is_true(v >= 0 and v <= 1)
      end
    end)
  end
end)
