-- bench/results.lua — where a bench case records its run: the CPU's name
-- and bench/results/YYYY-MM-DD-<cpu>-<case>.md (the date in UTC).
--
--     local results = require "results"
--     local out, path, cpu = results.open("model")  -- out is nil if unwritable
local M = {}

--- The CPU's model name from /proc/cpuinfo ("cpu" when unknown).
function M.cpu_name()
  local f = io.open("/proc/cpuinfo")
  if not f then return "cpu" end
  for line in f:lines() do
    local name = line:match("^model name%s*:%s*(.+)$")
    if name then
      f:close()
      return name
    end
  end
  f:close()
  return "cpu"
end

--- Open the results file of case `name` for writing.
-- @return file handle (nil when it cannot be created), its path, the CPU name
function M.open(name)
  local cpu = M.cpu_name()
  local slug = cpu:lower():gsub("%(r%)", ""):gsub("%(tm%)", ""):gsub("[^%w]+", "-")
    :gsub("^-+", ""):gsub("-+$", "")
  local path = ("bench/results/%s-%s-%s.md"):format(os.date("!%Y-%m-%d"), slug, name)
  os.execute("mkdir -p bench/results")
  return io.open(path, "w"), path, cpu
end

return M
