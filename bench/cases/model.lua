-- bench/cases/model.lua — end-to-end inference of mobilenet_v2_1.0_224_quant
-- (the TFLite file, dequantized to float32 at load) against the machine's
-- own ceiling and a peer, all measured in this run:
--
--   * OpenBLAS sgemm 1024^3 GFLOP/s at 1 and 2 threads (a tiny C helper
--     compiled here; best over the core types the CPU supports) — the
--     ceiling the engine's GEMMs can reach;
--   * PyTorch (Debian's python3-torch), the same MobileNetV2 architecture
--     in float32 with random weights, at 1 and 2 threads (skipped when
--     torch is missing);
--   * peak RSS (VmHWM) of a fresh process that loads the model and
--     classifies one image.
--
--   lua5.4 bench/run.lua model
--
-- Targets: glimpse GFLOP/s at 1 thread >= 60% of sgemm's; 2 threads >= 1.6x
-- faster than 1; peak RSS < 40 MiB. Latency is wall time (median and min of
-- REPS runs after 3 warm-ups); FLOPs come from the graph (a multiply-add
-- counts 2). Results also go to bench/results/YYYY-MM-DD-<cpu>-model.md.
local glimpse = require "glimpse"
local nn = require "glimpse.nn"
local clock = require("glimpse.http").clock

local REPS = tonumber(os.getenv("GLIMPSE_BENCH_REPS") or "") or 20
local PY = "/usr/bin/python3"
local shared = os.getenv("GLIMPSE_SHARED") or "../shared"
local MODEL = shared .. "/models/tflite/mobilenet_v2_1.0_224_quant.tflite"
local IMAGE = shared .. "/images/cat.bmp"
local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p " .. tmp)

local function sh(cmd)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local s = p:read("a")
  local ok = p:close()
  return s, ok
end

local function stats(t)
  table.sort(t)
  return t[(#t + 1) // 2], t[1]
end

-- ---- OpenBLAS sgemm ceiling --------------------------------------------------
local sgemm_c = [[
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv) {
    int n = 1024, threads = argc > 1 ? atoi(argv[1]) : 1, reps = 10;
    openblas_set_num_threads(threads);
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
    for (int i = 0; i < n * n; i++) { a[i] = (float)(i % 7) * 0.1f; b[i] = (float)(i % 5) * 0.2f; c[i] = 0; }
    double best = 1e9;
    for (int r = 0; r < reps + 2; r++) {
        double t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        double dt = now() - t0;
        if (r >= 2 && dt < best) best = dt;
    }
    printf("%.3f\n", 2.0 * n * n * n / best / 1e9);
    return c[0] == 12345.0f;
}
]]

-- OpenBLAS 0.3.21 (Debian 12) may not know the CPU and fall back to SSE3
-- kernels; the engine then re-selects the AVX2 / AVX-512 kernels itself
-- (nn/threads.c). So the helper is timed with the detected core and with
-- each core type the CPU supports, and the best is the ceiling.
local function cpu_flags()
  for line in io.lines("/proc/cpuinfo") do
    local f = line:match("^flags%s*:%s*(.+)$")
    if f then
      local set = {}
      for w in f:gmatch("%S+") do set[w] = true end
      return set
    end
  end
  return {}
end

local function sgemm_gflops()
  local src = tmp .. "/sgemm.c"
  local f = assert(io.open(src, "w"))
  f:write(sgemm_c)
  f:close()
  local out, ok = sh(("cc -O2 -D_POSIX_C_SOURCE=200809L %s -o %s/sgemm $(pkg-config --cflags --libs openblas)")
                       :format(src, tmp))
  if not ok then
    io.write("  (sgemm helper did not build: ", out, ")\n")
    return nil
  end
  local flags = cpu_flags()
  local cores = { "" }
  if flags.avx2 and flags.fma then cores[#cores + 1] = "Haswell" end
  if flags.avx512f and flags.avx512bw and flags.avx512vl and flags.avx512dq then
    cores[#cores + 1] = "SkylakeX"
  end
  local r = { by_core = {} }
  for _, core in ipairs(cores) do
    local env = core ~= "" and ("OPENBLAS_CORETYPE=" .. core .. " ") or ""
    local row = {}
    for _, th in ipairs{1, 2} do
      row[th] = tonumber((sh(("%s%s/sgemm %d"):format(env, tmp, th)))) or 0
      r[th] = math.max(r[th] or 0, row[th])
    end
    r.by_core[#r.by_core + 1] = { core ~= "" and core or "as detected", row }
  end
  return r
end

-- ---- glimpse ---------------------------------------------------------------
local function glimpse_latency(threads)
  local model = assert(nn.load(MODEL, {threads = threads}))
  local img = assert(glimpse.image.load(IMAGE))
  local x = img:resize(224, 224):to_tensor{layout = "nhwc", dtype = "uint8"}
  for _ = 1, 3 do model:run(x) end
  local t = {}
  for i = 1, REPS do
    local t0 = clock()
    model:run(x)
    t[i] = (clock() - t0) * 1000
  end
  local flops = model:stats().flops
  model:free()
  local med, min = stats(t)
  return med, min, flops
end

-- ---- peak RSS of a classify process -----------------------------------------
local rss_script = [[
local nn = require "glimpse.nn"
local image = require "glimpse.image"
local function status(key)
  for line in io.lines("/proc/self/status") do
    local v = line:match("^" .. key .. ":%s*(%d+)")
    if v then return tonumber(v) end
  end
end
local base = status("VmRSS")
local m = assert(nn.load(arg[1]))
local x = assert(image.load(arg[2])):resize(224, 224):to_tensor{layout = "nhwc", dtype = "uint8"}
local i = m:run(x)[1]:argmax()
print(status("VmHWM"), base, i)
]]

local function peak_rss()
  local f = assert(io.open(tmp .. "/rss.lua", "w"))
  f:write(rss_script)
  f:close()
  local out = sh(('LUA_PATH="lua/?.lua;lua/?/init.lua;;" LUA_CPATH="build/?.so;;" lua5.4 %s/rss.lua %q %q')
                   :format(tmp, MODEL, IMAGE))
  local hwm, base, cls = out:match("(%d+)%s+(%d+)%s+(%d+)")
  if not hwm then
    io.write("  (RSS probe failed: ", out, ")\n")
    return nil
  end
  return tonumber(hwm) / 1024, tonumber(base) / 1024, tonumber(cls)
end

-- ---- PyTorch peer: the same MobileNetV2 architecture, float32 -----------------
local torch_script = [[
import sys, time
import torch
import torch.nn as nn
reps = int(sys.argv[1])

def cbr(i, o, k, s, g=1, act=True):
    layers = [nn.Conv2d(i, o, k, s, k // 2, groups=g, bias=True)]
    if act: layers.append(nn.ReLU6())
    return layers

class Block(nn.Module):
    def __init__(self, i, o, s, t):
        super().__init__()
        h = i * t
        layers = (cbr(i, h, 1, 1) if t != 1 else []) + cbr(h, h, 3, s, g=h) + cbr(h, o, 1, 1, act=False)
        self.body = nn.Sequential(*layers)
        self.res = s == 1 and i == o
    def forward(self, x):
        return x + self.body(x) if self.res else self.body(x)

def mobilenet_v2():
    layers, c = cbr(3, 32, 3, 2), 32
    for t, o, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                       (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for k in range(n):
            layers.append(Block(c, o, s if k == 0 else 1, t)); c = o
    layers += cbr(320, 1280, 1, 1)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1280, 1001))

net = mobilenet_v2().eval()
x = torch.rand(1, 3, 224, 224)
for threads in (1, 2):
    torch.set_num_threads(threads)
    with torch.no_grad():
        for _ in range(3): net(x)
        t = []
        for _ in range(reps):
            t0 = time.perf_counter(); net(x); t.append((time.perf_counter() - t0) * 1000)
    t.sort()
    print("torch %d %.3f %.3f" % (threads, t[(len(t) - 1) // 2], t[0]), flush=True)
]]

local function torch_latency()
  local f = assert(io.open(tmp .. "/peer.py", "w"))
  f:write(torch_script)
  f:close()
  local out = sh(("%s %s/peer.py %d"):format(PY, tmp, REPS))
  local r = {}
  for th, med, min in out:gmatch("torch (%d) ([%d.]+) ([%d.]+)") do
    r[tonumber(th)] = {tonumber(med), tonumber(min)}
  end
  if not r[1] then io.write("  (PyTorch peer skipped: ", out:sub(1, 200), ")\n") end
  return r
end

-- ---- run -------------------------------------------------------------------
local lines = {}
local function say(fmt, ...)
  local s = fmt:format(...)
  io.write(s, "\n")
  lines[#lines + 1] = s
end

local peak = sgemm_gflops() or {}
local g1, g1min, flops = glimpse_latency(1)
local g2, g2min = glimpse_latency(2)
local torch = torch_latency()
local hwm, base, cls = peak_rss()

local gf1, gf2 = flops / g1 / 1e6, flops / g2 / 1e6
say("mobilenet_v2_1.0_224_quant: %.1f MFLOP per run (graph count)", flops / 1e6)
say("%-40s %10s %10s %10s", "case", "median", "min", "GFLOP/s")
say("%-40s %8.2fms %8.2fms %10.1f", "glimpse 1 thread", g1, g1min, gf1)
say("%-40s %8.2fms %8.2fms %10.1f", "glimpse 2 threads", g2, g2min, gf2)
for th = 1, 2 do
  if torch[th] then
    say("%-40s %8.2fms %8.2fms %10.1f", ("pytorch %d thread%s (same arch, fp32)"):format(th, th > 1 and "s" or ""),
        torch[th][1], torch[th][2], flops / torch[th][1] / 1e6)
  end
end
for _, c in ipairs(peak.by_core or {}) do
  for th = 1, 2 do
    say("%-40s %32.1f", ("openblas sgemm 1024^3 %s, %d t"):format(c[1], th), c[2][th])
  end
end
say("")
say("ratios (target):")
if peak[1] then say("  glimpse / sgemm peak, 1 thread    %6.2f  (>= 0.60)", gf1 / peak[1]) end
if peak[2] then say("  glimpse / sgemm peak, 2 threads   %6.2f", gf2 / peak[2]) end
say("  speed-up 2 threads / 1 thread     %6.2f  (>= 1.60)", g1 / g2)
for th = 1, 2 do
  if torch[th] then say("  glimpse time / pytorch time, %d t  %6.2f  (< 1 is faster)", th, (th == 1 and g1 or g2) / torch[th][1]) end
end
if hwm then
  say("  peak RSS load + classify          %6.1f MiB (< 40; interpreter + module alone %.1f MiB; class %d)", hwm, base, cls)
end

local out, _, cpu = require("results").open("model")
if out then
  out:write("# model benchmark (bench/cases/model.lua)\n\n")
  out:write("CPU: ", cpu, "; wall time; median (min) of ", REPS, " runs after 3 warm-ups.\n\n```\n")
  out:write(table.concat(lines, "\n"), "\n```\n")
  out:close()
end
os.execute("rm -rf " .. tmp)
