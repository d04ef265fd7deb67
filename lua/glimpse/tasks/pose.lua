--- glimpse.pose — single-person pose: 17 body keypoints (MoveNet
-- Lightning by default).
-- @module glimpse.tasks.pose
local common = require "glimpse.tasks.common"

local M = {}

local KNOWN = { model = true, threads = true, cache = true, entry = true, filter = true }

-- The COCO keypoint order MoveNet uses, for models the catalogue does not know.
local COCO_KEYPOINTS = {
  "nose", "left_eye", "right_eye", "left_ear", "right_ear",
  "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
  "left_wrist", "right_wrist", "left_hip", "right_hip",
  "left_knee", "right_knee", "left_ankle", "right_ankle",
}
M.keypoint_names = COCO_KEYPOINTS

--- Find the keypoints of the person in an image.
-- @tparam userdata img a glimpse.Image
-- @tparam[opt] table opts `model` (default "movenet_lightning", a path or
--   a loaded glimpse.Model whose output is [1, 1, N, 3] of (y, x, score)
--   in 0..1 of its input), `threads`, `cache` (see glimpse.classify)
-- @treturn table `{keypoints = { {name=, x=, y=, score=}, ... }, score=}`:
--   keypoints in the model's order (nose, left_eye, right_eye, left_ear,
--   right_ear, left_shoulder, ...); x and y in the input image's pixels
--   (0-based, clamped to the image; the letterbox is undone); score in
--   [0, 1]; `score` of the whole is the mean keypoint score
-- @return or `nil, "pose: ...", code`
-- @raise on a non-image or a bad option
-- @usage
--   local p = assert(glimpse.pose(img))
--   for _, k in ipairs(p.keypoints) do print(k.name, k.x, k.y, k.score) end
function M.pose(img, opts)
  common.check_image("pose", img)
  opts = common.check_opts("pose", opts, KNOWN)
  local r, err, code = common.resolve("pose", opts, "movenet_lightning", false)
  if not r then return nil, err, code end
  local input, map
  input, map, code = common.prepare("pose", img, r.model, r.entry, opts)
  if not input then return nil, map, code end
  local out
  out, err, code = common.run("pose", r.model, input)
  if not out then return nil, err, code end
  local v, shape = common.values(out[1])
  local n = #v // 3
  if #v % 3 ~= 0 or n == 0 or shape[#shape] ~= 3 then
    return nil, "pose: expected an output of (y, x, score) triples, got shape " ..
      table.concat(shape, "x"), "EUNSUPPORTED"
  end
  local names = r.entry and r.entry.keypoints or COCO_KEYPOINTS
  local wmax, hmax = img.width - 1, img.height - 1
  local keypoints, sum = {}, 0
  for i = 1, n do
    local ny, nx, s = v[3 * i - 2], v[3 * i - 1], v[3 * i]
    local x, y = common.unmap(map, nx * map.width, ny * map.height)
    s = common.clamp(s, 0, 1)
    keypoints[i] = {
      name = names[i] or ("keypoint_" .. i),
      x = common.clamp(x, 0, wmax),
      y = common.clamp(y, 0, hmax),
      score = s,
    }
    sum = sum + s
  end
  return { keypoints = keypoints, score = sum / n }
end

return M
