--- glimpse.classify — image classification with a catalogued (or any
-- single-output) classifier.
-- @module glimpse.tasks.classify
local common = require "glimpse.tasks.common"

local M = {}

local KNOWN = { model = true, labels = true, k = true, threads = true, cache = true,
  entry = true, mean = true, std = true, scale = true, filter = true }

--- Classify an image.
-- @tparam userdata img a glimpse.Image (any format; converted as the model needs)
-- @tparam[opt] table opts
--   `model`: a catalogue name (default "mobilenet_v2"), a path to a model
--   file, or a loaded glimpse.Model;
--   `labels`: path of a label file (one label per line, line i is class
--   id i) or a table of labels, for models the catalogue does not know;
--   `k`: how many classes to return (default 5);
--   `threads`: inference threads (default 1);
--   `cache`: a cache from glimpse.catalog.new_cache, or false (the default
--   cache keeps the 4 most recently used models loaded);
--   `mean`/`std`/`scale`, `filter`: override the preprocessing.
-- @treturn table `{ {label=, index=, score=}, ... }` best first: `index`
--   is the model's 0-based class id, `score` a probability in [0, 1]
--   (softmax is applied when the model's output is not already one)
-- @return or `nil, "classify: ...", code`
-- @raise on a non-image or a bad option
-- @usage
--   for _, c in ipairs(assert(glimpse.classify(img, {k = 3}))) do
--     print(c.index, c.label, c.score)
--   end
function M.classify(img, opts)
  common.check_image("classify", img)
  opts = common.check_opts("classify", opts, KNOWN)
  local r, err, code = common.resolve("classify", opts, "mobilenet_v2", true)
  if not r then return nil, err, code end
  local input, map
  input, map, code = common.prepare("classify", img, r.model, r.entry, opts)
  if not input then return nil, map, code end
  local out
  out, err, code = common.run("classify", r.model, input)
  if not out then return nil, err, code end
  local scores = common.values(out[1])
  if #scores == 0 then return nil, "classify: the model's output is empty", "EFORMAT" end
  local softmax = r.entry and r.entry.output and r.entry.output.softmax
  if softmax == nil then
    -- uncatalogued: scores summing to ~1 in [0, 1] are taken as probabilities
    local sum, ok = 0, true
    for i = 1, #scores do
      local s = scores[i]
      if s < -1e-6 or s > 1 + 1e-6 then ok = false break end
      sum = sum + s
    end
    softmax = ok and math.abs(sum - 1) < 0.05
  end
  if not softmax then scores = common.softmax(scores) end
  local labels = r.labels
  local results = {}
  for i, idx in ipairs(common.topk(scores, opts.k or 5)) do
    local score = common.clamp(scores[idx], 0, 1)
    local label = labels and labels[idx] or tostring(idx - 1)
    results[i] = { label = label, index = idx - 1, score = score }
  end
  return results
end

return M
