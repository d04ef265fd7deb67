--- glimpse.tasks — the task helpers in one table.
--
-- `glimpse.classify`, `glimpse.segment`, `glimpse.pose` and `glimpse.embed`
-- are the same functions; this module adds the ones without a top-level
-- name: `digits` (the LSTM MNIST reader) and `embed_similarity`.
-- @module glimpse.tasks
local M = {}

local map = {
  classify = { "glimpse.tasks.classify", "classify" },
  segment = { "glimpse.tasks.segment", "segment" },
  pose = { "glimpse.tasks.pose", "pose" },
  embed = { "glimpse.tasks.embed", "embed" },
  embed_similarity = { "glimpse.tasks.embed", "similarity" },
  digits = { "glimpse.tasks.digits", "digits" },
  ocr = { "glimpse.tasks.ocr", "ocr" },
}

return setmetatable(M, {
  __index = function(t, name)
    local m = map[name]
    if not m then return nil end
    local f = require(m[1])[m[2]]
    rawset(t, name, f)
    return f
  end,
})
