--- glimpse.ocr.recognize — the text recogniser stage: line images to text
-- (PaddleOCR's TextRecognizer with CTCLabelDecode).
-- @module glimpse.ocr.recognize
local catalog = require "glimpse.catalog"
local common = require "glimpse.tasks.common"
local ctc = require "glimpse.ocr.ctc"
local line = require "glimpse.ocr.line"

local M = {}

local type, ipairs, tostring, math_floor, math_max =
  type, ipairs, tostring, math.floor, math.max

-- Input size when the model comes without a catalogue entry (PaddleOCR's
-- rec_image_shape 3,48,320).
local REC_HEIGHT, REC_MIN_WIDTH = 48, 320

-- PaddleOCR pads a recogniser batch (rec_batch_num 6) to its widest line;
-- here each line is read at its own width, exactly as it would be alone:
-- padding costs model time and CTC decoding time. Lines go in order of
-- width, so the engine re-plans its graph only when the width changes
-- (short lines all share the 320 minimum); batching lines of equal width
-- measured no faster on the 16-line sample photo.
local REC_BATCH = 1

--- The recogniser's characters: `keys` (a character file path or a table),
-- else its catalogue entry's label file.
-- @param keys opts.models.keys or nil
-- @param r the resolved model ({model =, entry =})
-- @return chars (glimpse.ocr.ctc.charset) or nil, message, code
function M.charset(keys, r)
  if type(keys) == "table" then return ctc.charset(keys, false) end
  if type(keys) == "string" then
    local l, err, code = catalog.read_labels(keys)
    if not l then return nil, common.prefixed("ocr", err), code end
    return ctc.charset(l, false)
  end
  local entry = r.entry
  if not entry and type(r.model) == "userdata" then entry = catalog.get("ppocr_rec") end
  if not entry or not entry.labels then
    return nil, "ocr: the recogniser has no character list (pass models.keys)", "EINVAL"
  end
  local l, err, code = catalog.labels(entry)
  if not l then return nil, common.prefixed("ocr", err), code end
  -- the catalogue's offset -1 puts an empty label for the blank first
  local space = not (entry.output and entry.output.space == false)
  return ctc.charset(l, (entry.labels.offset or 0) < 0, space)
end

--- Read line images.
-- @param r the resolved recogniser ({model =, entry =})
-- @param chars from charset
-- @tparam table crops glimpse.Images, one line each
-- @return texts, scores (texts[i], scores[i] for crops[i]) or nil, message, code
function M.run(r, chars, crops)
  local ein = r.entry and r.entry.input or {}
  local height, min_width = ein.height or REC_HEIGHT, ein.min_width or REC_MIN_WIDTH
  -- PaddleOCR's imgW = int(imgH * max_wh_ratio), at least min_width
  local widths = {}
  for i, c in ipairs(crops) do
    widths[i] = math_max(min_width, math_floor(height * c.width / c.height))
  end
  local ord = line.sorted_by(#crops, widths)
  local texts, scores = {}, {}
  local first = 1
  while first <= #ord do
    local width = widths[ord[first]]
    local last = first
    while last < #ord and last - first + 1 < REC_BATCH and widths[ord[last + 1]] == width do
      last = last + 1
    end
    local input, err, code = line.batch(r.entry, crops, ord, first, last, height, width)
    if not input then return nil, err, code end
    local out
    out, err, code = common.run("ocr", r.model, input)
    input:free()
    if not out then return nil, err, code end
    local probs = out[1]
    local shape = probs.shape
    -- [n, T, C]: per step probabilities over blank + characters
    local n, steps, classes = last - first + 1, shape[#shape - 1], shape[#shape]
    if #shape ~= 3 or shape[1] ~= n or classes ~= chars.n then
      for _, t in ipairs(out) do t:free() end
      return nil, "ocr: the recogniser gives " .. tostring(classes) .. " classes but the " ..
        "character list " .. chars.n, "EFORMAT"
    end
    local rows = probs:reshape({ n * steps, classes }):totable()
    for _, t in ipairs(out) do t:free() end
    for j = 0, n - 1 do
      local i = ord[first + j]
      texts[i], scores[i] = ctc.decode(rows, chars, j * steps + 1, (j + 1) * steps)
    end
    first = last + 1
  end
  return texts, scores
end

return M
