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
-- min of REPS runs after 3 warm-ups, taken in 4 interleaved rounds (glimpse
-- 1 thread, ORT 1 thread, glimpse 2 threads, ORT 2 threads, repeated) so
-- that both see the same machine load. Target: glimpse / ORT <= 1.2 for every
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

-- ONNX Runtime runs in one Node process per model (tools/ort/run.js --serve),
-- answering "run <threads> <reps>" on a FIFO, so its runs interleave with
-- glimpse's: on a shared machine both sides then see the same load.
local function ort_server(m)
  local job = ('{"model": "%s", "threads": [1, 2], "warmup": 3, '
               .. '"inputs": [{"name": "%s", "file": "%s", "shape": [%s], "dtype": "float32"}]}')
    :format(m.file, m.iname, m.input, table.concat(m.shape, ", "))
  write(tmp .. "/job.json", job)
  local fifo = tmp .. "/ort.out"
  os.remove(fifo)
  if not os.execute("mkfifo " .. fifo) then return nil, "mkfifo failed" end
  local cmd = assert(io.popen(("ORT_DIR=%q node tools/ort/run.js --serve %q > %q 2> %q")
    :format(ort_dir, tmp .. "/job.json", fifo, tmp .. "/ort.err"), "w"))
  local resp = assert(io.open(fifo, "r"))
  local ready = resp:read("l")
  if not ready or not ready:find('"ready":true', 1, true) then
    cmd:close()
    resp:close()
    local f = io.open(tmp .. "/ort.err")
    return nil, f and f:read("a"):sub(1, 300) or "no answer"
  end
  ort_version = ort_version or ready:match('"version":"([^"]+)"')
  local srv = {}
  function srv.run(threads, reps)
    cmd:write(("run %d %d\n"):format(threads, reps))
    cmd:flush()
    local line = resp:read("l") or ""
    local list = line:match('"times_ms":%[([^%]]*)%]')
    if not list then return nil end
    local t = {}
    for v in list:gmatch("[^,]+") do t[#t + 1] = tonumber(v) end
    return t
  end
  function srv.close()
    cmd:write("quit\n")
    cmd:close()
    resp:close()
  end
  return srv
end

-- ---- glimpse ----------------------------------------------------------------------
local function glimpse_model(m, threads)
  local model, msg = nn.load(m.file, {threads = threads})
  if not model then return nil, msg end
  local x = tensor.from_bytes(read(m.input), m.shape)
  local ok, err = model:run(x)
  if not ok then model:free() return nil, err end
  for _ = 1, 2 do model:run(x) end
  return {model = model, x = x}
end

local function glimpse_runs(g, reps, into)
  for _ = 1, reps do
    local t0 = clock()
    g.model:run(g.x)
    into[#into + 1] = (clock() - t0) * 1000
  end
end

-- ---- run ----------------------------------------------------------------------------
local load_before
do
  local f = io.open("/proc/loadavg")
  load_before = f and f:read("l"):match("^(%S+ %S+ %S+)") or "?"
  if f then f:close() end
end
local ROUNDS = 4
local per = math.max(1, REPS // ROUNDS)
local rows = {}
for _, m in ipairs(models) do
  if not exists(m.file) or not exists(m.input) then
    io.write("  (", m.name, " skipped: ", m.file, " missing)\n")
  else
    local row = {m = m, g = {}, o = {}, gt = {{}, {}}, ot = {{}, {}}}
    local gm = {}
    for _, th in ipairs{1, 2} do
      local g, err = glimpse_model(m, th)
      gm[th] = g
      if not g then row.gerr = err end
    end
    local srv, serr
    if ort_ok then
      srv, serr = ort_server(m)
      if not srv then io.write("  (ORT failed on ", m.name, ": ", tostring(serr), ")\n") end
    end
    -- a pause between the two sides: a thread pool that spin-waits after
    -- its last run (ONNX Runtime's does for a while) would otherwise take a
    -- core from the other side's first runs
    local function pause() os.execute("sleep 0.2") end
    for _ = 1, ROUNDS do
      for _, th in ipairs{1, 2} do
        if gm[th] then glimpse_runs(gm[th], per, row.gt[th]) end
        pause()
        if srv then
          for _, v in ipairs(srv.run(th, per) or {}) do table.insert(row.ot[th], v) end
        end
        pause()
      end
    end
    if srv then srv.close() end
    for _, th in ipairs{1, 2} do
      if gm[th] then
        local med, min = stats(row.gt[th])
        row.g[th] = {med, min, gm[th].model:stats().flops}
        gm[th].model:free()
      end
      if #row.ot[th] > 0 then row.o[th] = {stats(row.ot[th])} end
    end
    rows[#rows + 1] = row
    collectgarbage()
  end
end

local function loadavg()
  local f = io.open("/proc/loadavg")
  if not f then return "?" end
  local s = f:read("l")
  f:close()
  return s:match("^(%S+ %S+ %S+)") or "?"
end
say("load average before: %s, after: %s (2 cores; above ~1 the times are noisy)", load_before, loadavg())
say("%-24s %3s %20s %20s %8s %8s", "model", "thr", "glimpse med (min)", "ORT med (min)", "ratio", "min/min")
local worst = 0
for _, row in ipairs(rows) do
  for _, th in ipairs{1, 2} do
    local g, o = row.g[th], row.o and row.o[th]
    local gs = g and ("%8.2f (%7.2f)ms"):format(g[1], g[2]) or "      failed        "
    local os_ = o and ("%8.2f (%7.2f)ms"):format(o[1], o[2]) or "         -          "
    local ratio = (g and o) and ("%8.2f %8.2f"):format(g[1] / o[1], g[2] / o[2]) or "       -        -"
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
say("per-op time: the engine has no profiling hook in a run (csrc/nn/exec.c); glimpse's per-node times")
say("come from the separate tool bench/kernels/profile.c (bench/results/*-onnx-profile.md).")
say("ONNX Runtime's own profile at 1 thread (a separate profiled session, 10 runs; ms per run by op type):")

local function ort_profile(m)
  local job = ('{"model": "%s", "threads": [1], "warmup": 3, "reps": 10, "profile": true, '
               .. '"inputs": [{"name": "%s", "file": "%s", "shape": [%s], "dtype": "float32"}]}')
    :format(m.file, m.iname, m.input, table.concat(m.shape, ", "))
  write(tmp .. "/prof.json", job)
  local out, ok = sh(("ORT_DIR=%q node tools/ort/run.js %q"):format(ort_dir, tmp .. "/prof.json"))
  local body = ok and out:match('"profile":{([^}]*)}')
  if not body then return nil end
  local ops = {}
  for op, ms in body:gmatch('"([^"]+)":([%d.e+-]+)') do ops[#ops + 1] = {op, tonumber(ms)} end
  table.sort(ops, function(a, b) return a[2] > b[2] end)
  return ops
end

if ort_ok then
  for _, row in ipairs(rows) do
    local ops = ort_profile(row.m)
    if ops then
      local parts, total = {}, 0
      for _, e in ipairs(ops) do total = total + e[2] end
      for i = 1, math.min(6, #ops) do parts[i] = ("%s %.2f"):format(ops[i][1], ops[i][2]) end
      say("  %-24s %7.2f ms: %s", row.m.name, total, table.concat(parts, ", "))
    end
  end
end

local out, _, cpu = require("results").open("onnx")
if out then
  out:write("# ONNX benchmark (bench/cases/onnx.lua)\n\n")
  out:write("CPU: ", cpu, "; ONNX Runtime ", ort_version or "not run", " (onnxruntime-node, CPU, ",
            "sequential, all graph optimisations); wall time; median (min) of ", REPS,
            " runs after 3 warm-ups, in 4 interleaved rounds.\n\n```\n")
  out:write(table.concat(lines, "\n"), "\n```\n")
  out:close()
end
os.execute("rm -rf " .. tmp)
