--- glimpse.llm.profiles — what each OpenAI-compatible server accepts.
--
-- | profile  | default base URL            | key needed | images        | structured output        | errors          |
-- |----------|-----------------------------|------------|---------------|--------------------------|-----------------|
-- | openai   | https://api.openai.com/v1   | yes        | data or https | json_schema (strict)     | HTTP status     |
-- | azure    | (your deployment's URL)     | yes        | data or https | json_schema (strict)     | HTTP status     |
-- | ollama   | http://localhost:11434/v1   | no         | data URL only | json_object + prompt     | HTTP status     |
-- | llamacpp | http://localhost:8080/v1    | no         | data URL only | json_schema              | HTTP status     |
-- | vllm     | http://localhost:8000/v1    | no         | data or https | json_schema              | HTTP status     |
-- | lmstudio | http://localhost:1234/v1    | no         | data URL only | json_schema              | may be 200 + error |
--
-- Whatever the server claims, a structured reply is parsed and validated
-- against the schema before it is returned; a server that ignored the schema
-- gives a `bad_response` error that says so.
-- @module glimpse.llm.profiles
local M = {}

M.openai = {
  name = "openai",
  base_url = "https://api.openai.com/v1",
  needs_key = true,
  data_url_only = false,
  structured = "json_schema",
  detail = true,
  auth = "bearer",
}

-- Azure OpenAI and gateways in its style: key in an `api-key` header, the
-- deployment in the URL and an api-version query parameter (pass both in
-- base_url / query).
M.azure = {
  name = "azure",
  needs_key = true,
  data_url_only = false,
  structured = "json_schema",
  detail = true,
  auth = "api-key",
}

M.ollama = {
  name = "ollama",
  base_url = "http://localhost:11434/v1",
  needs_key = false,
  data_url_only = true,
  structured = "json_object",
  detail = false,
  auth = "bearer",
}

M.llamacpp = {
  name = "llamacpp",
  base_url = "http://localhost:8080/v1",
  needs_key = false,
  data_url_only = true,
  structured = "json_schema",
  detail = false,
  auth = "bearer",
}

M.vllm = {
  name = "vllm",
  base_url = "http://localhost:8000/v1",
  needs_key = false,
  data_url_only = false,
  structured = "json_schema",
  detail = true,
  auth = "bearer",
}

M.lmstudio = {
  name = "lmstudio",
  base_url = "http://localhost:1234/v1",
  needs_key = false,
  data_url_only = true,
  structured = "json_schema",
  detail = false,
  auth = "bearer",
  errors_in_200 = true,
}

--- The profile named `name` (raises on an unknown name).
function M.get(name)
  local p = M[name or "openai"]
  if type(p) ~= "table" then
    error("unknown LLM profile '" .. tostring(name) ..
      "' (openai, azure, ollama, llamacpp, vllm, lmstudio)", 3)
  end
  return p
end

return M
