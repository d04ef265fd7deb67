--- glimpse.ocr.line — the input tensor of a text-line model (recogniser,
-- direction classifier), as PaddleOCR's resize_norm_img makes it:
-- resize to the model's height keeping the aspect ratio (width
-- ceil(height * w / h), at most `max_width`), bilinear, BGR, value =
-- (pixel / 255 - 0.5) / 0.5, then pad on the right with zeros (in the
-- normalised values, i.e. mid grey) up to `width`.
-- @module glimpse.ocr.line
local tensor = require "glimpse.tensor"
local common = require "glimpse.tasks.common"

local M = {}

local math_ceil, math_max, math_min, string_rep, concat =
  math.ceil, math.max, math.min, string.rep, table.concat

local DEFAULT_NORM = { scale = 1 / 255, mean = 0.5, std = 0.5 }

--- An image as a float32 1 x 3 x h x w tensor: converted to the entry's
-- colour order (BGR by default), resized to w x h with `filter`, value =
-- (pixel * scale - mean) / std from the entry's `normalize`, else
-- `default_norm`. Intermediate copies are freed.
-- @return tensor or nil, message, code
function M.image_tensor(img, entry, w, h, filter, default_norm)
  local ein = entry and entry.input or {}
  local colour = ein.colour or "bgr"
  local src = img
  if img.format ~= colour then
    local err, code
    src, err, code = img:convert(colour)
    if not src then return nil, common.prefixed("ocr", err), code end
  end
  local sized = src
  if w ~= src.width or h ~= src.height then
    local err, code
    sized, err, code = src:resize(w, h, { filter = filter })
    if not sized then
      if src ~= img then src:free() end
      return nil, common.prefixed("ocr", err), code
    end
  end
  local n = entry and entry.normalize or default_norm
  if not n.mean then n = default_norm end
  local t, err, code = sized:to_tensor({ layout = "nchw", dtype = "float32",
    scale = n.scale or 1 / 255, mean = n.mean, std = n.std })
  -- free the intermediate copies now rather than at the next GC
  if sized ~= img then sized:free() end
  if src ~= img and src ~= sized then src:free() end
  if not t then return nil, common.prefixed("ocr", err), code end
  return t
end

--- Build the tensor.
-- @param img a glimpse.Image (any format)
-- @param entry the model's catalogue entry, or nil
-- @tparam integer height the model's input height (48)
-- @tparam integer width the padded width
-- @tparam integer max_width the widest the content may be resized to
-- @treturn userdata a float32 1 x 3 x height x width tensor
-- @return or nil, message, code
function M.tensor(img, entry, height, width, max_width)
  local ein = entry and entry.input or {}
  local rw = math_min(math_max(math_ceil(height * img.width / img.height), 1), max_width, width)
  -- Enlarging a short crop bilinearly blurs the narrow gaps between
  -- words, and the recogniser then drops the spaces ("KA 05 MH 1234" read
  -- "KA05MH1234" from a 24 px crop); bicubic keeps them. Shrinking uses
  -- the catalogue's filter (PaddleOCR's bilinear).
  local filter = height > img.height and "bicubic" or (ein.resize or "bilinear")
  local t, err, code = M.image_tensor(img, entry, rw, height, filter, DEFAULT_NORM)
  if not t then return nil, err, code end
  if rw == width then return t end
  -- pad each row of each channel plane with zeros
  local bytes = t:bytes()
  t:free()
  local row, pad = rw * 4, string_rep("\0", (width - rw) * 4)
  local parts, k = {}, 0
  for r = 0, 3 * height - 1 do
    parts[k + 1] = bytes:sub(r * row + 1, (r + 1) * row)
    parts[k + 2] = pad
    k = k + 2
  end
  return tensor.from_bytes(concat(parts), { 1, 3, height, width }, "float32")
end

--- A batch tensor [n, 3, height, width] of crops[ord[first]] .. crops[ord[last]],
-- each as `tensor` makes it at that width.
function M.batch(entry, crops, ord, first, last, height, width)
  -- a batch of one is that line's tensor: no second copy through bytes
  if first == last then return M.tensor(crops[ord[first]], entry, height, width, width) end
  local parts = {}
  for k = first, last do
    local t, err, code = M.tensor(crops[ord[k]], entry, height, width, width)
    if not t then return nil, err, code end
    parts[#parts + 1] = t:bytes()
    t:free()
  end
  return tensor.from_bytes(table.concat(parts), { last - first + 1, 3, height, width }, "float32")
end

--- Indices 1..n sorted by key[i] (ties, and a missing key, in index order).
function M.sorted_by(n, key)
  local ord = {}
  for i = 1, n do ord[i] = i end
  table.sort(ord, function(a, b)
    if key[a] ~= key[b] then return key[a] < key[b] end
    return a < b
  end)
  return ord
end

return M
