--- LPeg patterns for numbers, dates, times, money, percentages and licence plates.
-- @module glimpse.nlp.patterns

local lpeg = require "lpeg"
local P, R, S, C, Cc, Cp, Ct, Cmt = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Cc, lpeg.Cp, lpeg.Ct, lpeg.Cmt

local M = {}

-- Number words ------------------------------------------------------------

local UNITS = { zero = 0, one = 1, two = 2, three = 3, four = 4, five = 5, six = 6, seven = 7,
  eight = 8, nine = 9, ten = 10, eleven = 11, twelve = 12, thirteen = 13, fourteen = 14,
  fifteen = 15, sixteen = 16, seventeen = 17, eighteen = 18, nineteen = 19, dozen = 12 }
local TENS = { twenty = 20, thirty = 30, forty = 40, fifty = 50, sixty = 60, seventy = 70,
  eighty = 80, ninety = 90 }
local BIG = { hundred = 100, thousand = 1000, million = 1000000 }

--- Value of a number word ("two", "twenty-one", "dozen"), or nil.
function M.number_word(w)
  w = w:lower()
  local v = UNITS[w] or TENS[w] or BIG[w]
  if v then return v end
  local t, u = w:match("^(%a+)%-(%a+)$")
  if t and TENS[t] and UNITS[u] and UNITS[u] > 0 and UNITS[u] < 10 then return TENS[t] + UNITS[u] end
  return nil
end

--- Value of a number token ("3", "1,000", "two", "twenty-one"), or nil.
function M.number_value(w)
  local digits = w:match("^[%d,]+$")
  if digits then return tonumber((digits:gsub(",", ""))) end
  if w:match("^%d+%.%d+$") then return tonumber(w) end
  return M.number_word(w)
end

-- Building blocks ---------------------------------------------------------

-- Case-insensitive literal.
local function ci(s)
  local p = P(true)
  for ch in s:gmatch(".") do
    local l, u = ch:lower(), ch:upper()
    p = p * (l == u and P(ch) or S(l .. u))
  end
  return p
end

local function alts(list, f)
  local p
  for _, w in ipairs(list) do
    local q = f and f(w) or P(w)
    p = p and (p + q) or q
  end
  return p
end

local digit = R "09"
local alpha = R("az", "AZ")
local alnum = alpha + digit
local utf8_char = R "\0\127" + R "\194\244" * R "\128\191" ^ 1 + P(1)
local sp = S " \t" ^ 1
local ws = S " \t" ^ 0
local eow = -alnum

local int = digit ^ 1 * ("," * digit * digit * digit) ^ 0
local dec = int * ("." * digit ^ 1) ^ -1
local num_words = {}
for w in pairs(UNITS) do num_words[#num_words + 1] = w end
for w in pairs(TENS) do num_words[#num_words + 1] = w end
table.sort(num_words, function(a, b) return #a > #b end)
local tens_words = {}
for w in pairs(TENS) do tens_words[#tens_words + 1] = w end
local unit_words = { "one", "two", "three", "four", "five", "six", "seven", "eight", "nine" }
local word_num = alts(tens_words, ci) * "-" * alts(unit_words, ci) + alts(num_words, ci)

-- MONEY
local magnitude = sp * (ci "million" + ci "billion" + ci "thousand") + S "kKmM" * eow
local cur_sym = P "US$" + P "$" + P "\226\130\172" + P "\194\163" + P "\194\165" + P "\226\130\185"
local cur_word = alts({ "dollars", "dollar", "euros", "euro", "pounds", "pound", "cents", "cent",
  "yen", "bucks", "pence", "rupees", "rupee", "francs", "franc", "yuan", "reais", "real", "pesos", "peso",
  "baht", "won", "lira", "rand", "ringgit", "dirhams", "dirham", "shekels", "kronor", "krona",
  "kroner", "zloty", "rubles", "roubles", "dong", "rupiah" }, ci) + alts({ "USD", "EUR", "GBP", "JPY", "CHF", "CNY" })
local money = cur_sym * ws * dec * magnitude ^ -1 * eow
  + dec * magnitude ^ -1 * ws * (P "\226\130\172" + P "\194\163") -- 3€
  + (dec + word_num) * magnitude ^ -1 * sp * cur_word * eow

-- PERCENT
local percent = dec * ws * "%" + (dec + word_num) * sp * (ci "percent" + ci "per cent") * eow

-- TIME
local hour = digit * digit ^ -1
local ampm = ws * (ci "a.m." + ci "p.m." + (ci "am" + ci "pm") * eow)
local time = hour * ":" * digit * digit * (":" * digit * digit) ^ -1 * ampm ^ -1 * eow
  + hour * ampm
  + (hour + word_num) * sp * (ci "o'clock" + ci "o\226\128\153clock")
  + (ci "noon" + ci "midnight") * eow

-- DATE
local months = { "January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December" }
local month_abbr = { "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec" }
local month_full_nomay = alts({ "January", "February", "March", "April", "June", "July", "August",
  "September", "October", "November", "December" })
local month = alts(months) * eow + alts(month_abbr) * (P "." + eow)
local day = digit * digit ^ -1 * (ci "st" + ci "nd" + ci "rd" + ci "th") ^ -1 * eow
local year = (P "1" * S "89" + P "20") * digit * digit * eow
local weekday = alts({ "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" }) * eow
local month_day = month * sp * day * (ws * "," * ws * year + sp * year) ^ -1
local day_month = day * sp * (ci "of" * sp) ^ -1 * month * (ws * P "," ^ -1 * ws * year) ^ -1
local month_year = month * ws * P "," ^ -1 * ws * year
local iso = digit * digit * digit * digit * "-" * digit * digit * "-" * digit * digit * eow
local slashed = digit * digit ^ -1 * S "/." * digit * digit ^ -1 * S "/." * (digit * digit * digit * digit + digit * digit) * eow
local date = weekday * (ws * "," * ws * (month_day + day_month)) ^ -1
  + iso + slashed + month_day + day_month + month_year + month_full_nomay * eow
local year_only = year + (P "1" * S "89" + P "20") * digit * "0s" * eow

-- PLATE: upper-case letters and digits in at most three groups joined by
-- "-" or a space, 5..8 characters in all, with at least one letter and two
-- digits; the space-joined form only right after the word "plate".
local up_alnum = R("AZ", "09")
local function plate_ok(s)
  local flat = s:gsub("[%- ]", "")
  if #flat < 5 or #flat > 8 then return false end
  local _, letters = flat:gsub("%u", "")
  local _, digits = flat:gsub("%d", "")
  return letters >= 1 and digits >= 2
end
M.plate_ok = plate_ok
local plate_dash = up_alnum ^ 1 * ("-" * up_alnum ^ 1) ^ -2 * eow
local plate_space = up_alnum ^ 1 * (" " * up_alnum ^ 1) ^ -2 * eow

local function span(kind, pat)
  return Cp() * pat * Cp() / function(s, e) return { kind, s, e - 1 } end
end

local entity = span("MONEY", money) + span("PERCENT", percent) + span("DATE", date)
  + span("TIME", time) + span("YEAR", year_only) + span("PLATE", plate_dash)

-- After "plate"/"registration": space-separated plates too.
local plate_context = (ci "plate" + ci "registration" + ci "tag") * (ci "s") ^ -1 * S " :\"'" ^ 1
  * (alts({ "reading", "reads", "says", "number", "shows", "with" }, ci) * S " :\"'" ^ 1) ^ -1

-- One pass over the text: at each word start try an entity, else skip the
-- word (or one character). Plate candidates are checked in Lua afterwards,
-- not with match-time captures, which would overflow LPeg's capture stack
-- inside a table capture over a megabyte of text.
local skip = alnum ^ 1 + utf8_char
local plate_any = up_alnum ^ 1 * (S "- " * up_alnum ^ 1) ^ -2 * eow
-- Every entity and plate cue starts with a digit, a currency sign, an
-- upper-case letter (see cap_starts), or (in any case) the first three
-- letters of a number word, "noon", "midnight", "plate", "registration" or
-- "tag". Testing that first skips most words and every space at once; where
-- it fails, so would each alternative after it.
local lower_starts
do
  local words = { "noon", "midnight", "plate", "registration", "tag" }
  for w in pairs(UNITS) do words[#words + 1] = w end
  for w in pairs(TENS) do words[#words + 1] = w end
  table.sort(words)
  local seen = {}
  for _, w in ipairs(words) do
    local three = w:sub(1, 3)
    if not seen[three] then
      seen[three] = true
      local q = ci(three)
      lower_starts = lower_starts and (lower_starts + q) or q
    end
  end
end
-- an upper-case letter starts a plate or a currency code only when no
-- lower-case letter follows it; else only a month or weekday name
local cap_starts = R "AZ" * -R "az"
do
  local seen = {}
  for _, list in ipairs({ months, month_abbr, { "Monday", "Tuesday", "Wednesday", "Thursday",
      "Friday", "Saturday", "Sunday" } }) do
    for _, w in ipairs(list) do
      local three = w:sub(1, 3)
      if not seen[three] then
        seen[three] = true
        cap_starts = cap_starts + P(three)
      end
    end
  end
end
local may_start = #(digit + S "$\194\226" + cap_starts + lower_starts)
local scanner = Ct((may_start * (plate_context * span("PLATE_CTX", plate_any) + entity) + skip) ^ 0)

--- Scans text for MONEY, PERCENT, DATE, TIME, YEAR and PLATE spans.
-- @treturn {{kind, start, stop}, ...} in text order, non-overlapping
function M.scan(text)
  local found = lpeg.match(scanner, text) or {}
  local out = {}
  for _, f in ipairs(found) do
    if f[1] == "PLATE" or f[1] == "PLATE_CTX" then
      if plate_ok(text:sub(f[2], f[3])) then
        f[1] = "PLATE"
        out[#out + 1] = f
      end
    else
      out[#out + 1] = f
    end
  end
  return out
end

M.lpeg = { money = money, percent = percent, time = time, date = date, plate = plate_dash }

return M
