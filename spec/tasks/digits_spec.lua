-- The LSTM MNIST reader: mnist_nine.bmp (28x28, white on black) is a 9.
local glimpse = require "glimpse"
local tasks = require "glimpse.tasks"
local H = glimpse_spec

describe("glimpse.tasks.digits #models", function()
  it("reads mnist_nine.bmp as 9", function()
    local img = assert(glimpse.image.load(H.image_path("mnist_nine.bmp")))
    local d, p, all = assert(tasks.digits(img))
    assert.are.equal(9, d)
    assert.is_true(p > 0.5, "p " .. p)
    assert.are.equal(10, #all)
    local sum = 0
    for i = 1, 10 do sum = sum + all[i] end
    assert.is_true(math.abs(sum - 1) < 0.05, "sum " .. sum)
  end)

  it("reads a dark-on-light copy with invert = true", function()
    local img = assert(glimpse.image.load(H.image_path("mnist_nine.bmp")))
    local neg = assert(img:convert("gray"))
    for y = 0, 27 do for x = 0, 27 do neg:set(x, y, 255 - neg:get(x, y)) end end
    assert.are.equal(9, (assert(tasks.digits(neg, { invert = true }))))
  end)

  it("reads an upscaled RGB copy the same", function()
    local img = assert(glimpse.image.load(H.image_path("mnist_nine.bmp")))
    local big = assert(assert(img:convert("rgb")):resize(112, 112, { filter = "nearest" }))
    assert.are.equal(9, (assert(tasks.digits(big))))
  end)
end)

describe("glimpse.tasks.digits on digits that are not MNIST-framed #models", function()
  local nine

  setup(function()
    nine = assert(glimpse.image.load(H.image_path("mnist_nine.bmp")))
  end)

  -- the nine drawn `scale` times larger at (x, y) on a w x h black canvas
  local function canvas(w, h, x, y, scale)
    local big = assert(nine:resize(28 * scale, 28 * scale, { filter = "bilinear" }))
    local c = glimpse.image.new(w, h, 1)
    for yy = 0, big.height - 1 do
      for xx = 0, big.width - 1 do c:set(x + xx, y + yy, big:get(xx, yy)) end
    end
    return c
  end

  it("finds, frames and centres a small digit off to one side of a large image", function()
    local img = canvas(400, 300, 280, 10, 3)
    assert.are.equal(9, (assert(tasks.digits(img))))
    -- the framing: 28x28, the digit inside a black border
    local n = require("glimpse.tasks.digits").mnist_normalise(img)
    assert.are.equal(28, n.width)
    assert.are.equal(28, n.height)
    assert.are.equal(0, n:get(0, 0))
    assert.are.equal(0, n:get(27, 27))
  end)

  it("leaves a blank image as it is and still answers", function()
    local d, p = assert(tasks.digits(glimpse.image.new(50, 50, 1)))
    assert.is_true(d >= 0 and d <= 9)
    assert.is_true(p > 0 and p <= 1)
  end)
end)
