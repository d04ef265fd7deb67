/* fuzz_onnx.c — libFuzzer entry for the ONNX importer: the bytes are an
 * untrusted model file, loaded completely (import, then the graph's prepare)
 * and, when that succeeds, run once on a zero input (dynamic dims set to 7,
 * which makes the model build a second graph for that shape). Built by
 * csrc/fuzz/build.sh. Run with a corpus directory outside the repository,
 * seeded with the .onnx files of spec/fixtures/onnx_tiny:
 *   build/fuzz/fuzz_onnx -max_len=16384 /tmp/onnx-corpus
 */
#include "fuzz_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_model(data, size);
    return 0;
}
