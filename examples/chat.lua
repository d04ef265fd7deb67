-- Talk to an OpenAI-compatible chat model, with an image or without, and see
-- what an image will cost before sending it.
--
--   eval "$(make -s env)"
--   OPENAI_API_KEY=... lua5.4 examples/chat.lua "What is in this picture?" photo.jpg
--   lua5.4 examples/chat.lua --base-url http://localhost:8080/v1 --profile llamacpp "Hello"
local glimpse = require "glimpse"

local copts, question, image = {}, nil, nil
local i = 1
while i <= #arg do
  local a = arg[i]
  if a == "--base-url" then copts.base_url = arg[i + 1]; i = i + 1
  elseif a == "--profile" then copts.profile = arg[i + 1]; i = i + 1
  elseif a == "--model" then copts.model = arg[i + 1]; i = i + 1
  elseif not question then question = a
  else image = a end
  i = i + 1
end
if not question then
  io.stderr:write("usage: lua5.4 examples/chat.lua [--base-url U] [--profile P] [--model M] QUESTION [IMAGE]\n")
  os.exit(2)
end
-- one line per retry, on stderr; the client never puts its key in these
copts.log = function(line) io.stderr:write(line, "\n") end
local client = glimpse.llm.client(copts)

local content = question
if image then
  local tokens, info = client:estimate(image, { detail = "low" })
  if not tokens then
    io.stderr:write(info, "\n")
    os.exit(1)
  end
  io.stderr:write(string.format("image: %dx%d as sent, about %d input tokens at detail=low\n",
    info.width, info.height, tokens))
  local part, perr = client:image_part(image, { detail = "low" })
  if not part then
    io.stderr:write(perr, "\n")
    os.exit(1)
  end
  content = { { type = "text", text = question }, part }
end

local r, err, code, e = client:chat({ { role = "user", content = content } }, { max_tokens = 400 })
if not r then
  io.stderr:write(err, " [", code, ", ", e.type, "]\n")
  os.exit(1)
end
print(r.text)
io.stderr:write(string.format("model %s, %d tokens (%d prompt, %d completion)\n", r.model,
  r.usage.total_tokens or 0, r.usage.prompt_tokens or 0, r.usage.completion_tokens or 0))
