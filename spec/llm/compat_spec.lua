-- The LLM client's pure-Lua parts load and work under Lua 5.1 (the language
-- LuaJIT, hence OpenResty, speaks). Runs only where an interpreter for 5.1
-- (luajit or lua5.1) is installed.
local function find_lua51()
  for _, name in ipairs{ "luajit", "lua5.1" } do
    if os.execute("command -v " .. name .. " >/dev/null 2>&1") then return name end
  end
end

describe("the LLM client under Lua 5.1", function()
  local lua51 = find_lua51()
  if not lua51 then
    pending("neither luajit nor lua5.1 is installed")
    return
  end

  it("estimates, validates, encodes JSON, parses headers and Retry-After", function()
    -- glimpse.core is C built for 5.4: a stub stands in for the parts the
    -- client touches at load time; cjson comes from the 5.1 package if present
    local script = [[
      package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
      package.loaded["glimpse.core"] = { http = {}, _VERSION = "test" }
      if not pcall(require, "cjson.safe") then
        package.loaded["cjson.safe"] = { null = {}, decode = function() return nil, "no cjson" end,
          encode = function() return nil end }
      end
      local llm = require "glimpse.llm"
      local client = require "glimpse.llm.client"
      local c = llm.client{ api_key = false, base_url = "http://127.0.0.1:9/v1" }
      local out = {}
      out[#out + 1] = c:estimate({ width = 1024, height = 1024 }, { detail = "high" })
      out[#out + 1] = c:estimate({ width = 2048, height = 4096 }, { detail = "high", max_side = 4096 })
      local ok = llm.schema.validate({ description = "d", scene = "s", text = {},
        objects = { { name = "cat", count = 2, attributes = {} } } }, llm.schema.description())
      out[#out + 1] = tostring(ok)
      out[#out + 1] = llm.json.encode({ b = llm.json.array(), a = { 1, 2.5, "x\n" } })
      local f = assert(io.open(arg[1], "rb"))
      local w, h = client.header_size(f:read("*a"))
      f:close()
      out[#out + 1] = w .. "x" .. h
      out[#out + 1] = client.parse_retry_after({ ["retry-after"] = "Fri, 02 Jan 2026 03:04:05 GMT" },
        function() return 1767323045 - 7 end)
      io.write(table.concat(out, "|"))
    ]]
    local path = glimpse_spec.tmpname(".lua")
    glimpse_spec.write_file(path, script)
    local p = io.popen(lua51 .. " " .. path .. " " .. glimpse_spec.image_path("cat_720p.jpg") .. " 2>&1")
    local out = p:read("*a")
    p:close()
    os.remove(path)
    assert.equal('765|1105|true|{"a":[1,2.5,"x\\n"],"b":[]}|1280x720|7', out)
  end)
end)
