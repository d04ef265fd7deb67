--- glimpse.cli — the `glimpse` command.
-- @module glimpse.cli
local M = {}

function M.main(args)
  local glimpse = require "glimpse"
  io.stderr:write("glimpse ", glimpse._VERSION, ": commands are not available yet\n")
  return 2
end

return M
