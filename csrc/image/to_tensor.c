/*
 * to_tensor.c — an image as a model input tensor (batch of one).
 *
 * Float values are (pixel * scale - mean) / std per channel: from a
 * 256-entry table per channel in general, and as pixel * (scale / std) -
 * mean / std, vectorised, for the common RGB to NCHW case (the two differ
 * by at most a float rounding).
 */
#include "process.h"

#include <math.h>
#include <string.h>

void glim_tensor_opts_init(glim_tensor_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->layout = GLIM_LAYOUT_NCHW;
    opts->dtype = GLIM_F32;
    opts->scale = 1.0f / 255.0f;
    for (int i = 0; i < 4; i++) opts->std[i] = 1.0f;
}

/* Packed RGB to three planes as v * mul + add: a loop GCC vectorises (the
 * stride-3 loads become shuffles) when allowed to; a table lookup cannot. */
__attribute__((optimize("tree-vectorize"))) static void
rgb_row_planar(const uint8_t *restrict s, int w, const float *mul, const float *add,
               float *restrict o0, float *restrict o1, float *restrict o2)
{
    float m0 = mul[0], m1 = mul[1], m2 = mul[2], a0 = add[0], a1 = add[1], a2 = add[2];
    for (int x = 0; x < w; x++) {
        o0[x] = (float)s[3 * x] * m0 + a0;
        o1[x] = (float)s[3 * x + 1] * m1 + a1;
        o2[x] = (float)s[3 * x + 2] * m2 + a2;
    }
}

glim_status glim_image_to_tensor(const glim_image *src, const glim_tensor_opts *opts,
                                 glim_tensor **out, glim_error *err)
{
    if (out) *out = NULL;
    if (!src || !src->data || !out)
        return glim_fail(err, GLIM_EINVAL, "to_tensor: missing image or output");
    glim_tensor_opts def;
    if (!opts) {
        glim_tensor_opts_init(&def);
        opts = &def;
    }
    if (opts->layout != GLIM_LAYOUT_NCHW && opts->layout != GLIM_LAYOUT_NHWC)
        return glim_fail(err, GLIM_EINVAL, "to_tensor: unknown layout %d", (int)opts->layout);
    if (opts->dtype != GLIM_F32 && opts->dtype != GLIM_U8)
        return glim_fail(err, GLIM_EINVAL, "to_tensor: dtype must be float32 or uint8, not %s",
                         glim_dtype_name(opts->dtype));
    int w = src->width, h = src->height, c = src->channels;
    float lut[4][256], mul[4] = {0}, add[4] = {0};
    if (opts->dtype == GLIM_F32) {
        if (!isfinite(opts->scale))
            return glim_fail(err, GLIM_EINVAL, "to_tensor: scale is not finite");
        for (int k = 0; k < c; k++) {
            if (!(opts->std[k] != 0.f) || !isfinite(opts->std[k]) || !isfinite(opts->mean[k]))
                return glim_fail(err, GLIM_EINVAL, "to_tensor: std[%d] must be finite and non-zero",
                                 k + 1);
            for (int v = 0; v < 256; v++)
                lut[k][v] = (float)(((double)v * opts->scale - opts->mean[k]) / opts->std[k]);
            mul[k] = (float)((double)opts->scale / opts->std[k]);
            add[k] = (float)(-(double)opts->mean[k] / opts->std[k]);
        }
    }
    int64_t shape[4] = {1, c, h, w};
    if (opts->layout == GLIM_LAYOUT_NHWC) {
        shape[1] = h;
        shape[2] = w;
        shape[3] = c;
    }
    glim_tensor *t;
    glim_status st = glim_tensor_new(opts->dtype, 4, shape, &t, err);
    if (st != GLIM_OK) return st;

    size_t plane = (size_t)w * h;
    for (int y = 0; y < h; y++) {
        const uint8_t *s = src->data + (size_t)y * src->stride;
        size_t row = (size_t)y * w;
        if (opts->dtype == GLIM_U8) {
            uint8_t *d = t->data;
            if (opts->layout == GLIM_LAYOUT_NHWC)
                memcpy(d + row * c, s, (size_t)w * c);
            else
                for (int k = 0; k < c; k++)
                    for (int x = 0; x < w; x++) d[k * plane + row + x] = s[(size_t)x * c + k];
        } else {
            float *d = t->data;
            if (opts->layout == GLIM_LAYOUT_NHWC) {
                float *o = d + row * c;
                for (int x = 0; x < w; x++)
                    for (int k = 0; k < c; k++) o[(size_t)x * c + k] = lut[k][s[(size_t)x * c + k]];
            } else if (c == 3) {
                float *o0 = d + row;
                rgb_row_planar(s, w, mul, add, o0, o0 + plane, o0 + 2 * plane);
            } else {
                for (int k = 0; k < c; k++)
                    for (int x = 0; x < w; x++)
                        d[k * plane + row + x] = lut[k][s[(size_t)x * c + k]];
            }
        }
    }
    *out = t;
    return GLIM_OK;
}
