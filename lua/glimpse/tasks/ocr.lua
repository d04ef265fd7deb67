--- glimpse.ocr — read the text in an image with PaddleOCR's PP-OCRv4
-- models: find text lines (DB detector), optionally turn upside-down lines
-- (direction classifier), read each line (SVTR recogniser, CTC decoding).
--
--     local glimpse = require "glimpse"
--     local img = assert(glimpse.image.load("receipt.jpg"))
--     for _, line in ipairs(assert(glimpse.ocr(img))) do
--       print(line.text, line.score, line.box[1][1], line.box[1][2])
--     end
--
-- The stages live in glimpse.ocr.detect (resize to multiples of 32, DB
-- post-processing in C), glimpse.ocr.classify (direction),
-- glimpse.ocr.recognize (recognition) with glimpse.ocr.line (text-line
-- tensors) and glimpse.ocr.ctc (greedy CTC decoding), and
-- glimpse.ocr.order (reading order). Parameters and defaults are PaddleOCR's; docs/ocr.md lists them.
-- @module glimpse.tasks.ocr
local catalog = require "glimpse.catalog"
local common = require "glimpse.tasks.common"
local classify = require "glimpse.ocr.classify"
local detect = require "glimpse.ocr.detect"
local order = require "glimpse.ocr.order"
local recognize = require "glimpse.ocr.recognize"

local M = {}

local type, error, pairs, ipairs, tostring, math_type =
  type, error, pairs, ipairs, tostring, math.type

local KNOWN = {
  models = true, detect = true, angle = true, threads = true, cache = true,
  det_limit_side = true, det_thresh = true, box_thresh = true, unclip_ratio = true,
  max_candidates = true, det_score_mode = true, drop_score = true, cls_thresh = true,
}

M.defaults = {
  det_limit_side = 960, det_thresh = 0.3, box_thresh = 0.6, unclip_ratio = 1.5,
  max_candidates = 1000, det_score_mode = "fast", drop_score = 0.5, cls_thresh = 0.9,
}

local function bad(msg) error("bad argument #2 to 'ocr' (" .. msg .. ")", 3) end

local function is_unit(v) return type(v) == "number" and v >= 0 and v <= 1 end

local function check_opts(opts)
  opts = common.check_opts("ocr", opts, KNOWN)
  local function want(key, pred, what)
    local v = opts[key]
    if v ~= nil and not pred(v) then bad("option '" .. key .. "' must be " .. what) end
  end
  want("detect", function(v) return type(v) == "boolean" end, "a boolean")
  want("angle", function(v) return type(v) == "boolean" end, "a boolean")
  want("det_limit_side", function(v) return math_type(v) == "integer" and v >= 32 end,
    "an integer >= 32")
  want("det_thresh", is_unit, "a number in [0, 1]")
  want("box_thresh", is_unit, "a number in [0, 1]")
  want("drop_score", is_unit, "a number in [0, 1]")
  want("cls_thresh", is_unit, "a number in [0, 1]")
  want("unclip_ratio", function(v) return type(v) == "number" and v > 0 and v < 100 end,
    "a positive number")
  want("max_candidates", function(v) return math_type(v) == "integer" and v >= 1 end,
    "a positive integer")
  want("det_score_mode", function(v) return v == "fast" or v == "slow" end, "'fast' or 'slow'")
  local models = opts.models
  if models ~= nil then
    if type(models) ~= "table" then bad("option 'models' must be a table") end
    for k, v in pairs(models) do
      if k ~= "det" and k ~= "rec" and k ~= "cls" and k ~= "keys" then
        bad("unknown model role '" .. tostring(k) .. "' in 'models' (det, rec, cls, keys)")
      end
      if k == "keys" then
        if type(v) ~= "string" and type(v) ~= "table" then
          bad("models.keys must be a character file path or a table of characters")
        end
      elseif type(v) ~= "string" and not catalog.is_model(v) then
        bad("models." .. k .. " must be a catalogue name, a model file path or a glimpse.Model")
      end
    end
  end
  return opts
end

-- Load one of the three models (through the catalogue cache).
local function model_for(opts, role, default)
  local spec = opts.models and opts.models[role] or default
  return common.resolve("ocr", { model = spec, threads = opts.threads, cache = opts.cache },
    default, false)
end

-- The part of the image inside a box, upright (PaddleOCR's
-- get_rotate_crop_image: perspective crop, turned when tall and narrow).
local function crop_box(img, box)
  -- a degenerate quad raises in crop_quad: report it as a failure
  local ok, out, err, code = pcall(img.crop_quad, img, box)
  if not ok then return nil, common.prefixed("ocr", out), "EINVAL" end
  if not out then return nil, common.prefixed("ocr", err), code end
  return out
end

--- Read the text in an image.
-- @tparam userdata img a glimpse.Image (any format)
-- @tparam[opt] table opts
--   `detect` (default true): find text lines first; false reads the whole
--   image as one line (a cropped word or line);
--   `angle` (default false): run the direction classifier on each line and
--   turn lines it finds upside down (probability above `cls_thresh`);
--   `det_limit_side` (960), `det_thresh` (0.3), `box_thresh` (0.6),
--   `unclip_ratio` (1.5), `max_candidates` (1000), `det_score_mode`
--   ("fast"), `drop_score` (0.5: lines read with a lower score are left
--   out), `cls_thresh` (0.9): PaddleOCR's parameters and defaults;
--   `models`: `{det =, rec =, cls =, keys =}` catalogue names, model file
--   paths or loaded glimpse.Models replacing "ppocr_det", "ppocr_rec",
--   "ppocr_cls", and the recogniser's character file (or table);
--   `threads`, `cache`: as for the other tasks.
-- @treturn table lines in reading order: `{ {text =, score =, box =
--   {{x, y}, {x, y}, {x, y}, {x, y}}}, ... }`; `box` is the line's quad in
--   the image's pixels (top-left, top-right, bottom-right, bottom-left) and
--   `score` the mean probability of its characters; `box_score` the
--   detector's mean text probability inside the box; with `angle`, also
--   `angle` (0 or 180, the classifier's answer), `angle_score` and
--   `rotated` (true when the line was turned before reading)
-- @return or `nil, "ocr: ...", code` (a missing model: "EIO")
-- @raise on a non-image or a bad option
-- @usage
--   for _, l in ipairs(assert(glimpse.ocr(img, {angle = true}))) do print(l.text) end
function M.ocr(img, opts)
  common.check_image("ocr", img)
  opts = check_opts(opts)
  local use_det = opts.detect ~= false
  -- an option, else the model's catalogue entry, else PaddleOCR's default
  local function get(k, from)
    if opts[k] ~= nil then return opts[k] end
    if from ~= nil then return from end
    return M.defaults[k]
  end

  local rec, err, code = model_for(opts, "rec", "ppocr_rec")
  if not rec then return nil, err, code end
  local chars
  chars, err, code = recognize.charset(opts.models and opts.models.keys, rec)
  if not chars then return nil, err, code end
  local cls
  if opts.angle then
    cls, err, code = model_for(opts, "cls", "ppocr_cls")
    if not cls then return nil, err, code end
  end

  local items
  if use_det then
    local det
    det, err, code = model_for(opts, "det", "ppocr_det")
    if not det then return nil, err, code end
    local ein = det.entry and det.entry.input or {}
    local eout = det.entry and det.entry.output or {}
    items, err, code = detect.run(det.model, det.entry, img, {
      limit_side = get("det_limit_side", ein.limit_side), thresh = get("det_thresh", eout.thresh),
      box_thresh = get("box_thresh", eout.box_thresh),
      unclip_ratio = get("unclip_ratio", eout.unclip_ratio),
      max_candidates = get("max_candidates", eout.max_candidates),
      score_mode = get("det_score_mode"),
    })
    if not items then return nil, err, code end
    items = order.sort(items)
  else
    local w, h = img.width, img.height
    items = { { box = { { 0, 0 }, { w, 0 }, { w, h }, { 0, h } } } }
  end

  local drop = use_det and get("drop_score") or -1
  local cls_thresh = get("cls_thresh", cls and cls.entry and cls.entry.output and
    cls.entry.output.cls_thresh)
  local crops = {}
  for i, it in ipairs(items) do
    if use_det then
      crops[i], err, code = crop_box(img, it.box)
      if not crops[i] then return nil, err, code end
    else
      crops[i] = img
    end
  end
  local angles, aprobs
  if cls and #crops > 0 then
    angles, aprobs, code = classify.run(cls, crops)
    if not angles then return nil, aprobs, code end
    for i = 1, #crops do
      if angles[i] == 180 and aprobs[i] > cls_thresh then
        local turned = crops[i]:rotate(180)
        if crops[i] ~= img then crops[i]:free() end
        crops[i] = turned
      end
    end
  end
  local texts, scores = {}, {}
  if #crops > 0 then
    texts, scores, code = recognize.run(rec, chars, crops)
    -- crops are pixel copies: free them now rather than at the next GC
    for _, c in ipairs(crops) do
      if c ~= img then c:free() end
    end
    if not texts then return nil, scores, code end
  end
  local lines = {}
  for i, it in ipairs(items) do
    if scores[i] >= drop then
      local line = { text = texts[i], score = scores[i], box = it.box, box_score = it.score }
      if angles then
        line.angle, line.angle_score = angles[i], aprobs[i]
        line.rotated = angles[i] == 180 and aprobs[i] > cls_thresh
      end
      lines[#lines + 1] = line
    end
  end
  return lines
end

--- The lines' texts joined (by "\n"), for callers that want a string.
-- @tparam table lines as returned by ocr
function M.text(lines)
  local t = {}
  for i, l in ipairs(lines) do t[i] = l.text end
  return table.concat(t, "\n")
end

return M
