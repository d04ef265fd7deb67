-- glimpse.ocr: the PP-OCRv4 pipeline's own parts (CTC decoding, reading
-- order, input sizes, text-line tensors, options) and, with the real models,
-- reading rendered text (spec/fixtures/ocr, made by tools/fixtures/ocr_text.py)
-- and PaddleOCR's sample images.
--
-- Accuracy is character accuracy: 1 - edit distance / length of the truth,
-- over Unicode characters, summed over a set. Spaces are compared as written
-- in the "exact" figure and ignored in the "glyph" figure (the recogniser
-- often merges or splits the gap between words, which is not a misread
-- letter). Floors: clean set glyph >= 0.95 and exact >= 0.95; the hard set is
-- printed, with a loose floor of 0.6 (it exists to be measured).
local glimpse = require "glimpse"
local catalog = require "glimpse.catalog"
local ctc = require "glimpse.ocr.ctc"
local order = require "glimpse.ocr.order"
local detect = require "glimpse.ocr.detect"
local line = require "glimpse.ocr.line"
local H = glimpse_spec

local manifest = dofile(H.fixture("ocr/manifest.lua"))

local function load(rel)
  return assert(glimpse.image.load(H.fixture("ocr/" .. rel)))
end

local function codepoints(s)
  local t = {}
  for _, c in utf8.codes(s) do t[#t + 1] = c end
  return t
end

-- Levenshtein distance over code points.
local function edit_distance(a, b)
  a, b = codepoints(a), codepoints(b)
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = { [0] = i }
    for j = 1, #b do
      local cost = a[i] == b[j] and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end

local function squash(s) return (s:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")) end
local function nospace(s) return (s:gsub("%s+", "")) end

-- Errors and truth length (in code points) of one reading.
local function score(truth, got, glyph)
  if glyph then truth, got = nospace(truth), nospace(got) else truth, got = squash(truth), squash(got) end
  return edit_distance(truth, got), utf8.len(truth)
end

local function joined(lines)
  local t = {}
  for i, l in ipairs(lines) do t[i] = l.text end
  return table.concat(t, " ")
end

describe("glimpse.ocr.ctc", function()
  -- classes: 0 blank, 1 "a", 2 "b", 3 " "
  local chars = ctc.charset({ "a", "b" }, false)

  local function rows(ids, p)
    local r = {}
    for t, id in ipairs(ids) do
      local row = { 0.01, 0.01, 0.01, 0.01 }
      row[id + 1] = p and p[t] or 0.97
      r[t] = row
    end
    return r
  end

  it("numbers the classes after the blank and adds the space", function()
    assert.are.equal(4, chars.n)
    assert.are.same({ "a", "b", " " }, { chars[1], chars[2], chars[3] })
  end)

  it("drops blanks and repeats, keeps a letter repeated across a blank", function()
    local text, s, kept = ctc.decode(rows({ 0, 1, 1, 0, 1, 2, 2, 3, 2, 0 }), chars)
    assert.are.equal("aab b", text)
    assert.are.same({ 1, 1, 2, 3, 2 }, kept)
    assert.is_true(math.abs(s - 0.97) < 1e-12)
  end)

  it("scores with the mean probability of the kept steps only", function()
    local text, s = ctc.decode(rows({ 1, 1, 0, 2 }, { 0.9, 0.5, 0.99, 0.6 }), chars)
    assert.are.equal("ab", text)
    assert.is_true(math.abs(s - 0.75) < 1e-12, s)
  end)

  it("gives an empty text scored 0 for all blanks", function()
    local text, s = ctc.decode(rows({ 0, 0, 0 }), chars)
    assert.are.equal("", text)
    assert.are.equal(0, s)
    text, s = ctc.decode({}, chars)
    assert.are.same({ "", 0 }, { text, s })
  end)

  it("finds each row's best class in a tensor exactly as a scan of the values", function()
    local T = require "glimpse.tensor"
    -- rows: a certain blank, a certain last class, exactly 1.0, no class
    -- above 0.5, a tie (the first wins), two near 0.5 (the later larger)
    local C = 7
    local rows = {
      { 0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01 },
      { 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.94 },
      { 0, 0, 1, 0, 0, 0, 0 },
      { 0.2, 0.1, 0.15, 0.3, 0.05, 0.1, 0.1 },
      { 0.0, 0.4, 0.4, 0.1, 0.0, 0.1, 0.0 },
      { 0.0, 0.4999, 0.0, 0.5001, 0.0, 0.0, 0.0 },
    }
    local t = T.from_table({ rows }, "float32") -- [1, 6, 7] like a recogniser's output
    local ids, probs = ctc.best(t)
    local vals = t:totable()[1]
    for r, row in ipairs(vals) do
      local best, bi = row[1], 1
      for c = 2, C do if row[c] > best then best, bi = row[c], c end end
      assert.are.equal(bi - 1, ids[r], "row " .. r)
      assert.are.equal(best, probs[r], "row " .. r)
    end
    assert.are.same({ 0, 6, 2, 3, 1, 3 }, ids)
    -- a range of rows decodes as the table decoder does on those rows
    local chars = { "a", "b", "c", "d", "e", "f", n = 7 }
    assert.are.same({ ctc.decode({ vals[2], vals[3] }, chars) },
      { ctc.decode_tensor(t, chars, 2, 3) })
  end)

  it("maps the catalogue's PP-OCR character list: line i is class i, the space last", function()
    local keys = catalog.find_file("onnx/ppocr_keys_v1.txt")
    if not keys then return pending("ppocr_keys_v1.txt not found") end
    local labels = assert(catalog.labels("ppocr_rec"))
    local set = ctc.charset(labels, true)
    assert.are.equal(6625, set.n) -- the recogniser's output classes
    local f = assert(io.open(keys, "rb"))
    local first = f:read("l")
    f:close()
    assert.are.equal(first, set[1])
    assert.are.equal(" ", set[6624])
    local id = {}
    for i = 1, 6623 do id[set[i]] = id[set[i]] or i end
    assert.are.equal("韩国", (ctc.decode_ids({ 0, id["韩"], id["韩"], 0, id["国"] }, nil, set)))
  end)
end)

describe("glimpse.ocr.order", function()
  local function box(x, y, w, h, skew)
    skew = skew or 0
    return { { x, y }, { x + w, y + skew }, { x + w, y + h + skew }, { x, y + h } }
  end

  it("reads lines top to bottom and boxes left to right", function()
    local items = {
      { name = "c", box = box(300, 12, 80, 20) },
      { name = "d", box = box(10, 60, 80, 20) },
      { name = "a", box = box(10, 10, 80, 20) },
      { name = "e", box = box(150, 58, 80, 20) },
      { name = "b", box = box(150, 8, 80, 20) },
    }
    local sorted, lines = order.sort(items)
    local names = {}
    for i, it in ipairs(sorted) do names[i] = it.name end
    assert.are.same({ "a", "b", "c", "d", "e" }, names)
    assert.are.same({ { 1, 2, 3 }, { 4, 5 } }, lines)
  end)

  it("keeps large text on one line when its tops differ by more than 10 px", function()
    local items = {
      { name = "right", box = box(400, 0, 200, 90) },
      { name = "left", box = box(0, 18, 200, 90) },
    }
    local sorted = order.sort(items)
    assert.are.equal("left", sorted[1].name)
  end)

  it("separates two lines of small text 9 px apart", function()
    local items = {
      { name = "second", box = box(0, 9, 100, 8) },
      { name = "first", box = box(50, 0, 100, 8) },
    }
    local sorted, lines = order.sort(items)
    assert.are.equal("first", sorted[1].name)
    assert.are.equal(2, #lines)
  end)

  it("follows a slightly rotated line", function()
    local items = {
      { name = "w3", box = box(240, 10, 100, 30, 4) },
      { name = "w1", box = box(0, 2, 100, 30, 4) },
      { name = "w2", box = box(120, 6, 100, 30, 4) },
      { name = "next", box = box(0, 60, 100, 30, 4) },
    }
    local sorted = order.sort(items)
    assert.are.same({ "w1", "w2", "w3", "next" },
      { sorted[1].name, sorted[2].name, sorted[3].name, sorted[4].name })
  end)
end)

describe("glimpse.ocr.detect.input_size", function()
  local function size(w, h, limit)
    local rw, rh = detect.input_size(w, h, limit)
    return { rw, rh }
  end
  -- PaddleOCR DetResizeForTest, limit type "max", limit 960
  it("scales the long side down to the limit and rounds to multiples of 32", function()
    assert.are.same({ 960, 608 }, size(1680, 1048, 960))
    assert.are.same({ 608, 960 }, size(720, 1150, 960))
  end)
  it("never scales up, rounds half to even, and keeps at least 32", function()
    assert.are.same({ 512, 512 }, size(500, 500, 960))
    assert.are.same({ 96, 32 }, size(100, 20, 960))
    assert.are.same({ 32, 32 }, size(5, 3, 960))
    -- 80 / 32 = 2.5 rounds to 2 (even), 112 / 32 = 3.5 rounds to 4
    assert.are.same({ 64, 128 }, size(80, 112, 960))
  end)
end)

describe("glimpse.ocr.line.tensor", function()
  it("resizes to the height keeping the aspect ratio and pads with zeros", function()
    local img = load("words/w00.png")
    local t = assert(line.tensor(img, nil, 48, 320, 320))
    assert.are.same({ 1, 3, 48, 320 }, t.shape)
    local rw = math.ceil(48 * img.width / img.height)
    assert.is_true(rw < 320)
    -- the content: BGR, (x / 255 - 0.5) / 0.5 of the bilinear resize
    local ref = img:convert("bgr"):resize(rw, 48, { filter = "bilinear" })
      :to_tensor({ scale = 1 / 255, mean = 0.5, std = 0.5 })
    for _, p in ipairs { { 1, 1, 1 }, { 2, 24, rw // 2 }, { 3, 48, rw }, { 1, 30, 7 } } do
      assert.are.equal(ref:get(1, p[1], p[2], p[3]), t:get(1, p[1], p[2], p[3]))
    end
    for _, p in ipairs { { 1, 1, rw + 1 }, { 2, 24, 200 }, { 3, 48, 320 } } do
      assert.are.equal(0, t:get(1, p[1], p[2], p[3]))
    end
  end)

  it("caps the content at the maximum width", function()
    local img = glimpse.image.new(400, 20, 3, 255)
    local t = assert(line.tensor(img, nil, 48, 192, 192))
    assert.are.same({ 1, 3, 48, 192 }, t.shape)
    assert.are.equal(1, t:get(1, 1, 24, 192)) -- white all the way: no padding
  end)
end)

describe("glimpse.ocr options", function()
  local img = glimpse.image.new(64, 32, 3, 255)

  it("raises on a non-image and on bad options", function()
    assert.has_error(function() glimpse.ocr("x.png") end,
      "bad argument #1 to 'ocr' (glimpse.Image expected, got string)")
    assert.has_error(function() glimpse.ocr(img, 3) end,
      "bad argument #2 to 'ocr' (options table expected, got number)")
    assert.has_error(function() glimpse.ocr(img, { treshold = 0.5 }) end,
      "bad argument #2 to 'ocr' (unknown option 'treshold')")
    assert.has_error(function() glimpse.ocr(img, { det_thresh = 2 }) end,
      "bad argument #2 to 'ocr' (option 'det_thresh' must be a number in [0, 1])")
    assert.has_error(function() glimpse.ocr(img, { det_limit_side = 10 }) end,
      "bad argument #2 to 'ocr' (option 'det_limit_side' must be an integer >= 32)")
    assert.has_error(function() glimpse.ocr(img, { detect = "no" }) end,
      "bad argument #2 to 'ocr' (option 'detect' must be a boolean)")
    assert.has_error(function() glimpse.ocr(img, { unclip_ratio = -1 }) end,
      "bad argument #2 to 'ocr' (option 'unclip_ratio' must be a positive number)")
    assert.has_error(function() glimpse.ocr(img, { det_score_mode = "exact" }) end,
      "bad argument #2 to 'ocr' (option 'det_score_mode' must be 'fast' or 'slow')")
    assert.has_error(function() glimpse.ocr(img, { models = { recognizer = "x" } }) end,
      "bad argument #2 to 'ocr' (unknown model role 'recognizer' in 'models' (det, rec, cls, keys))")
    assert.has_error(function() glimpse.ocr(img, { models = { det = 5 } }) end,
      "bad argument #2 to 'ocr' (models.det must be a catalogue name, a model file path or a glimpse.Model)")
  end)

  it("returns nil, message, code when a model file is missing", function()
    local res, err, code = glimpse.ocr(img, { models = { rec = "/nonexistent/rec.onnx" } })
    assert.is_nil(res)
    assert.are.equal("EIO", code)
    assert.is_truthy(err:find("^%w+: "), err) -- "stage: detail"
    assert.is_truthy(err:find("rec.onnx", 1, true), err)
    res, err, code = glimpse.ocr(img, { models = { rec = "no_such_model" } })
    assert.is_nil(res)
    assert.are.equal("EINVAL", code)
    assert.is_truthy(err:find("unknown model 'no_such_model'", 1, true), err)
  end)

  it("is glimpse.ocr and glimpse.tasks.ocr", function()
    assert.are.equal(glimpse.ocr, require("glimpse.tasks").ocr)
    assert.are.equal(glimpse.ocr, require("glimpse.tasks.ocr").ocr)
  end)
end)

-- The real models: run only when the engine loads and runs all three (the
-- ONNX importer) and the C text-box extraction is built.
-- Only a missing model file (EIO) or an engine without the ONNX importer
-- (EUNSUPPORTED) makes these pending; any other failure fails.
local function models_ready()
  if not (glimpse.core.imgproc and glimpse.core.imgproc.text_boxes) then
    return false, "glimpse.core.imgproc.text_boxes is not built", "EUNSUPPORTED"
  end
  local res, err, code = glimpse.ocr(glimpse.image.new(64, 32, 3, 255), { angle = true })
  if not res then return false, err, code end
  res, err, code = glimpse.ocr(glimpse.image.new(64, 32, 3, 255), { angle = true, detect = false })
  if not res then return false, err, code end
  return true
end
local ready, why, why_code = models_ready()

describe("glimpse.ocr #models", function()
  if not ready and (why_code == "EIO" or why_code == "EUNSUPPORTED") then
    pending("the PP-OCR models cannot run here: " .. tostring(why))
    return
  end
  it("runs the three models", function()
    assert(ready, tostring(why) .. " (" .. tostring(why_code) .. ")")
  end)
  if not ready then return end

  it("reads cropped words as one line (detect = false)", function()
    for _, w in ipairs(manifest.words) do
      local res = assert(glimpse.ocr(load(w.file), { detect = false }))
      assert.are.equal(1, #res)
      assert.are.equal(w.text, res[1].text, w.file)
      assert.is_true(res[1].score > 0.9, w.file .. " " .. res[1].score)
      local img = load(w.file)
      local W, H_ = img.width, img.height
      assert.are.same({ { 0, 0 }, { W, 0 }, { W, H_ }, { 0, H_ } }, res[1].box)
    end
  end)

  it("turns an upside-down line before reading it (angle = true)", function()
    for _, w in ipairs(manifest.words) do
      local img = load(w.file):rotate(180)
      local res = assert(glimpse.ocr(img, { detect = false, angle = true }))
      assert.are.equal(180, res[1].angle, w.file)
      assert.is_true(res[1].angle_score > 0.9)
      assert.is_true(res[1].rotated)
      assert.are.equal(w.text, res[1].text, w.file)
      assert.is_true(pcall(img.get, img, 0, 0)) -- the caller's image stays open
      -- upright, the classifier says 0 and nothing is turned
      local up = assert(glimpse.ocr(load(w.file), { detect = false, angle = true }))
      assert.are.equal(0, up[1].angle)
      assert.is_false(up[1].rotated)
    end
  end)

  it("takes the character list from models.keys, and checks it against the model", function()
    local w = manifest.words[1]
    local res = assert(glimpse.ocr(load(w.file), { detect = false,
      models = { keys = (catalog.find_file("onnx/ppocr_keys_v1.txt")) } }))
    assert.are.equal(w.text, res[1].text)
    local none, err, code = glimpse.ocr(load(w.file), { detect = false, models = { keys = { "a", "b" } } })
    assert.is_nil(none)
    assert.are.equal("EFORMAT", code)
    assert.are.equal("ocr: the recogniser gives 6625 classes but the character list 4", err)
  end)

  it("takes loaded models and model file paths", function()
    local nn = require "glimpse.nn"
    local rec = assert(nn.load((catalog.find("ppocr_rec"))))
    local w = manifest.words[2]
    local res = assert(glimpse.ocr(load(w.file), { detect = false, models = { rec = rec } }))
    assert.are.equal(w.text, res[1].text)
    res = assert(glimpse.ocr(load(manifest.pages[1].file), { cache = false,
      models = { det = (catalog.find("ppocr_det")), rec = rec } }))
    assert.are.equal(#manifest.pages[1].lines, #res)
    rec:free()
  end)

  it("reads lines 50-70 times as long as high in pieces (detect = false)", function()
    local recognize = require "glimpse.ocr.recognize"
    local err_g, len_g = 0, 0
    for _, c in ipairs(manifest.long) do
      local img = load(c.file)
      local pieces = recognize.split_wide(img, recognize.MAX_RATIO)
      assert.is_true(#pieces >= 2, c.file)
      local w = 0
      for _, p in ipairs(pieces) do
        w = w + p.width
        assert.are.equal(img.height, p.height)
        assert.is_true(p.width / p.height <= recognize.MAX_RATIO * 1.3, c.file)
      end
      assert.are.equal(img.width, w)
      local res = assert(glimpse.ocr(img, { detect = false }))
      local e, n = score(c.text, res[1].text, true)
      print(("  long %s: %d errors in %d glyphs, %q"):format(c.file, e, n, res[1].text))
      assert.is_true(e / n <= 0.05, c.file)
      err_g, len_g = err_g + e, len_g + n
    end
    -- a cut between words keeps its space
    local first = assert(glimpse.ocr(load(manifest.long[1].file), { detect = false }))[1]
    assert.are.equal(manifest.long[1].text, first.text)
    assert.is_true(1 - err_g / len_g >= 0.97)
  end)

  it("decodes the recogniser's output tensor as the table decoder does", function()
    local nn = require "glimpse.nn"
    local line = require "glimpse.ocr.line"
    local rec = assert(nn.load((catalog.find("ppocr_rec"))))
    local chars = ctc.charset(assert(catalog.labels("ppocr_rec")), true)
    for _, f in ipairs { "hard/h10.jpg", "hard/h12.jpg", "clean/c09.png", "words/w02.png" } do
      local img = load(f)
      local w = math.max(320, math.floor(48 * img.width / img.height))
      local out = assert(rec:run(assert(line.tensor(img, nil, 48, w, w))))[1]
      local steps, classes = out.shape[2], out.shape[3]
      local a = { ctc.decode(out:reshape({ steps, classes }):totable(), chars) }
      local b = { ctc.decode_tensor(out, chars) }
      assert.are.same(a, b, f)
    end
    rec:free()
  end)

  it("reads PaddleOCR's cropped sample words", function()
    if not H.exists(H.image_path("ocr/word_1.jpg")) then return pending("no shared images") end
    local cases = {
      ["word_1.jpg"] = "韩国小馆",
      ["word_2.jpg"] = "汉阳鹦鹉家居建材市场E区25-26号",
      ["word_3.jpg"] = "电话：15952301928",
      ["word_4.jpg"] = "实力活力",
      ["word_10.png"] = "PAIN",
    }
    for file, text in pairs(cases) do
      local img = assert(glimpse.image.load(H.image_path("ocr/" .. file)))
      local res = assert(glimpse.ocr(img, { detect = false }))
      assert.are.equal(text, res[1].text, file)
    end
  end)

  describe("with text detection", function()
    it("reads the clean set with character accuracy >= 0.95", function()
      local err_g, len_g, err_x, len_x = 0, 0, 0, 0
      for _, c in ipairs(manifest.clean) do
        local img = load(c.file)
        local res = assert(glimpse.ocr(img))
        local got = joined(res)
        local e, n = score(c.text, got, true)
        err_g, len_g = err_g + e, len_g + n
        e, n = score(c.text, got, false)
        err_x, len_x = err_x + e, len_x + n
        if e > 0 then print(("  clean %s: %q read as %q"):format(c.file, c.text, got)) end
        for _, l in ipairs(res) do
          assert.is_true(l.score >= 0.5 and l.score <= 1)
          assert.is_true(l.box_score >= 0.6 and l.box_score <= 1) -- box_thresh
          for i = 1, 4 do
            assert.is_true(l.box[i][1] >= 0 and l.box[i][1] <= img.width)
            assert.is_true(l.box[i][2] >= 0 and l.box[i][2] <= img.height)
          end
        end
      end
      local glyph, exact = 1 - err_g / len_g, 1 - err_x / len_x
      print(("  clean set: glyph accuracy %.4f, exact %.4f (%d images)"):format(glyph, exact,
        #manifest.clean))
      assert.is_true(glyph >= 0.95, "glyph accuracy " .. glyph)
      assert.is_true(exact >= 0.95, "exact accuracy " .. exact)
    end)

    it("reads single clean lines exactly, with a box around the ink", function()
      for _, i in ipairs { 1, 8, 10, 13 } do
        local c = manifest.clean[i]
        local img = load(c.file)
        local res = assert(glimpse.ocr(img))
        assert.are.equal(1, #res, c.file)
        assert.are.equal(c.text, res[1].text, c.file)
        -- the ink's bounding box is the image less a margin of one font size
        -- on each side; the box must follow it within a quarter of that
        local b, m, tol = res[1].box, c.size, c.size / 4
        local ink = { { m, m }, { img.width - m, m }, { img.width - m, img.height - m },
          { m, img.height - m } }
        for k = 1, 4 do
          for j = 1, 2 do
            assert.is_true(math.abs(b[k][j] - ink[k][j]) <= tol,
              ("%s corner %d: %d vs %d"):format(c.file, k, b[k][j], ink[k][j]))
          end
        end
      end
    end)

    it("gives the lines of a page in reading order", function()
      for _, p in ipairs(manifest.pages) do
        local res = assert(glimpse.ocr(load(p.file)))
        assert.are.equal(#p.lines, #res, p.file)
        for i, truth in ipairs(p.lines) do
          local e, n = score(truth, res[i].text, true)
          assert.is_true(e / n <= 0.1, ("%s line %d: %q read as %q"):format(p.file, i, truth,
            res[i].text))
          if i > 1 then assert.is_true(res[i].box[1][2] > res[i - 1].box[1][2]) end
        end
      end
    end)

    it("turns every line of an upside-down page (angle = true)", function()
      local p = manifest.pages[1]
      local res = assert(glimpse.ocr(load(p.file):rotate(180), { angle = true }))
      assert.are.equal(#p.lines, #res)
      -- upside down, the last line is on top
      for i, l in ipairs(res) do
        assert.are.equal(180, l.angle)
        assert.is_true(l.rotated)
        local truth = p.lines[#p.lines + 1 - i]
        assert.are.equal(nospace(truth), nospace(l.text))
      end
      -- upright, nothing is turned and the lines read the same
      local up = assert(glimpse.ocr(load(p.file), { angle = true }))
      for i, l in ipairs(up) do
        assert.are.equal(0, l.angle)
        assert.is_false(l.rotated)
        assert.are.equal(nospace(p.lines[i]), nospace(l.text))
      end
    end)

    it("reads a page turned a quarter either way (tall boxes, angle = true)", function()
      local p = manifest.pages[1]
      for _, deg in ipairs { 90, -90 } do
        local res = assert(glimpse.ocr(load(p.file):rotate(deg), { angle = true }))
        local got = {}
        for _, l in ipairs(res) do got[nospace(l.text)] = true end
        for _, truth in ipairs(p.lines) do
          assert.is_true(got[nospace(truth)], deg .. ": " .. truth)
        end
      end
    end)

    it("prints the lines from the command line, and JSON with boxes", function()
      local cli = require "glimpse.cli"
      local out = H.tmpname(".txt")
      local file = H.fixture("ocr/" .. manifest.pages[1].file)
      assert.are.equal(0, cli.main({ "ocr", "-q", "--out", out, file }))
      local text = H.read_file(out)
      local want = { file .. " (" }
      for _, l in ipairs(manifest.pages[1].lines) do want[#want + 1] = nospace(l) end
      local got = {}
      for l in text:gmatch("[^\n]+") do got[#got + 1] = nospace(l) end
      assert.are.equal(#want, #got, text)
      for i = 2, #want do assert.are.equal(want[i], got[i]) end
      assert.are.equal(0, cli.main({ "ocr", "-q", "--format", "json", "--out", out, file }))
      local doc = require("cjson").decode(H.read_file(out))
      assert.are.equal(#manifest.pages[1].lines, #doc[1].lines)
      assert.are.equal(4, #doc[1].lines[1].box)
      os.remove(out)
    end)

    it("drops lines under drop_score and finds nothing on a blank image", function()
      local blank = glimpse.image.new(200, 80, 3, 255)
      assert.are.same({}, assert(glimpse.ocr(blank)))
      local res = assert(glimpse.ocr(load(manifest.clean[1].file), { drop_score = 1 }))
      assert.are.same({}, res)
    end)

    it("measures the hard set (rotated, textured, low contrast, small, a page)", function()
      local err_g, len_g, err_x, len_x = 0, 0, 0, 0
      for _, c in ipairs(manifest.hard) do
        local got = joined(assert(glimpse.ocr(load(c.file))))
        local e, n = score(c.text, got, false)
        err_x, len_x = err_x + e, len_x + n
        e, n = score(c.text, got, true)
        err_g, len_g = err_g + e, len_g + n
        print(("  hard %s (%s): %q -> %q, %d errors"):format(c.file, c.note, c.text, got, e))
      end
      local page = manifest.hard_page
      local res = assert(glimpse.ocr(load(page.file)))
      local got = {}
      for i, l in ipairs(res) do got[i] = l.text end
      local e, n = score(table.concat(page.lines, " "), table.concat(got, " "), true)
      print(("  hard page: %d lines read, %d errors in %d characters"):format(#res, e, n))
      err_g, len_g = err_g + e, len_g + n
      local acc = 1 - err_g / len_g
      print(("  hard set: glyph accuracy %.4f (%d lines and a page), exact %.4f on the lines")
        :format(acc, #manifest.hard, 1 - err_x / len_x))
      assert.is_true(acc >= 0.6, "hard-set accuracy " .. acc)
    end)

    it("reads PaddleOCR's sample photos", function()
      if not H.exists(H.image_path("ocr/11.jpg")) then return pending("no shared images") end
      local function all(file)
        local res = assert(glimpse.ocr(assert(glimpse.image.load(H.image_path("ocr/" .. file)))))
        local t = {}
        for i, l in ipairs(res) do t[i] = nospace(l.text) end
        return table.concat(t, "\n"), res
      end
      local text, res = all("11.jpg")
      assert.is_true(#res >= 10, #res)
      for _, want in ipairs { "纯臻营养护发素", "产品信息/参数", "YM-X-3011", "220ml" } do
        assert.is_truthy(text:find(want, 1, true), want .. " not in:\n" .. text)
      end
      assert.are.equal("纯臻营养护发素", nospace(res[1].text)) -- the title comes first
      text, res = all("img_12.jpg")
      assert.are.equal(11, #res, text)
      assert.are.equal("ACKNOWLEDGEMENTS", res[1].text)
      assert.are.equal("thank you for your continuous support.", res[11].text)
      assert.are.equal("production of this book; their contributions", res[4].text)
      text, res = all("12.jpg")
      local want = { "打浦路15号", "绿洲仕格维花园公寓", "打浦路252935号" }
      local at = 1
      for _, l in ipairs(res) do
        if nospace(l.text) == want[at] then at = at + 1 end
        if at > #want then break end
      end
      assert.are.equal(#want + 1, at, text) -- all three, in this order
    end)
  end)
end)
