--- glimpse.nn — load and run neural network models (TensorFlow Lite, ONNX).
--
--     local nn = require "glimpse.nn"
--     local model = assert(nn.load("mobilenet_v2_1.0_224_quant.tflite", {threads = 2}))
--     print(model)                     --> glimpse.Model uint8[1,224,224,3] -> float32[1,1001]
--     local out = model:run(x)         -- x: a glimpse.Tensor, uint8 pixels or float32
--     local scores = out[1]            -- also out[model.outputs[1].name]
--     model:free()                     -- or `local model <close> = ...`, or let GC do it
--
-- The format is recognised from the content (TFLite's "TFL3" identifier, or
-- an ONNX ModelProto). Models are validated completely at load; an op
-- glimpse lacks fails there, naming it. ONNX models may have dynamic input
-- dims: `model.inputs[i].shape` holds -1 for them, `run` accepts any size
-- there (the graph is rebuilt for a new shape and kept for the next run),
-- and outputs come back in the ONNX layout (NCHW). Quantized weights are dequantized once into float32 and the
-- network runs in float32. Quantized outputs are returned as float32 real
-- values unless `run(x, {raw = true})` asks for the file's dtype.
-- @module glimpse.nn
local core = require "glimpse.core"

local M = {}

local cnn = core.nn

--- Load a model.
-- @tparam string source a file path, or the model's bytes. A string is taken
--   as bytes when it holds the TFLite identifier "TFL3" at offset 4 (bytes
--   5..8), starts with byte 0x08 (an ONNX ModelProto's first field tag),
--   contains a NUL byte, or is longer than 4096 bytes; otherwise it is a path.
-- @tparam[opt] table opts `threads` (integer >= 1, default 1): kernel
--   threads; `clamp_quant_range` (boolean, default true): apply the ReLU /
--   ReLU6 clamp that a quantized op's output range implies.
-- @treturn glimpse.Model the model, with fields `inputs` and `outputs`: lists
--   of `{name=, shape={...}, dtype=, quantized_dtype=, scale=, zero_point=}`
--   (`quantized_dtype`, `scale` and `zero_point` only for quantized tensors;
--   -1 in `shape` for a dynamic ONNX dim;
--   an input's `dtype` is the one it takes natively, an output's the one
--   `run` returns).
-- @return nil, message, code on a missing file ("EIO"), a malformed file
--   ("EFORMAT"), an unsupported op or type ("EUNSUPPORTED") or a limit.
-- @raise when source is not a string or an option is invalid.
-- @usage local m = assert(glimpse.nn.load(path, {threads = 2}))
function M.load(source, opts)
  if type(source) ~= "string" then
    error("bad argument #1 to 'load' (string expected, got " .. type(source) .. ")", 2)
  end
  if opts ~= nil and type(opts) ~= "table" then
    error("bad argument #2 to 'load' (table expected, got " .. type(opts) .. ")", 2)
  end
  return cnn.load(source, opts)
end

--- Run a model (a method of the model object, listed here for reference).
-- `model:run(tensor [, opts])` for a one-input model, or
-- `model:run({[name or index] = tensor, ...} [, opts])`.
-- A tensor must have the input's shape (leading 1-sized dims may be left
-- out); a dynamic (-1) dim takes any size. A tensor of the input's own
-- dtype is used as is (uint8 pixels for a uint8 model); another dtype is converted through real values (a float32
-- tensor is quantized with the input's scale and zero point).
-- `opts.raw = true` returns quantized outputs in their quantized dtype.
-- @return a table of new tensors, by output index (1-based) and by name;
--   nil, message, code if the engine fails (the model is then unusable).
-- @raise on a closed model or an input of the wrong shape or dtype.
-- @function run
M.run = function(model, inputs, opts) return model:run(inputs, opts) end

return M
