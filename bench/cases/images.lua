-- bench/cases/images.lua — image decode, resize and model-input preparation,
-- glimpse against OpenCV (one thread) and Pillow, on the shared photographs.
--
--   lua5.4 bench/run.lua images
--
-- Cases (targets are glimpse / best peer):
--   decode_jpeg_1080p   decode ../shared/images/cat_1080p.jpg                  <= 1.05
--   resize_bilinear     decoded 1920x1080 -> 224x224, bilinear                 <= 1.0
--   resize_area         decoded 1920x1080 -> 224x224, area / box (antialiased) <= 0.5
--   jpeg_to_tensor      JPEG file -> normalised 1x3x224x224 float tensor,      <= 0.8
--                       each at its best: OpenCV IMREAD_REDUCED_COLOR_4,
--                       Pillow draft(), glimpse load{max_side = 480}
--   decode_png_1mp      a 1-megapixel PNG made here from the 1080p photo       <= 1.0
-- Times are process CPU time (os.clock / time.process_time), single thread,
-- median and minimum of REPS runs after a warm-up, the best of ROUNDS
-- alternating rounds (GLIMPSE_BENCH_REPS, GLIMPSE_BENCH_ROUNDS). The results also go to
-- bench/results/YYYY-MM-DD-<cpu>-images.md.
local glimpse = require "glimpse"

local REPS = tonumber(os.getenv("GLIMPSE_BENCH_REPS") or "") or 25
-- Peers and glimpse alternate ROUNDS times; each keeps its best median, so
-- a burst of load from other processes does not decide a ratio.
local ROUNDS = tonumber(os.getenv("GLIMPSE_BENCH_ROUNDS") or "") or 3
local PY = "/usr/bin/python3"
local shared = os.getenv("GLIMPSE_SHARED") or "../shared"
local jpg = shared .. "/images/cat_1080p.jpg"
local png = os.tmpname() .. ".png"

local MEAN = { 0.485, 0.456, 0.406 }
local STD = { 0.229, 0.224, 0.225 }

local function measure(fn)
  for _ = 1, 2 do fn() end
  local t = {}
  for i = 1, REPS do
    local c0 = os.clock()
    fn()
    t[i] = (os.clock() - c0) * 1000
    if i % 5 == 0 then collectgarbage() end
  end
  table.sort(t)
  return t[(#t + 1) // 2], t[1]
end

-- The peers, in one Python process. It also writes the 1 MP PNG first.
local peer_script = [[
import sys, time
import numpy as np
jpg, png, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
mean = np.array([0.485, 0.456, 0.406], np.float32)
std = np.array([0.229, 0.224, 0.225], np.float32)

def measure(fn):
    for _ in range(2): fn()
    t = []
    for _ in range(reps):
        c0 = time.process_time(); fn(); t.append((time.process_time() - c0) * 1000)
    t.sort()
    return t[(len(t) - 1) // 2], t[0]

def report(case, peer, fn):
    med, mn = measure(fn)
    print("%s %s %.4f %.4f" % (case, peer, med, mn), flush=True)

try:
    import cv2
    cv2.setNumThreads(1)
    a = cv2.imread(jpg, cv2.IMREAD_COLOR)
    cv2.imwrite(png, cv2.resize(a, (1334, 750), interpolation=cv2.INTER_AREA))
    print("ready", flush=True)
    report("decode_jpeg_1080p", "opencv", lambda: cv2.imread(jpg, cv2.IMREAD_COLOR))
    report("resize_bilinear", "opencv", lambda: cv2.resize(a, (224, 224), interpolation=cv2.INTER_LINEAR))
    report("resize_area", "opencv", lambda: cv2.resize(a, (224, 224), interpolation=cv2.INTER_AREA))
    def cv_pipeline():
        b = cv2.imread(jpg, cv2.IMREAD_REDUCED_COLOR_4)
        b = cv2.resize(b, (224, 224), interpolation=cv2.INTER_LINEAR)
        b = cv2.cvtColor(b, cv2.COLOR_BGR2RGB)
        x = (b.astype(np.float32) * (1 / 255.0) - mean) / std
        return np.ascontiguousarray(x.transpose(2, 0, 1)[None])
    report("jpeg_to_tensor", "opencv", cv_pipeline)
    report("decode_png_1mp", "opencv", lambda: cv2.imread(png, cv2.IMREAD_COLOR))
except ImportError:
    print("skip opencv", flush=True)

try:
    from PIL import Image
    im = Image.open(jpg); im.load()
    def pil_decode(p):
        i = Image.open(p); i.load(); return i
    report("decode_jpeg_1080p", "pillow", lambda: pil_decode(jpg))
    report("resize_bilinear", "pillow", lambda: im.resize((224, 224), Image.BILINEAR))
    report("resize_area", "pillow", lambda: im.resize((224, 224), Image.BOX))
    def pil_pipeline():
        i = Image.open(jpg)
        i.draft("RGB", (224, 224))
        i = i.convert("RGB").resize((224, 224), Image.BILINEAR)
        x = (np.asarray(i, np.float32) * (1 / 255.0) - mean) / std
        return np.ascontiguousarray(x.transpose(2, 0, 1)[None])
    report("jpeg_to_tensor", "pillow", pil_pipeline)
    report("decode_png_1mp", "pillow", lambda: pil_decode(png))
except ImportError:
    print("skip pillow", flush=True)
]]

local cases = {
  { name = "decode_jpeg_1080p", target = 1.05 },
  { name = "resize_bilinear", target = 1.0 },
  { name = "resize_area", target = 0.5 },
  { name = "jpeg_to_tensor", target = 0.8 },
  { name = "decode_png_1mp", target = 1.0 },
}

local function run_peers()
  local script = os.tmpname() .. ".py"
  local f = assert(io.open(script, "w"))
  f:write(peer_script)
  f:close()
  local p = assert(io.popen(("%s %s %q %q %d 2>&1"):format(PY, script, jpg, png, REPS)))
  local peers, notes = {}, {}
  for line in p:lines() do
    local case, peer, med, mn = line:match("^(%S+) (%S+) ([%d.]+) ([%d.]+)$")
    if case then
      peers[case] = peers[case] or {}
      peers[case][peer] = { med = tonumber(med), min = tonumber(mn) }
    elseif line ~= "ready" then
      notes[#notes + 1] = line
    end
  end
  p:close()
  os.remove(script)
  return peers, notes
end

-- Keep the better (lower) median and minimum per case and side over the rounds.
local function merge(into, med, mn)
  if not into then return { med, mn } end
  return { math.min(into[1], med), math.min(into[2], mn) }
end

local peers, ours = {}, {}
for round = 1, ROUNDS do
  local p, notes = run_peers()
  if round == 1 then
    for _, n in ipairs(notes) do io.write("note: ", n, "\n") end
  end
  for case, byname in pairs(p) do
    peers[case] = peers[case] or {}
    for name, v in pairs(byname) do
      local m = merge(peers[case][name] and { peers[case][name].med, peers[case][name].min }, v.med, v.min)
      peers[case][name] = { med = m[1], min = m[2] }
    end
  end
  local fh = io.open(png, "rb")
  if not fh then
    io.write("the peer script could not write the PNG (is OpenCV installed?)\n")
    os.exit(1)
  end
  fh:close()

  local img = assert(glimpse.image.load(jpg))
  local function ours_case(name, fn) ours[name] = merge(ours[name], measure(fn)) end
  ours_case("decode_jpeg_1080p", function() glimpse.image.load(jpg):free() end)
  ours_case("resize_bilinear", function() img:resize(224, 224, { filter = "bilinear" }):free() end)
  ours_case("resize_area", function() img:resize(224, 224, { filter = "area" }):free() end)
  ours_case("jpeg_to_tensor", function()
    local small = assert(glimpse.image.load(jpg, { max_side = 480 }))
    local sized = small:resize(224, 224, { filter = "bilinear" })
    local t = sized:to_tensor { mean = MEAN, std = STD }
    small:free(); sized:free(); t:free()
  end)
  ours_case("decode_png_1mp", function() glimpse.image.load(png):free() end)
  img:free()
end
os.remove(png)

local rows = {}
local header = ("%-20s %10s %10s %10s %8s %8s %7s %s"):format("case", "glimpse", "opencv", "pillow", "ratio",
  "min-ratio", "target", "")
io.write(header, "\n")
for _, c in ipairs(cases) do
  local g = ours[c.name]
  local pc = peers[c.name] or {}
  local best, best_min
  for _, v in pairs(pc) do
    if not best or v.med < best then best = v.med end
    if not best_min or v.min < best_min then best_min = v.min end
  end
  local ratio = best and g[1] / best or nil
  local min_ratio = best_min and g[2] / best_min or nil
  local function fmt(v) return v and ("%.2f"):format(v.med) or "-" end
  local verdict = ratio and (ratio <= c.target and "ok" or "MISS") or ""
  local line = ("%-20s %10.2f %10s %10s %8s %8s %7.2f %s"):format(c.name, g[1], fmt(pc.opencv), fmt(pc.pillow),
    ratio and ("%.2f"):format(ratio) or "-", min_ratio and ("%.2f"):format(min_ratio) or "-", c.target, verdict)
  io.write(line, "\n")
  rows[#rows + 1] = { c = c, g = g, pc = pc, ratio = ratio, min_ratio = min_ratio, verdict = verdict }
end
io.write("(median ms of ", REPS, " runs, best of ", ROUNDS, " rounds; ratio = glimpse / best peer by median, min-ratio by minimum;",
  " lower is better)\n")

-- Results file.
local out, path, cpu = require("results").open("images")
if out then
  out:write("# images benchmark — ", os.date("!%Y-%m-%d %H:%M UTC"), "\n\n")
  out:write("CPU: ", cpu, "; one thread; process CPU time; median (min) of ", REPS, " runs after 2 warm-ups, ",
    "best of ", ROUNDS, " alternating rounds of peers and glimpse.\n")
  out:write("Peers: OpenCV ", "(cv2, setNumThreads(1)) and Pillow via /usr/bin/python3, same inputs, same run.\n\n")
  out:write("| case | glimpse ms | OpenCV ms | Pillow ms | glimpse / best peer (median) | (minimum) | target |\n")
  out:write("|---|---|---|---|---|---|---|\n")
  for _, r in ipairs(rows) do
    local function cell(v) return v and ("%.2f (%.2f)"):format(v.med, v.min) or "-" end
    out:write(("| %s | %.2f (%.2f) | %s | %s | %s | %s | <= %.2f %s |\n"):format(r.c.name, r.g[1], r.g[2],
      cell(r.pc.opencv), cell(r.pc.pillow), r.ratio and ("%.2f"):format(r.ratio) or "-",
      r.min_ratio and ("%.2f"):format(r.min_ratio) or "-", r.c.target, r.verdict))
  end
  out:write("\nCases: see bench/cases/images.lua. resize_* start from the decoded 1920x1080 photo; ",
    "Pillow's bilinear is antialiased (a wider filter than OpenCV's and glimpse's), its area peer is BOX.\n")
  out:close()
  io.write("wrote ", path, "\n")
end
