--- glimpse.ocr.classify — the text direction stage: is a line image upside
-- down? (PaddleOCR's TextClassifier, labels "0" and "180".)
-- @module glimpse.ocr.classify
local common = require "glimpse.tasks.common"
local line = require "glimpse.ocr.line"

local M = {}

-- Input size when the model comes without a catalogue entry (PaddleOCR's
-- cls_image_shape 3,48,192); every line has this input shape, so lines go
-- in batches of 6, as PaddleOCR's cls_batch_num.
local CLS_HEIGHT, CLS_WIDTH, CLS_BATCH = 48, 192, 6

--- Text direction of line images.
-- @param r the resolved classifier ({model =, entry =})
-- @tparam table crops glimpse.Images, one line each
-- @return angles, probabilities (angles[i] is 0 or 180 for crops[i]) or nil,
--   message, code
function M.run(r, crops)
  local ein = r.entry and r.entry.input or {}
  local height, width = ein.height or CLS_HEIGHT, ein.width or CLS_WIDTH
  local ord = {}
  for i = 1, #crops do ord[i] = i end
  local angles, probs = {}, {}
  for first = 1, #ord, CLS_BATCH do
    local last = math.min(first + CLS_BATCH - 1, #ord)
    local input, err, code = line.batch(r.entry, crops, ord, first, last, height, width)
    if not input then return nil, err, code end
    local out
    out, err, code = common.run("ocr", r.model, input)
    input:free()
    if not out then return nil, err, code end
    local v = common.values(out[1])
    for _, t in ipairs(out) do t:free() end
    local n = last - first + 1
    if #v ~= 2 * n then
      return nil, "ocr: the direction classifier must give 2 scores per line", "EFORMAT"
    end
    for j = 0, n - 1 do
      local p = { v[2 * j + 1], v[2 * j + 2] }
      if p[1] < 0 or p[2] < 0 or math.abs(p[1] + p[2] - 1) > 0.05 then p = common.softmax(p) end
      local i = ord[first + j]
      if p[2] > p[1] then angles[i], probs[i] = 180, p[2] else angles[i], probs[i] = 0, p[1] end
    end
  end
  return angles, probs
end

return M
