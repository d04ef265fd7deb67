-- bin/glimpse run as a subprocess: help, version, exit statuses, JSON
-- validity, directories, the LLM backend against the strict server.
local cjson = require "cjson.safe"
local control = require "server.control"

local KEY = "sk-cli-spec-55aa66bb"
local HOPPER = glimpse_spec.image_path("grace_hopper.bmp")
local CAT = glimpse_spec.image_path("cat.bmp")
local BIRD = glimpse_spec.image_path("bird.bmp")
local have_models = glimpse_spec.exists(glimpse_spec.model_path("tflite/mobilenet_v2_1.0_224_quant.tflite"))

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- Run bin/glimpse with args (a list); returns stdout, stderr, exit status.
-- The environment is cleared of OPENAI_* so the default backend is local,
-- unless `env` sets them.
local function run(args, env)
  local errfile = glimpse_spec.tmpname(".err")
  local parts = { "env -u OPENAI_API_KEY -u OPENAI_BASE_URL" }
  for k, v in pairs(env or {}) do parts[#parts + 1] = k .. "=" .. q(v) end
  parts[#parts + 1] = "lua5.4 bin/glimpse"
  for _, a in ipairs(args) do parts[#parts + 1] = q(a) end
  local cmd = table.concat(parts, " ") .. " 2>" .. q(errfile)
  local p = io.popen(cmd, "r")
  local out = p:read("a")
  local _, _, status = p:close()
  local err = glimpse_spec.read_file(errfile)
  os.remove(errfile)
  return out, err, status
end

describe("bin/glimpse", function()
  it("prints help and the version", function()
    local out, err, status = run{ "--help" }
    assert.equal(0, status)
    assert.matches("^usage: glimpse <command>", out)
    assert.equal("", err)
    out, _, status = run{ "describe", "--help" }
    assert.equal(0, status)
    assert.matches("--backend B", out, 1, true)
    out, _, status = run{ "classify", "-h" }
    assert.equal(0, status)
    assert.matches("^usage: glimpse classify", out)
    out, _, status = run{ "--version" }
    assert.equal(0, status)
    assert.matches("^glimpse %d+%.%d+%.%d+\n$", out)
  end)

  it("exits 2 with one line on bad usage", function()
    for _, args in ipairs{ {}, { "frobnicate" }, { "describe" }, { "describe", "--bogus", CAT },
                           { "classify", "-k", "zero", CAT }, { "describe", "--format", "xml", CAT },
                           { "describe", "--backend" } } do
      local _, err, status = run(args)
      assert.equal(2, status, table.concat(args, " "))
      if #args > 0 then
        assert.matches("^glimpse: [^\n]+\n$", err)
      end
    end
  end)

  it("exits 3 with one line for a missing file", function()
    local out, err, status = run{ "describe", "--backend", "local", "/nonexistent/x.jpg" }
    assert.equal(3, status)
    assert.equal("", out)
    assert.matches("^glimpse: /nonexistent/x%.jpg: describe: [^\n]+\n$", err)
  end)

  it("exits 4 for a file that is not an image", function()
    local path = glimpse_spec.tmpname(".jpg")
    glimpse_spec.write_file(path, "this is not a JPEG")
    local _, err, status = run{ "classify", path }
    os.remove(path)
    assert.equal(4, status)
    assert.matches("^glimpse: [^\n]+\n$", err)
  end)

  describe("#models", function()
    if not have_models then
      pending("the shared models are not present")
      return
    end

    it("describes grace_hopper.bmp offline with no key (text)", function()
      local out, err, status = run{ "describe", HOPPER }
      assert.equal(0, status, err)
      assert.matches("grace_hopper.bmp (512x600)", out, 1, true)
      assert.matches("A photo that", out, 1, true)
      assert.matches("labels:", out, 1, true)
      assert.matches("backend:   local", out, 1, true)
      assert.equal("", err) -- no progress bar: stderr is not a terminal
    end)

    it("writes one valid JSON array for several images", function()
      local out, err, status = run{ "describe", "--format", "json", "--no-segment", "--no-pose", CAT, BIRD }
      assert.equal(0, status, err)
      local doc = assert(cjson.decode(out))
      assert.equal(2, #doc)
      assert.equal(CAT, doc[1].file)
      assert.equal("local", doc[1].backend)
      assert.is_string(doc[2].description)
      assert.is_true(#doc[2].labels > 0)
      assert.equal(512, doc[1].image.width)
    end)

    it("classify -k N as JSON lines, and keeps going past a bad file", function()
      local out, err, status = run{ "classify", "-k", "2", "--format", "jsonl", CAT, "/nonexistent.png", BIRD }
      assert.equal(3, status)
      assert.matches("^glimpse: /nonexistent%.png: ", err)
      local lines = {}
      for line in out:gmatch("[^\n]+") do lines[#lines + 1] = assert(cjson.decode(line)) end
      assert.equal(3, #lines)
      assert.equal(2, #lines[1].labels)
      assert.equal("Egyptian cat", lines[1].labels[1].label)
      assert.equal("EIO", lines[2].error.code)
      assert.equal("chickadee", lines[3].labels[1].label)
    end)

    it("draws a progress bar on stderr only when it is a terminal", function()
      if not os.execute("command -v script >/dev/null 2>&1") then
        pending("script(1) is not installed")
        return
      end
      -- script(1) gives the command a terminal; stdout is redirected to a file
      -- inside it, so only stderr reaches the terminal
      local outfile = glimpse_spec.tmpname(".txt")
      local cmd = "lua5.4 bin/glimpse classify -k 1 " .. q(CAT) .. " " .. q(BIRD) .. " >" .. q(outfile)
      -- under the sanitizer build, script(1) itself is not ours to leak-check
      local asan = os.getenv("ASAN_OPTIONS")
      local script = "script"
      if asan then
        cmd = "ASAN_OPTIONS=" .. q(asan) .. " " .. cmd
        script = "ASAN_OPTIONS=detect_leaks=0 script"
      end
      local p = io.popen(script .. " -qec " .. q(cmd) .. " /dev/null </dev/null", "r")
      local tty = p:read("a")
      p:close()
      local out = glimpse_spec.read_file(outfile)
      os.remove(outfile)
      assert.matches("%[#+%.*%] 1/2", tty)
      assert.is_nil(out:find("[#", 1, true))
      assert.matches("Egyptian cat", out, 1, true)
      -- -q turns it off
      p = io.popen(script .. " -qec " .. q((cmd:gsub("classify", "classify -q"))) .. " /dev/null </dev/null", "r")
      tty = p:read("a")
      p:close()
      os.remove(outfile)
      assert.is_nil(tty:find("[#", 1, true))
    end)

    it("recurses into directories and writes --out", function()
      local dir = glimpse_spec.tmpname("")
      assert(os.execute("mkdir -p " .. q(dir .. "/sub")))
      glimpse_spec.write_file(dir .. "/a.bmp", glimpse_spec.read_file(CAT))
      glimpse_spec.write_file(dir .. "/sub/b.BMP", glimpse_spec.read_file(BIRD))
      glimpse_spec.write_file(dir .. "/notes.txt", "not an image")
      local outfile = dir .. "/out.json"
      local out, err, status = run{ "classify", "-k", "1", "--format", "json", "--out", outfile, dir }
      assert.equal(0, status, err)
      assert.equal("", out)
      local doc = assert(cjson.decode(glimpse_spec.read_file(outfile)))
      os.execute("rm -rf " .. q(dir))
      assert.equal(2, #doc)
      assert.equal(dir .. "/a.bmp", doc[1].file)
      assert.equal(dir .. "/sub/b.BMP", doc[2].file)
      assert.equal("chickadee", doc[2].labels[1].label)
    end)
  end)

  describe("openai backend", function()
    local server
    setup(function() server = control.start{ key = KEY } end)
    teardown(function() server:stop() end)
    before_each(function() server:reset() end)

    it("sends the image to the configured server", function()
      local out, err, status = run({ "describe", "--format", "json", "--detail", "low", "--no-segment",
        "--no-pose", "--no-nlp", CAT }, { OPENAI_API_KEY = KEY, OPENAI_BASE_URL = server.base_url })
      assert.equal(0, status, err)
      local doc = assert(cjson.decode(out))
      assert.equal("openai", doc[1].backend)
      assert.equal("The test server saw a 512x341 jpeg image (detail low).", doc[1].description)
      assert.is_nil(out:find(KEY, 1, true))
      assert.equal(1, #server:log())
    end)

    it("--structured prints the objects", function()
      local out, err, status = run({ "describe", "--structured", "--base-url", server.base_url,
        "--no-segment", "--no-pose", "--no-nlp", CAT }, { OPENAI_API_KEY = KEY })
      assert.equal(0, status, err)
      assert.matches("objects:", out, 1, true)
      assert.matches("backend:   openai", out, 1, true)
    end)

    it("--no-fallback maps an API refusal to its exit status", function()
      server:script{ { kind = "auth" } }
      local out, err, status = run({ "describe", "--no-fallback", "--base-url", server.base_url, CAT },
        { OPENAI_API_KEY = KEY })
      assert.equal(7, status)
      assert.equal("", out)
      assert.equal("glimpse: " .. CAT .. ": llm: authentication failed (401): Incorrect API key provided.\n", err)
    end)

    it("falls back to local and says so", function()
      if not have_models then pending("the shared models are not present") return end
      server:script{ { kind = "quota" } }
      local out, err, status = run({ "describe", "--base-url", server.base_url, "--no-segment",
        "--no-pose", CAT }, { OPENAI_API_KEY = KEY })
      assert.equal(0, status, err)
      assert.matches("note:", out, 1, true)
      assert.matches("quota exceeded", out, 1, true)
      assert.matches("backend:   local", out, 1, true)
    end)
  end)
end)
