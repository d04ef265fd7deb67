--- glimpse.cli — the `glimpse` command (see docs/cli.md).
--
--     glimpse describe IMAGE|DIR... [options]
--     glimpse classify IMAGE|DIR... [options]
--     glimpse ocr IMAGE|DIR... [options]
--     glimpse --help | --version
--
-- Exit statuses: 0 success; 1 an unexpected internal error; 2 bad usage;
-- 3 a file could not be read (EIO); 4 an image or model is malformed or
-- unsupported (EFORMAT, EUNSUPPORTED, ELIMIT); 5 network failure (ENET);
-- 6 timeout (ETIMEOUT); 7 the API refused (EHTTP: auth, quota, rate limit);
-- 8 the model refused or answered nothing usable (LLM refusal, empty or
-- malformed reply). With several images every one is processed; the status
-- is that of the first failure.
-- @module glimpse.cli
local M = {}

M.EXIT = {
  OK = 0, INTERNAL = 1, USAGE = 2, EIO = 3, EFORMAT = 4, EUNSUPPORTED = 4, ELIMIT = 4,
  ENET = 5, ETIMEOUT = 6, EHTTP = 7, EINVAL = 8, ENOMEM = 1,
}

local function exit_code(code)
  return M.EXIT[code] or M.EXIT.INTERNAL
end
M.exit_code = exit_code

local USAGE = [[
usage: glimpse <command> [options] IMAGE|DIR...

Image recognition from the command line. Directories are searched
recursively for .jpg, .jpeg, .png and .bmp files.

commands:
  describe   describe images (local models by default; a vision LLM with
             --backend openai or when OPENAI_API_KEY / OPENAI_BASE_URL is set)
  classify   ImageNet labels with scores
  ocr        read the text in images (PaddleOCR PP-OCRv4 models)

options for every command:
  -h, --help          this help (or `glimpse <command> --help`)
  --version           print the version
  --format FMT        text (default), json (one JSON array) or jsonl (one
                      JSON object per line)
  --out FILE          write the output to FILE instead of standard output
  -q, --quiet         no progress bar

Run `glimpse describe --help` or `glimpse classify --help` for more.
]]

local DESCRIBE_USAGE = [[
usage: glimpse describe [options] IMAGE|DIR...

Describe images. The default backend is local (no network): it reports what
the local classifier, segmenter and pose models see, hedged by confidence.
The openai backend sends each image (downscaled, JPEG) to an
OpenAI-compatible vision model; if that fails the local description is
printed and marked degraded, unless --no-fallback.

options:
  --backend B         local or openai (default: openai when OPENAI_API_KEY or
                      OPENAI_BASE_URL is set or --base-url is given, else local)
  --model M           LLM model (default gpt-4o-mini); with the local backend,
                      the classifier's catalogue name or file
  --base-url U        OpenAI-compatible endpoint, e.g. http://localhost:11434/v1
  --profile P         openai, azure, ollama, llamacpp, vllm or lmstudio
  --detail D          low, high or auto (default auto)
  --structured        ask for structured JSON (objects, counts, text, scene)
  --max-side N        downscale images to N pixels on the long side (1024)
  --timeout S         seconds per LLM attempt (default 60)
  --no-fallback       fail instead of answering locally when the LLM fails
  --no-segment        skip the segmentation model (faster)
  --no-pose           skip the pose model
  --no-species        skip the bird species model (run when the top label is a bird)
  --no-nlp            skip entities and sentiment
  --timings           list per-stage times in text output
  --format FMT        text, json or jsonl
  --out FILE          write the output to FILE
  -q, --quiet         no progress bar
  -h, --help          this help

The API key is read from OPENAI_API_KEY only (never from the command line,
where other users could see it).
]]

local CLASSIFY_USAGE = [[
usage: glimpse classify [options] IMAGE|DIR...

Classify images with a catalogued ImageNet model (mobilenet_v2 by default).

options:
  --model M           catalogue name (mobilenet_v2, mobilenet_v1_025, ...) or
                      a model file
  -k N                how many labels (default 5)
  --threads N         inference threads (default 1)
  --format FMT        text, json or jsonl
  --out FILE          write the output to FILE
  -q, --quiet         no progress bar
  -h, --help          this help
]]

local OCR_USAGE = [[
usage: glimpse ocr [options] IMAGE|DIR...

Read the text in images: text lines are found, read and listed in reading
order, one per output line (text output) or with their score and box (JSON).

options:
  --angle             also detect upside-down lines and turn them
  --no-detect         read each whole image as one line (a cropped word)
  --drop-score S      leave out lines read with a lower score (default 0.5)
  --threads N         inference threads (default 1)
  --format FMT        text, json or jsonl
  --out FILE          write the output to FILE
  -q, --quiet         no progress bar
  -h, --help          this help
]]

local IMAGE_EXT = { jpg = true, jpeg = true, png = true, bmp = true }

local function is_dir(path)
  local f = io.open(path, "rb")
  if not f then return false end
  local ok, _, code = f:read(1)
  f:close()
  return ok == nil and code == 21 -- EISDIR
end

local function shell_quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function list_dir(dir)
  local files = {}
  local ok, lfs = pcall(require, "lfs")
  if ok and lfs.dir then
    local function walk(d)
      local names = {}
      for name in lfs.dir(d) do
        if name ~= "." and name ~= ".." then names[#names + 1] = name end
      end
      table.sort(names)
      for _, name in ipairs(names) do
        local p = d .. "/" .. name
        local mode = lfs.attributes(p, "mode")
        if mode == "directory" then walk(p)
        elseif mode == "file" then files[#files + 1] = p end
      end
    end
    walk(dir)
  else
    local p = io.popen("find " .. shell_quote(dir) .. " -type f 2>/dev/null | LC_ALL=C sort")
    if p then
      for line in p:lines() do files[#files + 1] = line end
      p:close()
    end
  end
  local out = {}
  for _, f in ipairs(files) do
    local ext = f:match("%.([%w]+)$")
    if ext and IMAGE_EXT[ext:lower()] then out[#out + 1] = f end
  end
  return out
end

local function expand(paths)
  local files = {}
  for _, p in ipairs(paths) do
    if is_dir(p) then
      local found = list_dir((p:gsub("/+$", "")))
      for _, f in ipairs(found) do files[#files + 1] = f end
    else
      files[#files + 1] = p
    end
  end
  return files
end

-- Options: name -> {kind = "flag" | "value", key = field}
local COMMON = {
  ["--format"] = { "value", "format" }, ["--out"] = { "value", "out" },
  ["-q"] = { "flag", "quiet" }, ["--quiet"] = { "flag", "quiet" },
  ["-h"] = { "flag", "help" }, ["--help"] = { "flag", "help" },
  ["--version"] = { "flag", "version" },
}
local DESCRIBE_OPTS = {
  ["--backend"] = { "value", "backend" }, ["--model"] = { "value", "model" },
  ["--base-url"] = { "value", "base_url" }, ["--profile"] = { "value", "profile" },
  ["--detail"] = { "value", "detail" }, ["--structured"] = { "flag", "structured" },
  ["--max-side"] = { "value", "max_side" }, ["--timeout"] = { "value", "timeout" },
  ["--no-fallback"] = { "flag", "no_fallback" }, ["--no-segment"] = { "flag", "no_segment" },
  ["--no-pose"] = { "flag", "no_pose" }, ["--no-species"] = { "flag", "no_species" }, ["--no-nlp"] = { "flag", "no_nlp" },
  ["--timings"] = { "flag", "timings" },
}
local CLASSIFY_OPTS = {
  ["--model"] = { "value", "model" }, ["-k"] = { "value", "k" },
  ["--threads"] = { "value", "threads" },
}

local OCR_OPTS = {
  ["--angle"] = { "flag", "angle" }, ["--no-detect"] = { "flag", "no_detect" },
  ["--drop-score"] = { "value", "drop_score" }, ["--threads"] = { "value", "threads" },
}

local UsageError = {}

local function usage_error(msg) error(setmetatable({ msg = msg }, UsageError), 0) end

local function parse(args, first, spec)
  local o, files = {}, {}
  local i = first
  local only_files = false
  while i <= #args do
    local a = args[i]
    if only_files or a == "-" or not a:match("^%-") then
      files[#files + 1] = a
    elseif a == "--" then
      only_files = true
    else
      local name, inline = a:match("^(%-%-[^=]+)=(.*)$")
      name = name or a
      local s = spec[name] or COMMON[name]
      if not s then usage_error("unknown option '" .. name .. "'") end
      if s[1] == "flag" then
        if inline then usage_error("option '" .. name .. "' takes no value") end
        o[s[2]] = true
      else
        local v = inline
        if v == nil then
          i = i + 1
          v = args[i]
          if v == nil then usage_error("option '" .. name .. "' needs a value") end
        end
        o[s[2]] = v
      end
    end
    i = i + 1
  end
  return o, files
end

local function positive_int(v, name)
  local n = require("glimpse.llm.compat").tointeger(tonumber(v))
  if not n or n < 1 then usage_error("option '" .. name .. "' must be a positive integer") end
  return n
end

local function stderr_is_tty()
  local ok = os.execute("test -t 2")
  return ok == true or ok == 0
end

local function progress(done, total, name)
  local width = 30
  local filled = math.floor(width * done / total)
  local label = name and (" " .. name:match("[^/]*$")) or ""
  if #label > 40 then label = label:sub(1, 37) .. "..." end
  io.stderr:write(string.format("\r[%s%s] %d/%d%s\27[K", string.rep("#", filled),
    string.rep(".", width - filled), done, total, label))
  if done == total then io.stderr:write("\r\27[K") end
  io.stderr:flush()
end

-- Run `work(file)` over files; collect {file=, result=} or {file=, error=, code=}.
local function run_all(files, o, work)
  local show = not o.quiet and #files > 1 and stderr_is_tty()
  local items = {}
  for i, f in ipairs(files) do
    if show then progress(i - 1, #files, f) end
    local ok, r, err, code = pcall(work, f)
    if not ok then
      items[i] = { file = f, error = tostring(r), code = "EINTERNAL" }
    elseif r == nil then
      items[i] = { file = f, error = tostring(err), code = code or "EIO" }
    else
      items[i] = { file = f, result = r }
    end
    if show then progress(i, #files) end
  end
  return items
end

local function output(o, text)
  if o.out then
    local f, err = io.open(o.out, "wb")
    if not f then
      io.stderr:write("glimpse: cannot write ", o.out, ": ", tostring(err), "\n")
      return false
    end
    f:write(text)
    f:close()
  else
    io.stdout:write(text)
    io.stdout:flush()
  end
  return true
end

local function render(o, items, text_one, json_one)
  local pj = require "glimpse.present.json"
  local fmt = o.format or "text"
  if fmt == "text" then
    local blocks = {}
    for _, it in ipairs(items) do
      if it.result then blocks[#blocks + 1] = text_one(it) end
    end
    return #blocks > 0 and (table.concat(blocks, "\n\n") .. "\n") or ""
  end
  local docs = {}
  for i, it in ipairs(items) do
    if it.result then docs[i] = json_one(it)
    else docs[i] = { file = it.file, error = { message = it.error, code = it.code } } end
  end
  if fmt == "jsonl" then
    local lines = {}
    for i, d in ipairs(docs) do lines[i] = pj.encode(d) end
    return #lines > 0 and (table.concat(lines, "\n") .. "\n") or ""
  end
  return pj.encode(pj.array(docs), { indent = "  " }) .. "\n"
end

local function finish(o, items, text_one, json_one)
  local status = 0
  for _, it in ipairs(items) do
    if not it.result then
      io.stderr:write("glimpse: ", it.file, ": ", (tostring(it.error):gsub("\n.*", "")), "\n")
      if status == 0 then
        status = it.code == "EINTERNAL" and M.EXIT.INTERNAL or exit_code(it.code)
      end
    end
  end
  if not output(o, render(o, items, text_one, json_one)) then return M.EXIT.EIO end
  return status
end

local function check_format(o)
  if o.format and o.format ~= "text" and o.format ~= "json" and o.format ~= "jsonl" then
    usage_error("--format must be text, json or jsonl")
  end
end

local function cmd_describe(args)
  local o, files = parse(args, 2, DESCRIBE_OPTS)
  if o.help then io.stdout:write(DESCRIBE_USAGE) return 0 end
  check_format(o)
  if #files == 0 then usage_error("describe needs at least one image") end
  if o.backend and o.backend ~= "local" and o.backend ~= "openai" then
    usage_error("--backend must be local or openai")
  end
  if o.detail and o.detail ~= "low" and o.detail ~= "high" and o.detail ~= "auto" then
    usage_error("--detail must be low, high or auto")
  end
  local profiles = require "glimpse.llm.profiles"
  if o.profile and type(profiles[o.profile]) ~= "table" then
    usage_error("--profile must be openai, azure, ollama, llamacpp, vllm or lmstudio")
  end
  local timeout
  if o.timeout then
    timeout = tonumber(o.timeout)
    if not timeout or timeout <= 0 then usage_error("--timeout must be a positive number of seconds") end
  end
  local max_side = o.max_side and positive_int(o.max_side, "--max-side") or nil
  local backend = o.backend
  if not backend and (o.base_url or o.profile) then backend = "openai" end

  local glimpse = require "glimpse"
  local dopts = {
    backend = backend, fallback = not o.no_fallback, detail = o.detail,
    structured = o.structured or nil, max_side = max_side, timeout = timeout,
    base_url = o.base_url, profile = o.profile,
    segment = not o.no_segment, pose = not o.no_pose, species = not o.no_species,
    nlp = not o.no_nlp,
  }
  local llm_backend = backend == "openai" or (backend == nil and require("glimpse.llm").configured())
  if o.model then
    if llm_backend then dopts.model = o.model else dopts.classify_model = o.model end
  end
  if llm_backend and not o.profile and o.base_url then
    -- a local server (Ollama, llama.cpp ...) usually needs no key
    dopts.api_key = os.getenv("OPENAI_API_KEY") or false
  end
  local items = run_all(expand(files), o, function(f)
    local r, err, code = glimpse.describe(f, dopts)
    if not r then return nil, err, code end
    return r
  end)
  local pt = require "glimpse.present.text"
  return finish(o, items,
    function(it) return pt.describe(it.result, { name = it.file, timings = o.timings }) end,
    function(it)
      local d = {}
      for k, v in pairs(it.result) do d[k] = v end
      d.file = it.file
      return d
    end)
end

local function cmd_classify(args)
  local o, files = parse(args, 2, CLASSIFY_OPTS)
  if o.help then io.stdout:write(CLASSIFY_USAGE) return 0 end
  check_format(o)
  if #files == 0 then usage_error("classify needs at least one image") end
  local k = o.k and positive_int(o.k, "-k") or 5
  local threads = o.threads and positive_int(o.threads, "--threads") or nil
  local glimpse = require "glimpse"
  local items = run_all(expand(files), o, function(f)
    local img, err, code = glimpse.image.load(f, { max_side = 1024 })
    if not img then return nil, err, code end
    local labels
    labels, err, code = glimpse.classify(img, { model = o.model, k = k, threads = threads })
    local size = { width = img.width, height = img.height }
    img:free()
    if not labels then return nil, err, code end
    return { labels = labels, image = size }
  end)
  local pt = require "glimpse.present.text"
  local describer = require "glimpse.local_describer"
  return finish(o, items,
    function(it) return pt.classify(it.result.labels, { name = it.file, image = it.result.image }) end,
    function(it)
      local labels = {}
      for i, l in ipairs(it.result.labels) do
        labels[i] = { label = l.label, name = describer.label_name(l.label), score = l.score, index = l.index }
      end
      return { file = it.file, labels = labels, image = it.result.image, model = o.model or "mobilenet_v2" }
    end)
end

local function cmd_ocr(args)
  local o, files = parse(args, 2, OCR_OPTS)
  if o.help then io.stdout:write(OCR_USAGE) return 0 end
  check_format(o)
  if #files == 0 then usage_error("ocr needs at least one image") end
  local drop
  if o.drop_score then
    drop = tonumber(o.drop_score)
    if not drop or drop < 0 or drop > 1 then usage_error("--drop-score must be a number in 0..1") end
  end
  local threads = o.threads and positive_int(o.threads, "--threads") or nil
  local glimpse = require "glimpse"
  local items = run_all(expand(files), o, function(f)
    local img, err, code = glimpse.image.load(f)
    if not img then return nil, err, code end
    local lines
    lines, err, code = glimpse.ocr(img, { angle = o.angle or nil, detect = not o.no_detect,
      drop_score = drop, threads = threads })
    local size = { width = img.width, height = img.height }
    img:free()
    if not lines then return nil, err, code end
    return { lines = lines, image = size }
  end)
  return finish(o, items,
    function(it)
      local out = { it.file .. (" (%dx%d)"):format(it.result.image.width, it.result.image.height) }
      for _, l in ipairs(it.result.lines) do out[#out + 1] = "  " .. l.text end
      return table.concat(out, "\n")
    end,
    function(it) return { file = it.file, image = it.result.image, lines = it.result.lines } end)
end

local COMMANDS = { describe = cmd_describe, classify = cmd_classify, ocr = cmd_ocr }

--- Run the command line `args` (arg-style array); returns the exit status.
function M.main(args)
  args = args or {}
  local ok, status = pcall(function()
    local cmd = args[1]
    if cmd == nil or cmd == "-h" or cmd == "--help" or cmd == "help" then
      io.stdout:write(USAGE)
      return cmd == nil and M.EXIT.USAGE or 0
    end
    if cmd == "--version" or cmd == "-V" then
      local glimpse = require "glimpse"
      io.stdout:write("glimpse ", glimpse._VERSION, "\n")
      return 0
    end
    local fn = COMMANDS[cmd]
    if not fn then usage_error("unknown command '" .. cmd .. "' (describe, classify, ocr)") end
    for i = 2, #args do
      if args[i] == "--version" then
        io.stdout:write("glimpse ", require("glimpse")._VERSION, "\n")
        return 0
      end
    end
    return fn(args)
  end)
  if ok then return status end
  if getmetatable(status) == UsageError then
    io.stderr:write("glimpse: ", status.msg, " (try 'glimpse --help')\n")
    return M.EXIT.USAGE
  end
  io.stderr:write("glimpse: internal error: ", (tostring(status):gsub("\n.*", "")), "\n")
  return M.EXIT.INTERNAL
end

return M
