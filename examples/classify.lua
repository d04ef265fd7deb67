-- Classify images with a catalogued model.
--
--   eval "$(make -s env)"
--   lua5.4 examples/classify.lua ../shared/images/cat.bmp [more images...]
--   lua5.4 examples/classify.lua --model inat_bird ../shared/images/bird.bmp
local glimpse = require "glimpse"

local model, k, files = "mobilenet_v2", 5, {}
local i = 1
while i <= #arg do
  if arg[i] == "--model" then model = arg[i + 1]; i = i + 1
  elseif arg[i] == "-k" then k = math.tointeger(tonumber(arg[i + 1])); i = i + 1
  else files[#files + 1] = arg[i] end
  i = i + 1
end
if #files == 0 then
  io.stderr:write("usage: lua5.4 examples/classify.lua [--model NAME|PATH] [-k N] IMAGE...\n")
  os.exit(2)
end

for _, path in ipairs(files) do
  local img, err = glimpse.image.load(path)
  if not img then
    io.stderr:write(err, "\n")
  else
    local res, cerr = glimpse.classify(img, { model = model, k = k })
    if not res then
      io.stderr:write(path, ": ", cerr, "\n")
      os.exit(1)
    end
    print(path)
    for _, c in ipairs(res) do
      print(("  %5.1f%%  %4d  %s"):format(c.score * 100, c.index, c.label))
    end
  end
end
