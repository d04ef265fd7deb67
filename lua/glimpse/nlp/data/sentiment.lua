-- A modest English sentiment lexicon, written by hand for image
-- descriptions and captions: word -> valence in -3..3 (most words +-1..2).
-- Lemmas are looked up, so "smiling" finds "smile".
return {
  words = {
    -- positive
    good = 2, great = 3, excellent = 3, wonderful = 3, amazing = 3, awesome = 3,
    beautiful = 3, lovely = 3, pretty = 2, gorgeous = 3, stunning = 3, nice = 2, fine = 1,
    happy = 2, joyful = 3, cheerful = 2, glad = 2, delighted = 3, pleased = 2, content = 1,
    smile = 2, smiling = 2, laugh = 2, laughing = 2, love = 3, lovable = 2, like = 1,
    enjoy = 2, fun = 2, playful = 2, cute = 2, adorable = 3, charming = 2, delightful = 3,
    peaceful = 2, calm = 1, serene = 2, tranquil = 2, relaxing = 2, relaxed = 2, cozy = 2,
    cosy = 2, warm = 1, bright = 1, sunny = 1, vibrant = 2, colorful = 1, colourful = 1,
    clean = 1, fresh = 1, healthy = 2, delicious = 3, tasty = 2, yummy = 2, perfect = 3,
    best = 3, better = 2, fantastic = 3, brilliant = 3, superb = 3, impressive = 2,
    elegant = 2, graceful = 2, friendly = 2, kind = 2, welcoming = 2, inviting = 2,
    safe = 1, comfortable = 2, proud = 2, excited = 2, exciting = 2, celebrate = 2,
    celebration = 2, festive = 2, picturesque = 2, scenic = 2, majestic = 2, magnificent = 3,
    lively = 1, sweet = 2, gentle = 1, hope = 1, win = 2, winning = 2, success = 2,
    hug = 2, affectionate = 2, thriving = 2, lush = 1, pleasant = 2, neat = 1, tidy = 1,
    well = 1, glorious = 3, splendid = 3, joy = 3, grateful = 2, triumphant = 3,
    -- negative
    bad = -2, terrible = -3, awful = -3, horrible = -3, poor = -1, ugly = -2, sad = -2,
    unhappy = -2, upset = -2, angry = -2, furious = -3, mad = -2, cry = -2, crying = -2,
    tears = -2, scared = -2, afraid = -2, fear = -2, frightened = -2, terrified = -3,
    dangerous = -2, danger = -2, broken = -2, damaged = -2, dirty = -2, messy = -1,
    filthy = -3, gloomy = -2, dark = -1, dull = -1, boring = -2, bored = -2, tired = -1,
    exhausted = -2, lonely = -2, alone = -1, abandoned = -2, empty = -1, dead = -3,
    dying = -3, death = -3, injured = -3, hurt = -2, pain = -2, sick = -2, ill = -2,
    crash = -3, accident = -3, fire = -1, destroyed = -3, ruined = -2, rotten = -3,
    disgusting = -3, gross = -2, worst = -3, worse = -2, hate = -3, fail = -2, failure = -2,
    lose = -2, losing = -1, lost = -1, war = -3, violence = -3, violent = -3, flood = -2,
    storm = -1, stormy = -1, polluted = -2, pollution = -2, trash = -1, garbage = -1,
    litter = -1, chaotic = -2, chaos = -2, crowded = -1, stressed = -2, worried = -2,
    anxious = -2, disappointed = -2, grim = -2, bleak = -2, eerie = -1, creepy = -2,
    menacing = -2, hostile = -2, cruel = -3, miserable = -3, depressing = -3, tragic = -3,
    decay = -2, decaying = -2, rusty = -1, cracked = -1, wrecked = -3, unpleasant = -2,
    frown = -2, frowning = -2, scowl = -2, grumpy = -2, annoyed = -2, painful = -2,
  },
  -- multiply the next sentiment word
  intensifiers = {
    very = 1.5, really = 1.5, extremely = 2, incredibly = 2, so = 1.4, too = 1.3,
    absolutely = 1.8, truly = 1.5, quite = 1.2, highly = 1.5, super = 1.6, totally = 1.6,
    exceptionally = 1.8, remarkably = 1.6, especially = 1.3, most = 1.4, more = 1.2,
    slightly = 0.5, somewhat = 0.6, rather = 0.8, fairly = 0.8, barely = 0.4,
    mildly = 0.5, little = 0.6, bit = 0.6,
  },
  -- flip the polarity of sentiment words that follow within a short window
  negators = [[not n't no never nothing nobody none neither nor without hardly barely
    isn't aren't wasn't weren't don't doesn't didn't cannot]],
}
