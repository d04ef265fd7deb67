/* fuzz_png.c — libFuzzer entry for the PNG decoder (see README.md). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_decode(data, size, "\x89PNG\r\n\x1a\n", 8);
    return 0;
}
