--- glimpse.llm.tokens — what an image costs in input tokens, by OpenAI's
-- published rule for GPT-4o-class vision models:
--
-- * `detail = "low"`: a flat 85 tokens;
-- * `detail = "high"`: scale to fit in 2048 x 2048 (only down), then so the
--   shortest side is 768 px (only down); count 512-px tiles; 170 per tile
--   plus 85. 1024x1024 -> 768x768 -> 4 tiles -> 765; 2048x4096 -> 1024x2048
--   -> 768x1536 -> 6 tiles -> 1105.
-- * `detail = "auto"`: the server picks; counted as "high", an upper bound.
--
-- Other providers count differently; this is an estimate for budgeting.
-- @module glimpse.llm.tokens
local M = {}

local floor, ceil, max, min = math.floor, math.ceil, math.max, math.min

M.LOW = 85
M.BASE = 85
M.PER_TILE = 170

--- Size an image is sent at after `max_side` (aspect kept, only shrinks).
-- @treturn integer width, integer height
function M.fit(width, height, max_side)
  if max_side and max(width, height) > max_side then
    local s = max_side / max(width, height)
    return max(1, floor(width * s + 0.5)), max(1, floor(height * s + 0.5))
  end
  return width, height
end

--- Image tokens for an image of `width` x `height` at `detail`.
-- @treturn integer tokens
-- @treturn table `{tiles=, width=, height=}` the size tiles were counted at
function M.image(width, height, detail)
  if detail == "low" then return M.LOW, { tiles = 0, width = width, height = height } end
  local w, h = width, height
  if max(w, h) > 2048 then
    local s = 2048 / max(w, h)
    w, h = floor(w * s), floor(h * s)
  end
  if min(w, h) > 768 then
    local s = 768 / min(w, h)
    w, h = floor(w * s), floor(h * s)
  end
  local tiles = ceil(w / 512) * ceil(h / 512)
  return M.PER_TILE * tiles + M.BASE, { tiles = tiles, width = w, height = h }
end

return M
