#!/bin/sh
# build.sh — build the codec fuzzers with clang's libFuzzer + ASan/UBSan.
#   csrc/fuzz/build.sh [outdir]        (from the repository root; default build/fuzz)
set -e
OUT=${1:-build/fuzz}
CC=${CC:-clang}
mkdir -p "$OUT"
FLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Icsrc \
  $(pkg-config --cflags libpng)"
SRCS="csrc/core/alloc.c csrc/core/error.c csrc/image/image.c csrc/image/resize.c \
  csrc/image/codec.c csrc/image/png.c csrc/image/jpeg.c csrc/image/bmp.c csrc/image/exif.c"
for f in png jpeg bmp; do
  $CC $FLAGS -o "$OUT/fuzz_$f" "csrc/fuzz/fuzz_$f.c" $SRCS $(pkg-config --libs libpng) -ljpeg -lm
done
echo "built $OUT/fuzz_png $OUT/fuzz_jpeg $OUT/fuzz_bmp"
