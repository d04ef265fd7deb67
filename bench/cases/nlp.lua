-- bench/cases/nlp.lua — English text processing over 1 MB of image descriptions.
--
--   lua5.4 bench/run.lua nlp
--
-- The text is the English development set (spec/fixtures/nlp/dev_en.lua)
-- repeated to 1 MiB. Cases:
--   lexicon_load     load build/glimpse/lexicon/en.lua and decode every table:
--                    time and Lua heap growth (collectgarbage "count")  targets 100 ms, 30 MiB
--   tokenize_1mb     glimpse.nlp.tokenize  vs  Python re.finditer(r"\w+|[^\w\s]") (offsets kept)
--   patterns_1mb     LPeg scan for money, percent, time, date, plate  vs  Python re with
--                    comparable alternations
--   entities_1mb     the whole entity pipeline (tokenize, tag, patterns, phrases, names);
--                    no peer here (spaCy is not packaged for Debian), reported against
--                    the 1000 ms target
-- Times are process CPU time, single thread, median and minimum of REPS runs
-- after a warm-up. Ratios are glimpse / peer (or / target): below 1 is better.
local REPS = tonumber(os.getenv("GLIMPSE_BENCH_REPS") or "") or 5
local PY = "/usr/bin/python3"

local set = dofile("spec/fixtures/nlp/dev_en.lua")
local parts, len = {}, 0
while len < 1048576 do
  for _, x in ipairs(set) do
    parts[#parts + 1] = x.text
    len = len + #x.text + 1
  end
end
local text = table.concat(parts, " "):sub(1, 1048576)
local tmp = os.tmpname()
do
  local f = assert(io.open(tmp, "wb"))
  f:write(text)
  f:close()
end

local function measure(fn, reps)
  fn()
  local t = {}
  for i = 1, reps or REPS do
    collectgarbage()
    local c0 = os.clock()
    fn()
    t[i] = (os.clock() - c0) * 1000
  end
  table.sort(t)
  return t[(#t + 1) // 2], t[1]
end

local rows = {}
local function row(case, med, mn, peer_name, peer_med)
  rows[#rows + 1] = { case, med, mn, peer_name or "-", peer_med }
end

-- lexicon load: a fresh Lua state, so nothing is cached
do
  local probe = [[
    package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
    package.cpath = "build/?.so;" .. package.cpath
    collectgarbage(); collectgarbage()
    local m0 = collectgarbage("count")
    local c0 = os.clock()
    local lex = assert(require("glimpse.nlp.lexicon").load())
    local t_file = os.clock() - c0
    lex:warm()
    local t_all = os.clock() - c0
    collectgarbage(); collectgarbage()
    io.write(string.format("%.3f %.3f %.3f\n", t_file * 1000, t_all * 1000, (collectgarbage("count") - m0) / 1024))
  ]]
  local file_ms, all_ms, mib = {}, {}, 0
  for i = 1, REPS do
    local p = assert(io.popen("lua5.4 -e '" .. probe:gsub("'", "'\\''") .. "'"))
    local out = p:read("a")
    p:close()
    local a, b, c = out:match("(%S+) (%S+) (%S+)")
    file_ms[i], all_ms[i], mib = tonumber(a), tonumber(b), tonumber(c)
  end
  table.sort(file_ms)
  table.sort(all_ms)
  row("lexicon_file", file_ms[(#file_ms + 1) // 2], file_ms[1], "target", 100)
  row("lexicon_decoded", all_ms[(#all_ms + 1) // 2], all_ms[1], "target", 100)
  row("lexicon_MiB", mib, mib, "target", 30)
end

local nlp = require "glimpse.nlp"
assert(require("glimpse.nlp.lexicon").load()):warm()

-- peers in one Python process
local peer_script = [[
import re, sys, time
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
reps = int(sys.argv[2])
tok = re.compile(r"\w+|[^\w\s]")
pat = re.compile(r"""(?:US\$|\$|€|£|¥)\s*\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s*(?:%|percent\b)"""
  r"""|\b\d\d?:\d\d(?::\d\d)?(?:\s*(?:am|pm|a\.m\.|p\.m\.))?"""
  r"""|\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d\d?(?:st|nd|rd|th)?(?:,?\s*\d{4})?"""
  r"""|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|\b\d{4}-\d\d-\d\d\b"""
  r"""|\b[A-Z0-9]{2,4}-[A-Z0-9]{3,4}\b""")
def measure(fn):
    fn()
    t = []
    for _ in range(reps):
        c0 = time.process_time(); fn(); t.append((time.process_time() - c0) * 1000)
    t.sort()
    return t[(len(t) - 1) // 2]
print("tokenize %.3f" % measure(lambda: [(m.start(), m.end()) for m in tok.finditer(text)]))
print("patterns %.3f" % measure(lambda: [(m.start(), m.end()) for m in pat.finditer(text)]))
]]
local peers = {}
do
  local script = os.tmpname() .. ".py"
  local f = assert(io.open(script, "w"))
  f:write(peer_script)
  f:close()
  local p = io.popen(PY .. " " .. script .. " " .. tmp .. " " .. REPS .. " 2>/dev/null")
  if p then
    for line in p:lines() do
      local k, v = line:match("^(%S+) (%S+)")
      if k then peers[k] = tonumber(v) end
    end
    p:close()
  end
  os.remove(script)
end

local tokenize = require("glimpse.nlp.tokenize").tokenize
local patterns = require "glimpse.nlp.patterns"
do
  local med, mn = measure(function() tokenize(text) end)
  row("tokenize_1mb", med, mn, "python re", peers.tokenize)
  med, mn = measure(function() patterns.scan(text) end)
  row("patterns_1mb", med, mn, "python re", peers.patterns)
  med, mn = measure(function() assert(nlp.entities(text)) end, math.max(3, REPS // 2))
  row("entities_1mb", med, mn, "target", 1000)
end
os.remove(tmp)

print(("%-16s %10s %10s  %-10s %10s %7s"):format("case", "median", "min", "peer", "peer", "ratio"))
for _, r in ipairs(rows) do
  local unit = r[1]:find("MiB") and "MiB" or "ms"
  print(("%-16s %8.1f%-2s %8.1f%-2s  %-10s %10s %7s"):format(r[1], r[2], unit, r[3], unit, r[4],
    r[5] and ("%.1f"):format(r[5]) or "n/a", r[5] and ("%.2f"):format(r[2] / r[5]) or "n/a"))
end
