local nlp = require "glimpse.nlp"

-- entities of type `typ` in text, as {text=entity}
local function of_type(text, typ)
  local out = {}
  for _, e in ipairs(assert(nlp.entities(text))) do
    assert.are.equal(e.text, text:sub(e.start, e.stop))
    if e.type == typ then out[#out + 1] = e end
  end
  return out
end

local function texts(list)
  local t = {}
  for i, e in ipairs(list) do t[i] = e.text end
  return t
end

describe("glimpse.nlp.entities", function()
  it("attaches count and colour to the object: two brown dogs", function()
    local s = "Two brown dogs play in the snow."
    local objs = of_type(s, "OBJECT")
    assert.are.equal("dogs", objs[1].text)
    assert.are.equal("dog", objs[1].lemma)
    assert.are.equal(2, objs[1].count)
    assert.are.same({ "brown" }, objs[1].attributes)
    assert.are.equal("animal", objs[1].category)
    assert.are.same({ "Two" }, texts(of_type(s, "COUNT")))
    assert.are.same({ "brown" }, texts(of_type(s, "COLOR")))
  end)

  it("counts articles as one and bare plurals as several", function()
    local objs = of_type("A man feeds pigeons and an old woman watches.", "OBJECT")
    assert.are.same({ "man", "pigeons", "woman" }, texts(objs))
    assert.are.equal(1, objs[1].count)
    assert.are.equal("several", objs[2].count)
    assert.are.equal(1, objs[3].count)
    assert.are.same({ "old" }, objs[3].attributes)
    assert.are.equal("person", objs[3].category)
    assert.are.same({}, of_type("A man feeds pigeons.", "COUNT"))
  end)

  it("moves the quantity of 'a group of' / 'a pair of' onto the object", function()
    local objs = of_type("A group of children and a pair of shoes.", "OBJECT")
    assert.are.same({ "children", "shoes" }, texts(objs))
    assert.are.equal("several", objs[1].count)
    assert.are.equal(2, objs[2].count)
  end)

  local negations = {
    "There are no cars on the road.", "A man without a hat.", "This is not a cat.",
    "No people are visible.", "The street is free of traffic and empty of cars, with no buses or trucks.",
  }
  for _, s in ipairs(negations) do
    it("produces no object for a negated phrase: " .. s, function()
      for _, e in ipairs(of_type(s, "OBJECT")) do
        assert.is_not.equal("vehicle", e.category, e.text)
        assert.is_not.equal("clothing", e.category, e.text)
        assert.is_not.equal("animal", e.category, e.text)
        assert.is_false(e.text == "people", e.text)
      end
    end)
  end

  it("negates the object of a negated verb", function()
    assert.are.same({ "man" }, texts(of_type("The man is not wearing a hat.", "OBJECT")))
    assert.are.same({ "dog", "scarf" },
      texts(of_type("The dog doesn't have a collar but wears a scarf.", "OBJECT")))
    assert.are.same({ "cat", "mat" }, texts(of_type("A cat that isn't sleeping sits on a mat.", "OBJECT")))
  end)

  it("keeps what is not negated", function()
    assert.are.same({ "man" }, texts(of_type("A man without a hat.", "OBJECT")))
    assert.are.same({ "road" }, texts(of_type("There are no cars on the road.", "OBJECT")))
  end)

  it("finds WordNet compounds and categories", function()
    local objs = of_type("A fire hydrant next to a tabby cat and a school bus.", "OBJECT")
    assert.are.same({ "fire hydrant", "tabby cat", "school bus" }, texts(objs))
    assert.are.equal("animal", objs[2].category)
    assert.are.equal("vehicle", objs[3].category)
  end)

  it("picks the category of a noun's main sense, by WordNet's tag counts", function()
    -- soldier and worker are people first (soldier ant, worker bee come later);
    -- tiger's person sense is figurative and rare, so the animal wins.
    local objs = of_type("A soldier, a worker and a tiger.", "OBJECT")
    assert.are.same({ "soldier", "worker", "tiger" }, texts(objs))
    assert.are.same({ "person", "person", "animal" },
      { objs[1].category, objs[2].category, objs[3].category })
  end)

  it("tells named entities apart", function()
    local s = "Dr. Jane Smith drinks Starbucks coffee near the Eiffel Tower in Paris. Albert Einstein smiles."
    assert.are.same({ "Jane Smith", "Albert Einstein" }, texts(of_type(s, "PERSON")))
    assert.are.same({ "Starbucks" }, texts(of_type(s, "ORG")))
    assert.are.same({ "Eiffel Tower", "Paris" }, texts(of_type(s, "PLACE")))
    assert.are.same({ "University of Oxford" }, texts(of_type("Students at the University of Oxford.", "ORG")))
  end)

  it("extracts dates, times, money, percentages and plates", function()
    local s = "On July 4, 2021 at 3:45 pm a taxi with plate ABC-1234 charged $12.50, 20% more than on Monday."
    assert.are.same({ "July 4, 2021", "Monday" }, texts(of_type(s, "DATE")))
    assert.are.same({ "3:45 pm" }, texts(of_type(s, "TIME")))
    assert.are.same({ "$12.50" }, texts(of_type(s, "MONEY")))
    assert.are.same({ "20%" }, texts(of_type(s, "PERCENT")))
    assert.are.same({ "ABC-1234" }, texts(of_type(s, "PLATE")))
    assert.are.same({ "7XYZ123" }, texts(of_type("A car with licence plate 7XYZ123.", "PLATE")))
    assert.are.same({ "€3", "5 dollars" }, texts(of_type("Tea for €3 or 5 dollars.", "MONEY")))
  end)

  it("extracts quoted and visible text without analysing it", function()
    local s = "A sign reading \"STOP\" and a banner that says 'Open 24 Hours'."
    assert.are.same({ "STOP", "Open 24 Hours" }, texts(of_type(s, "TEXT")))
    assert.are.same({}, of_type(s, "TIME"))
    assert.are.same({ "EXIT" }, texts(of_type("A green sign with the word EXIT above the door.", "TEXT")))
  end)

  it("gives percentages and objects in the local describer's output", function()
    local s = "A photo that most likely shows a tabby cat (71%), possibly an Egyptian cat (12%)."
    assert.are.same({ "tabby cat", "Egyptian cat" }, texts(of_type(s, "OBJECT")))
    assert.are.same({ "71%", "12%" }, texts(of_type(s, "PERCENT")))
  end)

  it("joins noun compounds but keeps materials and colours as attributes", function()
    local objs = of_type("A desk lamp, a wicker basket, an oak table and a black bear.", "OBJECT")
    assert.are.same({ "desk lamp", "basket", "table", "black bear" }, texts(objs))
    assert.are.same({ "wicker" }, objs[2].attributes)
    assert.are.same({ "oak" }, objs[3].attributes)
    assert.are.equal("animal", objs[4].category)
    objs = of_type("Two glasses of wine and a pair of sunglasses.", "OBJECT")
    assert.are.same({ "glass", "wine", "sunglasses" }, (function()
      local t = {}
      for i, e in ipairs(objs) do t[i] = e.lemma end
      return t
    end)())
    assert.are.equal(2, objs[1].count)
  end)

  it("treats names before a noun as modifiers and possessives as such", function()
    local s = "A toddler's teddy bear in a Nike shoe box."
    assert.are.same({ "toddler", "teddy bear", "shoe box" }, texts(of_type(s, "OBJECT")))
    assert.are.same({ "Nike" }, texts(of_type(s, "ORG")))
    assert.are.same({ "Tesla" }, texts(of_type("A white Tesla Cybertruck.", "ORG")))
  end)

  it("does not take verbs for nouns or colours for things", function()
    assert.are.same({ "kids", "crowns" }, texts(of_type("Four kids wear paper crowns.", "OBJECT")))
    assert.are.same({ "sky" }, texts(of_type("The sky is pale pink.", "OBJECT")))
    assert.are.same({ "pale pink" }, texts(of_type("The sky is pale pink.", "COLOR")))
    assert.are.same({ "surfer", "surfboard" }, texts(of_type("A surfer carries a surfboard.", "OBJECT")))
  end)

  it("keeps modified colours together", function()
    local objs = of_type("A dark blue car.", "OBJECT")
    assert.are.same({ "dark blue" }, objs[1].attributes)
    assert.are.same({ "dark blue" }, texts(of_type("A dark blue car.", "COLOR")))
  end)

  it("keeps byte offsets with accents and emoji", function()
    local s = "🐶 Une café: a brown dog sits near the café in Zürich."
    local objs = of_type(s, "OBJECT")
    assert.are.same({ "café", "dog", "café" }, texts(objs))
    assert.are.equal(s:find("dog", 1, true), objs[2].start)
  end)

  it("copes with empty, odd and invalid input", function()
    assert.are.same({}, assert(nlp.entities("")))
    assert.are.same({}, assert(nlp.entities("   ")))
    assert.is_table(assert(nlp.entities("\255\254\253 a red \255 car")))
    assert.is_table(assert(nlp.entities(string.rep("\"", 1000))))
    assert.is_table(assert(nlp.entities(string.rep("no ", 1000))))
  end)

  it("handles a megabyte of text", function()
    local unit = "Two brown dogs play near a red car with plate ABC-1234 at 3:45 pm on July 4, 2021. "
    local big = string.rep(unit, math.ceil(1048576 / #unit))
    local ents = assert(nlp.entities(big))
    local objects = 0
    for _, e in ipairs(ents) do if e.type == "OBJECT" then objects = objects + 1 end end
    -- dogs, car, plate in every sentence
    assert.are.equal(3 * math.ceil(1048576 / #unit), objects)
  end)

  it("raises on caller bugs", function()
    assert.has.error(function() nlp.entities(nil) end,
      "bad argument #1 to 'entities' (string expected, got nil)")
    assert.has.error(function() nlp.entities("x", 5) end,
      "bad argument #2 to 'entities' (table expected, got number)")
  end)
end)
