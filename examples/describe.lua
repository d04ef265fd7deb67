-- Describe images: offline with the local models by default, or with a
-- vision LLM (any OpenAI-compatible server) when one is configured.
--
--   eval "$(make -s env)"
--   lua5.4 examples/describe.lua ../shared/images/grace_hopper.bmp
--   OPENAI_API_KEY=... lua5.4 examples/describe.lua --structured photo.jpg
--   lua5.4 examples/describe.lua --base-url http://localhost:11434/v1 --profile ollama \
--       --model llava photo.jpg
local glimpse = require "glimpse"

local opts, files = {}, {}
local i = 1
while i <= #arg do
  local a = arg[i]
  if a == "--structured" then opts.structured = true
  elseif a == "--base-url" then opts.base_url = arg[i + 1]; i = i + 1
  elseif a == "--profile" then opts.profile = arg[i + 1]; i = i + 1
  elseif a == "--model" then opts.model = arg[i + 1]; i = i + 1
  elseif a == "--detail" then opts.detail = arg[i + 1]; i = i + 1
  else files[#files + 1] = a end
  i = i + 1
end
if #files == 0 then
  io.stderr:write("usage: lua5.4 examples/describe.lua [--structured] [--base-url U] [--profile P] ",
    "[--model M] [--detail low|high|auto] IMAGE...\n")
  os.exit(2)
end
if opts.base_url and not os.getenv("OPENAI_API_KEY") then opts.api_key = false end

local status = 0
for _, path in ipairs(files) do
  local r, err, code = glimpse.describe(path, opts)
  if not r then
    io.stderr:write(path, ": ", err, " (", tostring(code), ")\n")
    status = 1
  else
    print(glimpse.present.text.describe(r, { name = path, timings = true }))
    if r.degraded then
      -- the LLM failed: r.error.type says why (quota, timeout, network ...)
      io.stderr:write(path, ": answered locally because ", r.error.type, "\n")
    end
    print()
  end
end
os.exit(status)
