--- glimpse.tasks.common — what the task helpers share: option checks,
-- model resolution, preprocessing by catalogue entry, reading outputs.
--
-- Preprocessing follows the model's catalogue entry (colour order, resize
-- filter, fit) and its own input tensor (size, dtype, quantization):
--
-- * uint8 input: pixels go in as they are (0..255); the model's input
--   quantization turns them into its real values.
-- * int8 input with quantization (scale s, zero point z): a float tensor
--   of s * (pixel - 128 - z) (the engine quantizes it back exactly).
-- * float input: `(pixel * scale - mean) / std` from the entry's
--   `normalize`, or from `opts.mean` / `opts.std` / `opts.scale`; without
--   either, mean = 127.5 and std = 127.5 (the [-1, 1] range of the TF
--   MobileNets).
--
-- The geometry used is returned as a `map` so results can be given in the
-- input image's pixel coordinates: model_x = x * sx + ox, model_y = y * sy + oy.
-- @module glimpse.tasks.common
local catalog = require "glimpse.catalog"

local M = {}

local type, error, ipairs, tostring, getmetatable, math_floor, math_exp =
  type, error, ipairs, tostring, getmetatable, math.floor, math.exp

---------------------------------------------------------------------------
-- argument checks (raise at the caller's caller: level 3)

function M.is_image(v)
  if type(v) ~= "userdata" then return false end
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__name == "glimpse.Image"
end

function M.check_image(fname, v)
  if not M.is_image(v) then
    local got = type(v)
    if type(v) == "userdata" then
      local mt = getmetatable(v)
      got = (type(mt) == "table" and mt.__name) or got
    end
    error("bad argument #1 to '" .. fname .. "' (glimpse.Image expected, got " .. got .. ")", 3)
  end
  -- a closed image raises on any use; fail here with a clear message
  local ok = pcall(function() return v.width + 0 end)
  if not ok then error("bad argument #1 to '" .. fname .. "' (glimpse.Image is closed)", 3) end
  return v
end

--- Check an options table: raise on a non-table and on keys not in `known`.
function M.check_opts(fname, opts, known, argn)
  argn = argn or 2
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    error("bad argument #" .. argn .. " to '" .. fname .. "' (options table expected, got " ..
      type(opts) .. ")", 3)
  end
  for k in pairs(opts) do
    if not known[k] then
      error("bad argument #" .. argn .. " to '" .. fname .. "' (unknown option '" ..
        tostring(k) .. "')", 3)
    end
  end
  local function check(key, pred, what)
    local v = opts[key]
    if v ~= nil and not pred(v) then
      error("bad argument #" .. argn .. " to '" .. fname .. "' (option '" .. key .. "' must be " ..
        what .. ")", 3)
    end
  end
  check("k", function(v) return math.type(v) == "integer" and v >= 1 end, "a positive integer")
  check("threads", function(v) return math.type(v) == "integer" and v >= 1 end,
    "a positive integer")
  check("labels", function(v) return type(v) == "string" or type(v) == "table" end,
    "a label file path or a table of labels")
  check("cache", function(v)
    return v == false or (type(v) == "table" and type(v.get) == "function")
  end, "false or a cache from glimpse.catalog.new_cache")
  check("invert", function(v) return type(v) == "boolean" end, "a boolean")
  check("center", function(v) return type(v) == "boolean" end, "a boolean")
  check("model", function(v) return type(v) == "string" or catalog.is_model(v) end,
    "a catalogue name, a model file path or a glimpse.Model")
  return opts
end

---------------------------------------------------------------------------
-- model resolution

-- Stage prefix: keep an existing "stage: " prefix, add ours otherwise.
local function prefixed(stage, msg)
  msg = tostring(msg)
  if msg:find("^[%w_%.]+: ") then return msg end
  return stage .. ": " .. msg
end
M.prefixed = prefixed

--- Resolve `opts.model` (or `default`) to a loaded model and what goes with it.
-- @treturn table {model=, entry= (or nil), path=, labels= (or nil)}
-- @return or `nil, message, code`
function M.resolve(stage, opts, default, want_labels)
  local spec = opts.model or default
  -- Find the file and read the labels before the (slower) model load, so
  -- a missing label file is reported without loading anything.
  local entry = opts.entry
  if type(spec) == "string" then
    local path, e, code = catalog.find(spec)
    if not path then return nil, prefixed(stage, e), code end
    entry = entry or e
  end
  local labels
  if type(opts.labels) == "table" then
    labels = opts.labels
    labels.n = labels.n or #labels
  elseif type(opts.labels) == "string" then
    local l, err, code = catalog.read_labels(opts.labels)
    if not l then return nil, prefixed(stage, err), code end
    labels = l
  elseif want_labels and entry then
    local l, err, code = catalog.labels(entry)
    if err then return nil, prefixed(stage, err), code end
    labels = l
  end
  local model, err, path = catalog.load(spec, { threads = opts.threads, cache = opts.cache })
  if not model then return nil, prefixed(stage, err), path end
  return { model = model, entry = entry, path = path, labels = labels }
end

---------------------------------------------------------------------------
-- tensors

--- The elements of a tensor as a flat Lua array of numbers (row-major),
-- dequantized when the tensor carries a quantization scale.
function M.values(t)
  local shape = t.shape
  local n = 1
  for _, d in ipairs(shape) do n = n * d end
  local flat = t
  if #shape ~= 1 then flat = t:reshape({ n }) end
  local v = flat:totable()
  local scale = t.scale
  if scale and scale ~= 0 and t.dtype ~= "float32" then
    local zp = t.zero_point or 0
    for i = 1, n do v[i] = scale * (v[i] - zp) end
  end
  return v, shape
end

--- Softmax of an array (a new array).
function M.softmax(v)
  local max = -math.huge
  for i = 1, #v do if v[i] > max then max = v[i] end end
  local out, sum = {}, 0
  for i = 1, #v do
    local e = math_exp(v[i] - max)
    out[i] = e
    sum = sum + e
  end
  for i = 1, #v do out[i] = out[i] / sum end
  return out
end

--- Indices (1-based) of the k largest values, best first; ties by index.
function M.topk(v, k)
  local n = #v
  if k > n then k = n end
  local out = {}
  if k <= 32 then
    -- a bounded insertion into the k best: O(n k), no sort of all n
    local vals = {}
    for i = 1, n do
      local x = v[i]
      if #out < k or x > vals[#out] then
        local j = #out < k and #out + 1 or k
        while j > 1 and vals[j - 1] < x do
          out[j], vals[j] = out[j - 1], vals[j - 1]
          j = j - 1
        end
        out[j], vals[j] = i, x
      end
    end
    return out
  end
  for i = 1, n do out[i] = i end
  table.sort(out, function(a, b)
    if v[a] ~= v[b] then return v[a] > v[b] end
    return a < b
  end)
  for i = n, k + 1, -1 do out[i] = nil end
  return out
end

---------------------------------------------------------------------------
-- preprocessing

-- Input geometry from the model's own first input and the entry.
local function input_geometry(model, entry)
  local info = model.inputs[1]
  local shape = info.shape
  local ein = entry and entry.input or {}
  local g = { dtype = info.dtype, scale = info.scale, zero_point = info.zero_point, shape = shape }
  if #shape == 4 then
    local layout = ein.layout
    if layout ~= "nchw" and layout ~= "nhwc" then
      layout = (shape[2] == 1 or shape[2] == 3) and shape[4] ~= 1 and shape[4] ~= 3
        and "nchw" or "nhwc"
    end
    g.layout = layout
    if layout == "nchw" then
      g.channels, g.height, g.width = shape[2], shape[3], shape[4]
    else
      g.height, g.width, g.channels = shape[2], shape[3], shape[4]
    end
  elseif #shape == 3 then
    -- [1, H, W]: one gray plane (the LSTM reads it as H steps of W)
    g.layout, g.height, g.width, g.channels = "hw", shape[2], shape[3], 1
  else
    return nil, "input shape of rank " .. #shape .. " is not an image"
  end
  -- dynamic sizes (-1 or 0) fall back to the entry's
  if not g.width or g.width <= 0 then g.width = ein.width end
  if not g.height or g.height <= 0 then g.height = ein.height end
  if not g.width or not g.height then return nil, "the model's input size is dynamic" end
  g.colour = ein.colour or (g.channels == 1 and "gray" or "rgb")
  g.resize = ein.resize or "bilinear"
  g.fit = ein.fit or "stretch"
  return g
end
M.input_geometry = input_geometry

local function normalization(g, entry, opts)
  local n = entry and entry.normalize or {}
  if opts.mean or opts.std or opts.scale then
    return { mean = opts.mean or 0, std = opts.std or 1, scale = opts.scale or 1 }
  end
  if g.dtype == "uint8" then return nil end -- pixels as they are
  if g.dtype == "int8" and g.scale and g.scale ~= 0 then
    return { scale = 1, mean = 128 + (g.zero_point or 0), std = 1 / g.scale }
  end
  if n.mean or n.std or n.scale then
    return { mean = n.mean or 0, std = n.std or 1, scale = n.scale or 1 }
  end
  return { mean = 127.5, std = 127.5, scale = 1 }
end

-- Resize with the entry's filter; "area" only shrinks (it is a box average),
-- so growing uses bilinear.
local function resize(img, w, h, filter)
  if filter == "area" and (w > img.width or h > img.height) then filter = "bilinear" end
  if img.width == w and img.height == h then return img end
  return img:resize(w, h, { filter = filter })
end

local function letterbox(img, w, h, filter)
  local scale = math.min(w / img.width, h / img.height)
  if img.letterbox then
    local out, a, b, c = img:letterbox(w, h, { fill = 0, filter = filter })
    if not out then return nil, a, b end
    local s, ox, oy
    if type(a) == "table" then
      s, ox, oy = a.scale, a.offset_x, a.offset_y
    else
      s, ox, oy = a, b, c
    end
    return out, { sx = s, sy = s, ox = ox, oy = oy }
  end
  -- without letterbox: stretch, and say so in the map
  local out, err, code = resize(img, w, h, filter)
  if not out then return nil, err, code end
  return out, { sx = w / img.width, sy = h / img.height, ox = 0, oy = 0, stretched = scale }
end

--- Turn an image into the model's input tensor.
-- @return tensor, map ({sx, sy, ox, oy, width, height: model input size,
--   src_width, src_height}), geometry; or `nil, message, code`
function M.prepare(stage, img, model, entry, opts)
  opts = opts or {}
  local g, gerr = input_geometry(model, entry)
  if not g then return nil, stage .. ": " .. gerr, "EUNSUPPORTED" end
  local src = img
  local want = g.colour
  if want == "rgb" or want == "bgr" or want == "gray" then
    if img.format ~= want then
      local err, code
      src, err, code = img:convert(want)
      if not src then return nil, prefixed(stage, err), code end
    end
  end
  local sized, map, code
  if g.fit == "letterbox" then
    sized, map, code = letterbox(src, g.width, g.height, opts.filter or g.resize)
  else
    sized, map, code = resize(src, g.width, g.height, opts.filter or g.resize)
    if sized then map = { sx = g.width / img.width, sy = g.height / img.height, ox = 0, oy = 0 } end
  end
  if not sized then return nil, prefixed(stage, map), code end
  map.width, map.height = g.width, g.height
  map.src_width, map.src_height = img.width, img.height

  local norm = normalization(g, entry, opts)
  local layout = g.layout == "nchw" and "nchw" or "nhwc"
  local topts = { layout = layout }
  if norm then
    topts.dtype = "float32"
    topts.mean, topts.std, topts.scale = norm.mean, norm.std, norm.scale
  else
    topts.dtype = "uint8"
  end
  local t, err, tcode = sized:to_tensor(topts)
  if not t then return nil, prefixed(stage, err), tcode end
  if g.layout == "hw" then
    t = t:reshape({ 1, g.height, g.width })
  end
  return t, map, g
end

--- Run a model on one input; the outputs table (by index and name).
function M.run(stage, model, input)
  local ok, out, err, code = pcall(model.run, model, input)
  if not ok then return nil, prefixed(stage, out), "EINVAL" end
  if not out then return nil, prefixed(stage, err), code end
  return out
end

--- Map a point in the model's input pixels back to the source image's.
function M.unmap(map, mx, my)
  local x = (mx - map.ox) / map.sx
  local y = (my - map.oy) / map.sy
  return x, y
end

function M.clamp(v, lo, hi)
  if v < lo then return lo end
  if v > hi then return hi end
  return v
end

M.floor = math_floor

return M
