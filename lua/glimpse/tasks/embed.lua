--- glimpse.embed — image embeddings for similarity search (the MobileNet v1
-- feature extractor by default: 1024 dimensions).
-- @module glimpse.tasks.embed
local common = require "glimpse.tasks.common"

local M = {}

local KNOWN = { model = true, threads = true, cache = true, entry = true,
  mean = true, std = true, scale = true, filter = true }

local sqrt = math.sqrt

--- The embedding of an image: a plain Lua array of numbers, L2-normalised
-- (its length is 1), so the cosine similarity of two embeddings is their
-- dot product (`glimpse.tasks.embed.similarity`).
-- @tparam userdata img a glimpse.Image
-- @tparam[opt] table opts `model` (default "embedding", a path or a loaded
--   glimpse.Model; its first output, flattened, is the vector), `threads`,
--   `cache` (see glimpse.classify)
-- @treturn table the vector `{v1, v2, ..., vn}` (n = 1024 by default)
-- @return or `nil, "embed: ...", code`
-- @raise on a non-image or a bad option
-- @usage
--   local a, b = assert(glimpse.embed(img1)), assert(glimpse.embed(img2))
--   print(require("glimpse.tasks.embed").similarity(a, b)) -- -1 .. 1
function M.embed(img, opts)
  common.check_image("embed", img)
  opts = common.check_opts("embed", opts, KNOWN)
  local r, err, code = common.resolve("embed", opts, "embedding", false)
  if not r then return nil, err, code end
  local input, map
  input, map, code = common.prepare("embed", img, r.model, r.entry, opts)
  if not input then return nil, map, code end
  local out
  out, err, code = common.run("embed", r.model, input)
  if not out then return nil, err, code end
  local v = common.values(out[1])
  local norm = 0
  for i = 1, #v do norm = norm + v[i] * v[i] end
  norm = sqrt(norm)
  if norm > 0 then
    for i = 1, #v do v[i] = v[i] / norm end
  end
  return v
end

--- Cosine similarity of two embeddings from `embed`: their dot product
-- (both have length 1). 1 for the same image, lower for less alike ones.
-- @raise when the vectors differ in length
function M.similarity(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then
    error("bad argument #" .. (type(a) ~= "table" and 1 or 2) ..
      " to 'similarity' (embedding table expected)", 2)
  end
  if #a ~= #b then
    error("bad argument #2 to 'similarity' (embeddings differ in length: " .. #a .. " and " ..
      #b .. ")", 2)
  end
  local dot = 0
  for i = 1, #a do dot = dot + a[i] * b[i] end
  return dot
end

return M
