--- glimpse.ocr.recognize — the text recogniser stage: line images to text
-- (PaddleOCR's TextRecognizer with CTCLabelDecode).
-- @module glimpse.ocr.recognize
local catalog = require "glimpse.catalog"
local common = require "glimpse.tasks.common"
local ctc = require "glimpse.ocr.ctc"
local line = require "glimpse.ocr.line"

local M = {}

local type, ipairs, tostring, math_floor, math_max, math_min, math_ceil, byte =
  type, ipairs, tostring, math.floor, math.max, math.min, math.ceil, string.byte

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

-- Lines longer than MAX_RATIO times their height are read in pieces: the
-- recogniser's attention grows with the square of the width, and at 48 x
-- 3200 (a ratio of 66) its activations pass the engine's 1 GiB limit. A
-- scanned A4 line at 300 dpi is about 50 times as long as it is high.
M.MAX_RATIO = 40

-- Cut a long line image into pieces of at most about MAX_RATIO, at the
-- columns of least contrast (gaps between words or characters) near the
-- even cut points. Returns the pieces and, per cut, whether the gap is
-- wide enough (a quarter of the height) to be a space between words.
local function split_wide(img, max_ratio)
  local ratio = img.width / img.height
  if ratio <= max_ratio then return { img }, {} end
  local n = math_ceil(ratio / max_ratio)
  -- column contrast (max - min over the rows) on a small gray copy
  local h = math_min(img.height, 16)
  local w = math_max(math_floor(img.width * h / img.height + 0.5), 2 * n)
  local gray = img.format == "gray" and img or img:convert("gray")
  local small = gray:resize(w, h, { filter = "area" })
  local bytes = small:bytes()
  small:free()
  if gray ~= img then gray:free() end
  local lo, hi = {}, {}
  for x = 1, w do lo[x], hi[x] = 255, 0 end
  for y = 0, h - 1 do
    for x = 1, w do
      local v = byte(bytes, y * w + x)
      if v < lo[x] then lo[x] = v end
      if v > hi[x] then hi[x] = v end
    end
  end
  local top = 0
  for x = 1, w do top = math_max(top, hi[x] - lo[x]) end
  local quiet = top / 4
  local cuts, spaces = { 0 }, {}
  local reach = math_floor(w / (8 * n))
  for k = 1, n - 1 do
    local c = math_floor(k * w / n)
    local best, bx = math.huge, c
    for x = math_max(c - reach, 1), math_min(c + reach, w) do
      local d = hi[x] - lo[x]
      if d < best then best, bx = d, x end
    end
    -- the quiet run around the cut
    local a, b = bx, bx
    while a > 1 and hi[a - 1] - lo[a - 1] <= quiet do a = a - 1 end
    while b < w and hi[b + 1] - lo[b + 1] <= quiet do b = b + 1 end
    spaces[k] = best <= quiet and (b - a + 1) >= h / 4
    cuts[#cuts + 1] = bx
  end
  cuts[#cuts + 1] = w
  local pieces = {}
  for k = 1, #cuts - 1 do
    local x0 = math_floor(cuts[k] * img.width / w)
    local x1 = math_floor(cuts[k + 1] * img.width / w)
    pieces[k] = img:crop(x0, 0, math_max(x1 - x0, 1), img.height)
  end
  return pieces, spaces
end
M.split_wide = split_wide

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
-- @tparam table lines glimpse.Images, one line each
-- @return texts, scores (texts[i], scores[i] for lines[i]) or nil, message, code
function M.run(r, chars, lines)
  -- long lines become several pieces: crops[k] is a piece of lines[owner[k]]
  local crops, owner, joins = {}, {}, {}
  for i, img in ipairs(lines) do
    local pieces, spaces = split_wide(img, M.MAX_RATIO)
    for k, p in ipairs(pieces) do
      crops[#crops + 1] = p
      owner[#crops] = i
      joins[#crops] = k > 1 and (spaces[k - 1] and " " or "") or nil
    end
  end
  local ein = r.entry and r.entry.input or {}
  local height, min_width = ein.height or REC_HEIGHT, ein.min_width or REC_MIN_WIDTH
  -- PaddleOCR's imgW = int(imgH * max_wh_ratio), at least min_width
  local widths = {}
  for i, c in ipairs(crops) do
    widths[i] = math_max(min_width, math_floor(height * c.width / c.height))
  end
  local ord = line.sorted_by(#crops, widths)
  local texts, scores, counts = {}, {}, {}
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
    local ids, best = ctc.best(probs)
    for _, t in ipairs(out) do t:free() end
    for j = 0, n - 1 do
      local a, b = j * steps + 1, (j + 1) * steps
      local i = ord[first + j]
      local kept
      texts[i], scores[i], kept = ctc.decode_ids(table.move(ids, a, b, 1, {}),
        table.move(best, a, b, 1, {}), chars)
      counts[i] = #kept
    end
    first = last + 1
  end
  for k, c in ipairs(crops) do
    if c ~= lines[owner[k]] then c:free() end
  end
  if #crops == #lines then return texts, scores end
  -- join the pieces; the score is the mean over all kept characters
  local ltexts, lscores, lcounts = {}, {}, {}
  for k = 1, #crops do
    local i = owner[k]
    local t = texts[k]
    if joins[k] then
      local prev = ltexts[i]
      if joins[k] == " " and prev ~= "" and prev:sub(-1) ~= " " and t:sub(1, 1) ~= " " then
        t = " " .. t
      end
      ltexts[i] = prev .. t
      lscores[i] = lscores[i] + scores[k] * counts[k]
      lcounts[i] = lcounts[i] + counts[k]
    else
      ltexts[i], lscores[i], lcounts[i] = t, scores[k] * counts[k], counts[k]
    end
  end
  for i = 1, #lines do
    lscores[i] = lcounts[i] > 0 and lscores[i] / lcounts[i] or 0
  end
  return ltexts, lscores
end

return M
