--- glimpse.tasks.digits — read one handwritten digit with the LSTM MNIST
-- model: the 28 rows of a 28x28 image are the LSTM's 28 time steps.
-- @module glimpse.tasks.digits
local common = require "glimpse.tasks.common"

local M = {}

local KNOWN = { model = true, threads = true, cache = true, entry = true, invert = true,
  filter = true }

--- Recognise a digit.
-- @tparam userdata img a glimpse.Image of one digit, white on black as in
--   MNIST (any size and format: converted to gray and resized to 28x28)
-- @tparam[opt] table opts `model` (default "lstm_mnist"), `invert` (true
--   for a dark digit on a light background), `threads`, `cache`
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
  if opts.invert then
    src = img.format == "gray" and img:clone() or assert(img:convert("gray"))
    for y = 0, src.height - 1 do
      for x = 0, src.width - 1 do src:set(x, y, 255 - src:get(x, y)) end
    end
  end
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
