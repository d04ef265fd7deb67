-- glimpse.classify on the real catalogued classifiers and shared photographs.
-- Top-1 classes checked (what a person would say, and Coral's own test
-- expectations where they exist): cat.bmp -> a domestic cat class (ImageNet
-- ids 282..286) for every ImageNet model; grace_hopper.bmp -> "military
-- uniform" (id 653, Coral's expectation); dragonfly.bmp -> "dragonfly"
-- (id 320); sunflower.bmp -> "daisy" (id 986, ImageNet has no sunflower;
-- the nearest flower class); bird.bmp with the iNaturalist model -> a
-- Black-capped Chickadee, "Poecile atricapillus (Black-capped Chickadee)".
local glimpse = require "glimpse"
local catalog = require "glimpse.catalog"
local H = glimpse_spec

local function load(name)
  return assert(glimpse.image.load(H.image_path(name)))
end

local function is_cat(c) return c.index >= 282 and c.index <= 286 end

describe("glimpse.classify #models", function()
  it("finds a cat in cat.bmp, best first, with probabilities", function()
    local res = assert(glimpse.classify(load("cat.bmp")))
    assert.are.equal(5, #res)
    assert.is_true(is_cat(res[1]), res[1].label)
    assert.is_true(res[1].score > 0.3, "top-1 score " .. res[1].score)
    local labels = assert(catalog.labels("mobilenet_v2"))
    local sum = 0
    for i, c in ipairs(res) do
      assert.is_true(c.score >= 0 and c.score <= 1)
      if i > 1 then assert.is_true(res[i - 1].score >= c.score) end
      -- index is the model's class id: line `index` (from 0) of the label file
      assert.are.equal(labels[c.index + 1], c.label)
      assert.is_true(math.type(c.index) == "integer")
      sum = sum + c.score
    end
    assert.is_true(sum <= 1.01)
  end)

  it("sees Grace Hopper's military uniform", function()
    local res = assert(glimpse.classify(load("grace_hopper.bmp"), { k = 3 }))
    assert.are.equal(3, #res)
    assert.are.equal("military uniform", res[1].label)
    assert.are.equal(653, res[1].index)
  end)

  it("knows a dragonfly, and calls a sunflower the nearest ImageNet flower", function()
    local res = assert(glimpse.classify(load("dragonfly.bmp"), { k = 1 }))
    assert.are.equal(320, res[1].index)
    assert.is_truthy(res[1].label:find("^dragonfly"))
    res = assert(glimpse.classify(load("sunflower.bmp"), { k = 1 }))
    assert.are.equal("daisy", res[1].label)
  end)

  for _, name in ipairs { "mobilenet_v2_tf2", "mobilenet_v1_025", "mobilenet_v1_05" } do
    it("finds the cat with " .. name, function()
      local res = assert(glimpse.classify(load("cat.bmp"), { model = name, k = 3 }))
      assert.is_true(is_cat(res[1]), name .. ": " .. res[1].label)
    end)
  end

  it("names the chickadee's species with the iNaturalist model", function()
    local res = assert(glimpse.classify(load("bird.bmp"), { model = "inat_bird", k = 3 }))
    assert.are.equal("Poecile atricapillus (Black-capped Chickadee)", res[1].label)
    assert.is_true(res[1].score > 0.2, res[1].label .. " " .. res[1].score)
    assert.is_true(res[1].index >= 0 and res[1].index < 965)
  end)

  it("takes a model file the catalogue has never seen, with its label file", function()
    local copy = H.tmpname(".tflite")
    H.write_file(copy, H.read_file(H.model_path("tflite/mobilenet_v1_0.25_128_quant.tflite")))
    assert.is_nil(catalog.entry_for_path(copy))
    local res = assert(glimpse.classify(load("cat.bmp"), {
      model = copy, labels = H.model_path("tflite/imagenet_labels.txt"), k = 2 }))
    assert.is_true(is_cat(res[1]), res[1].label)
    -- input size 128 and uint8 quantization came from the model itself:
    -- with the same resize filter as the catalogue entry's run (an
    -- uncatalogued model gets bilinear), the results are the same
    local named = assert(glimpse.classify(load("cat.bmp"),
      { model = "mobilenet_v1_025", k = 2, filter = "bilinear" }))
    assert.are.same(named, res)
    os.remove(copy)
  end)

  it("labels classes by id when an unknown model has no label file", function()
    local copy = H.tmpname(".tflite")
    H.write_file(copy, H.read_file(H.model_path("tflite/mobilenet_v1_0.25_128_quant.tflite")))
    local res = assert(glimpse.classify(load("cat.bmp"), { model = copy, k = 1 }))
    assert.are.equal(tostring(res[1].index), res[1].label)
    os.remove(copy)
  end)

  it("uses an already loaded model, and caches the ones it loads", function()
    local m = assert(glimpse.nn.load(H.model_path("tflite/mobilenet_v1_0.25_128_quant.tflite")))
    local res = assert(glimpse.classify(load("cat.bmp"), { model = m, labels =
      H.model_path("tflite/imagenet_labels.txt"), k = 1 }))
    assert.is_true(is_cat(res[1]))
    catalog.clear_cache()
    assert(glimpse.classify(load("cat.bmp"), { model = "mobilenet_v1_025" }))
    local loaded = catalog.load("mobilenet_v1_025")
    assert.are.equal(1, catalog.default_cache:count())
    assert(glimpse.classify(load("cat.bmp"), { model = "mobilenet_v1_025" }))
    assert.are.equal(loaded, (catalog.load("mobilenet_v1_025")))
    assert.are.equal(1, catalog.default_cache:count())
  end)

  it("runs with more threads to the same result, cached apart", function()
    local cache = catalog.new_cache(4)
    local a = assert(glimpse.classify(load("cat.bmp"), { k = 3, cache = cache }))
    local b = assert(glimpse.classify(load("cat.bmp"), { k = 3, cache = cache, threads = 2 }))
    assert.are.equal(2, cache:count())
    for i = 1, 3 do
      assert.are.equal(a[i].index, b[i].index)
      assert.is_true(math.abs(a[i].score - b[i].score) < 1e-4) -- summation order may differ
    end
  end)

  it("classifies an RGBA image the same way as the RGB one", function()
    local img = load("cat.bmp")
    local rgba = assert(img:convert("rgba"))
    local a = assert(glimpse.classify(img, { k = 1 }))
    local b = assert(glimpse.classify(rgba, { k = 1 }))
    assert.are.equal(a[1].index, b[1].index)
  end)
end)

describe("glimpse.classify with a loaded model and its entry #models", function()
  it("takes labels and preprocessing from the entry given with a loaded model", function()
    local m = assert(glimpse.nn.load(H.model_path("tflite/mobilenet_v2_1.0_224_quant.tflite")))
    local img = assert(glimpse.image.load(H.image_path("grace_hopper.bmp")))
    local res = assert(glimpse.classify(img, { model = m, entry = catalog.get("mobilenet_v2"), k = 1 }))
    assert.are.equal("military uniform", res[1].label)
  end)
end)
