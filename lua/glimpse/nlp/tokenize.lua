--- English tokenizer: words, numbers, punctuation and symbols with byte offsets.
--
-- Offsets are 1-based byte positions into the original string, inclusive,
-- so `tok.text == s:sub(tok.start, tok.stop)`. Any UTF-8 letter (accented
-- Latin, CJK, ...) is a word character; emoji and currency signs are symbols;
-- a byte that is not valid UTF-8 becomes a one-byte symbol token.
-- @module glimpse.nlp.tokenize

local byte, sub, find, lower = string.byte, string.sub, string.find, string.lower

local M = {}

-- Multi-byte punctuation and symbols, by code point.
local PUNCT_CP = {
  [0x2018] = true, [0x2019] = true, [0x201C] = true, [0x201D] = true, -- curly quotes
  [0x2013] = true, [0x2014] = true, [0x2026] = true, [0x00AB] = true, [0x00BB] = true,
  [0x00B7] = true, [0x3001] = true, [0x3002] = true, [0xFF0C] = true, [0xFF01] = true,
  [0xFF1F] = true, [0xFF1A] = true, [0xFF1B] = true, [0xFF08] = true, [0xFF09] = true,
  [0x300A] = true, [0x300B] = true, [0x300C] = true, [0x300D] = true, [0x3010] = true,
  [0x3011] = true, [0x00A1] = true, [0x00BF] = true, [0x2022] = true, [0x201E] = true,
}

local function cp_class(cp)
  if PUNCT_CP[cp] then return "P" end
  if cp == 0x00A0 or cp == 0x3000 or (cp >= 0x2000 and cp <= 0x200B) then return "W" end
  if (cp >= 0x00A2 and cp <= 0x00A9) or cp == 0x00AE or cp == 0x00B0 or cp == 0x00B1
      or cp == 0x00D7 or cp == 0x00F7
      or (cp >= 0x20A0 and cp <= 0x20CF) -- currency
      or (cp >= 0x2100 and cp <= 0x2BFF) -- letterlike, arrows, math, dingbats, ...
      or (cp >= 0x1F000 and cp <= 0x1FAFF) -- emoji
      or (cp >= 0xFE00 and cp <= 0xFE0F) or cp == 0x200D then
    return "S"
  end
  return "L"
end

-- Decodes the UTF-8 character at i: returns its code point and byte length,
-- or nil, 1 for an invalid byte.
local function decode(s, i, b)
  local n, cp
  if b >= 0xF0 and b <= 0xF4 then n, cp = 4, b & 0x07
  elseif b >= 0xE0 then n, cp = 3, b & 0x0F
  elseif b >= 0xC2 and b <= 0xDF then n, cp = 2, b & 0x1F
  else return nil, 1 end
  if b > 0xF4 then return nil, 1 end
  for k = 1, n - 1 do
    local c = byte(s, i + k)
    if not c or c < 0x80 or c > 0xBF then return nil, 1 end
    cp = (cp << 6) | (c & 0x3F)
  end
  return cp, n
end
M.decode = decode

-- ASCII classes: L letter, D digit, W space, P punctuation, S symbol.
local ASCII = {}
for c = 0, 127 do
  local ch = string.char(c)
  local k
  if ch:match("%a") then k = "L"
  elseif ch:match("%d") then k = "D"
  elseif ch:match("%s") or c < 32 or c == 127 then k = "W"
  elseif ch:match("[%.,;:!%?%(%)%[%]{}\"'%-]") then k = "P"
  else k = "S" end
  ASCII[c] = k
end

-- Bytes after an ASCII letter run that end the word outright: not a letter,
-- digit, joiner (- & . , : ') or the start of a multi-byte character.
local NOT_JOIN, ONE_P, CHAR = {}, {}, {}
for c = 0, 127 do
  CHAR[c] = string.char(c)
  local k = ASCII[c]
  if k ~= "L" and k ~= "D" and c ~= 45 and c ~= 38 and c ~= 46 and c ~= 44 and c ~= 58 and c ~= 39 then
    NOT_JOIN[c] = true
  end
  if k == "P" and c ~= 39 and c ~= 46 and c ~= 45 then ONE_P[c] = true end
end

-- Abbreviations that keep their final period.
local ABBREV = {}
for w in ([[mr mrs ms dr prof st jr sr inc corp ltd co vs etc mt ave rd blvd no
  jan feb mar apr jun jul aug sep sept oct nov dec approx dept est fig lt sgt capt gen
  col gov sen rep rev hon]]):gmatch("%a+") do ABBREV[w] = true end

-- Clitics split off a word, as in the Penn Treebank: "don't" -> do + n't.
local CLITIC = { ["'s"] = true, ["'re"] = true, ["'ll"] = true, ["'ve"] = true,
  ["'m"] = true, ["'d"] = true }

--- Splits text into tokens.
-- @tparam string text
-- @treturn {{text=string,start=int,stop=int,kind=string},...}
-- @raise when text is not a string
-- @usage for _, t in ipairs(nlp.tokenize("Two dogs.")) do print(t.text, t.kind) end
function M.tokenize(text)
  if type(text) ~= "string" then
    error(("bad argument #1 to 'tokenize' (string expected, got %s)"):format(type(text)), 2)
  end
  local out, n = {}, 0
  local len = #text
  local i = 1

  local function push(a, b, kind)
    n = n + 1
    out[n] = { text = sub(text, a, b), start = a, stop = b, kind = kind }
  end

  -- class and byte length of the character at j
  local function class_at(j)
    local b = byte(text, j)
    if not b then return nil, 0 end
    if b < 128 then return ASCII[b], 1 end
    local cp, l = decode(text, j, b)
    if not cp then return "X", 1 end
    return cp_class(cp), l
  end

  while i <= len do
    local b0 = byte(text, i)
    local c, l
    if b0 < 128 then c, l = ASCII[b0], 1 else c, l = class_at(i) end
    if c == "L" and b0 < 128 then
      -- fast path: a plain ASCII word ended by a byte that cannot join it
      local _, e = find(text, "^%a+", i)
      local nb = byte(text, e + 1)
      -- "," and ":" join only digits; "." ends a word that is no abbreviation
      if not nb or (nb < 128 and NOT_JOIN[nb]) or nb == 44 or nb == 58
          or (nb == 46 and e > i and (e - i >= 6 or not ABBREV[lower(sub(text, i, e))])) then
        n = n + 1
        out[n] = { text = sub(text, i, e), start = i, stop = e, kind = "word" }
        i = nb == 32 and e + 2 or e + 1
        goto continue
      end
    elseif c == "P" and ONE_P[b0] then
      -- fast path: one-byte punctuation that never starts a longer token
      n = n + 1
      out[n] = { text = CHAR[b0], start = i, stop = i, kind = "punctuation" }
      i = byte(text, i + 1) == 32 and i + 2 or i + 1
      goto continue
    end
    if c == "W" then
      local _, e = find(text, "^[ \t\r\n\f\v]+", i)
      i = (e or i) + 1
    elseif c == "L" or c == "D" then
      -- A run of letters/digits, joined across inner hyphens, apostrophes,
      -- ampersands and decimal/thousand separators between digits.
      local j = i + l
      local has_alpha, has_digit = c == "L", c == "D"
      while j <= len do
        -- fast path over plain ASCII letters and digits
        local _, e = find(text, "^%w+", j)
        if e then
          if not has_alpha and find(text, "^%d*%a", j) then has_alpha = true end
          if not has_digit and find(text, "^%a*%d", j) then has_digit = true end
          j = e + 1
        end
        local b = byte(text, j)
        if not b then break end
        local ab = b < 128 and ASCII[b]
        if ab == "W" then break end -- the common case: a space ends the word
        local c2, l2
        if ab then c2, l2 = ab, 1 else c2, l2 = class_at(j) end
        if c2 == "L" or c2 == "D" then
          if c2 == "L" then has_alpha = true else has_digit = true end
          j = j + l2
        elseif b == 45 or b == 38 or b == 46 or b == 44 or b == 58 or b == 39 or b == 0xE2 then
          local nc = class_at(j + 1)
          local prevb = byte(text, j - 1)
          if (b == 45 or b == 38) and (nc == "L" or nc == "D") then -- - &
            j = j + 1
          elseif (b == 46 or b == 44 or b == 58) and nc == "D" and prevb and prevb >= 48 and prevb <= 57
              and not has_alpha then -- 12.50 1,000 3:45
            j = j + 1
          elseif (b == 39 or (b == 0xE2 and sub(text, j, j + 2) == "\226\128\153"))
              and class_at(j + (b == 39 and 1 or 3)) == "L" then
            -- apostrophe: keep "o'clock", split clitics
            local al = b == 39 and 1 or 3
            local rest = lower(sub(text, j + al, j + al + 2)):match("^%a+")
            local after = byte(text, j + al + #(rest or ""))
            local is_end = not after or not (ASCII[after] == "L" or ASCII[after] == "D")
            if rest and is_end and (CLITIC["'" .. rest] or (rest == "t" and lower(sub(text, j - 1, j - 1)) == "n")) then
              break
            end
            j = j + al
          else
            break
          end
        else
          break
        end
      end
      local stop = j - 1
      local word = sub(text, i, stop)
      -- "don't": the n belongs to the clitic "n't"
      local nt_stop
      do
        local b = byte(text, j)
        local al = b == 39 and 1 or (b == 0xE2 and sub(text, j, j + 2) == "\226\128\153" and 3 or 0)
        if al > 0 and lower(sub(text, j + al, j + al)) == "t" and lower(sub(word, -1)) == "n"
            and #word > 1 and not find(text, "^[%w]", j + al + 1) then
          stop = stop - 1
          word = sub(text, i, stop)
          nt_stop = j + al
        end
      end
      if nt_stop then
        push(i, stop, "word")
        push(stop + 1, nt_stop, "word")
        i = nt_stop + 1
        goto continue
      end
      -- Abbreviations and initials keep their period: Mr. Dr. U.S. a.m.
      if byte(text, stop + 1) == 46 then
        local lw = lower(word)
        if ABBREV[lw] or (#word == 1 and has_alpha) then
          stop = stop + 1
          -- dotted sequences: U.S.A. a.m.
          while find(text, "^%a%.", stop + 1) do stop = stop + 2 end
          word = sub(text, i, stop)
        end
      end
      local kind
      if not has_alpha then kind = "number"
      elseif not has_digit then kind = "word"
      elseif has_digit and find(word, "^%d+%a+$") and
          (find(lower(word), "^%d*1st$") or find(lower(word), "^%d*2nd$") or
           find(lower(word), "^%d*3rd$") or find(lower(word), "^%d+th$")) then
        kind = "number"
      elseif has_digit and find(word, "^%d+[%.,]?%d*$") then
        kind = "number"
      elseif has_digit and find(lower(word), "^%d+[ap]m$") then
        -- "10am" -> 10 + am
        local d = word:match("^%d+")
        push(i, i + #d - 1, "number")
        i = i + #d
        word = sub(text, i, stop)
        kind = "word"
      else
        kind = "word"
      end
      n = n + 1
      out[n] = { text = sub(text, i, stop), start = i, stop = stop, kind = kind }
      i = stop + 1
    elseif c == "P" then
      -- clitic after a word: 's n't 're ...
      local b = byte(text, i)
      local al = (b == 39) and 1 or ((sub(text, i, i + 2) == "\226\128\153") and 3 or 0)
      local prev = out[n]
      if al > 0 and prev and prev.stop == i - 1 then
        local rest = text:match("^%a+", i + al)
        if rest and CLITIC["'" .. lower(rest)] then
          push(i, i + al + #rest - 1, "word")
          i = i + al + #rest
          goto continue
        end
      end
      if al == 0 and b == 46 and sub(text, i, i + 2) == "..." then
        push(i, i + 2, "punctuation")
        i = i + 3
      elseif (b == 45) and sub(text, i, i + 1) == "--" then
        push(i, i + 1, "punctuation")
        i = i + 2
      else
        n = n + 1
        out[n] = { text = sub(text, i, i + l - 1), start = i, stop = i + l - 1, kind = "punctuation" }
        i = i + l
      end
    else -- S or X (invalid byte)
      push(i, i + l - 1, "symbol")
      i = i + l
    end
    ::continue::
  end

  return out
end

return M
