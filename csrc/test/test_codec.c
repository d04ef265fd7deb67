/* test_codec.c — the codecs from C: the shared photos against Pillow's
 * checksums, truncation at every length and byte flips at every offset of
 * small files, allocation-failure sweeps (decode and encode), EXIF parser
 * edge cases, encode round trips, and replay of the fuzzers' crashers.
 * Run from the repository root (make test does). */
#include "check.h"
#include "glimpse.h"
#include "image/codec_internal.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#define FIX "spec/fixtures/codec/"

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static uint64_t fnv1a64(const glim_image *img)
{
    uint64_t h = 0xCBF29CE484222325ull;
    size_t row = (size_t)img->width * (size_t)img->channels;
    for (int y = 0; y < img->height; y++) {
        const uint8_t *p = img->data + (size_t)y * img->stride;
        for (size_t i = 0; i < row; i++) h = (h ^ p[i]) * 0x100000001B3ull;
    }
    return h;
}

static const char *shared_images(void)
{
    const char *s = getenv("GLIMPSE_SHARED");
    return s ? s : "../shared";
}

/* Every shared photo decodes to exactly Pillow's pixels (photos.txt). */
static void test_shared_photos_match_pillow(void)
{
    FILE *f = fopen(FIX "photos.txt", "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[512], name[256];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        int w, h, c;
        unsigned long long want;
        if (line[0] == '#' || sscanf(line, "%255s %d %d %d %llx", name, &w, &h, &c, &want) != 5)
            continue;
        char path[600];
        snprintf(path, sizeof path, "%s/images/%s", shared_images(), name);
        glim_image *img = NULL;
        glim_error err;
        glim_status st = glim_image_load(path, NULL, &img, &err);
        CHECK_OK(st, err);
        if (st != GLIM_OK) continue;
        n++;
        CHECK(img->width == w && img->height == h && img->channels == c);
        if (fnv1a64(img) != want) {
            printf("#   %s: pixels differ from Pillow's decode\n", name);
            check_failed_now = 1;
        }
        glim_image_free(img);
    }
    fclose(f);
    CHECK(n >= 14);
}

static const char *small_files[] = {
    "baseline.jpg", "progressive.jpg", "gray.jpg", "cmyk.jpg", "orient6.jpg",
    "rgb8.png", "interlaced.png", "palette_trns.png", "gray16.png", "gray_alpha.png",
    "rgb24.bmp", "pal4.bmp", "pal1.bmp", "rgba32_v4.bmp", "rgb565.bmp", "rle8_delta.bmp",
    "rle4.bmp", NULL,
};

/* Every cut of every small file fails cleanly with EFORMAT (BMP may lose its
 * final row's padding and still decode). */
static void test_truncation_at_every_length(void)
{
    for (int i = 0; small_files[i]; i++) {
        size_t len;
        char path[256];
        snprintf(path, sizeof path, FIX "%s", small_files[i]);
        uint8_t *full = read_all(path, &len);
        CHECK(full != NULL);
        if (!full) continue;
        int is_bmp = strstr(small_files[i], ".bmp") != NULL;
        for (size_t cut = 0; cut < len; cut++) {
            /* a copy of exactly `cut` bytes, so ASan sees any over-read */
            uint8_t *part = malloc(cut ? cut : 1);
            memcpy(part, full, cut);
            glim_image *img = NULL;
            glim_error err = {0};
            glim_status st = glim_image_decode(part, cut, NULL, &img, &err);
            if (st == GLIM_OK) {
                /* BMP: the last row's padding, or RLE's end-of-bitmap
                 * marker after the last row, may be missing */
                if (!(is_bmp && len - cut < 4)) {
                    printf("#   %s cut at %zu decoded\n", small_files[i], cut);
                    check_failed_now = 1;
                }
                glim_image_free(img);
            } else {
                CHECK(img == NULL);
                CHECK(st == GLIM_EFORMAT);
                CHECK(strncmp(err.msg, "decode: ", 8) == 0);
            }
            free(part);
        }
        free(full);
    }
}

/* Flip each byte of each small file (three patterns): never a crash, and a
 * failure always leaves *out NULL with a message. */
static void test_flipped_bytes(void)
{
    static const uint8_t masks[] = {0xFF, 0x01, 0x80};
    for (int i = 0; small_files[i]; i++) {
        char path[256];
        size_t len;
        snprintf(path, sizeof path, FIX "%s", small_files[i]);
        uint8_t *b = read_all(path, &len);
        CHECK(b != NULL);
        if (!b) continue;
        for (size_t pos = 0; pos < len; pos++) {
            for (int m = 0; m < 3; m++) {
                b[pos] ^= masks[m];
                glim_image *img = NULL;
                glim_error err = {0};
                glim_status st = glim_image_decode(b, len, NULL, &img, &err);
                if (st == GLIM_OK) {
                    CHECK(img && img->width > 0 && img->height > 0);
                    glim_image_free(img);
                } else {
                    CHECK(img == NULL && err.msg[0] != 0);
                }
                b[pos] ^= masks[m];
            }
        }
        free(b);
    }
}

/* ---- allocation failure sweep (ncnn's _oom tests) ----------------------- */

static int alloc_count, alloc_fail_at, live_blocks;

static void *counting_alloc(size_t size, size_t align, void *user)
{
    (void)user;
    if (++alloc_count == alloc_fail_at) return NULL;
    void *p = NULL;
    if (posix_memalign(&p, align, size ? size : 1) != 0) return NULL;
    live_blocks++;
    return p;
}

static void counting_free(void *p, void *user)
{
    (void)user;
    live_blocks--;
    free(p);
}

static void test_decode_allocation_failures(void)
{
    static const char *files[] = {"baseline.jpg", "cmyk.jpg", "orient6.jpg", "rgb8.png",
                                  "pal4.bmp", NULL};
    glim_allocator a = {counting_alloc, counting_free, NULL};
    for (int i = 0; files[i]; i++) {
        char path[256];
        size_t len;
        snprintf(path, sizeof path, FIX "%s", files[i]);
        uint8_t *b = read_all(path, &len);
        CHECK(b != NULL);
        if (!b) continue;
        glim_decode_opts o;
        glim_decode_opts_init(&o);
        o.channels = 4;  /* adds a conversion step */
        o.max_side = 5;  /* adds a resize step */
        int failed = 0;
        for (int n = 1; n < 100; n++, failed++) {
            alloc_count = 0, alloc_fail_at = n, live_blocks = 0;
            glim_set_allocator(&a);
            glim_image *img = NULL;
            glim_error err = {0};
            glim_status st = glim_image_decode(b, len, &o, &img, &err);
            glim_image_free(img);
            glim_set_allocator(NULL);
            CHECK(live_blocks == 0);
            if (st == GLIM_OK) break;
            CHECK(st == GLIM_ENOMEM);
            CHECK(img == NULL);
            if (st != GLIM_ENOMEM) printf("#   %s fail at %d: %s\n", files[i], n, err.msg);
        }
        CHECK(failed >= 4); /* image, conversion, resize: every step was hit */
        free(b);
    }
}

static glim_image *test_card(int w, int h, glim_pixfmt fmt)
{
    glim_image *img = NULL;
    glim_error err;
    if (glim_image_new(w, h, fmt, &img, &err) != GLIM_OK) return NULL;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w * img->channels; x++)
            img->data[(size_t)y * img->stride + x] = (uint8_t)(x * 29 + y * 71 + (x ^ y));
    return img;
}

static void test_encode_round_trips(void)
{
    static const glim_pixfmt fmts[] = {GLIM_FMT_GRAY8, GLIM_FMT_RGB8, GLIM_FMT_BGR8,
                                       GLIM_FMT_RGBA8};
    static const glim_codec lossless[] = {GLIM_CODEC_PNG, GLIM_CODEC_BMP};
    for (int f = 0; f < 4; f++) {
        glim_image *img = test_card(23, 7, fmts[f]);
        CHECK(img != NULL);
        if (!img) continue;
        for (int c = 0; c < 2; c++) {
            uint8_t *bytes = NULL;
            size_t len = 0;
            glim_error err;
            CHECK_OK(glim_image_encode(img, lossless[c], NULL, &bytes, &len, &err), err);
            CHECK(glim_image_sniff(bytes, len) == lossless[c]);
            glim_image *back = NULL;
            CHECK_OK(glim_image_decode(bytes, len, NULL, &back, &err), err);
            if (back) {
                CHECK(back->width == 23 && back->height == 7 && back->channels == img->channels);
                int same = 1;
                for (int y = 0; y < 7; y++)
                    for (int x = 0; x < 23; x++) {
                        const uint8_t *p = glim_image_pixel(img, x, y), *q = glim_image_pixel(back, x, y);
                        if (fmts[f] == GLIM_FMT_BGR8) /* stored as RGB */
                            same &= p[0] == q[2] && p[1] == q[1] && p[2] == q[0];
                        else
                            same &= memcmp(p, q, (size_t)img->channels) == 0;
                    }
                CHECK(same);
            }
            glim_image_free(back);
            glim_free(bytes);
        }
        glim_image_free(img);
    }
}

static void test_encode_allocation_failures(void)
{
    glim_image *img = test_card(64, 40, GLIM_FMT_RGB8);
    CHECK(img != NULL);
    if (!img) return;
    glim_allocator a = {counting_alloc, counting_free, NULL};
    for (glim_codec c = GLIM_CODEC_PNG; c <= GLIM_CODEC_BMP; c++) {
        int failed = 0;
        for (int n = 1; n < 50; n++, failed++) {
            alloc_count = 0, alloc_fail_at = n, live_blocks = 0;
            glim_set_allocator(&a);
            uint8_t *bytes = NULL;
            size_t len = 0;
            glim_error err = {0};
            glim_status st = glim_image_encode(img, c, NULL, &bytes, &len, &err);
            glim_free(bytes);
            glim_set_allocator(NULL);
            CHECK(live_blocks == 0);
            if (st == GLIM_OK) break;
            CHECK(st == GLIM_ENOMEM && bytes == NULL);
        }
        CHECK(failed >= 1);
    }
    glim_image_free(img);
}

static void test_bad_arguments(void)
{
    glim_image *img = (glim_image *)1;
    glim_error err;
    glim_decode_opts o;
    glim_decode_opts_init(&o);
    CHECK(o.max_pixels == 100000000u && o.orient == 1 && o.channels == 0 && o.max_side == 0);
    o.channels = 2;
    CHECK(glim_image_decode("x", 1, &o, &img, &err) == GLIM_EINVAL);
    CHECK(img == NULL);
    CHECK(strcmp(err.msg, "decode: channels must be 0, 1, 3 or 4 (got 2)") == 0);
    o.channels = 0;
    o.max_side = -3;
    CHECK(glim_image_decode("x", 1, &o, &img, &err) == GLIM_EINVAL);
    CHECK(glim_image_decode(NULL, 0, NULL, &img, &err) == GLIM_EFORMAT);
    CHECK(strcmp(err.msg, "decode: empty input (0 bytes)") == 0);
    CHECK(glim_image_load("does/not/exist.png", NULL, &img, &err) == GLIM_EIO);
    CHECK(glim_image_load(".", NULL, &img, &err) == GLIM_EIO);
    glim_image *card = test_card(4, 4, GLIM_FMT_RGB8);
    uint8_t *bytes;
    size_t len;
    glim_encode_opts eo;
    glim_encode_opts_init(&eo);
    CHECK(eo.quality == 90 && eo.png_compression == 6);
    eo.quality = 101;
    CHECK(glim_image_encode(card, GLIM_CODEC_JPEG, &eo, &bytes, &len, &err) == GLIM_EINVAL);
    CHECK(glim_image_encode(card, GLIM_CODEC_UNKNOWN, NULL, &bytes, &len, &err) == GLIM_EINVAL);
    CHECK(glim_image_encode(NULL, GLIM_CODEC_PNG, NULL, &bytes, &len, &err) == GLIM_EINVAL);
    CHECK(glim_image_save(card, "no/such/dir/x.png", GLIM_CODEC_PNG, NULL, &err) == GLIM_EIO);
    glim_image_free(card);
    CHECK(strcmp(glim_codec_name(GLIM_CODEC_JPEG), "jpeg") == 0);
}

static void test_probe(void)
{
    size_t len;
    uint8_t *b = read_all(FIX "huge.jpg", &len);
    CHECK(b != NULL);
    if (!b) return;
    glim_codec c;
    int w = 0, h = 0;
    glim_error err;
    CHECK_OK(glim_image_probe(b, len, &c, &w, &h, &err), err);
    CHECK(c == GLIM_CODEC_JPEG && w == 60000 && h == 60000);
    free(b);
    CHECK(glim_image_probe("BM", 2, &c, &w, &h, &err) == GLIM_EFORMAT);
    CHECK(glim_image_probe("\x89PNG\r\n\x1a\n", 8, &c, &w, &h, &err) == GLIM_EFORMAT);
}

/* EXIF: both byte orders, out-of-range offsets, odd types, garbage. */
static void test_exif_parser(void)
{
    uint8_t be[] = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0};
    CHECK(codec_exif_orientation(be, sizeof be) == 6);
    uint8_t le[] = {'I', 'I', 42, 0, 8, 0, 0, 0, 2, 0, 0x00, 0x01, 3, 0, 1, 0, 0, 0, 9, 0, 0, 0,
                    0x12, 0x01, 4, 0, 1, 0, 0, 0, 8, 0, 0, 0};
    CHECK(codec_exif_orientation(le, sizeof le) == 8);
    CHECK(codec_exif_orientation(le, sizeof le - 1) == 1); /* entry cut short */
    uint8_t far[] = {'M', 'M', 0, 42, 0xFF, 0xFF, 0xFF, 0xF0, 0, 0};
    CHECK(codec_exif_orientation(far, sizeof far) == 1);
    uint8_t many[] = {'M', 'M', 0, 42, 0, 0, 0, 8, 0xFF, 0xFF, 0, 0};
    CHECK(codec_exif_orientation(many, sizeof many) == 1);
    be[19] = 9; /* out of range value */
    CHECK(codec_exif_orientation(be, sizeof be) == 1);
    CHECK(codec_exif_orientation((const uint8_t *)"II*", 3) == 1);
    CHECK(codec_exif_orientation(NULL, 0) == 1);
}

/* Files the fuzzers once crashed on: each must now decode or fail cleanly. */
static void test_replay_crashers(void)
{
    DIR *d = opendir("csrc/fuzz/crashers");
    if (!d) return; /* none recorded */
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0) continue;
        char path[512];
        size_t len;
        snprintf(path, sizeof path, "csrc/fuzz/crashers/%s", e->d_name);
        uint8_t *b = read_all(path, &len);
        if (!b) continue;
        glim_image *img = NULL;
        glim_error err = {0};
        glim_decode_opts o;
        glim_decode_opts_init(&o);
        o.max_pixels = 1u << 22;
        if (glim_image_decode(b, len, &o, &img, &err) != GLIM_OK) CHECK(img == NULL);
        glim_image_free(img);
        free(b);
    }
    closedir(d);
}

int main(void)
{
    RUN(test_shared_photos_match_pillow);
    RUN(test_truncation_at_every_length);
    RUN(test_flipped_bytes);
    RUN(test_decode_allocation_failures);
    RUN(test_encode_round_trips);
    RUN(test_encode_allocation_failures);
    RUN(test_bad_arguments);
    RUN(test_probe);
    RUN(test_exif_parser);
    RUN(test_replay_crashers);
    return check_done();
}
