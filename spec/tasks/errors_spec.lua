-- The task helpers' error contract: caller bugs raise, failures the caller
-- cannot rule out (unknown or missing model, missing label file, a file
-- that is not a model) return nil, message, code.
local glimpse = require "glimpse"
local tasks = require "glimpse.tasks"
local H = glimpse_spec

describe("task helper errors", function()
  local img = glimpse.image.new(8, 8, 3, 128)

  it("raise on a non-image, naming the function", function()
    for _, name in ipairs { "classify", "segment", "pose", "embed" } do
      assert.has.error(function() glimpse[name]("cat.bmp") end,
        "bad argument #1 to '" .. name .. "' (glimpse.Image expected, got string)")
    end
    assert.has.error(function() tasks.digits(nil) end,
      "bad argument #1 to 'digits' (glimpse.Image expected, got nil)")
  end)

  it("raise on a closed image", function()
    local closed = glimpse.image.new(4, 4, 3)
    closed:free()
    assert.has.error(function() glimpse.classify(closed) end,
      "bad argument #1 to 'classify' (glimpse.Image is closed)")
  end)

  it("raise on unknown options and bad option values", function()
    assert.has.error(function() glimpse.classify(img, { modle = "x" }) end,
      "bad argument #2 to 'classify' (unknown option 'modle')")
    assert.has.error(function() glimpse.classify(img, { k = 0 }) end,
      "bad argument #2 to 'classify' (option 'k' must be a positive integer)")
    assert.has.error(function() glimpse.classify(img, { model = 3 }) end,
      "bad argument #2 to 'classify' (option 'model' must be a catalogue name, a model file path or a glimpse.Model)")
    assert.has.error(function() glimpse.pose(img, "fast") end,
      "bad argument #2 to 'pose' (options table expected, got string)")
  end)

  it("return nil, message, EINVAL for an unknown model name", function()
    local r, err, code = glimpse.classify(img, { model = "mobilenet_v9" })
    assert.is_nil(r)
    assert.are.equal("EINVAL", code)
    assert.is_truthy(err:find("^catalog: unknown model 'mobilenet_v9' %(known: "), err)
  end)

  it("return nil, message, EIO for a model file that does not exist", function()
    local r, err, code = glimpse.segment(img, { model = "no/such/model.tflite" })
    assert.is_nil(r)
    assert.are.equal("EIO", code)
    assert.are.equal("catalog: model file 'no/such/model.tflite' not found", err)
  end)

  it("return nil, message, EIO for a missing label file #models", function()
    local r, err, code = glimpse.classify(img, {
      model = H.model_path("tflite/mobilenet_v1_0.25_128_quant.tflite"),
      labels = "no/such/labels.txt" })
    assert.is_nil(r)
    assert.are.equal("EIO", code)
    assert.is_truthy(err:find("^catalog: cannot read label file"), err)
  end)

  it("return nil, message, code for a file that is not a model", function()
    local p = H.tmpname(".tflite")
    H.write_file(p, ("this is not a model\n"):rep(20))
    local r, err, code = glimpse.embed(img, { model = p })
    assert.is_nil(r)
    assert.is_string(err)
    assert.are.equal("EFORMAT", code)
    os.remove(p)
  end)
end)
