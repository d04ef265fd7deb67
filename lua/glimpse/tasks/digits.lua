--- glimpse.tasks.digits — read one handwritten digit with the LSTM MNIST
-- model: the 28 rows of a 28x28 image are the LSTM's 28 time steps.
-- @module glimpse.tasks.digits
local common = require "glimpse.tasks.common"

local M = {}

local KNOWN = { model = true, threads = true, cache = true, entry = true, invert = true,
  filter = true, center = true }

local floor, max, min = math.floor, math.max, math.min

-- MNIST's own normalisation: the digit's bounding box scaled to fit 20x20,
-- placed in a 28x28 black square with its centre of mass at the centre.
-- `gray` is white on black. Returns a 28x28 gray image.
local function mnist_normalise(gray)
  local image = require "glimpse.image"
  -- work on at most 112 px: the result is 20 px across anyway
  local long = max(gray.width, gray.height)
  if long > 112 then
    local s = 112 / long
    gray = assert(gray:resize(max(1, floor(gray.width * s + 0.5)),
      max(1, floor(gray.height * s + 0.5)), { filter = "area" }))
  end
  local w, h = gray.width, gray.height
  local x0, y0, x1, y1 = w, h, -1, -1
  for y = 0, h - 1 do
    for x = 0, w - 1 do
      if gray:get(x, y) > 50 then
        if x < x0 then x0 = x end
        if x > x1 then x1 = x end
        if y < y0 then y0 = y end
        if y > y1 then y1 = y end
      end
    end
  end
  if x1 < 0 then return nil end -- blank: nothing to centre
  local bw, bh = x1 - x0 + 1, y1 - y0 + 1
  local digit = assert(gray:crop(x0, y0, bw, bh))
  local s = 20 / max(bw, bh)
  local dw, dh = max(1, floor(bw * s + 0.5)), max(1, floor(bh * s + 0.5))
  digit = assert(digit:resize(dw, dh, { filter = s < 1 and "area" or "bilinear" }))
  local mass, mx, my = 0, 0, 0
  for y = 0, dh - 1 do
    for x = 0, dw - 1 do
      local v = digit:get(x, y)
      mass, mx, my = mass + v, mx + v * x, my + v * y
    end
  end
  local cx, cy = (dw - 1) / 2, (dh - 1) / 2
  if mass > 0 then cx, cy = mx / mass, my / mass end
  local ox = min(28 - dw, max(0, floor(13.5 - cx + 0.5)))
  local oy = min(28 - dh, max(0, floor(13.5 - cy + 0.5)))
  local out = image.new(28, 28, 1)
  for y = 0, dh - 1 do
    for x = 0, dw - 1 do out:set(ox + x, oy + y, digit:get(x, y)) end
  end
  return out
end
M.mnist_normalise = mnist_normalise

--- Recognise a digit.
-- @tparam userdata img a glimpse.Image of one digit, white on black as in
--   MNIST (any size and format: converted to gray)
-- @tparam[opt] table opts `model` (default "lstm_mnist"), `invert` (true
--   for a dark digit on a light background), `center` (normalise as MNIST
--   did: the digit's bounding box scaled into 20x20 and centred by mass in
--   28x28; default true unless the image is already 28x28), `threads`,
--   `cache`
-- @treturn integer the digit 0..9
-- @treturn number its probability
-- @treturn table the ten probabilities, `[d + 1]` for digit d
-- @return or `nil, "digits: ...", code`
-- @raise on a non-image or a bad option
-- @usage
--   local d, p = assert(require("glimpse.tasks").digits(img))
function M.digits(img, opts)
  common.check_image("digits", img)
  opts = common.check_opts("digits", opts, KNOWN)
  local r, err, code = common.resolve("digits", opts, "lstm_mnist", false)
  if not r then return nil, err, code end
  local src = img
  local center = opts.center
  if center == nil then center = img.width ~= 28 or img.height ~= 28 end
  if opts.invert or center then
    src = img.format == "gray" and img:clone() or assert(img:convert("gray"))
  end
  if opts.invert then
    for y = 0, src.height - 1 do
      for x = 0, src.width - 1 do src:set(x, y, 255 - src:get(x, y)) end
    end
  end
  if center then src = mnist_normalise(src) or src end
  local input, map
  input, map, code = common.prepare("digits", src, r.model, r.entry, opts)
  if not input then return nil, map, code end
  local out
  out, err, code = common.run("digits", r.model, input)
  if not out then return nil, err, code end
  local p = common.values(out[1])
  if #p ~= 10 then
    return nil, "digits: expected 10 scores, got " .. #p, "EUNSUPPORTED"
  end
  local softmax = r.entry == nil or (r.entry.output and r.entry.output.softmax)
  if not softmax then p = common.softmax(p) end
  local best = common.topk(p, 1)[1]
  return best - 1, p[best], p
end

return M
