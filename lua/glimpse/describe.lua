--- glimpse.describe — a description of an image, from a vision LLM or, by
-- default and whenever the LLM cannot answer, from the local models alone.
--
--     local r = assert(glimpse.describe("photo.jpg"))
--     print(r.description)        -- "A photo that most likely shows a tabby cat (71%), ..."
--     print(r.backend, r.degraded) -- "local", false
--
-- Backends: "local" (the default when neither OPENAI_API_KEY nor
-- OPENAI_BASE_URL is set) and "openai" (any OpenAI-compatible server; see
-- glimpse.llm). When the LLM fails (network, quota, timeout, refusal ...)
-- and `fallback ~= false`, the local description is returned with
-- `degraded = true` and `degraded_reason` set.
-- @module glimpse.describe
local M = {}

local KNOWN = {
  backend = true, fallback = true, client = true, model = true, base_url = true, api_key = true,
  profile = true, detail = true, structured = true, max_side = true, timeout = true,
  max_retries = true, prompt = true, labels = true, k = true, classify_model = true,
  segment = true, pose = true, species = true, nlp = true, threads = true, transport = true,
  sleep = true,
}

local function clock()
  return require("glimpse.http").clock()
end

local function is_image(v)
  if type(v) ~= "userdata" then return false end
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__name == "glimpse.Image"
end

local function ms(t0) return (clock() - t0) * 1000 end

local function prefixed(msg)
  msg = tostring(msg)
  if msg:match("^describe: ") then return msg end
  return "describe: " .. msg
end

-- Spans of the local description that are glimpse's own confidence figures
-- ("(71%)", "(about 40% of the image)", "(pose score 0.62, ...)"): numbers
-- about the models, not things in the picture.
local function own_figures(text)
  local spans = {}
  local pos = 1
  while true do
    local a, b = text:find("%b()", pos)
    if not a then break end
    local inner = text:sub(a + 1, b - 1)
    if inner:find("%%") or inner:find("^pose score") then spans[#spans + 1] = { a, b } end
    pos = b + 1
  end
  return spans
end

-- Entities and sentiment from glimpse.nlp when it is there; absent otherwise.
local function text_analysis(text, out, skip_own_figures)
  local ok, nlp = pcall(require, "glimpse.nlp")
  if not ok or type(nlp) ~= "table" then
    out.nlp_unavailable = "glimpse.nlp is not available"
    return
  end
  if type(nlp.entities) == "function" then
    local okc, ents, eerr = pcall(nlp.entities, text)
    if not okc or type(ents) ~= "table" then
      out.nlp_error = "entities: " .. tostring(okc and eerr or ents)
    end
    if okc and type(ents) == "table" then
      local spans = skip_own_figures and own_figures(text) or {}
      local list = {}
      for _, e in ipairs(ents) do
        local inside = false
        local at = type(e.start) == "number" and e.start or nil
        if at then
          -- `start` may be 0- or 1-based; either lands inside the span
          for _, sp in ipairs(spans) do
            if at + 1 >= sp[1] and at <= sp[2] then inside = true break end
          end
        end
        if not inside then
          list[#list + 1] = { text = e.text, type = e.type, start = e.start, ["end"] = e["end"],
            score = e.score, label = e.label }
        end
      end
      out.entities = list
    end
  end
  if type(nlp.sentiment) == "function" then
    local okc, s = pcall(nlp.sentiment, text)
    if okc and type(s) == "table" then out.sentiment = { score = s.score, label = s.label } end
  end
end

local function make_client(opts)
  if type(opts.client) == "table" and opts.client.describe then return opts.client end
  local llm = require "glimpse.llm"
  local copts = {}
  if type(opts.client) == "table" then for k, v in pairs(opts.client) do copts[k] = v end end
  for _, k in ipairs{ "model", "base_url", "api_key", "profile", "timeout", "max_retries",
                      "transport", "sleep" } do
    if opts[k] ~= nil then copts[k] = opts[k] end
  end
  return llm.client(copts)
end

--- Describe an image.
-- @param img a glimpse.Image or an image file path
-- @tparam[opt] table opts
--   `backend` ("local" or "openai"; default "openai" when OPENAI_API_KEY or
--   OPENAI_BASE_URL is set or `base_url`/`api_key`/`client` is given, else
--   "local"), `fallback` (default true: answer locally when the LLM fails),
--   `client` (a glimpse.llm client, or options for one), `model`,
--   `base_url`, `api_key`, `profile`, `timeout`, `max_retries` (client
--   options), `detail`, `structured`, `max_side` (1024), `prompt` (LLM
--   request options), `labels` (false: skip the local classifier with the
--   LLM backend), `k`, `classify_model`, `segment`, `pose`, `species`, `threads`
--   (local models), `nlp` (false: skip entities and sentiment)
-- @treturn table `{description=, backend=, model=, labels={ {label=,
--   name=, score=, index=} }, entities=, sentiment=, data= (structured
--   LLM reply), findings=, species=, segments=, pose=, timings={decode=,
--   classify=, species=, segment=, pose=, llm=, nlp=, total=} (ms), usage= (LLM), degraded=,
--   degraded_reason=, error= (the LLM error table when degraded),
--   image={path=, width=, height=}}`
-- @return or nil, message, code (e.g. an unreadable file, or the LLM's
--   error with `fallback = false`; its error table is the 4th value)
-- @raise on a bad argument or option
-- @usage local r = assert(glimpse.describe(img, {backend = "openai", detail = "low"}))
function M.describe(img, opts)
  if not (is_image(img) or type(img) == "string") then
    error("bad argument #1 to 'describe' (glimpse.Image or file path expected, got " .. type(img) .. ")", 2)
  end
  if opts ~= nil and type(opts) ~= "table" then
    error("bad argument #2 to 'describe' (options table expected, got " .. type(opts) .. ")", 2)
  end
  opts = opts or {}
  for k in pairs(opts) do
    if not KNOWN[k] then error("bad argument #2 to 'describe' (unknown option '" .. tostring(k) .. "')", 2) end
  end
  local backend = opts.backend
  if backend == nil then
    local llm = require "glimpse.llm"
    backend = (opts.client or opts.base_url or opts.api_key or llm.configured()) and "openai" or "local"
  end
  if backend ~= "local" and backend ~= "openai" then
    error("bad argument #2 to 'describe' (backend must be 'local' or 'openai')", 2)
  end

  local t_start = clock()
  local result = { timings = {}, degraded = false, labels = {} }
  local path
  if type(img) == "string" then
    path = img
    local image = require "glimpse.image"
    local t0 = clock()
    local probe
    local f = io.open(path, "rb")
    if f then
      local head = f:read(65536) or ""
      f:close()
      if image.probe then
        local okp, p = pcall(image.probe, head)
        if okp and type(p) == "table" then probe = p end
      end
    end
    local loaded, err, code = image.load(path, { max_side = opts.max_side or 1024 })
    if not loaded then return nil, prefixed(err), code or "EIO" end
    result.timings.decode = ms(t0)
    img = loaded
    result.image = { path = path, width = probe and probe.width or img.width,
      height = probe and probe.height or img.height }
  else
    result.image = { width = img.width, height = img.height }
  end

  local local_opts = { k = opts.k, classify_model = opts.classify_model, segment = opts.segment,
    pose = opts.pose, species = opts.species, threads = opts.threads }
  local describer = require "glimpse.local_describer"

  local function use_local()
    local r, err, code = describer.describe(img, local_opts)
    if not r then return nil, err, code end
    result.description = r.description
    result.labels = r.labels
    result.findings = r.findings
    result.segments = r.segments
    result.species = r.species
    result.pose = r.pose and { score = r.pose.score, keypoints = r.pose.keypoints } or nil
    result.models = r.models
    result.skipped = r.skipped
    result.model = r.models.classify or r.models.segment or r.models.pose
    for k, v in pairs(r.timings) do result.timings[k] = v end
    return true
  end

  if backend == "openai" then
    local client = make_client(opts)
    local t0 = clock()
    local r, err, code, e = client:describe(img, { detail = opts.detail, structured = opts.structured,
      max_side = opts.max_side, prompt = opts.prompt })
    result.timings.llm = ms(t0)
    if r then
      result.backend = "openai"
      result.description = r.text
      result.data = r.data
      result.model = r.model
      result.usage = r.usage
      result.image_tokens = r.image_tokens
      result.attempts = r.attempts
      if opts.labels ~= false then
        -- the classifier's labels ride along (cheap; the LLM's text is not
        -- checked against them yet)
        local t1 = clock()
        local ok, labels = pcall(function() return require("glimpse").classify(img, { k = opts.k or 5 }) end)
        result.timings.classify = ms(t1)
        if ok and type(labels) == "table" then
          for i, l in ipairs(labels) do
            result.labels[i] = { label = l.label, name = describer.label_name(l.label), score = l.score,
              index = l.index }
          end
        end
      end
    elseif opts.fallback == false then
      return nil, err, code, e
    else
      result.degraded = true
      result.degraded_reason = err
      result.error = e and { type = e.type, code = e.code, status = e.status, message = e.message,
        attempts = e.attempts } or nil
      backend = "local"
    end
  end

  if backend == "local" then
    result.backend = "local"
    local ok, err, code = use_local()
    if not ok then return nil, prefixed(err), code end
  end

  if opts.nlp ~= false and result.description then
    local t0 = clock()
    text_analysis(result.description, result, result.backend == "local")
    result.timings.nlp = ms(t0)
  end
  result.timings.total = ms(t_start)
  -- an image this call decoded is released now, not at the next collection
  if path and img.free then img:free() end
  return result
end

return M
