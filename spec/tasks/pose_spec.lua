-- glimpse.pose with MoveNet Lightning on squat.bmp (500x610): a man squats
-- in profile facing right; his body spans about x 100..370, y 130..605,
-- head at the top near (270, 180), hips near y 380, feet near y 560.
local glimpse = require "glimpse"
local H = glimpse_spec

describe("glimpse.pose #models", function()
  local img, pose, kp

  setup(function()
    img = assert(glimpse.image.load(H.image_path("squat.bmp")))
    pose = assert(glimpse.pose(img))
    kp = {}
    for _, k in ipairs(pose.keypoints) do kp[k.name] = k end
  end)

  it("gives 17 named keypoints in the model's order", function()
    assert.are.equal(17, #pose.keypoints)
    local names = { "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder",
      "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip",
      "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle" }
    for i, n in ipairs(names) do assert.are.equal(n, pose.keypoints[i].name) end
    local sum = 0
    for _, k in ipairs(pose.keypoints) do
      assert.is_true(k.score >= 0 and k.score <= 1)
      sum = sum + k.score
    end
    assert.is_true(math.abs(pose.score - sum / 17) < 1e-9)
    assert.is_true(pose.score > 0.3, "mean score " .. pose.score)
  end)

  it("puts the confident keypoints on the person, in image pixels", function()
    local on = 0
    for _, k in ipairs(pose.keypoints) do
      if k.score > 0.3 then
        on = on + 1
        assert.is_true(k.x >= 80 and k.x <= 400, k.name .. " x " .. k.x)
        assert.is_true(k.y >= 110 and k.y <= 610, k.name .. " y " .. k.y)
      end
    end
    assert.is_true(on >= 10, on .. " confident keypoints")
  end)

  it("orders the body from head to feet", function()
    local hip_y = (kp.left_hip.y + kp.right_hip.y) / 2
    local ankle_y = (kp.left_ankle.y + kp.right_ankle.y) / 2
    local shoulder_y = (kp.left_shoulder.y + kp.right_shoulder.y) / 2
    assert.is_true(kp.nose.y < shoulder_y)
    assert.is_true(shoulder_y < hip_y)
    assert.is_true(hip_y < ankle_y)
    assert.is_true(kp.nose.y > 130 and kp.nose.y < 280, "nose y " .. kp.nose.y)
    assert.is_true(ankle_y > 450, "ankle y " .. ankle_y)
  end)

  it("undoes the letterbox: the same keypoints on a padded copy move with it", function()
    -- a copy with 100 extra black rows above the photo
    local tall = glimpse.image.new(img.width, img.height + 100, 3)
    for y = 0, img.height - 1 do
      for x = 0, img.width - 1 do tall:set(x, y + 100, img:get(x, y)) end
    end
    local p2 = assert(glimpse.pose(tall))
    for i, k in ipairs(pose.keypoints) do
      if k.score > 0.5 and p2.keypoints[i].score > 0.5 then
        assert.is_true(math.abs(p2.keypoints[i].x - k.x) < 25, k.name)
        assert.is_true(math.abs(p2.keypoints[i].y - 100 - k.y) < 25, k.name)
      end
    end
  end)
end)
