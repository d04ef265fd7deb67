-- Find a person's body keypoints and draw them onto a copy of the image.
--
--   eval "$(make -s env)"
--   lua5.4 examples/pose.lua ../shared/images/squat.bmp [out.png]
local glimpse = require "glimpse"

local path, out = arg[1], arg[2]
if not path then
  io.stderr:write("usage: lua5.4 examples/pose.lua IMAGE [OUT.png]\n")
  os.exit(2)
end
local img = assert(glimpse.image.load(path))
local pose = assert(glimpse.pose(img))
print(("mean score %.2f"):format(pose.score))
for _, k in ipairs(pose.keypoints) do
  print(("  %-15s x %6.1f  y %6.1f  score %.2f"):format(k.name, k.x, k.y, k.score))
end

if out then
  -- mark each confident keypoint with a small red square
  local canvas = assert(img:convert("rgb"))
  for _, k in ipairs(pose.keypoints) do
    if k.score > 0.3 then
      for dy = -3, 3 do
        for dx = -3, 3 do
          local x, y = math.floor(k.x + dx + 0.5), math.floor(k.y + dy + 0.5)
          if x >= 0 and y >= 0 and x < canvas.width and y < canvas.height then
            canvas:set(x, y, 255, 0, 0)
          end
        end
      end
    end
  end
  assert(canvas:save(out))
  print("wrote " .. out)
end
