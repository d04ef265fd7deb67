-- bench/cases/ocr.lua — glimpse.ocr end to end: a page and a word.
--
--   lua5.4 bench/run.lua ocr
--   GLIMPSE_BENCH_REPS=3 GLIMPSE_BENCH_THREADS=1,2 lua5.4 bench/cases/ocr.lua
--
-- Cases: PaddleOCR's sample photo 11.jpg (500x500, 16 lines of Chinese and
-- Latin), its English page img_12.jpg (1680x1048), the rendered page
-- spec/fixtures/ocr/pages/p00.png, and the cropped word word_1.jpg read with
-- detect = false; with angle = true on the photo. Each time is the whole
-- call (decode excluded): detection, crops, recognition, decoding. Models
-- are loaded (and cached) during the warm-up. No peer exists for the whole
-- pipeline here; bench/cases/onnx.lua compares the three models alone with
-- ONNX Runtime. Times are wall-clock ms, median and minimum of REPS runs
-- after one warm-up.
local glimpse = require "glimpse"

local REPS = tonumber(os.getenv("GLIMPSE_BENCH_REPS") or "") or 5
local THREADS = {}
for t in (os.getenv("GLIMPSE_BENCH_THREADS") or "1,2"):gmatch("%d+") do
  THREADS[#THREADS + 1] = tonumber(t)
end

do
  local ok, err = glimpse.ocr(glimpse.image.new(64, 32, 3, 255), { angle = true })
  if not ok then
    io.write("ocr: skipped, the models do not run: ", tostring(err), "\n")
    os.exit(0)
  end
end

local shared = os.getenv("GLIMPSE_SHARED") or "../shared"
local cases = {
  { name = "photo 11.jpg", file = shared .. "/images/ocr/11.jpg", opts = {} },
  { name = "photo 11.jpg angle", file = shared .. "/images/ocr/11.jpg", opts = { angle = true } },
  { name = "page img_12.jpg", file = shared .. "/images/ocr/img_12.jpg", opts = {} },
  { name = "rendered page p00", file = "spec/fixtures/ocr/pages/p00.png", opts = {} },
  { name = "word word_1.jpg", file = shared .. "/images/ocr/word_1.jpg", opts = { detect = false } },
}

-- wall clock (monotonic), as bench/cases/model.lua
local now = require("glimpse.http").clock

local function median(t)
  local s = {}
  for i, v in ipairs(t) do s[i] = v end
  table.sort(s)
  return s[(#s + 1) // 2]
end

io.write(string.format("%-22s %3s %6s %6s %10s %10s %8s\n", "case", "thr", "size", "lines",
  "median ms", "min ms", "chars/s"))
for _, c in ipairs(cases) do
  local img = glimpse.image.load(c.file)
  if not img then
    io.write(string.format("%-22s skipped (no %s)\n", c.name, c.file))
  else
    for _, th in ipairs(THREADS) do
      local opts = { threads = th }
      for k, v in pairs(c.opts) do opts[k] = v end
      local lines = assert(glimpse.ocr(img, opts)) -- warm-up, loads the models
      local times = {}
      for r = 1, REPS do
        local t0 = now()
        lines = assert(glimpse.ocr(img, opts))
        times[r] = (now() - t0) * 1000
      end
      local chars = 0
      for _, l in ipairs(lines) do chars = chars + utf8.len(l.text) end
      local med, min = median(times), math.min(table.unpack(times))
      io.write(string.format("%-22s %3d %6s %6d %10.1f %10.1f %8.0f\n", c.name, th,
        img.width .. "x" .. img.height, #lines, med, min, chars / (min / 1000)))
    end
  end
end
