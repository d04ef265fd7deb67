-- bench/run.lua — runs every benchmark case and prints its table.
--
--   make bench                      all cases
--   lua5.4 bench/run.lua images     only cases whose name contains "images"
--
-- Each case is a standalone script bench/cases/<name>.lua that measures
-- glimpse and its peers in the same run and prints ratios (bench/README.md).
local filter = arg[1]
local root = "bench/cases"
local p = assert(io.popen("ls " .. root .. "/*.lua 2>/dev/null"))
local cases = {}
for line in p:lines() do cases[#cases + 1] = line end
p:close()
table.sort(cases)

local env = 'LUA_PATH="lua/?.lua;lua/?/init.lua;bench/?.lua;;" LUA_CPATH="build/?.so;;" '
local failed = 0
for _, path in ipairs(cases) do
  local name = path:match("([^/]+)%.lua$")
  if not filter or name:find(filter, 1, true) then
    io.write("\n== ", name, " ==\n")
    io.flush()
    local ok = os.execute(env .. "lua5.4 " .. path)
    if not ok then
      failed = failed + 1
      io.write("!! ", name, " failed\n")
    end
  end
end
os.exit(failed == 0 and 0 or 1)
