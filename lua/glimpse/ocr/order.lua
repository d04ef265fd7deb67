--- glimpse.ocr.order — reading order of text boxes: top to bottom, then
-- left to right within a line.
--
-- PaddleOCR sorts by the top-left corner and swaps neighbours whose tops are
-- within 10 px; that breaks on large text (a 10 px wobble is nothing at
-- 80 px) and on tiny text (two lines 10 px apart merge). Here two boxes are
-- on one line when they overlap vertically by at least half the height of
-- the shorter one, which scales with the text.
-- @module glimpse.ocr.order
local M = {}

local math_min, math_max, sort = math.min, math.max, table.sort

local function extent(box)
  local top, bottom, left = math.huge, -math.huge, math.huge
  for i = 1, 4 do
    local p = box[i]
    top = math_min(top, p[2])
    bottom = math_max(bottom, p[2])
    left = math_min(left, p[1])
  end
  return top, bottom, left
end

--- Sort items in reading order.
-- @tparam table items a list of tables with a `box` field (4 {x, y} points)
-- @treturn table a new list: the same items, in reading order
-- @treturn table lines: lists of indices into the returned list, one per line
function M.sort(items)
  local info = {}
  for i, it in ipairs(items) do
    local top, bottom, left = extent(it.box)
    info[i] = { item = it, top = top, bottom = bottom, left = left,
      cy = (top + bottom) / 2, idx = i }
  end
  sort(info, function(a, b)
    if a.cy ~= b.cy then return a.cy < b.cy end
    if a.left ~= b.left then return a.left < b.left end
    return a.idx < b.idx
  end)
  local lines = {}
  local cur, ctop, cbottom
  for _, b in ipairs(info) do
    local joined = false
    if cur then
      local overlap = math_min(cbottom, b.bottom) - math_max(ctop, b.top)
      local h = math_min(cbottom - ctop, b.bottom - b.top)
      if overlap >= 0.5 * h then
        cur[#cur + 1] = b
        joined = true
      end
    end
    if not joined then
      cur = { b }
      lines[#lines + 1] = cur
      ctop, cbottom = b.top, b.bottom
    end
  end
  local out, line_idx = {}, {}
  for li, line in ipairs(lines) do
    sort(line, function(a, b)
      if a.left ~= b.left then return a.left < b.left end
      return a.idx < b.idx
    end)
    local idx = {}
    for _, b in ipairs(line) do
      out[#out + 1] = b.item
      idx[#idx + 1] = #out
    end
    line_idx[li] = idx
  end
  return out, line_idx
end

return M
