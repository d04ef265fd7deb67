-- Rank images by similarity to a query image, with embeddings.
--
--   eval "$(make -s env)"
--   lua5.4 examples/similar.lua ../shared/images/cat.bmp ../shared/images/*.bmp ../shared/images/*.jpg
local glimpse = require "glimpse"
local tasks = require "glimpse.tasks"

local query = arg[1]
if not query or #arg < 2 then
  io.stderr:write("usage: lua5.4 examples/similar.lua QUERY IMAGE...\n")
  os.exit(2)
end

local function embedding(path)
  local img, err = glimpse.image.load(path, { max_side = 512 })
  if not img then return nil, err end
  return glimpse.embed(img)
end

local q = assert(embedding(query))
local ranked = {}
for i = 2, #arg do
  local v, err = embedding(arg[i])
  if v then
    ranked[#ranked + 1] = { path = arg[i], sim = tasks.embed_similarity(q, v) }
  else
    io.stderr:write(arg[i], ": ", err, "\n")
  end
end
table.sort(ranked, function(a, b) return a.sim > b.sim end)
for _, r in ipairs(ranked) do print(("%.3f  %s"):format(r.sim, r.path)) end
