--- glimpse.local_describer — an honest description from the local models
-- alone (no network): what the classifier, the segmenter and the pose model
-- reported, hedged by their confidence, and nothing they did not report.
--
--     "A photo that most likely shows a tabby cat (71%), possibly an Egyptian
--      cat (12%). Segmentation finds a cat covering about 40% of the image."
--
-- Each model runs only when its file can be found (glimpse.catalog); a model
-- that is missing or fails is left out and listed in `skipped`.
-- @module glimpse.local_describer
local M = {}

local floor, max = math.floor, math.max

-- Confidence words. The thresholds are for softmax probabilities of a
-- 1000-class ImageNet model, where 0.3 is already a clear winner.
local HEDGES = {
  { 0.60, "most likely shows" },
  { 0.30, "probably shows" },
  { 0.12, "may show" },
}
M.SECONDARY_MIN = 0.05   -- alternatives worth naming
M.SEGMENT_MIN = 0.03     -- share of the image a segmented class must cover
M.POSE_MIN = 0.45        -- mean keypoint score for "a person is visible"
M.POSE_KEYPOINTS = 8     -- keypoints above 0.3 needed as well

local function pct(p)
  local n = floor(p * 100 + 0.5)
  if n < 1 then return "<1%" end
  return n .. "%"
end

local function article(phrase)
  local first = phrase:sub(1, 1):lower()
  if first:match("[aeiou]") then return "an " .. phrase end
  return "a " .. phrase
end

local function looks_latin(s)
  -- "Vulpes macrotis", "Felis concolor": a capitalised genus and a lower-case species
  return s:match("^%u%l+ %l+$") ~= nil and not s:find("cat") and not s:find("dog")
end

--- A readable name from a label line such as "tabby, tabby cat",
-- "kit fox, Vulpes macrotis" or "Poecile atricapillus (Black-capped
-- Chickadee)": the first synonym, or a later one that extends it ("tabby"
-- -> "tabby cat"); scientific names are skipped when a common one exists.
function M.label_name(label)
  if type(label) ~= "string" then return tostring(label) end
  local common = label:match("^%u%l+ %l[%l%-]+ %((.+)%)$")
  if common then return common end
  local syn = {}
  for part in label:gmatch("[^,]+") do
    part = part:gsub("^%s+", ""):gsub("%s+$", ""):gsub("_", " ")
    if part ~= "" and not looks_latin(part) then syn[#syn + 1] = part end
  end
  if #syn == 0 then return (label:gsub("_", " ")) end
  local best = syn[1]
  for i = 2, #syn do
    -- "tabby" -> "tabby cat", but not "suit" -> "suit of clothes"
    local rest = syn[i]:sub(#best + 2)
    if syn[i]:sub(1, #best + 1) == best .. " " and not rest:find(" ") then best = syn[i] break end
  end
  return best
end

local function list_join(items)
  if #items == 0 then return "" end
  if #items == 1 then return items[1] end
  return table.concat(items, ", ", 1, #items - 1) .. " and " .. items[#items]
end

local function model_present(catalog, name)
  if not catalog or not catalog.find then return true end
  local ok, path = pcall(catalog.find, name)
  return ok and path ~= nil
end

local function clock()
  local ok, http = pcall(require, "glimpse.http")
  if ok and http.clock then return http.clock() end
  return os.clock()
end

--- Sentence for classifier results (best first, `score` in [0, 1]).
function M.classification_sentence(labels)
  if not labels or #labels == 0 then return nil end
  local top = labels[1]
  local name = M.label_name(top.label)
  for _, h in ipairs(HEDGES) do
    if top.score >= h[1] then
      local s = "A photo that " .. h[2] .. " " .. article(name) .. " (" .. pct(top.score) .. ")"
      local alts = {}
      for i = 2, math.min(#labels, 3) do
        local l = labels[i]
        if l.score >= M.SECONDARY_MIN then
          alts[#alts + 1] = article(M.label_name(l.label)) .. " (" .. pct(l.score) .. ")"
        end
      end
      if #alts > 0 then s = s .. ", possibly " .. table.concat(alts, " or ") end
      return s .. "."
    end
  end
  local guesses = {}
  for i = 1, math.min(#labels, 3) do
    guesses[#guesses + 1] = article(M.label_name(labels[i].label)) .. " (" .. pct(labels[i].score) .. ")"
  end
  return "The local classifier is unsure what this photo shows; its best guesses are " ..
    list_join(guesses) .. "."
end

-- ImageNet's bird classes (first synonyms), with their 0-based ids in the
-- 1000-class list: a name alone is ambiguous ("crane" is also a machine).
local BIRDS = {
  [7] = "cock", [8] = "hen", [9] = "ostrich", [10] = "brambling", [11] = "goldfinch",
  [12] = "house finch", [13] = "junco", [14] = "indigo bunting", [15] = "robin", [16] = "bulbul",
  [17] = "jay", [18] = "magpie", [19] = "chickadee", [20] = "water ouzel", [21] = "kite",
  [22] = "bald eagle", [23] = "vulture", [24] = "great grey owl",
  [80] = "black grouse", [81] = "ptarmigan", [82] = "ruffed grouse", [83] = "prairie chicken",
  [84] = "peacock", [85] = "quail", [86] = "partridge", [87] = "African grey", [88] = "macaw",
  [89] = "sulphur-crested cockatoo", [90] = "lorikeet", [91] = "coucal", [92] = "bee eater",
  [93] = "hornbill", [94] = "hummingbird", [95] = "jacamar", [96] = "toucan", [97] = "drake",
  [98] = "red-breasted merganser", [99] = "goose", [100] = "black swan",
  [127] = "white stork", [128] = "black stork", [129] = "spoonbill", [130] = "flamingo",
  [131] = "little blue heron", [132] = "American egret", [133] = "bittern", [134] = "crane",
  [135] = "limpkin", [136] = "European gallinule", [137] = "American coot", [138] = "bustard",
  [139] = "ruddy turnstone", [140] = "red-backed sandpiper", [141] = "redshank",
  [142] = "dowitcher", [143] = "oystercatcher", [144] = "pelican", [145] = "king penguin",
  [146] = "albatross",
}

--- Whether a classifier result is one of ImageNet's birds (1000-class ids,
-- or 1001-class ids with background at 0).
function M.is_bird(l)
  if type(l) ~= "table" or type(l.index) ~= "number" then return false end
  local first = tostring(l.label):match("^[^,]+")
  return BIRDS[l.index] == first or BIRDS[l.index - 1] == first
end

--- Sentence for a bird-species classifier's results.
function M.species_sentence(species)
  if not species or #species == 0 then return nil end
  local top = species[1]
  if top.label == "background" then return nil end
  local name = M.label_name(top.label)
  for _, h in ipairs(HEDGES) do
    if top.score >= h[1] then
      local verb = ({ ["most likely shows"] = "is most likely", ["probably shows"] = "is probably",
        ["may show"] = "may be" })[h[2]]
      local s = "The bird species model says it " .. verb .. " " .. article(name) .. " (" ..
        pct(top.score) .. ")"
      local l2 = species[2]
      if l2 and l2.score >= M.SECONDARY_MIN and l2.label ~= "background" then
        s = s .. ", possibly " .. article(M.label_name(l2.label)) .. " (" .. pct(l2.score) .. ")"
      end
      return s .. "."
    end
  end
  return nil
end

--- Sentence for segmentation results (`present`, most pixels first).
function M.segmentation_sentence(present)
  local parts = {}
  for _, p in ipairs(present or {}) do
    local label = p.label
    if label ~= "background" and label ~= "void" and p.fraction >= M.SEGMENT_MIN then
      local name = ({ pottedplant = "potted plant", diningtable = "dining table",
        tvmonitor = "TV monitor", motorbike = "motorbike", aeroplane = "aeroplane" })[label] or label
      parts[#parts + 1] = article(name) .. " (about " .. pct(p.fraction) .. " of the image)"
    end
    if #parts == 3 then break end
  end
  if #parts == 0 then return nil end
  return "Segmentation finds " .. list_join(parts) .. "."
end

--- Sentence for a pose result, only when it is confident a person is there.
function M.pose_sentence(pose)
  if not pose or type(pose.keypoints) ~= "table" then return nil end
  local good = 0
  for _, k in ipairs(pose.keypoints) do if k.score > 0.3 then good = good + 1 end end
  if pose.score >= M.POSE_MIN and good >= M.POSE_KEYPOINTS then
    return string.format("A person is visible (pose score %.2f, %d of %d keypoints found).",
      pose.score, good, #pose.keypoints)
  end
  return nil
end

--- Describe an image with the local models.
-- @tparam userdata img a glimpse.Image
-- @tparam[opt] table opts `k` (labels kept, default 5), `classify_model`,
--   `segment` (default true), `pose` (default true), `species` (default
--   true: the iNaturalist bird model when the top label is a bird), `threads`
-- @treturn table `{description=, labels={ {label=, name=, score=, index=} },
--   species={...}|nil, segments={...}|nil, pose={score=, keypoints=}|nil, findings={...},
--   models={classify=, segment=, pose=}, skipped={ {task=, reason=} },
--   timings={classify=, segment=, pose=} (ms)}`
-- @return or nil, message, code when no local model at all could run
function M.describe(img, opts)
  opts = opts or {}
  local glimpse = require "glimpse"
  local ok_cat, catalog = pcall(require, "glimpse.catalog")
  if not ok_cat then catalog = nil end
  local out = { labels = {}, findings = {}, models = {}, skipped = {}, timings = {} }
  local sentences = {}

  local function run(task, default_model, fn)
    local model = default_model
    if not model_present(catalog, model) then
      out.skipped[#out.skipped + 1] = { task = task, reason = "model '" .. tostring(model) .. "' not found" }
      return nil
    end
    local t0 = clock()
    local ok, r, err = pcall(fn, model)
    out.timings[task] = (clock() - t0) * 1000
    if not ok or not r then
      out.skipped[#out.skipped + 1] = { task = task, reason = tostring(ok and err or r) }
      return nil
    end
    out.models[task] = model
    return r
  end

  local labels = run("classify", opts.classify_model or "mobilenet_v2", function(model)
    return glimpse.classify(img, { model = model, k = opts.k or 5, threads = opts.threads })
  end)
  if labels then
    for i, l in ipairs(labels) do
      out.labels[i] = { label = l.label, name = M.label_name(l.label), score = l.score, index = l.index }
    end
    local s = M.classification_sentence(out.labels)
    if s then sentences[#sentences + 1] = s end
    out.findings[#out.findings + 1] = { task = "classify", text = s }
    -- a confident bird: ask the species model too
    local top = out.labels[1]
    if opts.species ~= false and top and top.score >= 0.3 and M.is_bird(top) then
      local species = run("species", "inat_bird", function(model)
        return glimpse.classify(img, { model = model, k = 3, threads = opts.threads })
      end)
      if species then
        out.species = {}
        for i, l in ipairs(species) do
          out.species[i] = { label = l.label, name = M.label_name(l.label), score = l.score, index = l.index }
        end
        local ss = M.species_sentence(out.species)
        if ss then
          sentences[#sentences + 1] = ss
          out.findings[#out.findings + 1] = { task = "species", text = ss }
        end
      end
    end
  end

  if opts.segment ~= false then
    local seg = run("segment", "deeplab_v3", function(model)
      return glimpse.segment(img, { model = model, threads = opts.threads })
    end)
    if seg then
      local present = {}
      for i, p in ipairs(seg.present or {}) do
        present[i] = { label = p.label, index = p.index, fraction = p.fraction, pixels = p.pixels }
      end
      out.segments = present
      if seg.classes and seg.classes.free then seg.classes:free() end
      local s = M.segmentation_sentence(present)
      if s then
        sentences[#sentences + 1] = s
        out.findings[#out.findings + 1] = { task = "segment", text = s }
      end
    end
  end

  if opts.pose ~= false then
    local pose = run("pose", "movenet_lightning", function(model)
      return glimpse.pose(img, { model = model, threads = opts.threads })
    end)
    if pose then
      local s = M.pose_sentence(pose)
      if s then
        out.pose = pose
        sentences[#sentences + 1] = s
        out.findings[#out.findings + 1] = { task = "pose", text = s }
      end
    end
  end

  if not labels and not out.segments and not out.models.pose then
    local reasons = {}
    for _, s in ipairs(out.skipped) do reasons[#reasons + 1] = s.task .. ": " .. s.reason end
    return nil, "describe: no local model could run (" .. table.concat(reasons, "; ") .. ")", "EIO"
  end
  if #sentences == 0 then
    sentences[1] = "The local models found nothing they could name with confidence."
  end
  out.description = table.concat(sentences, " ")
  return out
end

M._pct = pct
M._max = max
return M
