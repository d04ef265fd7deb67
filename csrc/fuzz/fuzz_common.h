/* fuzz_common.h — the shared body of the codec fuzzers: make sure the input
 * carries the format's signature (so libFuzzer spends its time inside the
 * parser, not finding the magic), then decode with two option sets. Any
 * crash, leak or sanitizer report is a bug; decode errors are expected. */
#ifndef GLIMPSE_FUZZ_COMMON_H
#define GLIMPSE_FUZZ_COMMON_H

#include "glimpse.h"

#include <stdlib.h>
#include <string.h>

static void fuzz_decode(const uint8_t *data, size_t size, const char *magic, size_t magic_len)
{
    uint8_t *buf = malloc(size + magic_len);
    if (!buf) return;
    size_t n = size;
    if (size >= magic_len && memcmp(data, magic, magic_len) == 0) {
        memcpy(buf, data, size);
    } else {
        memcpy(buf, magic, magic_len);
        memcpy(buf + magic_len, data, size);
        n += magic_len;
    }
    glim_decode_opts o;
    glim_decode_opts_init(&o);
    o.max_pixels = 1u << 22; /* keep each run small and fast */
    glim_image *img = NULL;
    if (glim_image_decode(buf, n, &o, &img, NULL) == GLIM_OK) glim_image_free(img);
    o.max_side = 17;
    o.channels = (int)(size % 2 ? 1 : 4);
    img = NULL;
    if (glim_image_decode(buf, n, &o, &img, NULL) == GLIM_OK) glim_image_free(img);
    free(buf);
}

#endif
