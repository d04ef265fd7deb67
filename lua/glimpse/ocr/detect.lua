--- glimpse.ocr.detect — the DB text detector stage: image to text boxes.
--
-- PaddleOCR's DetResizeForTest (limit type "max") and NormalizeImage, then
-- DBPostProcess (done in C by glimpse.core.imgproc.text_boxes):
--
-- * the longer side is scaled down to at most `limit_side` (never up), then
--   each side is rounded to the nearest multiple of 32 (at least 32);
-- * bilinear resize (OpenCV INTER_LINEAR), BGR channel order, value =
--   (pixel / 255 - mean[c]) / std[c] with ImageNet's mean and std taken in
--   PaddleOCR's order (it reads BGR with OpenCV and normalises that array
--   with the RGB-ordered constants; the model was trained that way);
-- * the probability map is binarised at `thresh`, components become
--   minimum-area rectangles scored by their mean probability, kept when the
--   score reaches `box_thresh`, grown by `unclip_ratio` and scaled back to
--   the input image.
-- @module glimpse.ocr.detect
local core = require "glimpse.core"
local common = require "glimpse.tasks.common"
local line = require "glimpse.ocr.line"

local M = {}

local math_floor, math_max = math.floor, math.max

-- Python's round(): halves go to the even neighbour.
local function round_even(x)
  local f = math_floor(x)
  local d = x - f
  if d > 0.5 then return f + 1 end
  if d < 0.5 then return f end
  return (f % 2 == 0) and f or f + 1
end

--- The detector's input size for a w x h image.
-- @treturn integer width, height (multiples of 32)
-- @treturn number ratio_w, ratio_h (input size / image size)
function M.input_size(w, h, limit_side)
  local ratio = 1
  local long = math_max(w, h)
  if long > limit_side then ratio = limit_side / long end
  local rh = math_floor(h * ratio)
  local rw = math_floor(w * ratio)
  rh = math_max(round_even(rh / 32) * 32, 32)
  rw = math_max(round_even(rw / 32) * 32, 32)
  return rw, rh, rw / w, rh / h
end

local DEFAULT_NORM = { scale = 1 / 255, mean = { 0.485, 0.456, 0.406 }, std = { 0.229, 0.224, 0.225 } }

--- The detector's input tensor for an image.
function M.prepare(img, entry, limit_side)
  local ein = entry and entry.input or {}
  local rw, rh = M.input_size(img.width, img.height, limit_side)
  return line.image_tensor(img, entry, rw, rh, ein.resize or "bilinear", DEFAULT_NORM)
end

--- Find text boxes.
-- @param model the detector (glimpse.Model)
-- @param entry its catalogue entry or nil
-- @param img a glimpse.Image
-- @tparam table p `limit_side`, `thresh`, `box_thresh`, `unclip_ratio`,
--   `max_candidates`, `score_mode`
-- @treturn table `{ {box = {{x,y} x4}, score =}, ... }` in the image's pixels
-- @return or nil, message, code
function M.run(model, entry, img, p)
  local imgproc = core.imgproc
  if not (imgproc and imgproc.text_boxes) then
    return nil, "ocr: text box extraction is not available in this build of glimpse.core",
      "EUNSUPPORTED"
  end
  local input, err, code = M.prepare(img, entry, p.limit_side)
  if not input then return nil, err, code end
  local out
  out, err, code = common.run("ocr", model, input)
  input:free()
  if not out then return nil, err, code end
  local prob = out[1]
  local shape = prob.shape
  if prob.dtype ~= "float32" or #shape < 2 then
    return nil, "ocr: the detector's output is not a float32 probability map", "EFORMAT"
  end
  local ok, boxes = pcall(imgproc.text_boxes, prob, {
    thresh = p.thresh, box_thresh = p.box_thresh, unclip_ratio = p.unclip_ratio,
    max_candidates = p.max_candidates, score_mode = p.score_mode,
  }, img.width, img.height)
  for _, t in ipairs(out) do t:free() end
  if not ok then return nil, common.prefixed("ocr", boxes), "EFORMAT" end
  return boxes
end

return M
