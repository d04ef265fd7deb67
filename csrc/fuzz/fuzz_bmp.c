/* fuzz_bmp.c — libFuzzer entry for the BMP decoder (see README.md). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_decode(data, size, "BM", 2);
    return 0;
}
