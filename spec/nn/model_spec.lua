-- model_spec.lua — every shared TFLite model (../shared/models/tflite) loads
-- through glimpse.nn with the right inputs and outputs, and gives the
-- upstream-expected answer on a real image (Coral's test data: cat ->
-- Egyptian cat, grace_hopper -> military uniform, bird -> chickadee).
local nn = require "glimpse.nn"
local image = require "glimpse.image"
local H = glimpse_spec

local function model_path(name) return H.model_path("tflite/" .. name .. ".tflite") end

local function read_labels(file)
  local labels = {}
  for line in io.lines(H.model_path("tflite/" .. file)) do labels[#labels + 1] = line end
  return labels
end

-- uint8 NHWC pixels of an image resized to the model's input size
local function pixels(model, file)
  local img = assert(image.load(H.image_path(file)))
  local shape = model.inputs[1].shape
  return img:resize(shape[3], shape[2]):to_tensor{layout = "nhwc", dtype = "uint8"}
end

local function top1(model, file, labels)
  local out = model:run(pixels(model, file))
  local i, score = out[1]:argmax()
  return labels[i], score
end

local models = {
  {name = "mobilenet_v1_0.25_128_quant", input = {1, 128, 128, 3}, output = {1, 1001}},
  {name = "mobilenet_v1_0.5_160_quant", input = {1, 160, 160, 3}, output = {1, 1001}},
  {name = "mobilenet_v2_1.0_224_quant", input = {1, 224, 224, 3}, output = {1, 1001}},
  {name = "tf2_mobilenet_v2_1.0_224_ptq", input = {1, 224, 224, 3}, output = {1, 1001}},
  {name = "mobilenet_v2_1.0_224_inat_bird_quant", input = {1, 224, 224, 3}, output = {1, 965}},
  {name = "mobilenet_v1_1.0_224_quant_embedding_extractor", input = {1, 224, 224, 3},
   output = {1, 1, 1, 1024}},
  {name = "deeplabv3_mnv2_pascal_quant", input = {1, 513, 513, 3}, output = {1, 513, 513},
   output_dtype = "int64"},
  {name = "movenet_single_pose_lightning_ptq", input = {1, 192, 192, 3}, output = {1, 1, 17, 3}},
  {name = "keras_lstm_mnist_ptq", input = {1, 28, 28}, output = {1, 10}},
}

describe("shared TFLite models #models", function()
  for _, spec in ipairs(models) do
    it(spec.name .. " loads with its inputs and outputs", function()
      local m, err = nn.load(model_path(spec.name))
      assert.is_not_nil(m, err)
      assert.equal(1, #m.inputs)
      assert.equal("uint8", m.inputs[1].dtype)
      assert.same(spec.input, m.inputs[1].shape)
      assert.same(spec.output, m.outputs[1].shape)
      assert.equal(spec.output_dtype or "float32", m.outputs[1].dtype)
      m:free()
    end)
  end

  local imagenet = read_labels("imagenet_labels.txt")
  local cats = {["Egyptian cat"] = true, ["tabby, tabby cat"] = true, ["tiger cat"] = true}

  for _, name in ipairs{"mobilenet_v1_0.25_128_quant", "mobilenet_v1_0.5_160_quant",
                        "mobilenet_v2_1.0_224_quant", "tf2_mobilenet_v2_1.0_224_ptq"} do
    it(name .. " classifies cat.bmp as a cat and bird.bmp as a chickadee", function()
      local m = assert(nn.load(model_path(name)))
      local label = top1(m, "cat.bmp", imagenet)
      assert.is_true(cats[label] ~= nil, label)
      assert.equal("chickadee", (top1(m, "bird.bmp", imagenet)))
    end)
  end

  for _, name in ipairs{"mobilenet_v2_1.0_224_quant", "tf2_mobilenet_v2_1.0_224_ptq"} do
    it(name .. " sees a military uniform on grace_hopper.bmp", function()
      local m = assert(nn.load(model_path(name)))
      local label, score = top1(m, "grace_hopper.bmp", imagenet)
      assert.equal("military uniform", label)
      assert.is_true(score > 0.5)
      label = top1(m, "cat.bmp", imagenet)
      assert.equal("Egyptian cat", label)
    end)
  end

  it("the iNaturalist bird model names the chickadee", function()
    local m = assert(nn.load(model_path("mobilenet_v2_1.0_224_inat_bird_quant")))
    local birds = read_labels("inat_bird_labels.txt")
    assert.equal("Poecile atricapillus (Black-capped Chickadee)", (top1(m, "bird.bmp", birds)))
    assert.equal("background", (top1(m, "cat.bmp", birds)))
  end)

  it("the embedding extractor puts two photos of the same cat close together", function()
    local m = assert(nn.load(model_path("mobilenet_v1_1.0_224_quant_embedding_extractor")))
    local function embed(file) return m:run(pixels(m, file))[1]:reshape(-1):totable() end
    local function cosine(a, b)
      local s, na, nb = 0, 0, 0
      for i = 1, #a do s, na, nb = s + a[i] * b[i], na + a[i] ^ 2, nb + b[i] ^ 2 end
      return s / math.sqrt(na * nb)
    end
    local cat, cat2, person = embed("cat.bmp"), embed("cat_720p.jpg"), embed("grace_hopper.bmp")
    assert.equal(1024, #cat)
    assert.is_true(cosine(cat, cat2) > 0.9)
    assert.is_true(cosine(cat, cat2) > cosine(cat, person) + 0.2)
  end)

  it("deeplab labels the dog in dog_segmentation.bmp", function()
    local m = assert(nn.load(model_path("deeplabv3_mnv2_pascal_quant")))
    local voc = read_labels("pascal_voc_segmentation_labels.txt")
    local mask = m:run(pixels(m, "dog_segmentation.bmp"))[1]
    local counts = {}
    for _, c in ipairs(mask:reshape(-1):totable()) do counts[c] = (counts[c] or 0) + 1 end
    local best, n = nil, 0
    for c, k in pairs(counts) do if c ~= 0 and k > n then best, n = c, k end end
    assert.equal("dog", voc[best + 1])
    assert.is_true(n > 513 * 513 * 0.2)
  end)

  it("movenet finds a standing body in squat.bmp (head above hips above ankles)", function()
    local m = assert(nn.load(model_path("movenet_single_pose_lightning_ptq")))
    local kp = m:run(pixels(m, "squat.bmp"))[1]:reshape(17, 3):totable()
    for _, k in ipairs(kp) do
      assert.is_true(k[1] >= 0 and k[1] <= 1 and k[2] >= 0 and k[2] <= 1)
    end
    local nose, hip, ankle = kp[1][1], (kp[12][1] + kp[13][1]) / 2, (kp[16][1] + kp[17][1]) / 2
    assert.is_true(nose < hip and hip < ankle)
    local confident = 0
    for _, k in ipairs(kp) do if k[3] > 0.3 then confident = confident + 1 end end
    assert.is_true(confident >= 12)
  end)

  it("the LSTM reads the nine in mnist_nine.bmp", function()
    local m, err = nn.load(model_path("keras_lstm_mnist_ptq"))
    assert.is_not_nil(m, err)
    local img = assert(image.load(H.image_path("mnist_nine.bmp")))
    img = img:convert("gray"):resize(28, 28)
    local x = img:to_tensor{layout = "nhwc", dtype = "uint8"}:reshape(1, 28, 28)
    local first = m:run(x)[1]
    assert.equal(9, first:argmax() - 1)
    -- the LSTM state starts at zero on every run: nothing carries over
    m:run(x:clone():fill(0))
    assert.same(first:reshape(-1):totable(), m:run(x)[1]:reshape(-1):totable())
  end)

  it("gives the same scores with 2 threads and with the range clamp off (top-1)", function()
    local one = assert(nn.load(model_path("mobilenet_v2_1.0_224_quant")))
    local two = assert(nn.load(model_path("mobilenet_v2_1.0_224_quant"), {threads = 2}))
    local noclamp = assert(nn.load(model_path("mobilenet_v2_1.0_224_quant"),
                                   {clamp_quant_range = false}))
    local x = pixels(one, "grace_hopper.bmp")
    local a = one:run(x)[1]:reshape(-1):totable()
    local b = two:run(x)[1]:reshape(-1):totable()
    for i = 1, #a do assert.is_true(math.abs(a[i] - b[i]) < 1e-4) end
    local i1 = one:run(x)[1]:argmax()
    local i3 = noclamp:run(x)[1]:argmax()
    assert.equal(i1, i3)
  end)
end)

describe("model files are recognised by content, not by name", function()
  it("loads a TFLite file named .onnx and an ONNX file named .tflite", function()
    local tfl = H.read_file(H.fixture("tflite/conv_fc_float.tflite"))
    local onx = H.read_file(H.fixture("onnx_tiny/conv_bn_relu.onnx"))
    local p1, p2 = H.tmpname(".onnx"), H.tmpname(".tflite")
    H.write_file(p1, tfl)
    H.write_file(p2, onx)
    local a, ea = nn.load(p1)
    local b, eb = nn.load(p2)
    os.remove(p1)
    os.remove(p2)
    assert.is_not_nil(a, ea)
    assert.is_not_nil(b, eb)
    assert.same({1, 3, 7, 6}, b.inputs[1].shape)
  end)

  it("names what it expected when the bytes are neither", function()
    local m, msg, code = nn.load(("x"):rep(5000))
    assert.is_nil(m)
    assert.equal("EFORMAT", code)
    assert.matches("TFL3", msg)
  end)

  it("runs an ONNX model with 2 threads as with 1", function()
    local one = assert(nn.load(H.fixture("onnx_tiny/depthwise_group.onnx")))
    local two = assert(nn.load(H.fixture("onnx_tiny/depthwise_group.onnx"), {threads = 2}))
    local tensor = require "glimpse.tensor"
    local x = tensor.new({1, 6, 11, 10}):fill(0.5)
    local a = one:run(x)[1]:reshape(-1):totable()
    local b = two:run(x)[1]:reshape(-1):totable()
    for i = 1, #a do assert.is_true(math.abs(a[i] - b[i]) < 1e-5) end
  end)
end)
