-- helpers.lua — loaded by busted before every spec file (see .busted).
-- Paths of the shared real models and images, and small utilities.
local M = {}

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

M.exists = exists
M.root = os.getenv("GLIMPSE_ROOT") or "."
M.shared = os.getenv("GLIMPSE_SHARED") or (M.root .. "/../shared")
M.images = M.shared .. "/images"
M.models = M.shared .. "/models"
M.fixtures = M.root .. "/spec/fixtures"
M.build = os.getenv("GLIMPSE_BUILD") or "build"

function M.image_path(name) return M.images .. "/" .. name end
function M.model_path(rel) return M.models .. "/" .. rel end
function M.fixture(name) return M.fixtures .. "/" .. name end

function M.read_file(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

function M.write_file(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end

function M.tmpname(suffix)
  local n = os.tmpname()
  os.remove(n)
  return n .. (suffix or "")
end

package.loaded["spec.helpers"] = M
_G.glimpse_spec = M
return M
