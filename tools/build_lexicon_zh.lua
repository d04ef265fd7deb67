-- build_lexicon_zh.lua OUT — compiles the zh lexicon for glimpse.nlp.
-- (Filled in by the text-processing work; writes an empty lexicon for now.)
local out = assert(arg[1], "usage: build_lexicon_zh.lua OUT")
local f = assert(io.open(out, "w"))
f:write("return {}\n")
f:close()
