--- Sentence splitting for English.
--
-- A sentence ends at ".", "!", "?" or "…" (plus any closing quotes or
-- brackets) when the next token starts a new sentence: a capital letter, a
-- digit, an opening quote, or the end of the text. Abbreviations ("Dr.",
-- "U.S.") keep their period inside the word token, so they never split.
-- @module glimpse.nlp.sentences

local tokenize = require("glimpse.nlp.tokenize").tokenize

local M = {}

local END = { ["."] = true, ["!"] = true, ["?"] = true, ["..."] = true, ["\226\128\166"] = true,
  ["\227\128\130"] = true, ["\239\188\129"] = true, ["\239\188\159"] = true }
local CLOSE = { ['"'] = true, ["'"] = true, [")"] = true, ["]"] = true, ["\226\128\157"] = true,
  ["\226\128\153"] = true }

--- Splits text into sentences.
-- @tparam string text
-- @treturn {{text=string,start=int,stop=int},...} byte offsets as in tokens
-- @raise when text is not a string
function M.sentences(text, tokens)
  if type(text) ~= "string" then
    error(("bad argument #1 to 'sentences' (string expected, got %s)"):format(type(text)), 2)
  end
  tokens = tokens or tokenize(text)
  local out = {}
  local first = nil
  local n = #tokens
  local i = 1
  while i <= n do
    local t = tokens[i]
    first = first or t.start
    if t.kind == "punctuation" and END[t.text] then
      local j = i
      while j < n and (END[tokens[j + 1].text] or CLOSE[tokens[j + 1].text]) and tokens[j + 1].kind == "punctuation" do
        j = j + 1
      end
      local nx = tokens[j + 1]
      local breaks = not nx or nx.text:find("^[%u%d\"'(\226]") or nx.text:byte() >= 0xE3
        or t.text ~= "."
      if breaks then
        local stop = tokens[j].stop
        out[#out + 1] = { text = text:sub(first, stop), start = first, stop = stop }
        first = nil
      end
      i = j + 1
    else
      i = i + 1
    end
  end
  if first then
    local stop = tokens[n].stop
    out[#out + 1] = { text = text:sub(first, stop), start = first, stop = stop }
  end
  return out
end

return M
