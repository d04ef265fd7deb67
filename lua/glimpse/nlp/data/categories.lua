-- Hand-made corrections to the WordNet noun categories, and noun classes the
-- entity rules treat specially.
return {
  -- WordNet's most frequent sense is not what an image description means.
  override = {
    plant = "plant", glass = "tableware", glasses = "clothing", sunglasses = "clothing",
    ["traffic light"] = "sign", ["street light"] = "structure", lamp = "device",
    monitor = "device", screen = "device", phone = "device", laptop = "device",
    kid = "person", kids = "person", guy = "person", people = "person", baby = "person",
    bike = "vehicle", car = "vehicle", bus = "vehicle", boat = "vehicle", train = "vehicle",
    truck = "vehicle", plane = "vehicle", ["fire hydrant"] = "structure", hydrant = "structure",
    tree = "plant", flower = "plant", grass = "plant", bush = "plant",
    cake = "food", fruit = "food", vegetable = "food", vegetables = "food", pizza = "food", apple = "food", orange = "food", salad = "food",
    coffee = "food", tea = "food", wine = "food", beer = "food", sandwich = "food",
    bench = "furniture", table = "furniture", chair = "furniture", couch = "furniture",
    sofa = "furniture", bed = "furniture", desk = "furniture", shelf = "furniture",
    shirt = "clothing", hat = "clothing", jacket = "clothing", dress = "clothing",
    sign = "sign", poster = "sign", banner = "sign", billboard = "sign", label = "sign",
    board = "sign", plate = "tableware", ["license plate"] = "sign", ["licence plate"] = "sign",
    bowl = "tableware", cup = "tableware", mug = "tableware", bottle = "container",
    ball = "sports", kite = "toy", balloon = "toy", logo = "sign",
    stroller = "vehicle", pram = "vehicle", ink = "artifact",
    -- newer words WordNet 3.0 (2006) lacks or misreads
    hoodie = "clothing", barista = "person", smartphone = "device", tablet = "device",
    drone = "device", earbud = "device", webcam = "device", selfie = "artifact",
    skateboard = "sports", scooter = "vehicle", ["e-scooter"] = "vehicle",
    -- visible things WordNet files only under acts, documents, places or substances
    receipt = "artifact", menu = "artifact", brochure = "artifact", calendar = "artifact",
    textbook = "artifact", paper = "artifact", whiteboard = "sign", blackboard = "sign",
    meadow = "natural", lawn = "natural", desert = "natural", mud = "natural", dirt = "natural",
    fire = "natural", lightning = "natural", campfire = "artifact", bonfire = "artifact", umbrella = "artifact", book = "artifact",
    mountain = "natural", hill = "natural", beach = "natural", river = "natural",
    lake = "natural", sea = "natural", ocean = "natural", sky = "natural", cloud = "natural",
    sun = "natural", moon = "natural", rock = "natural", wave = "natural", field = "natural",
    snow = "natural", water = "natural", sand = "natural", forest = "natural",
    street = "structure", road = "structure", sidewalk = "structure", bridge = "structure",
    house = "building", window = "structure", door = "structure", wall = "structure",
    fence = "structure", building = "building", tower = "building", shop = "building",
    store = "building", cat = "animal", dog = "animal", bird = "animal", horse = "animal",
    cow = "animal", sheep = "animal", fish = "animal", puppy = "animal", kitten = "animal",
    man = "person", woman = "person", child = "person", boy = "person", girl = "person",
    player = "person", crowd = "person", coin = "artifact", case = "container",
    ticket = "artifact", card = "artifact", note = "artifact", map = "artifact",
    portrait = "artifact", painting = "artifact",
  },
  -- Nouns about the picture or about space, never things in it.
  meta = [[image photo photograph picture pic shot snapshot scene view frame background
    foreground side left right top bottom front back middle center centre corner edge area
    part kind type sort lot variety number couple pair group set bunch piece shape detail
    details style atmosphere mood lighting shadow shadows color colour colors colours total
    texture pattern surface angle distance moment time day night morning evening afternoon
    composition setting space range line lines row rows series mix array selection layer
    display sense feeling look appearance close-up closeup scenery landscape
    possibility chance way thing things item items object objects something everything
    end rest half percent word words text letter letters sign-up spot place position
    direction focus subject element elements feature features example one ones bit
    amount quantity plenty majority dozens hundreds thousands version design hint touch
    horizon daylight sunlight sunshine glow reflection reflections silhouette blur bokeh
    confidence likelihood probability date picnic dinner lunch breakfast brunch meal chess
    match game party event meeting ceremony celebration concert performance festival
    show exhibition]],
  -- "a group of people": the noun after "of" is what is counted.
  quantity = {
    group = "several", couple = 2, pair = 2, bunch = "several", herd = "several",
    flock = "several", crowd = "several", lot = "several", lots = "several",
    number = "several", set = "several", pile = "several", stack = "several",
    row = "several", line = "several", team = "several", pack = "several",
    dozen = 12, dozens = "several", hundreds = "several", thousands = "several",
    handful = "several", bouquet = "several", cluster = "several", collection = "several",
    variety = "several", assortment = "several", series = "several", swarm = "several",
    school = "several", litter = "several", family = "several", selection = "several",
    plenty = "several", array = "several", fleet = "several", pod = "several",
  },
  -- determiners and adjectives that mean "more than one"
  several = [[several many some few multiple numerous various lots plenty countless
    a-few dozens]],
}
