-- build_lexicon_en.lua OUT — compiles the en lexicon for glimpse.nlp.
-- (Filled in by the text-processing work; writes an empty lexicon for now.)
local out = assert(arg[1], "usage: build_lexicon_en.lua OUT")
local f = assert(io.open(out, "w"))
f:write("return {}\n")
f:close()
