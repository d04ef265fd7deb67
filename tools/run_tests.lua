-- run_tests.lua — runs the C test binaries and the busted specs, shows their
-- output, and ends with one summary line: "N passed, N failed".
--
--   lua5.4 tools/run_tests.lua [--build DIR] [--lua LUA] [--busted PATH]
--                              [--no-specs] [C test binaries...]
--
-- C tests print TAP-style "ok - name" / "not ok - name" lines (check.h);
-- busted runs with its TAP output. Both are counted the same way.

local build, lua, busted, specs = "build", "lua5.4", "/usr/bin/busted", true
local bins, extra = {}, {}
local i = 1
while i <= #arg do
  local a = arg[i]
  if a == "--build" then build = arg[i + 1]; i = i + 1
  elseif a == "--lua" then lua = arg[i + 1]; i = i + 1
  elseif a == "--busted" then busted = arg[i + 1]; i = i + 1
  elseif a == "--no-specs" then specs = false
  elseif a == "--" then for j = i + 1, #arg do extra[#extra + 1] = arg[j] end; break
  else bins[#bins + 1] = a end
  i = i + 1
end

local passed, failed = 0, 0
local failures = {}

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function run(cmd, label)
  local p = assert(io.popen(cmd .. " 2>&1", "r"))
  local counted, failed_here = 0, 0
  for line in p:lines() do
    io.write(line, "\n")
    if line:match("^ok ") then
      passed = passed + 1; counted = counted + 1
    elseif line:match("^not ok ") then
      failed = failed + 1; counted = counted + 1; failed_here = failed_here + 1
      failures[#failures + 1] = label .. ": " .. line
    end
  end
  local ok, how, code = p:close()
  -- A non-zero exit that the reported cases do not explain (a crash, a
  -- signal, a leak report at exit, a runner that died early) is a failure
  -- of its own.
  if not ok and (how == "signal" or failed_here == 0) then
    failed = failed + 1
    failures[#failures + 1] = string.format("%s: ended by %s %s after %d reported cases",
      label, tostring(how), tostring(code), counted)
  end
end

for _, bin in ipairs(bins) do
  io.write("# ", bin, "\n")
  run(q(bin), bin)
end

if specs then
  local env = string.format(
    "LUA_PATH=%s LUA_CPATH=%s GLIMPSE_BUILD=%s ",
    q("lua/?.lua;lua/?/init.lua;;"), q(build .. "/?.so;;"), q(build))
  local cmd = env .. q(lua) .. " " .. q(busted) .. " --output=TAP"
  for _, e in ipairs(extra) do cmd = cmd .. " " .. q(e) end
  io.write("# busted specs\n")
  run(cmd, "busted")
end

if #failures > 0 then
  io.write("\nFailures:\n")
  for _, f in ipairs(failures) do io.write("  ", f, "\n") end
end
io.write(string.format("%d passed, %d failed\n", passed, failed))
os.exit(failed == 0 and 0 or 1)
