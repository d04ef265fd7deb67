--- glimpse.llm — vision LLMs over the OpenAI Chat Completions protocol.
--
--     local c = glimpse.llm.client{model = "gpt-4o-mini"}      -- OPENAI_API_KEY
--     local r = assert(c:describe(img, {detail = "low"}))
--     print(r.text, r.usage.total_tokens)
--
-- See glimpse.llm.client for the methods, errors and retries, and
-- glimpse.llm.profiles for Ollama, llama.cpp, vLLM, LM Studio and Azure.
-- @module glimpse.llm
local client = require "glimpse.llm.client"

local M = {
  _VERSION = "0.1.0",
  profiles = require "glimpse.llm.profiles",
  schema = require "glimpse.llm.schema",
  tokens = require "glimpse.llm.tokens",
  json = require "glimpse.llm.json",
  parse_retry_after = client.parse_retry_after,
}

--- Make a client (see glimpse.llm.client.new for the options).
function M.client(opts)
  return client.new(opts)
end

--- True when the environment configures a remote LLM (OPENAI_API_KEY or
-- OPENAI_BASE_URL is set): what glimpse.describe uses to pick its backend.
function M.configured()
  local key, url = os.getenv("OPENAI_API_KEY"), os.getenv("OPENAI_BASE_URL")
  return (key ~= nil and key ~= "") or (url ~= nil and url ~= "")
end

return M
