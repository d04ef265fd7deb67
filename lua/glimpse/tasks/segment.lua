--- glimpse.segment — semantic segmentation (DeepLab v3 on PASCAL VOC by
-- default).
-- @module glimpse.tasks.segment
local common = require "glimpse.tasks.common"

local M = {}

local KNOWN = { model = true, labels = true, threads = true, cache = true, entry = true,
  mean = true, std = true, scale = true, filter = true }

local floor, min, max = math.floor, math.min, math.max

-- The class-id map of the model's output as a byte string, row-major, and
-- its height and width: either ids already ([1, H, W] from an ARG_MAX) or
-- scores [1, H, W, C] (argmax taken here).
local function class_bytes(out)
  local shape = out.shape
  if #shape == 3 or (#shape == 4 and shape[4] == 1) then
    return out:astype("uint8"):bytes(), shape[2], shape[3]
  elseif #shape == 4 then
    local h, w, c = shape[2], shape[3], shape[4]
    local v = common.values(out)
    local ids, char = {}, string.char
    for p = 0, h * w - 1 do
      local base, best, bi = p * c, -math.huge, 0
      for k = 1, c do
        local s = v[base + k]
        if s > best then best, bi = s, k - 1 end
      end
      ids[p + 1] = char(bi < 256 and bi or 255)
    end
    return table.concat(ids), h, w
  end
  return nil
end

-- A GRAY8 image from rows of bytes.
local function gray_image(w, h, rows)
  return require("glimpse.image").from_bytes(w, h, 1, table.concat(rows))
end

--- Segment an image into classes.
-- @tparam userdata img a glimpse.Image
-- @tparam[opt] table opts `model` (default "deeplab_v3", or a path, or a
--   loaded glimpse.Model), `labels` (label file path or table, for
--   uncatalogued models), `threads`, `cache` (see glimpse.classify)
-- @treturn table `{classes = <1-channel glimpse.Image, same size as img,
--   each pixel a 0-based class id>, labels = {label of class 0, ...},
--   present = { {label=, index=, pixels=, fraction=}, ... }}`; `present`
--   lists every class found, most pixels first; `fraction` is the share of
--   the image (counted at the model's resolution), `pixels` that share of
--   the image's pixel count, rounded
-- @return or `nil, "segment: ...", code`
-- @raise on a non-image or a bad option
-- @usage
--   local seg = assert(glimpse.segment(img))
--   for _, p in ipairs(seg.present) do print(p.label, p.fraction) end
function M.segment(img, opts)
  common.check_image("segment", img)
  opts = common.check_opts("segment", opts, KNOWN)
  local r, err, code = common.resolve("segment", opts, "deeplab_v3", true)
  if not r then return nil, err, code end
  local input, map
  input, map, code = common.prepare("segment", img, r.model, r.entry, opts)
  if not input then return nil, map, code end
  local out
  out, err, code = common.run("segment", r.model, input)
  if not out then return nil, err, code end
  local ids, mh, mw = class_bytes(out[1])
  if not ids then
    return nil, "segment: cannot read a class map from an output of rank " .. #out[1].shape,
      "EUNSUPPORTED"
  end

  -- The part of the model's input that holds the image (a letterbox pads).
  local sw = map.src_width * map.sx * mw / map.width
  local sh = map.src_height * map.sy * mh / map.height
  local x0 = max(0, floor(map.ox * mw / map.width + 0.5))
  local y0 = max(0, floor(map.oy * mh / map.height + 0.5))
  local vw = max(1, min(mw - x0, floor(sw + 0.5)))
  local vh = max(1, min(mh - y0, floor(sh + 0.5)))

  local rows, counts = {}, {}
  local byte = string.byte
  for y = 0, vh - 1 do
    local a = (y0 + y) * mw + x0 + 1
    local row = ids:sub(a, a + vw - 1)
    rows[y + 1] = row
    -- count per row in chunks (string.byte returns at most a few thousand values)
    for c0 = 1, vw, 4096 do
      local vals = { byte(row, c0, min(vw, c0 + 4095)) }
      for i = 1, #vals do
        local id = vals[i]
        counts[id] = (counts[id] or 0) + 1
      end
    end
  end
  local small, classes
  small, err, code = gray_image(vw, vh, rows)
  if not small then return nil, common.prefixed("segment", err), code end
  classes = small
  if vw ~= img.width or vh ~= img.height then
    classes, err, code = small:resize(img.width, img.height, { filter = "nearest" })
    if not classes then return nil, common.prefixed("segment", err), code end
    small:free()
  end

  local labels = r.labels or {}
  local total, area = vw * vh, img.width * img.height
  local present = {}
  for id, n in pairs(counts) do
    local fraction = n / total
    present[#present + 1] = {
      index = id,
      label = labels[id + 1] or tostring(id),
      fraction = fraction,
      pixels = floor(fraction * area + 0.5),
    }
  end
  table.sort(present, function(a, b)
    if a.fraction ~= b.fraction then return a.fraction > b.fraction end
    return a.index < b.index
  end)
  local names = {}
  for i = 1, (labels.n or #labels) do names[i] = labels[i] end
  return { classes = classes, labels = names, present = present }
end

return M
