-- check_torch_fixtures.lua — runs every model of the PyTorch-exported ONNX
-- fixtures (tools/fixtures/onnx_torch.py) in ONNX Runtime and prints its
-- largest difference from PyTorch's saved outputs: a check that the exports
-- themselves are faithful, independent of glimpse. Plain Lua, no glimpse.
--
--   tools/ort/install.sh build/ort
--   ORT_DIR=build/ort lua5.4 tools/ort/check_torch_fixtures.lua [manifest-dir ...]
--
-- Default directories: spec/fixtures/onnx and build/onnx-models (when there).
-- Exit status 1 when a difference exceeds the case's tolerance.
local ort_dir = os.getenv("ORT_DIR") or "build/ort"
local dirs = #arg > 0 and arg or {"spec/fixtures/onnx", "build/onnx-models"}

local tmp = os.tmpname()
os.remove(tmp)
assert(os.execute("mkdir -p " .. tmp))

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function floats(bytes)
  local out = {}
  for i = 1, #bytes // 4, 4096 do
    local n = math.min(4096, #bytes // 4 - i + 1)
    local v = {string.unpack("<" .. string.rep("f", n), bytes, (i - 1) * 4 + 1)}
    for k = 1, n do out[i + k - 1] = v[k] end
  end
  return out
end

local bad = 0
for _, dir in ipairs(dirs) do
  if read(dir .. "/manifest.lua") then
    for _, case in ipairs(dofile(dir .. "/manifest.lua")) do
      local ins = {}
      for i, t in ipairs(case.inputs) do
        ins[i] = ('{"name": "%s", "file": "%s/%s", "shape": [%s], "dtype": "%s"}')
          :format(t.name, dir, t.file, table.concat(t.shape, ", "), t.dtype)
      end
      local out_dir = tmp .. "/" .. case.case
      local f = assert(io.open(tmp .. "/job.json", "w"))
      f:write(('{"model": "%s/%s", "threads": [1], "warmup": 0, "reps": 0, "out_dir": "%s", "inputs": [%s]}')
        :format(dir, case.model, out_dir, table.concat(ins, ", ")))
      f:close()
      local p = assert(io.popen(("ORT_DIR=%q node tools/ort/run.js %q 2>&1"):format(ort_dir, tmp .. "/job.json")))
      local report = p:read("a")
      if not p:close() then
        io.write(("%-22s ORT failed: %s\n"):format(case.case, report:sub(1, 200)))
        bad = bad + 1
      else
        local parts = {}
        for _, t in ipairs(case.outputs) do
          local want = floats(assert(read(dir .. "/" .. t.file)))
          local got = floats(assert(read(out_dir .. "/" .. t.name:gsub("[^%w_.-]", "_") .. ".bin")))
          local err, mag = 0, 0
          for i = 1, #want do
            err = math.max(err, math.abs(got[i] - want[i]))
            mag = math.max(mag, math.abs(want[i]))
          end
          local ok = #got == #want and err <= case.tol * math.max(1, mag)
          if not ok then bad = bad + 1 end
          parts[#parts + 1] = ("%s %.2g%s"):format(t.name, err, ok and "" or " (over tolerance)")
        end
        io.write(("%-22s %s\n"):format(case.case, table.concat(parts, ", ")))
      end
    end
  end
end
os.execute("rm -rf " .. tmp)
os.exit(bad == 0 and 0 or 1)
