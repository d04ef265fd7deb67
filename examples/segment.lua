-- Segment an image into PASCAL VOC classes; optionally save a colour mask.
--
--   eval "$(make -s env)"
--   lua5.4 examples/segment.lua ../shared/images/dog_segmentation.bmp [mask.png]
local glimpse = require "glimpse"

local path, out = arg[1], arg[2]
if not path then
  io.stderr:write("usage: lua5.4 examples/segment.lua IMAGE [MASK.png]\n")
  os.exit(2)
end
local img = assert(glimpse.image.load(path))
local seg = assert(glimpse.segment(img))
for _, p in ipairs(seg.present) do
  print(("  %-12s %5.1f%%  %d px"):format(p.label, p.fraction * 100, p.pixels))
end

if out then
  -- a fixed colour per class id, blended over the photo
  local function colour(id)
    if id == 0 then return nil end
    return (id * 97) % 256, (id * 57 + 80) % 256, (id * 151 + 160) % 256
  end
  local canvas = assert(img:convert("rgb"))
  for y = 0, img.height - 1 do
    for x = 0, img.width - 1 do
      local r, g, b = colour(seg.classes:get(x, y))
      if r then
        local pr, pg, pb = canvas:get(x, y)
        canvas:set(x, y, (pr + r) // 2, (pg + g) // 2, (pb + b) // 2)
      end
    end
  end
  assert(canvas:save(out))
  print("wrote " .. out)
end
