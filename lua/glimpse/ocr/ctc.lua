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

local type, error, math_type = type, error, math.type
local concat = table.concat

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

--- Each row's best class of a float32 `[..., N, C]` score tensor, found
-- in C (`t:argmax(-1)`): only the winners reach Lua. Scores may be
-- probabilities or logits (the classes are the same; decode_ids' score is
-- only meaningful for probabilities).
-- @tparam glimpse.Tensor t the recogniser's output
-- @treturn table classes (0-based), one per row, rows of all batch items in order
-- @treturn table their scores
function M.best(t)
  local ids, probs = t:argmax(-1)
  for r = 1, #ids do ids[r] = ids[r] - 1 end
  return ids, probs
end

--- Decode rows first..last (default all) of a score tensor: best + decode_ids.
-- @treturn string text
-- @treturn number score
-- @treturn table the kept classes
function M.decode_tensor(t, chars, first, last)
  local ids, probs = M.best(t)
  first, last = first or 1, last or #ids
  return M.decode_ids(table.move(ids, first, last, 1, {}), table.move(probs, first, last, 1, {}),
    chars)
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
