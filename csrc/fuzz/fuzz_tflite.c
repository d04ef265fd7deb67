/* fuzz_tflite.c — libFuzzer entry for the TFLite importer: the bytes are an
 * untrusted model file, loaded completely (import, then the graph's prepare)
 * and, when that succeeds, run once on a zero input. Build (from the repo
 * root; clang 14): compile this file together with every core source
 * (every .c under csrc except the lua, test and fuzz directories) using
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Icsrc
 *     -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -mavx2 -mfma
 * and link with $(pkg-config --libs openblas libpng libcurl) -ljpeg -lm -lpthread.
 *   build/fuzz_tflite -max_len=65536 spec/fixtures/tflite   # seeds: the tiny fixtures
 */
#include "fuzz_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_model(data, size);
    return 0;
}
