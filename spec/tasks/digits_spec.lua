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
