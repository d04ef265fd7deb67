-- bench/cases/kernels.lua — the inference engine's kernels against OpenBLAS.
--
--   lua5.4 bench/run.lua kernels
--
-- Builds bench/kernels/kernels.c against build/libglimpse.a and runs it:
--   sgemm_1024          OpenBLAS cblas_sgemm 1024^3: the peak we compare with
--   sgemm_MxNxK         OpenBLAS on the GEMM shapes of MobileNet v2's 1x1 convs
--   conv1x1_MxNxK       glimpse CONV2D (a one-node graph) on the same shapes,
--                       bias + ReLU6 included; ratio = glimpse time / sgemm time
--   conv3x3s2_...       the MobileNet stem (im2col + packed GEMM)
--   dw3x3s*_HxC         DEPTHWISE_CONV2D, 3x3, ReLU6
-- Times are wall-clock ms (median and minimum of REPS runs after a warm-up),
-- GFLOP/s from the minimum, at 1 and 2 threads. Target for the model level
-- (bench/cases/model.lua): MobileNet v2 at >= 60% of the sgemm_1024 GFLOP/s.
local REPS = tonumber(os.getenv("GLIMPSE_BENCH_REPS") or "") or 30
local THREADS = tonumber(os.getenv("GLIMPSE_BENCH_THREADS") or "") or 2

local function sh(cmd)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local out = p:read("a")
  local ok = p:close()
  return ok, out
end

local exe = os.tmpname()
local ok, out = sh("cc -O2 -march=native -std=c11 -D_POSIX_C_SOURCE=200809L -Icsrc " ..
  "$(pkg-config --cflags openblas) -o " .. exe .. " bench/kernels/kernels.c build/libglimpse.a " ..
  "$(pkg-config --libs libpng libcurl openblas) -ljpeg -lm -lpthread")
if not ok then
  io.write("kernels: build failed\n", out)
  os.exit(1)
end
ok, out = sh(exe .. " " .. THREADS .. " " .. REPS)
os.remove(exe)
if not ok then
  io.write("kernels: run failed\n", out)
  os.exit(1)
end

local rows, blas, peak, sgemm = {}, "?", {}, {}
for line in out:gmatch("[^\n]+") do
  local core = line:match("^blas (%S+)")
  if core then blas = core end
  local name, t, med, min, gf = line:match("^case (%S+) (%d+) (%S+) (%S+) (%S+)")
  if name then
    t = tonumber(t)
    local r = { name = name, threads = t, med = tonumber(med), min = tonumber(min), gf = tonumber(gf) }
    rows[#rows + 1] = r
    if name == "sgemm_1024" then peak[t] = r.gf end
    local shape = name:match("^sgemm_(%d+x%d+x%d+)$")
    if shape then sgemm[t .. shape] = r end
  end
end

io.write(string.format("OpenBLAS kernels: %s\n", blas))
io.write(string.format("%-24s %3s %10s %10s %9s %8s %12s\n", "case", "thr", "median ms", "min ms",
  "GFLOP/s", "%peak", "vs sgemm"))
for _, r in ipairs(rows) do
  local ratio = ""
  local shape = r.name:match("^conv1x1_(%d+x%d+x%d+)$")
  if shape and sgemm[r.threads .. shape] then
    ratio = string.format("%.2fx time", r.min / sgemm[r.threads .. shape].min)
  end
  local pct = peak[r.threads] and string.format("%.0f%%", 100 * r.gf / peak[r.threads]) or ""
  io.write(string.format("%-24s %3d %10.3f %10.3f %9.1f %8s %12s\n", r.name, r.threads, r.med, r.min,
    r.gf, pct, ratio))
end
