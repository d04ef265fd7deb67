-- ocr_primitives_spec.lua — the OCR primitives in glimpse.core:
-- imgproc.text_boxes, imgproc.min_area_rect, imgproc.perspective_transform,
-- img:warp_perspective and img:crop_quad.
-- References: spec/fixtures/opencv/ocr_* from tools/fixtures/opencv_ocr.py
-- (OpenCV 4.6: findContours, minAreaRect, boxPoints, fillPoly,
-- getPerspectiveTransform, warpPerspective; PaddleOCR's DB post-processing
-- and get_rotate_crop_image written with them).
-- Tolerances: warps within 1 level per channel (OpenCV's fixed-point
-- weights); text-box corners within 1 px + 1.5 px per unit of scale (the
-- reference's unclip rounds to integer polygons), scores within 0.02.
local glimpse = require "glimpse"
local core = glimpse.core
local H = glimpse_spec

local function lines(name)
  local out = {}
  for l in H.read_file(H.fixture("opencv/" .. name)):gmatch("[^\n]+") do
    if l:sub(1, 1) ~= "#" then out[#out + 1] = l end
  end
  return out
end

local function numbers(s)
  local t = {}
  for v in s:gmatch("%S+") do t[#t + 1] = tonumber(v) or v end
  return t
end

-- The DB cases: {name, file, h, w, dest_w, dest_h, opts, boxes = {{score, 8 coords}}}.
local function db_cases()
  local cases, cur = {}, nil
  for _, l in ipairs(lines("ocr_db.txt")) do
    local f = numbers(l)
    if f[1] == "case" then
      cur = { name = f[2], file = f[3], h = f[4], w = f[5], dest_w = f[6], dest_h = f[7],
              opts = { thresh = f[8], box_thresh = f[9], unclip_ratio = f[10],
                       max_candidates = math.tointeger(f[11]), min_size = math.tointeger(f[12]),
                       score_mode = f[13], dilate = f[14] == 1 },
              boxes = {} }
      cases[#cases + 1] = cur
    elseif f[1] ~= "boxes" then
      cur.boxes[#cur.boxes + 1] = f
    end
  end
  return cases
end

local function load_map(c, shape)
  local bytes = H.read_file(H.fixture("opencv/" .. c.file))
  if c.file:match("%.u8$") then -- an 8-bit map: value / 255, as the generator
    local parts = {}
    for i = 1, #bytes, 4096 do
      local chunk = { bytes:byte(i, math.min(i + 4095, #bytes)) }
      for k = 1, #chunk do chunk[k] = chunk[k] / 255 end
      parts[#parts + 1] = string.pack(("<" .. ("f"):rep(#chunk)), table.unpack(chunk))
    end
    bytes = table.concat(parts)
  end
  return core.tensor.from_bytes(bytes, shape or { c.h, c.w }, "float32")
end

describe("imgproc.text_boxes", function()
  for _, c in ipairs(db_cases()) do
    it("matches PaddleOCR's DB post-processing on '" .. c.name .. "'", function()
      local boxes = core.imgproc.text_boxes(load_map(c), c.opts, c.dest_w, c.dest_h)
      assert.are.equal(#c.boxes, #boxes)
      local tol = 1.01 + 1.5 * math.max(c.dest_w / c.w, c.dest_h / c.h)
      for i, want in ipairs(c.boxes) do
        local got = boxes[i]
        assert.is_true(math.abs(got.score - want[1]) <= 0.02)
        assert.are.equal(4, #got.box)
        for k = 1, 4 do
          local x, y = got.box[k][1], got.box[k][2]
          assert.is_true(math.type(x) == "integer" and math.type(y) == "integer")
          assert.is_true(math.abs(x - want[2 * k]) <= tol, ("box %d corner %d x %d vs %d"):format(i, k, x, want[2 * k]))
          assert.is_true(math.abs(y - want[2 * k + 1]) <= tol, ("box %d corner %d y %d vs %d"):format(i, k, y, want[2 * k + 1]))
          assert.is_true(x >= 0 and x <= c.dest_w - 1 and y >= 0 and y <= c.dest_h - 1)
        end
      end
    end)
  end

  it("accepts the map as {H,W}, {1,H,W}, {1,1,H,W} and {1,H,W,1} alike", function()
    local c = db_cases()[1]
    local ref = core.imgproc.text_boxes(load_map(c))
    assert.is_true(#ref > 0)
    for _, shape in ipairs { { 1, c.h, c.w }, { 1, 1, c.h, c.w }, { 1, c.h, c.w, 1 } } do
      assert.are.same(ref, core.imgproc.text_boxes(load_map(c, shape)))
    end
  end)

  it("defaults to PaddleOCR's parameters and the map's own size", function()
    local c = db_cases()[1]
    local defaults = { thresh = 0.3, box_thresh = 0.6, unclip_ratio = 1.5, max_candidates = 1000,
                       min_size = 3, score_mode = "fast", dilate = false }
    assert.are.same(core.imgproc.text_boxes(load_map(c), defaults, c.w, c.h),
                    core.imgproc.text_boxes(load_map(c)))
  end)

  it("returns an empty list for an empty map and for a single pixel", function()
    assert.are.same({}, core.imgproc.text_boxes(core.tensor.new({ 16, 24 }, "float32")))
    local t = core.tensor.new({ 16, 24 }, "float32")
    t:set(8, 10, 1.0)
    assert.are.same({}, core.imgproc.text_boxes(t))
  end)

  it("stops after max_candidates components", function()
    local t = core.tensor.new({ 16, 72 }, "float32")
    for b = 0, 4 do
      for y = 5, 10 do
        for x = 3 + b * 14, 12 + b * 14 do t:set(y, x, 0.9) end
      end
    end
    assert.are.equal(5, #core.imgproc.text_boxes(t))
    assert.are.equal(2, #core.imgproc.text_boxes(t, { max_candidates = 2 }))
    local boxes = core.imgproc.text_boxes(t)
    for i = 2, #boxes do assert.is_true(boxes[i].box[1][1] > boxes[i - 1].box[1][1]) end
  end)

  it("raises for caller bugs", function()
    local t = core.tensor.new({ 8, 8 }, "float32")
    assert.has.error(function() core.imgproc.text_boxes(t, { box_tresh = 0.5 }) end,
      "bad argument #2 to 'text_boxes' (text_boxes: unknown option 'box_tresh')")
    assert.has.error(function() core.imgproc.text_boxes(t, { score_mode = "exact" }) end,
      "option 'score_mode' must be \"fast\" or \"slow\", not \"exact\"")
    assert.has.error(function() core.imgproc.text_boxes(t, { unclip_ratio = -1 }) end,
      "option 'unclip_ratio' must be finite and >= 0")
    assert.has.error(function() core.imgproc.text_boxes(t, nil, 100) end,
      "text_boxes: give both dest_w and dest_h, or neither")
    assert.has.error(function() core.imgproc.text_boxes(t, nil, 0, 10) end,
      "bad argument #3 to 'text_boxes' (destination size must be 1..65535)")
    assert.has.error(function() core.imgproc.text_boxes(core.tensor.new({ 8, 8 }, "uint8")) end,
      "bad argument #1 to 'text_boxes' (probability map must be float32, not uint8)")
    assert.has.error(function() core.imgproc.text_boxes(core.tensor.new({ 2, 8, 8 }, "float32")) end,
      "bad argument #1 to 'text_boxes' (probability map must have shape {H,W}, {1,H,W}, "
        .. "{1,1,H,W} or {1,H,W,1} with H, W >= 1)")
    assert.has.error(function() core.imgproc.text_boxes("map") end)
  end)
end)

describe("imgproc.min_area_rect", function()
  it("matches cv2.minAreaRect + boxPoints", function()
    local cases = lines("ocr_minrect.txt")
    assert.is_true(#cases >= 10)
    for _, l in ipairs(cases) do
      local f = numbers(l)
      local n = f[1]
      local pts = {}
      for i = 1, n do pts[i] = { f[2 * i], f[2 * i + 1] } end
      local short, long = f[2 * n + 2], f[2 * n + 3]
      local quad, w, h = core.imgproc.min_area_rect(pts)
      local tol = 2e-3 * (1 + long)
      assert.is_true(math.abs(math.min(w, h) - short) <= tol)
      assert.is_true(math.abs(math.max(w, h) - long) <= tol)
      -- Each reference corner is one of ours.
      for k = 1, 4 do
        local wx, wy = f[2 * n + 2 + 2 * k], f[2 * n + 3 + 2 * k]
        local hit = false
        for _, p in ipairs(quad) do
          hit = hit or (math.abs(p[1] - wx) <= 0.01 + tol and math.abs(p[2] - wy) <= 0.01 + tol)
        end
        assert.is_true(hit)
      end
    end
  end)

  it("raises on malformed points", function()
    assert.has.error(function() core.imgproc.min_area_rect({}) end,
      "bad argument #1 to 'min_area_rect' (need at least 1 point)")
    assert.has.error(function() core.imgproc.min_area_rect({ { 1, 2 }, { 3 } }) end,
      "bad argument #1 to 'min_area_rect' (point 2 must be {x, y})")
    assert.has.error(function() core.imgproc.min_area_rect({ { 1, 0 / 0 } }) end,
      "bad argument #1 to 'min_area_rect' (points must hold finite numbers)")
  end)
end)

local function warp_cases()
  local out = {}
  for _, l in ipairs(lines("ocr_warp.txt")) do out[#out + 1] = numbers(l) end
  return out
end

local function source(c)
  return glimpse.image.from_bytes(61, 47, c, H.read_file(H.fixture(("opencv/ocr_warp_src_%d.bin"):format(c))))
end

local function max_diff(a, b)
  assert.are.equal(#a, #b)
  local worst = 0
  for i = 1, #a do
    local d = math.abs(a:byte(i) - b:byte(i))
    if d > worst then worst = d end
  end
  return worst
end

local function quad_of(f, i)
  return { { f[i], f[i + 1] }, { f[i + 2], f[i + 3] }, { f[i + 4], f[i + 5] }, { f[i + 6], f[i + 7] } }
end

describe("perspective warps", function()
  for k, f in ipairs(warp_cases()) do
    if f[1] == "warp" then
      it(("matches cv2.warpPerspective (%d channels, %s, %s border)"):format(f[3], f[4], f[5]), function()
        local c, ow, oh = f[3], f[10], f[11]
        local m = core.imgproc.perspective_transform(quad_of(f, 12), quad_of(f, 20))
        for r = 1, 3 do
          for col = 1, 3 do
            local want = f[27 + (r - 1) * 3 + col]
            local tol = (r == 3 and col < 3) and 1e-9 or 1e-7 * (1 + math.abs(want))
            assert.is_true(math.abs(m[r][col] - want) <= tol)
          end
        end
        local fill = {}
        for i = 1, c do fill[i] = f[5 + i] end
        local out = source(c):warp_perspective(m, ow, oh, { filter = f[4], border = f[5], fill = fill })
        assert.are.equal(ow, out.width)
        assert.are.equal(oh, out.height)
        assert.is_true(max_diff(out:bytes(), H.read_file(H.fixture("opencv/" .. f[2]))) <= 1)
      end)
    else
      it(("crop_quad matches PaddleOCR's get_rotate_crop_image (case %d)"):format(k), function()
        local out = source(f[3]):crop_quad(quad_of(f, 6))
        assert.are.equal(f[4], out.width)
        assert.are.equal(f[5], out.height)
        assert.is_true(max_diff(out:bytes(), H.read_file(H.fixture("opencv/" .. f[2]))) <= 1)
      end)
    end
  end

  it("warps a quad given directly onto the output rectangle", function()
    local img = source(3)
    local q = { { 5.5, 8.25 }, { 50, 3.75 }, { 55, 30.5 }, { 9, 40.75 } }
    local m = core.imgproc.perspective_transform(q, { { 0, 0 }, { 40, 0 }, { 40, 20 }, { 0, 20 } })
    assert.are.equal(img:warp_perspective(m, 40, 20):bytes(), img:warp_perspective(q, 40, 20):bytes())
  end)

  it("crop_quad of an axis-aligned quad equals crop, and turns tall crops", function()
    local img = source(3)
    assert.are.equal(img:crop(5, 7, 30, 12):bytes(),
      img:crop_quad({ { 5, 7 }, { 35, 7 }, { 35, 19 }, { 5, 19 } }):bytes())
    local tall = img:crop_quad({ { 10, 2 }, { 20, 2 }, { 20, 32 }, { 10, 32 } })
    assert.are.equal(30, tall.width)
    assert.are.equal(10, tall.height)
    assert.are.same({ img:get(19, 2) }, { tall:get(0, 0) })
  end)

  it("cuts a text line out of a real photograph", function()
    local img = assert(glimpse.image.load(H.image_path("ocr/11.jpg")))
    local w, h = img.width, img.height
    local quad = { { w * 0.1, h * 0.2 }, { w * 0.6, h * 0.25 }, { w * 0.6, h * 0.32 }, { w * 0.1, h * 0.27 } }
    local crop = img:crop_quad(quad)
    assert.are.equal(math.floor(math.sqrt((w * 0.5) ^ 2 + (h * 0.05) ^ 2)), crop.width)
    assert.are.equal(math.floor(h * 0.07), crop.height)
    assert.are.equal(img.format, crop.format)
  end)

  it("raises for caller bugs", function()
    local img = source(3)
    local ok = { { 0, 0 }, { 10, 0 }, { 10, 10 }, { 0, 10 } }
    assert.has.error(function()
      core.imgproc.perspective_transform({ { 0, 0 }, { 5, 5 }, { 10, 10 }, { 0, 10 } }, ok)
    end, "perspective: source quad is degenerate (three corners on a line)")
    assert.has.error(function() core.imgproc.perspective_transform({ { 0, 0 }, { 1, 1 } }, ok) end,
      "bad argument #1 to 'perspective_transform' (quad must be 4 points {{x, y}, {x, y}, {x, y}, {x, y}})")
    assert.has.error(function() img:warp_perspective({ { 1, 2, 3 }, { 2, 4, 6 }, { 0, 0, 1 } }, 4, 4) end,
      "warp: matrix is singular")
    assert.has.error(function() img:warp_perspective(ok, 0, 4) end)
    assert.has.error(function() img:warp_perspective(ok, 4, 4, { filter = "lanczos" }) end,
      "option 'filter' must be \"nearest\", \"bilinear\" or \"bicubic\", not \"lanczos\"")
    assert.has.error(function() img:warp_perspective(ok, 4, 4, { border = "wrap" }) end,
      "option 'border' must be \"replicate\" or \"constant\", not \"wrap\"")
    assert.has.error(function() img:warp_perspective(ok, 4, 4, { fill = { 1, 2 } }) end,
      "option 'fill' needs 3 values for a RGB8 image, got 2")
    assert.has.error(function() img:warp_perspective(ok, 4, 4, { bordr = "constant" }) end,
      "bad argument #4 to 'warp_perspective' (warp_perspective: unknown option 'bordr')")
    assert.has.error(function() img:crop_quad({ { 3, 3 }, { 3.5, 3 }, { 3.5, 3.5 }, { 3, 3.5 } }) end,
      "crop_quad: quad is smaller than 1 px (0.50 x 0.50)")
  end)
end)
