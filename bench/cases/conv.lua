-- bench/cases/conv.lua — convolutions of ResNet-18 and PP-OCRv4 against OpenBLAS.
--
--   lua5.4 bench/run.lua conv
--   GLIMPSE_BENCH_FILTER=det_ lua5.4 bench/cases/conv.lua     only the shapes whose name has "det_"
--
-- Builds bench/kernels/conv.c against build/libglimpse.a and runs it. For each
-- convolution shape (r18_*: ResNet-18 at 224x224; det_*: PP-OCRv4 det at
-- 640x640; rec_*: PP-OCRv4 rec at 48x320) glimpse runs a one-node CONV2D or
-- DEPTHWISE_CONV2D graph (bias + ReLU fused); the peer is OpenBLAS
-- cblas_sgemm on the same im2col GEMM shape (M = OH*OW, N = Cout,
-- K = KH*KW*Cin) with the im2col matrix already built. "vs sgemm" is
-- glimpse time / sgemm time (< 1: glimpse is faster even though it also
-- gathers the input). Depthwise convolutions have no GEMM form: their row
-- shows GFLOP/s only. Times are wall-clock ms, median and minimum of REPS
-- runs after two warm-ups; GFLOP/s from the minimum.
local REPS = tonumber(os.getenv("GLIMPSE_BENCH_REPS") or "") or 10
local THREADS = tonumber(os.getenv("GLIMPSE_BENCH_THREADS") or "") or 2
local FILTER = os.getenv("GLIMPSE_BENCH_FILTER") or ""

local function sh(cmd)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local out = p:read("a")
  local ok = p:close()
  return ok, out
end

local exe = os.tmpname()
local ok, out = sh("cc -O2 -march=native -std=c11 -D_POSIX_C_SOURCE=200809L -Icsrc " ..
  "$(pkg-config --cflags openblas) -o " .. exe .. " bench/kernels/conv.c build/libglimpse.a " ..
  "$(pkg-config --libs libpng libcurl openblas) -ljpeg -lm -lpthread")
if not ok then
  io.write("conv: build failed\n", out)
  os.exit(1)
end
ok, out = sh(exe .. " " .. THREADS .. " " .. REPS .. (FILTER ~= "" and (" '" .. FILTER .. "'") or ""))
os.remove(exe)
if not ok then
  io.write("conv: run failed\n", out)
  os.exit(1)
end

local blas, rows = "?", {}
for line in out:gmatch("[^\n]+") do
  local core = line:match("^blas (%S+)")
  if core then blas = core end
  local name, t, med, min, gf, smin, sgf =
    line:match("^conv (%S+) (%d+) (%S+) (%S+) (%S+) (%S+) (%S+)")
  if name then
    rows[#rows + 1] = { name = name, threads = tonumber(t), med = tonumber(med), min = tonumber(min),
      gf = tonumber(gf), smin = tonumber(smin), sgf = tonumber(sgf) }
  elseif not core and line ~= "" then
    io.write(line, "\n")
  end
end

io.write(string.format("OpenBLAS kernels: %s; %d reps\n", blas, REPS))
io.write(string.format("%-28s %3s %10s %10s %9s %10s %9s\n", "case", "thr", "median ms", "min ms",
  "GFLOP/s", "sgemm GF/s", "vs sgemm"))
local one = {}
for _, r in ipairs(rows) do
  if r.threads == 1 then one[r.name] = r end
  local ratio, sgf = "", ""
  if r.smin > 0 then
    ratio = string.format("%.2fx", r.min / r.smin)
    sgf = string.format("%.1f", r.sgf)
  end
  local scale = ""
  if r.threads > 1 and one[r.name] then
    scale = string.format("  (x%.2f of 1 thread)", one[r.name].min / r.min)
  end
  io.write(string.format("%-28s %3d %10.3f %10.3f %9.1f %10s %9s%s\n", r.name, r.threads, r.med,
    r.min, r.gf, sgf, ratio, scale))
end
