-- model_probe.lua — whether the engine can run a catalogued model yet.
-- The task specs run for real once it can; while glimpse.nn reports an op
-- as "not implemented yet" they are pending, naming that op. Any other
-- failure (missing file, malformed model, a crash) is not hidden.
local catalog = require "glimpse.catalog"

local M = {}

-- nil when the model loads; otherwise the engine's reason.
function M.missing(name)
  local ok, nn = pcall(require, "glimpse.nn")
  if not ok then return "glimpse.nn is not built" end
  local m, err, code = catalog.load(name, { cache = false })
  if m then return nil end
  if code == "EUNSUPPORTED" and tostring(err):find("not implemented yet", 1, true) then
    return err
  end
  return nil -- a real failure: let the spec run and report it
end

-- A describe that turns pending while the model cannot run yet.
function M.describe(describe, pending, title, models, body)
  for _, name in ipairs(models) do
    local why = M.missing(name)
    if why then
      return describe(title, function()
        pending(name .. ": " .. why)
      end)
    end
  end
  return describe(title, body)
end

return M
