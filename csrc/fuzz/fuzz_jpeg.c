/* fuzz_jpeg.c — libFuzzer entry for the JPEG decoder (see README.md). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_decode(data, size, "\xff\xd8\xff", 3);
    return 0;
}
