-- bench/cases/onnx.lua — ONNX models end to end, glimpse against ONNX Runtime
-- (onnxruntime-node, CPU build, the version pinned in tools/ort/package.json)
-- on the same files and the same inputs, at 1 and 2 threads:
--
--   * mobilenet_v2 and resnet18 from torchvision (random weights, 224x224),
--     exported by tools/fixtures/onnx_torch.py --large into build/onnx-models/
--     (generated here when missing and /usr/bin/python3 has torch);
--   * PaddleOCR PP-OCRv4 det at 640x640 and rec at 48x320 (the shared models),
--     on the synthetic text page of spec/fixtures/onnx/paddle_inputs.lua.
--
--   lua5.4 bench/run.lua onnx
--
-- ONNX Runtime is installed on first use into build/ort (GLIMPSE_ORT_DIR
-- overrides) by tools/ort/install.sh (npm install --ignore-scripts); without
-- npm the ORT column is skipped with a note. Latency is wall time around one
-- run (glimpse: model:run from Lua; ORT: session.run from Node), median and
-- min of REPS runs after 3 warm-ups. Target: glimpse / ORT <= 1.2 for every
-- model and thread count. Results also go to
-- bench/results/YYYY-MM-DD-<cpu>-onnx.md.
local nn = require "glimpse.nn"
local tensor = require "glimpse.tensor"
local clock = require("glimpse.http").clock

local REPS = tonumber(os.getenv("GLIMPSE_BENCH_REPS") or "") or 20
local PY = "/usr/bin/python3"
local shared = os.getenv("GLIMPSE_SHARED") or "../shared"
local ort_dir = os.getenv("GLIMPSE_ORT_DIR") or "build/ort"
local large = "build/onnx-models"
local P = dofile("spec/fixtures/onnx/paddle_inputs.lua")

local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p " .. tmp)

local lines = {}
local function say(fmt, ...)
  local s = fmt:format(...)
  io.write(s, "\n")
  io.flush()
  lines[#lines + 1] = s
end

local function sh(cmd)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local s = p:read("a")
  local ok = p:close()
  return s, ok
end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function write(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end

local function stats(t)
  table.sort(t)
  return t[(#t + 1) // 2], t[1]
end

-- ---- the models ---------------------------------------------------------------
if not exists(large .. "/mobilenet_v2.onnx") or not exists(large .. "/resnet18.onnx") then
  io.write("  generating build/onnx-models (tools/fixtures/onnx_torch.py --large) ...\n")
  local out, ok = sh(PY .. " tools/fixtures/onnx_torch.py --large")
  if not ok then io.write("  (torchvision models not generated: ", out:sub(-300), ")\n") end
end

local models = {
  {name = "mobilenet_v2 224x224", file = large .. "/mobilenet_v2.onnx",
   input = large .. "/mobilenet_v2.input.bin", shape = {1, 3, 224, 224}, iname = "input"},
  {name = "resnet18 224x224", file = large .. "/resnet18.onnx",
   input = large .. "/resnet18.input.bin", shape = {1, 3, 224, 224}, iname = "input"},
  {name = "PP-OCRv4 det 640x640", file = shared .. "/models/onnx/ch_PP-OCRv4_det_infer.onnx",
   kind = "det", shape = {1, 3, 640, 640}, iname = "x"},
  {name = "PP-OCRv4 rec 48x320", file = shared .. "/models/onnx/ch_PP-OCRv4_rec_infer.onnx",
   kind = "rec", shape = {1, 3, 48, 320}, iname = "x"},
}

for i, m in ipairs(models) do
  if m.kind then
    m.input = ("%s/in%d.bin"):format(tmp, i)
    write(m.input, P.synthetic(m.kind, m.shape[4], m.shape[3]))
  end
end

-- ---- ONNX Runtime ---------------------------------------------------------------
local ort_ok, ort_version = false, nil
do
  local out, ok = sh("tools/ort/install.sh " .. ort_dir)
  if ok then
    ort_ok = true
  else
    io.write("  (ONNX Runtime skipped: ", out:gsub("%s+$", ""), ")\n")
  end
end

local function ort_latency(m)
  local job = ('{"model": "%s", "threads": [1, 2], "warmup": 3, "reps": %d, '
               .. '"inputs": [{"name": "%s", "file": "%s", "shape": [%s], "dtype": "float32"}]}')
    :format(m.file, REPS, m.iname, m.input, table.concat(m.shape, ", "))
  write(tmp .. "/job.json", job)
  local out, ok = sh(("ORT_DIR=%q node tools/ort/run.js %q"):format(ort_dir, tmp .. "/job.json"))
  if not ok then
    io.write("  (ORT failed on ", m.name, ": ", out:sub(1, 300), ")\n")
    return nil
  end
  ort_version = ort_version or out:match('"version":"([^"]+)"')
  local r = {}
  for th, med, min in out:gmatch('"threads":(%d+),"median_ms":([%d.e+-]+),"min_ms":([%d.e+-]+)') do
    r[tonumber(th)] = {tonumber(med), tonumber(min)}
  end
  return r
end

-- ---- glimpse ----------------------------------------------------------------------
local function glimpse_latency(m, threads)
  local model, msg = nn.load(m.file, {threads = threads})
  if not model then return nil, msg end
  local x = tensor.from_bytes(read(m.input), m.shape)
  local ok, err = model:run(x)
  if not ok then model:free() return nil, err end
  for _ = 1, 2 do model:run(x) end
  local t = {}
  for i = 1, REPS do
    local t0 = clock()
    model:run(x)
    t[i] = (clock() - t0) * 1000
  end
  local st = model:stats()
  model:free()
  local med, min = stats(t)
  return {med, min, st.flops}
end

-- ---- run ----------------------------------------------------------------------------
local rows = {}
for _, m in ipairs(models) do
  if not exists(m.file) or not exists(m.input) then
    io.write("  (", m.name, " skipped: ", m.file, " missing)\n")
  else
    local row = {m = m, g = {}, gerr = nil}
    for _, th in ipairs{1, 2} do
      local r, err = glimpse_latency(m, th)
      if r then row.g[th] = r else row.gerr = err end
    end
    row.o = ort_ok and ort_latency(m) or nil
    rows[#rows + 1] = row
  end
end

say("%-24s %3s %20s %20s %8s", "model", "thr", "glimpse med (min)", "ORT med (min)", "ratio")
local worst = 0
for _, row in ipairs(rows) do
  for _, th in ipairs{1, 2} do
    local g, o = row.g[th], row.o and row.o[th]
    local gs = g and ("%8.2f (%7.2f)ms"):format(g[1], g[2]) or "      failed        "
    local os_ = o and ("%8.2f (%7.2f)ms"):format(o[1], o[2]) or "         -          "
    local ratio = (g and o) and ("%8.2f"):format(g[1] / o[1]) or "       -"
    if g and o then worst = math.max(worst, g[1] / o[1]) end
    say("%-24s %3d %20s %20s %s", row.m.name, th, gs, os_, ratio)
  end
  if row.gerr then say("  glimpse: %s", tostring(row.gerr)) end
  if row.g[1] and row.g[1][3] then
    say("  %.0f MFLOP per run (graph count): glimpse %.1f GFLOP/s at 1 thread",
        row.g[1][3] / 1e6, row.g[1][3] / row.g[1][1] / 1e6)
  end
end
say("")
say("ratio = glimpse median / ONNX Runtime median (target <= 1.20; < 1 is faster); worst %s",
    worst > 0 and ("%.2f"):format(worst) or "-")
say("per-op time: the engine has no profiling hook (csrc/nn/exec.c), so no breakdown")

local function cpu_name()
  for line in io.lines("/proc/cpuinfo") do
    local v = line:match("^model name%s*:%s*(.+)$")
    if v then return v end
  end
  return "cpu"
end
local cpu = cpu_name()
local slug = cpu:lower():gsub("%(r%)", ""):gsub("%(tm%)", ""):gsub("[^%w]+", "-"):gsub("^-+", ""):gsub("-+$", "")
os.execute("mkdir -p bench/results")
local out = io.open(("bench/results/%s-%s-onnx.md"):format(os.date("!%Y-%m-%d"), slug), "w")
if out then
  out:write("# ONNX benchmark (bench/cases/onnx.lua)\n\n")
  out:write("CPU: ", cpu, "; ONNX Runtime ", ort_version or "not run", " (onnxruntime-node, CPU, ",
            "sequential, all graph optimisations); wall time; median (min) of ", REPS,
            " runs after 3 warm-ups.\n\n```\n")
  out:write(table.concat(lines, "\n"), "\n```\n")
  out:close()
end
os.execute("rm -rf " .. tmp)
