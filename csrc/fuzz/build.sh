#!/bin/sh
# build.sh — build the fuzzers with clang's libFuzzer + ASan/UBSan.
#   csrc/fuzz/build.sh [outdir]        (from the repository root; default build/fuzz)
# Codec fuzzers link only the codec sources; the TFLite fuzzer links the
# whole core (importer, engine, OpenBLAS); so does the ONNX fuzzer.
set -e
OUT=${1:-build/fuzz}
CC=${CC:-clang}
mkdir -p "$OUT"
FLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Icsrc \
  -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(pkg-config --cflags libpng openblas)"
SRCS="csrc/core/alloc.c csrc/core/error.c csrc/image/image.c csrc/image/resize.c \
  csrc/image/codec.c csrc/image/png.c csrc/image/jpeg.c csrc/image/bmp.c csrc/image/exif.c"
for f in png jpeg bmp; do
  $CC $FLAGS -o "$OUT/fuzz_$f" "csrc/fuzz/fuzz_$f.c" $SRCS $(pkg-config --libs libpng) -ljpeg -lm
done
CORE=$(find csrc -name '*.c' -not -path 'csrc/lua/*' -not -path 'csrc/test/*' -not -path 'csrc/fuzz/*')
$CC $FLAGS -mavx2 -mfma -o "$OUT/fuzz_tflite" csrc/fuzz/fuzz_tflite.c $CORE \
  $(pkg-config --libs openblas libpng libcurl) -ljpeg -lm -lpthread
$CC $FLAGS -mavx2 -mfma -o "$OUT/fuzz_onnx" csrc/fuzz/fuzz_onnx.c $CORE \
  $(pkg-config --libs openblas libpng libcurl) -ljpeg -lm -lpthread
echo "built $OUT/fuzz_png $OUT/fuzz_jpeg $OUT/fuzz_bmp $OUT/fuzz_tflite $OUT/fuzz_onnx"
