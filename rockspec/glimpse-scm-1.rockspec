rockspec_format = "3.0"
package = "glimpse"
version = "scm-1"
source = {
  url = "git+https://github.com/glimpse-lua/glimpse.git",
}
description = {
  summary = "Image recognition for Lua: decode, preprocess, run TFLite/ONNX models, describe with a vision LLM",
  detailed = [[
A Lua 5.4 module with a C core: PNG/JPEG/BMP codecs and preprocessing, an
inference engine on OpenBLAS that loads TFLite and ONNX models (CNNs,
LSTM/GRU, attention), task helpers (classify, segment, pose, embed, OCR with
PaddleOCR PP-OCRv4), an OpenAI-compatible vision LLM client, and offline
entity extraction from image descriptions.
]],
  license = "MIT",
  homepage = "https://github.com/glimpse-lua/glimpse",
}
dependencies = {
  "lua >= 5.1",
  "lua-cjson",
  "lpeg",
}
external_dependencies = {
  -- Checked by library: Debian keeps some headers (curl) in multiarch dirs.
  PNG = { library = "png16" },
  JPEG = { library = "jpeg" },
  CURL = { library = "curl" },
  OPENBLAS = { library = "openblas" },
}
build = {
  type = "make",
  makefile = "Makefile",
  build_target = "all",
  build_variables = {
    LUA_INCDIR = "$(LUA_INCDIR)",
    LUA = "$(LUA)",
    CFLAGS = "$(CFLAGS)",
  },
  install_target = "install",
  install_variables = {
    INST_LIBDIR = "$(LIBDIR)",
    INST_LUADIR = "$(LUADIR)",
    INST_BINDIR = "$(BINDIR)",
  },
}
