--- glimpse.catalog — the model catalogue: names, lookup, labels and loading.
--
-- The entries live in `models/catalog.lua` (one per model: file, upstream
-- source, checksum, input size, colour order, normalisation, labels, output
-- meaning). This module finds a model's file on disk, reads its label file
-- and loads it through `glimpse.nn`, keeping loaded models in a cache so the
-- task helpers do not reload them on every call.
--
-- Lookup order for a file named by an entry (say
-- "tflite/mobilenet_v2_1.0_224_quant.tflite"):
--
-- 1. an explicit path (`{model = "/some/file.tflite"}`) is used as given; a
--    relative one that does not exist from the current directory
--    ("tflite/x.tflite") is looked up in the directories below;
-- 2. each directory of `GLIMPSE_MODEL_PATH` (colon-separated);
-- 3. `./models` and `./../shared/models` (relative to the current directory);
-- 4. `models` and `../shared/models` relative to the module root (the
--    repository checkout, or the installed `glimpse/` directory);
-- 5. the user cache: `$XDG_CACHE_HOME/glimpse` or `~/.cache/glimpse`, where
--    `make models` downloads.
--
-- A file whose size differs from the catalogue's is skipped (a truncated
-- download), and the error says so.
--
-- @module glimpse.catalog
local M = { _VERSION = "0.1" }

local type, pairs, ipairs, tostring, error, setmetatable, getmetatable =
  type, pairs, ipairs, tostring, error, setmetatable, getmetatable
local concat, insert = table.concat, table.insert

---------------------------------------------------------------------------
-- paths

local function exists(path)
  local f = io.open(path, "rb")
  if not f then return false end
  -- io.open succeeds on a directory on Linux; reading tells them apart
  local ok = f:read(0)
  f:close()
  return ok ~= nil
end

local function file_size(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local size = f:seek("end")
  f:close()
  return size
end

-- Collapse "a/./b", "a/x/../b" and trailing slashes; keeps leading "..".
local function normalize(path)
  local absolute = path:sub(1, 1) == "/"
  local parts = {}
  for part in path:gmatch("[^/]+") do
    if part == ".." then
      if #parts > 0 and parts[#parts] ~= ".." then
        parts[#parts] = nil
      elseif not absolute then
        parts[#parts + 1] = ".."
      end
    elseif part ~= "." then
      parts[#parts + 1] = part
    end
  end
  local s = concat(parts, "/")
  if absolute then return "/" .. s end
  return s == "" and "." or s
end

local function join(dir, rel)
  if rel:sub(1, 1) == "/" then return rel end
  if dir == "." then return rel end
  return dir .. "/" .. rel
end

local function dirname(path)
  return path:match("^(.*)/[^/]*$") or "."
end

-- The directory that holds `glimpse/init.lua` (".../lua" in a checkout,
-- the LuaRocks lua dir when installed), or nil.
local function lua_root()
  local found = package.searchpath("glimpse", package.path)
  if not found then return nil end
  return dirname(dirname(found))
end

--- The directory holding this module's files (`.../glimpse`), or nil.
function M.module_dir()
  local root = lua_root()
  return root and normalize(join(root, "glimpse")) or nil
end

--- The user cache directory where `make models` downloads:
-- `$XDG_CACHE_HOME/glimpse`, else `$HOME/.cache/glimpse`.
-- @treturn string|nil nil when neither variable is set
function M.cache_dir()
  local xdg = os.getenv("XDG_CACHE_HOME")
  if xdg and xdg ~= "" then return xdg .. "/glimpse" end
  local home = os.getenv("HOME")
  if home and home ~= "" then return home .. "/.cache/glimpse" end
  return nil
end

--- The model directories searched, in order (see the module doc).
-- @treturn {string,...} directories, duplicates removed
function M.search_dirs()
  local dirs, seen = {}, {}
  local pwd = os.getenv("PWD")
  local function add(dir)
    if not dir or dir == "" then return end
    local key = normalize(dir)
    -- "./models" and "<cwd>/models" are the same place
    if pwd and key:sub(1, 1) ~= "/" then key = normalize(pwd .. "/" .. key) end
    if seen[key] then return end
    seen[key] = true
    dirs[#dirs + 1] = normalize(dir)
  end
  local env = os.getenv("GLIMPSE_MODEL_PATH")
  if env then
    for dir in env:gmatch("[^:]+") do add(dir) end
  end
  add("models")
  add("../shared/models")
  local root = lua_root()
  if root then
    -- a checkout: <repo>/lua/glimpse/...; installed: <luadir>/glimpse/...
    local repo = normalize(join(root, ".."))
    add(join(repo, "models"))
    add(join(repo, "../shared/models"))
    add(join(root, "glimpse/models"))
  end
  add(M.cache_dir())
  return dirs
end

---------------------------------------------------------------------------
-- entries

local entries, by_name

-- The catalogue file: beside the installed module (glimpse/models/), or in
-- the checkout's models/.
local function catalog_file()
  local candidates = {}
  local root = lua_root()
  if root then
    candidates[#candidates + 1] = join(root, "glimpse/models/catalog.lua")
    candidates[#candidates + 1] = join(root, "../models/catalog.lua")
  end
  candidates[#candidates + 1] = "models/catalog.lua"
  for _, c in ipairs(candidates) do
    if exists(c) then return normalize(c) end
  end
  return nil, candidates
end

local function load_entries()
  if entries then return entries end
  local path, tried = catalog_file()
  if not path then
    error("catalog: models/catalog.lua not found (looked at " .. concat(tried, ", ") .. ")", 0)
  end
  local list = dofile(path)
  entries, by_name = list, {}
  for _, e in ipairs(list) do by_name[e.name] = e end
  return entries
end

--- All catalogue entries, in catalogue order.
-- @treturn {table,...} entries (the catalogue's own tables: do not modify)
function M.entries()
  return load_entries()
end

--- The catalogue's model names, in catalogue order.
function M.names()
  local names = {}
  for i, e in ipairs(load_entries()) do names[i] = e.name end
  return names
end

--- The entry of a model name.
-- @tparam string name a catalogue name such as "mobilenet_v2"
-- @return entry, or `nil, "catalog: unknown model 'x' (known: ...)", "EINVAL"`
function M.get(name)
  if type(name) ~= "string" then
    error("bad argument #1 to 'get' (string expected, got " .. type(name) .. ")", 2)
  end
  load_entries()
  local e = by_name[name]
  if e then return e end
  return nil, "catalog: unknown model '" .. name .. "' (known: " .. concat(M.names(), ", ") .. ")",
    "EINVAL"
end

--- The entry whose file is `path` (compared by file name), or nil.
-- Lets a task helper given a path to a catalogued file use its entry.
function M.entry_for_path(path)
  local base = path:match("[^/]+$")
  for _, e in ipairs(load_entries()) do
    if e.file:match("[^/]+$") == base and file_size(path) == e.size then return e end
  end
  return nil
end

-- A string names a file (rather than a catalogue entry) when it has a
-- slash or a file extension.
local function looks_like_path(s)
  return s:find("/", 1, true) ~= nil or s:find("%.%w+$") ~= nil
end
M.looks_like_path = looks_like_path

---------------------------------------------------------------------------
-- finding files

--- Find a catalogue-relative file ("tflite/x.tflite") in the search dirs.
-- @tparam string rel path relative to a model directory
-- @tparam[opt] number size expected size in bytes (other sizes are skipped)
-- @treturn string the path found
-- @return or `nil, "catalog: <what> not found; looked in: ...", "EIO"`
-- @tparam[opt] string what how to name the file in the message
function M.find_file(rel, size, what)
  local looked = {}
  for _, dir in ipairs(M.search_dirs()) do
    local p = join(dir, rel)
    local s = file_size(p)
    if s and exists(p) and (not size or s == size) then return p end
    if s and size and s ~= size then
      looked[#looked + 1] = dir .. " (size " .. s .. ", expected " .. size .. ")"
    else
      looked[#looked + 1] = dir
    end
  end
  return nil, "catalog: " .. (what or ("file " .. rel)) .. " not found; looked in: " ..
    concat(looked, ", ") .. " (run `make models` to download)", "EIO"
end

--- Find a model: a catalogue name or a path.
-- @tparam string name_or_path "mobilenet_v2", or a path to a model file
-- @treturn string path of the model file
-- @treturn table|nil its catalogue entry (nil for an uncatalogued path)
-- @return or `nil, message, code` ("EINVAL" unknown name, "EIO" not found)
function M.find(name_or_path)
  if type(name_or_path) ~= "string" then
    error("bad argument #1 to 'find' (string expected, got " .. type(name_or_path) .. ")", 2)
  end
  load_entries()
  if by_name[name_or_path] then
    local e = by_name[name_or_path]
    local p, err, code = M.find_file(e.file, e.size,
      "model '" .. e.name .. "' (" .. e.file .. ")")
    if not p then return nil, err, code end
    return p, e
  end
  if exists(name_or_path) then return name_or_path, M.entry_for_path(name_or_path) end
  if looks_like_path(name_or_path) then
    if name_or_path:sub(1, 1) ~= "/" and name_or_path:sub(1, 2) ~= "./" then
      -- a relative path such as "tflite/x.tflite" is also looked up in the
      -- model directories
      local p = M.find_file(name_or_path, nil)
      if p then return p, M.entry_for_path(p) end
    end
    return nil, "catalog: model file '" .. name_or_path .. "' not found", "EIO"
  end
  return M.get(name_or_path)
end

---------------------------------------------------------------------------
-- labels

local label_cache = setmetatable({}, { __mode = "v" })

--- Read a label file: one label per line.
-- @tparam string path the file
-- @tparam[opt] table opts `stop_at_blank` (end at the first blank line),
--   `offset` (class id i is line i + offset; lines before are dropped)
-- @treturn table labels, `labels[i + 1]` is the label of class id i, and
--   `labels.n` their count
-- @return or `nil, "catalog: cannot read label file ...", "EIO"`
function M.read_labels(path, opts)
  opts = opts or {}
  local key = path .. "\0" .. tostring(opts.stop_at_blank) .. "\0" .. tostring(opts.offset)
  if label_cache[key] then return label_cache[key] end
  local f, err = io.open(path, "rb")
  if not f then return nil, "catalog: cannot read label file (" .. tostring(err) .. ")", "EIO" end
  local data = f:read("a")
  f:close()
  if not data then return nil, "catalog: cannot read label file '" .. path .. "'", "EIO" end
  local lines = {}
  for line in (data .. "\n"):gmatch("([^\n]*)\n") do
    line = line:gsub("\r$", "")
    if opts.stop_at_blank and line:match("^%s*$") then break end
    lines[#lines + 1] = line
  end
  -- a final newline leaves no empty label behind
  while #lines > 0 and lines[#lines] == "" do lines[#lines] = nil end
  local offset = opts.offset or 0
  local labels = {}
  for i = 1 + offset, #lines do labels[#labels + 1] = lines[i] end
  if offset < 0 then
    -- class ids below the first line (a CTC blank) have no label text
    for _ = 1, -offset do insert(labels, 1, "") end
  end
  labels.n = #labels
  label_cache[key] = labels
  return labels
end

--- The labels of a catalogue entry (or nil when the entry has none).
-- @tparam table entry a catalogue entry
-- @return labels (see read_labels), or nil when the entry has no label
--   file, or `nil, message, "EIO"` when the file is missing
function M.labels(entry)
  if type(entry) == "string" then
    local e, err, code = M.get(entry)
    if not e then return nil, err, code end
    entry = e
  end
  local l = entry.labels
  if not l then
    if entry.classes then
      local labels = { n = #entry.classes }
      for i, c in ipairs(entry.classes) do labels[i] = c end
      return labels
    end
    return nil
  end
  local path, err, code = M.find_file(l.file, l.size,
    "label file " .. l.file .. " of model '" .. entry.name .. "'")
  if not path then return nil, err, code end
  return M.read_labels(path, l)
end

---------------------------------------------------------------------------
-- loading, with a cache of loaded models

local Cache = {}
Cache.__index = Cache

--- A cache of loaded models, keyed by (path, threads), keeping the `size`
-- most recently used ones (default 4). The task helpers use
-- `catalog.default_cache` unless given `{cache = c}` or `{cache = false}`.
-- @tparam[opt] number size how many models to keep
function M.new_cache(size)
  return setmetatable({ size = size or 4, items = {}, order = {} }, Cache)
end

--- Get a model, calling `loader()` to load it on a miss.
function Cache:get(key, loader)
  local m = self.items[key]
  if m then
    for i, k in ipairs(self.order) do
      if k == key then table.remove(self.order, i) break end
    end
    insert(self.order, key)
    return m
  end
  local model, err, code = loader()
  if not model then return nil, err, code end
  self.items[key] = model
  insert(self.order, key)
  while #self.order > self.size do
    local old = table.remove(self.order, 1)
    self.items[old] = nil -- the GC frees it once no caller holds it
  end
  return model
end

--- Forget every cached model.
function Cache:clear()
  self.items, self.order = {}, {}
end

--- Number of models held.
function Cache:count()
  return #self.order
end

M.default_cache = M.new_cache(4)

--- Forget every model in the default cache.
function M.clear_cache()
  M.default_cache:clear()
end

local function is_model(v)
  if type(v) ~= "userdata" then return false end
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__name == "glimpse.Model"
end
M.is_model = is_model

local function nn()
  return require "glimpse.nn"
end

--- Load a model by catalogue name or path, through the cache.
-- @param name_or_path a catalogue name, a path to a model file, or an
--   already loaded glimpse.Model (returned as is)
-- @tparam[opt] table opts `threads` (default 1), `cache` (a cache from
--   new_cache, or false to bypass caching)
-- @treturn userdata the glimpse.Model
-- @treturn table|nil its catalogue entry
-- @treturn string|nil its path
-- @return or `nil, message, code`
function M.load(name_or_path, opts)
  opts = opts or {}
  if is_model(name_or_path) then return name_or_path, nil, nil end
  if type(name_or_path) ~= "string" then
    error("bad argument #1 to 'load' (model name, path or glimpse.Model expected, got " ..
      type(name_or_path) .. ")", 2)
  end
  local path, entry, code = M.find(name_or_path)
  if not path then return nil, entry, code end
  if entry and entry.format ~= "tflite" and entry.format ~= "onnx" then
    return nil, "catalog: model '" .. entry.name .. "' is in " .. entry.format ..
      " format, which glimpse.nn cannot load yet", "EUNSUPPORTED"
  end
  local threads = opts.threads or 1
  local function loader()
    local model, err, ecode = nn().load(path, { threads = threads })
    if not model then
      if type(err) == "string" and not err:find("^%w+: ") then err = "catalog: " .. err end
      return nil, err, ecode
    end
    return model
  end
  local cache = opts.cache
  if cache == nil then cache = M.default_cache end
  local model, err, ecode
  if cache then
    model, err, ecode = cache:get(path .. "\0" .. threads, loader)
  else
    model, err, ecode = loader()
  end
  if not model then return nil, err, ecode end
  return model, entry, path
end

--- Check a file against a catalogue checksum with the `sha256sum` command.
-- @treturn boolean true when it matches
-- @treturn string the actual checksum (or an error text)
function M.verify(path, sha256)
  local p = io.popen("sha256sum '" .. path:gsub("'", "'\\''") .. "' 2>/dev/null")
  if not p then return false, "sha256sum unavailable" end
  local out = p:read("a") or ""
  p:close()
  local sum = out:match("^(%x+)")
  if not sum then return false, "sha256sum failed" end
  return sum == sha256, sum
end

M._normalize = normalize

return M
