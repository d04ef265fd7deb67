--- glimpse.llm.compat — the few Lua 5.3+ functions the LLM client and the
-- JSON code use, with fallbacks so the same files load under LuaJIT
-- (OpenResty), where numbers are doubles and `utf8` does not exist.
-- @module glimpse.llm.compat
local M = {}

local floor = math.floor

--- math.type, or: "integer" for integral numbers within 2^53, else "float".
M.math_type = math.type or function(v)
  if type(v) ~= "number" then return nil end
  if v == floor(v) and v > -2 ^ 53 and v < 2 ^ 53 then return "integer" end
  return "float"
end

--- math.tointeger, or the number itself when integral.
M.tointeger = math.tointeger or function(v)
  if type(v) == "number" and v == floor(v) and v > -2 ^ 53 and v < 2 ^ 53 then return v end
  return nil
end

--- Number of code points in a valid UTF-8 string, or nil (like utf8.len).
M.utf8_len = (utf8 and utf8.len) or function(s)
  local n, i, len = 0, 1, #s
  while i <= len do
    local b = s:byte(i)
    local extra
    if b < 0x80 then extra = 0
    elseif b >= 0xC2 and b < 0xE0 then extra = 1
    elseif b >= 0xE0 and b < 0xF0 then extra = 2
    elseif b >= 0xF0 and b < 0xF5 then extra = 3
    else return nil end
    for k = 1, extra do
      local c = s:byte(i + k)
      if not c or c < 0x80 or c > 0xBF then return nil end
    end
    i = i + 1 + extra
    n = n + 1
  end
  return n
end

--- Unsigned big-endian integer of `n` bytes at 1-based offset `i`.
function M.be(s, i, n)
  local v = 0
  for k = 0, n - 1 do v = v * 256 + (s:byte(i + k) or 0) end
  return v
end

--- Unsigned little-endian integer of `n` bytes at `i`.
function M.le(s, i, n)
  local v = 0
  for k = n - 1, 0, -1 do v = v * 256 + (s:byte(i + k) or 0) end
  return v
end

--- Signed little-endian 32-bit integer at `i`.
function M.le_i32(s, i)
  local v = M.le(s, i, 4)
  if v >= 2 ^ 31 then v = v - 2 ^ 32 end
  return v
end

return M
