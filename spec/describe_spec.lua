-- glimpse.describe: the local backend with the real models, the LLM backend
-- against the strict local server, fallback, the result's shape.
local glimpse = require "glimpse"
local describer = require "glimpse.local_describer"
local control = require "server.control"

local KEY = "sk-describe-spec-0a1b2c3d"
local HOPPER = glimpse_spec.image_path("grace_hopper.bmp")
local CAT = glimpse_spec.image_path("cat.bmp")
local have_models = glimpse_spec.exists(glimpse_spec.model_path("tflite/mobilenet_v2_1.0_224_quant.tflite"))

local function escape(s) return (s:gsub("%p", "%%%0")) end

describe("glimpse.local_describer", function()
  it("names labels readably", function()
    assert.equal("tabby cat", describer.label_name("tabby, tabby cat"))
    assert.equal("kit fox", describer.label_name("kit fox, Vulpes macrotis"))
    assert.equal("suit", describer.label_name("suit, suit of clothes"))
    assert.equal("Siamese cat", describer.label_name("Siamese cat, Siamese"))
    assert.equal("military uniform", describer.label_name("military uniform"))
  end)

  it("hedges by confidence and names only what it was given", function()
    local s = describer.classification_sentence{
      { label = "tabby, tabby cat", score = 0.71 }, { label = "Egyptian cat", score = 0.12 },
      { label = "tiger cat", score = 0.02 } }
    assert.equal("A photo that most likely shows a tabby cat (71%), possibly an Egyptian cat (12%).", s)
    assert.equal("A photo that probably shows an espresso (40%).",
      describer.classification_sentence{ { label = "espresso", score = 0.40 }, { label = "cup", score = 0.01 } })
    assert.equal("A photo that may show a kite (20%), possibly a parachute (9%).",
      describer.classification_sentence{ { label = "kite", score = 0.20 }, { label = "parachute", score = 0.09 } })
    assert.equal("The local classifier is unsure what this photo shows; its best guesses are " ..
      "a seashore (8%), a sandbar (7%) and a lakeside (6%).",
      describer.classification_sentence{ { label = "seashore", score = 0.08 },
        { label = "sandbar", score = 0.07 }, { label = "lakeside", score = 0.06 } })
    assert.is_nil(describer.classification_sentence{})
  end)

  it("recognises ImageNet's birds by id and name, and words the species", function()
    assert.is_true(describer.is_bird{ label = "chickadee", index = 20 })   -- 1001 classes
    assert.is_true(describer.is_bird{ label = "chickadee", index = 19 })   -- 1000 classes
    assert.is_true(describer.is_bird{ label = "crane", index = 135 })
    assert.is_false(describer.is_bird{ label = "crane", index = 518 })     -- the machine
    assert.is_false(describer.is_bird{ label = "tabby, tabby cat", index = 282 })
    assert.equal("Black-capped Chickadee", describer.label_name("Poecile atricapillus (Black-capped Chickadee)"))
    assert.equal("The bird species model says it is most likely a Black-capped Chickadee (72%), " ..
      "possibly a Carolina Chickadee (7%).", describer.species_sentence{
        { label = "Poecile atricapillus (Black-capped Chickadee)", score = 0.72 },
        { label = "Poecile carolinensis (Carolina Chickadee)", score = 0.07 } })
    assert.is_nil(describer.species_sentence{ { label = "background", score = 0.9 } })
  end)

  it("reports segments and people only past their thresholds", function()
    assert.equal("Segmentation finds a person (about 63% of the image).",
      describer.segmentation_sentence{ { label = "person", fraction = 0.63 },
        { label = "background", fraction = 0.36 }, { label = "dog", fraction = 0.01 } })
    assert.is_nil(describer.segmentation_sentence{ { label = "background", fraction = 1 } })
    local kp = {}
    for i = 1, 17 do kp[i] = { score = i <= 10 and 0.8 or 0.1 } end
    assert.equal("A person is visible (pose score 0.52, 10 of 17 keypoints found).",
      describer.pose_sentence{ score = 0.52, keypoints = kp })
    assert.is_nil(describer.pose_sentence{ score = 0.2, keypoints = kp })
  end)
end)

describe("glimpse.describe", function()
  describe("local backend #models", function()
    if not have_models then
      pending("the shared models are not present")
      return
    end

    it("describes a real photo from what the models report", function()
      local r, err = glimpse.describe(HOPPER, { backend = "local" })
      assert.is_nil(err)
      assert.equal("local", r.backend)
      assert.is_false(r.degraded)
      assert.equal("mobilenet_v2", r.models.classify)
      -- the first sentence is the classifier's top label with its score
      local img = assert(glimpse.image.load(HOPPER, { max_side = 1024 }))
      local labels = assert(glimpse.classify(img, { k = 5 }))
      assert.equal(labels[1].label, r.labels[1].label)
      local top = describer.label_name(labels[1].label)
      assert.matches(escape(top) .. " %(" .. math.floor(labels[1].score * 100 + 0.5) .. "%%%)", r.description)
      -- every "a/an X (N%)" phrase names something a model reported
      local known = {}
      for _, l in ipairs(r.labels) do known[l.name] = true end
      for _, s in ipairs(r.segments or {}) do known[s.label] = true end
      for _, s in ipairs(r.species or {}) do known[s.name] = true end
      for name in r.description:gmatch("an? ([%w' %-]-) %(") do
        assert.is_true(known[name] ~= nil, "the description names '" .. name .. "', which no model reported")
      end
      assert.same({ path = HOPPER, width = 512, height = 600 }, r.image)
      assert.is_number(r.timings.decode)
      assert.is_number(r.timings.classify)
      assert.is_number(r.timings.total)
      assert.is_nil(r.usage)
    end)

    it("asks the bird species model about a bird", function()
      if not glimpse_spec.exists(glimpse_spec.model_path("tflite/mobilenet_v2_1.0_224_inat_bird_quant.tflite")) then
        pending("the iNaturalist bird model is not present")
        return
      end
      local r = assert(glimpse.describe(glimpse_spec.image_path("bird.bmp"),
        { backend = "local", segment = false, pose = false, nlp = false }))
      assert.equal("inat_bird", r.models.species)
      assert.is_table(r.species)
      assert.matches("The bird species model says it ", r.description, 1, true)
      assert.matches(r.species[1].name, r.description, 1, true)
      -- not for a cat
      local c = assert(glimpse.describe(CAT, { backend = "local", segment = false, pose = false, nlp = false }))
      assert.is_nil(c.species)
      assert.is_nil(c.models.species)
    end)

    it("finds the person in Grace Hopper's portrait by segmentation", function()
      local r = assert(glimpse.describe(HOPPER, { backend = "local", pose = false }))
      local person
      for _, s in ipairs(r.segments) do if s.label == "person" then person = s end end
      assert.is_table(person)
      assert.is_true(person.fraction > 0.3)
      assert.matches("Segmentation finds a person", r.description, 1, true)
    end)

    it("takes a glimpse.Image and honours segment = false", function()
      local img = assert(glimpse.image.load(CAT))
      local r = assert(glimpse.describe(img, { backend = "local", segment = false, pose = false }))
      assert.is_nil(r.segments)
      assert.is_nil(r.timings.segment)
      assert.same({ width = img.width, height = img.height }, r.image)
      assert.matches("cat", r.description)
    end)

    it("adds entities and sentiment when glimpse.nlp is there", function()
      local ok, ents = pcall(function() return require("glimpse.nlp").entities("A cat on a mat.") end)
      ok = ok and type(ents) == "table"
      local r = assert(glimpse.describe(CAT, { backend = "local", segment = false, pose = false }))
      if ok then
        assert.is_table(r.entities)
        assert.is_table(r.sentiment)
        assert.is_number(r.timings.nlp)
        -- the local description's own confidence figures are not entities
        for _, e in ipairs(r.entities) do
          assert.is_nil(tostring(e.text):find("%", 1, true), "entity " .. tostring(e.text))
        end
      end
      local r2 = assert(glimpse.describe(CAT, { backend = "local", segment = false, pose = false, nlp = false }))
      assert.is_nil(r2.entities)
      assert.is_nil(r2.sentiment)
    end)

    it("is the default when no LLM is configured", function()
      if require("glimpse.llm").configured() then
        pending("OPENAI_API_KEY or OPENAI_BASE_URL is set here")
        return
      end
      local r = assert(glimpse.describe(CAT, { segment = false, pose = false, nlp = false }))
      assert.equal("local", r.backend)
    end)
  end)

  describe("openai backend", function()
    local server, sleeps
    setup(function() server = control.start{ key = KEY } end)
    teardown(function() server:stop() end)
    before_each(function()
      server:reset()
      sleeps = {}
    end)

    local function opts(extra)
      local o = { backend = "openai", base_url = server.base_url, api_key = KEY, segment = false,
        pose = false, sleep = function(s) sleeps[#sleeps + 1] = s end }
      for k, v in pairs(extra or {}) do o[k] = v end
      return o
    end

    it("returns the LLM's description, model and usage", function()
      local r, err = glimpse.describe(CAT, opts{ detail = "low" })
      assert.is_nil(err)
      assert.equal("openai", r.backend)
      assert.is_false(r.degraded)
      assert.equal("The test server saw a 512x341 jpeg image (detail low).", r.description)
      assert.equal("gpt-4o-mini", r.model)
      assert.is_true(r.usage.total_tokens > 0)
      assert.is_number(r.timings.llm)
      assert.equal(1, #server:log())
      if have_models then assert.is_true(#r.labels > 0) end
    end)

    it("structured: carries the validated data", function()
      local r = assert(glimpse.describe(CAT, opts{ structured = true, labels = false }))
      assert.is_table(r.data)
      assert.is_table(r.data.objects)
      assert.equal(r.data.description, r.description)
    end)

    it("falls back to the local description when the LLM fails", function()
      if not have_models then pending("the shared models are not present") return end
      server:script{ { kind = "quota" } }
      local r = assert(glimpse.describe(CAT, opts()))
      assert.is_true(r.degraded)
      assert.equal("local", r.backend)
      assert.matches("quota exceeded", r.degraded_reason, 1, true)
      assert.equal("quota", r.error.type)
      assert.matches("cat", r.description)
      assert.is_nil(r.description:find(KEY, 1, true))
    end)

    it("falls back after retries when the server is unreachable", function()
      if not have_models then pending("the shared models are not present") return end
      local r = assert(glimpse.describe(CAT, opts{ base_url = "http://127.0.0.1:9/v1" }))
      assert.is_true(r.degraded)
      assert.matches("connection refused", r.degraded_reason, 1, true)
      assert.equal(2, #sleeps)
    end)

    it("returns the LLM's error with fallback = false", function()
      server:script{ { kind = "refusal" } }
      local r, err, code, e = glimpse.describe(CAT, opts{ fallback = false })
      assert.is_nil(r)
      assert.equal("llm: the model refused: I'm sorry, but I can't help with that request.", err)
      assert.equal("EINVAL", code)
      assert.equal("refusal", e.type)
    end)
  end)

  it("returns nil, msg, code for an unreadable file", function()
    local r, err, code = glimpse.describe("/nonexistent/photo.jpg", { backend = "local" })
    assert.is_nil(r)
    assert.matches("^describe: ", err)
    assert.equal("EIO", code)
  end)

  it("raises on bad arguments", function()
    assert.has.error(function() glimpse.describe(42) end,
      "bad argument #1 to 'describe' (glimpse.Image or file path expected, got number)")
    assert.has.error(function() glimpse.describe(CAT, { backend = "magic" }) end,
      "bad argument #2 to 'describe' (backend must be 'local' or 'openai')")
    assert.has.error(function() glimpse.describe(CAT, { colour = true }) end,
      "bad argument #2 to 'describe' (unknown option 'colour')")
  end)
end)
