--- glimpse.ocr.ctc — greedy CTC decoding of a text recogniser's output.
--
-- PaddleOCR's CTCLabelDecode: per time step take the most probable class;
-- drop class 0 (the CTC blank) and any class equal to the previous step's
-- (a repeat); class i >= 1 is character i of the character list (the lines
-- of ppocr_keys_v1.txt, 1-based), and the class after the last line is a
-- space (PaddleOCR's use_space_char). The score is the mean of the kept
-- steps' probabilities (0 when nothing is kept).
-- @module glimpse.ocr.ctc
local M = {}

local type, error, math_type, huge = type, error, math.type, math.huge
local concat = table.concat
local find, byte, unpack = string.find, string.byte, string.unpack

--- The character table for a recogniser: `chars[i]` is the text of class i
-- (i >= 1); class 0 is the blank.
-- @tparam table labels a label list as glimpse.catalog reads it for the
--   ppocr_keys entry (`labels[1]` is the blank's empty label, `labels[i + 1]`
--   class i) or a plain list of characters (`list[i]` is class i)
-- @tparam[opt] boolean blank_first whether `labels[1]` is the blank (true
--   for the catalogue's labels)
-- @tparam[opt] boolean space append the space class (default true)
-- @treturn table chars, with `chars.n` the number of classes including the blank
function M.charset(labels, blank_first, space)
  local chars = {}
  local first = blank_first and 2 or 1
  local n = labels.n or #labels
  for i = first, n do chars[#chars + 1] = labels[i] end
  if space ~= false then chars[#chars + 1] = " " end
  chars.n = #chars + 1
  return chars
end

--- Decode per-step probabilities.
-- @tparam table rows `rows[t][c]` the probability of class c - 1 at step t
--   (a `{T, C}` tensor's totable())
-- @tparam table chars from charset
-- @tparam[opt] integer first, last the steps to decode (default all rows):
--   a batch's rows one line after another
-- @treturn string text
-- @treturn number score, the mean kept probability (0 when empty)
-- @treturn table the kept steps' classes (0-based), for tests and tools
function M.decode(rows, chars, first, last)
  if type(rows) ~= "table" then error("bad argument #1 to 'decode' (table expected)", 2) end
  local out, classes = {}, {}
  local sum, kept, prev = 0, 0, -1
  for t = first or 1, last or #rows do
    local row = rows[t]
    local best, bi = row[1], 1
    for c = 2, #row do
      local v = row[c]
      if v > best then best, bi = v, c end
    end
    local cls = bi - 1
    if cls ~= 0 and cls ~= prev then
      kept = kept + 1
      sum = sum + best
      classes[kept] = cls
      out[kept] = chars[cls] or ""
    end
    prev = cls
  end
  if kept == 0 then return "", 0, classes end
  return concat(out), sum / kept, classes
end

-- Whether tensor bytes are little-endian (the byte search below assumes it).
local LITTLE = string.pack("=f", 1) == string.pack("<f", 1)
M.bytes_supported = LITTLE

--- Per-row argmax of a float32 [N, C] tensor's bytes (t:bytes()), rows
-- first..last (1-based). Exact and much faster than a Lua loop over a
-- totable(): the rows are probabilities (a softmax), so a value of at least
-- 0.5 is the row's maximum, and such a value is found with a plain byte
-- search: a little-endian float in [0.5, 1] ends in the byte 0x3F (its
-- sign and exponent) preceded by a byte <= 0x80. Candidates are checked for
-- alignment and value; a row without one (no class above 0.501) is scanned
-- in full.
-- @treturn table classes (0-based), one per row
-- @treturn table their probabilities
function M.argmax_rows(bytes, classes, first, last)
  if not LITTLE then error("argmax_rows: big-endian floats are not supported", 2) end
  local ids, probs = {}, {}
  local rowbytes = 4 * classes
  for r = first, last do
    local start = (r - 1) * rowbytes + 1
    local stop = start + rowbytes - 1
    local p, bi, best = start + 3, nil, nil
    while true do
      p = find(bytes, "?", p, true) -- "?" is 0x3F
      if not p or p > stop then break end
      if (p - start) % 4 == 3 and byte(bytes, p - 1) <= 0x80 then
        local v = unpack("<f", bytes, p - 3)
        -- a margin above 0.5: two values of ~0.5 from a rounded softmax
        -- could both pass, and the first might not be the larger
        if v >= 0.501 then
          bi, best = (p - start - 3) // 4 + 1, v
          break
        end
      end
      p = p + 1
    end
    if not bi then
      best, bi = -huge, 1
      local pos = start
      for c = 1, classes do
        local v = unpack("<f", bytes, pos)
        if v > best then best, bi = v, c end
        pos = pos + 4
      end
    end
    local k = r - first + 1
    ids[k], probs[k] = bi - 1, best
  end
  return ids, probs
end

--- Whether row `r` of a float32 [N, C] tensor's bytes looks like
-- probabilities (no negative value, sum 1 within 1e-3): argmax_rows needs
-- them (a model ending in logits is decoded from its values instead).
function M.row_is_probability(bytes, classes, r)
  local pos, sum = (r - 1) * 4 * classes + 1, 0
  for _ = 1, classes do
    local v = unpack("<f", bytes, pos)
    if v < 0 then return false end
    sum = sum + v
    pos = pos + 4
  end
  return math.abs(sum - 1) < 1e-3
end

--- Decode rows first..last of a float32 [N, C] probability tensor given as
-- its bytes (the same result as decode on its totable()).
function M.decode_bytes(bytes, classes, chars, first, last)
  local ids, probs = M.argmax_rows(bytes, classes, first, last)
  return M.decode_ids(ids, probs, chars)
end

--- Decode a sequence of class ids (already argmax-ed), with their
-- probabilities (optional).
-- @treturn string text
-- @treturn number score
-- @treturn table the kept classes
function M.decode_ids(ids, probs, chars)
  local out, classes, sum, kept, prev = {}, {}, 0, 0, -1
  for t = 1, #ids do
    local cls = ids[t]
    if math_type(cls) ~= "integer" then error("decode_ids: class ids must be integers", 2) end
    if cls ~= 0 and cls ~= prev then
      kept = kept + 1
      sum = sum + (probs and probs[t] or 1)
      classes[kept] = cls
      out[kept] = chars[cls] or ""
    end
    prev = cls
  end
  if kept == 0 then return "", 0, classes end
  return concat(out), sum / kept, classes
end

return M
