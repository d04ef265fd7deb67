--- glimpse — image recognition for Lua.
--
-- `require "glimpse"` gives the whole library. Areas load on first use, so a
-- script that only decodes images never loads the LLM client or the lexicons.
--
--     local glimpse = require "glimpse"
--     local img = assert(glimpse.image.load("photo.jpg", {max_side = 1024}))
--     for _, c in ipairs(assert(glimpse.classify(img))) do
--       print(c.label, c.score)
--     end
--
-- Errors: functions that can fail for reasons outside the caller's control
-- return `nil, message, code` (code is a key of `glimpse.errors`); wrong
-- arguments raise.
-- @module glimpse

local core = require "glimpse.core"

local M = {
  _VERSION = core._VERSION,
  core = core,
  --- Error code names ("EFORMAT", ...) mapped to their descriptions.
  errors = core.errors,
}

-- name -> module path; the module's value becomes M[name].
local lazy_modules = {
  image = "glimpse.image",
  tensor = "glimpse.tensor",
  nn = "glimpse.nn",
  catalog = "glimpse.catalog",
  http = "glimpse.http",
  llm = "glimpse.llm",
  nlp = "glimpse.nlp",
  present = "glimpse.present",
  pipeline = "glimpse.pipeline",
  tasks = "glimpse.tasks",
}

-- name -> {module path, field}; M[name] is that module's function.
local lazy_functions = {
  classify = { "glimpse.tasks.classify", "classify" },
  segment = { "glimpse.tasks.segment", "segment" },
  pose = { "glimpse.tasks.pose", "pose" },
  embed = { "glimpse.tasks.embed", "embed" },
  describe = { "glimpse.describe", "describe" },
  embed_similarity = { "glimpse.tasks.embed", "similarity" },
  digits = { "glimpse.tasks.digits", "digits" },
  ocr = { "glimpse.tasks.ocr", "ocr" },
}

setmetatable(M, {
  __index = function(t, name)
    local value
    local path = lazy_modules[name]
    if path then
      value = require(path)
    else
      local fn = lazy_functions[name]
      if not fn then return nil end
      value = require(fn[1])[fn[2]]
    end
    rawset(t, name, value)
    return value
  end,
})

return M
