/*
 * conv2d.h — shared by the files of CONV2D (internal to the engine):
 * conv2d.c (prepare, dispatch, the pointwise / im2col / cblas paths and the
 * fused residual), conv_winograd.c (3x3 stride-1 by Winograd F(4x4,3x3))
 * and conv_direct.c (direct convolution from the input in place).
 */
#ifndef GLIMPSE_CONV2D_H
#define GLIMPSE_CONV2D_H

#include "kernel.h"

typedef struct conv_dims {
    int64_t n, h, w, cin, oh, ow, cout;
    int kh, kw;
} conv_dims;

static inline int is_pointwise(const glim_conv2d_params *p, const conv_dims *d)
{
    return d->kh == 1 && d->kw == 1 && p->stride_h == 1 && p->stride_w == 1 &&
           p->pad_top == 0 && p->pad_left == 0 && p->pad_bottom == 0 && p->pad_right == 0;
}

/* The packed kernel blocks K itself (gemm.c); past these sizes (weights
 * over 64 MB) OpenBLAS's full cache blocking is left to do the work. */
static inline int use_packed(const conv_dims *d)
{
    int64_t K = d->kh * d->kw * d->cin;
    return K <= 8192 && d->cout * K <= (1 << 24);
}

static inline int has_pad(const glim_conv2d_params *p)
{
    return p->pad_top || p->pad_left || p->pad_bottom || p->pad_right;
}

/* The input extent a direct conv reads, padding included. */
static inline void direct_extent(const glim_conv2d_params *p, const conv_dims *d,
                                 int64_t *hp, int64_t *wp)
{
    *hp = (d->oh - 1) * p->stride_h + (int64_t)(d->kh - 1) * p->dilation_h + 1;
    *wp = (d->ow - 1) * p->stride_w + (int64_t)(d->kw - 1) * p->dilation_w + 1;
}

#define WG_E 36

/* n->state of a packed conv; pk first, as other ops read n->state as a
 * glim_packed (eltwise.c). */
typedef struct conv_state {
    glim_packed pk;
    glim_packed *wino; /* WG_E packed U_e, or NULL */
} conv_state;

/* conv_winograd.c: whether a conv has the Winograd shape; tiles per task;
 * the transformed weights (into cs->wino); the run (clamped to lo..hi). */
int glim_conv_wino_shape(const glim_conv2d_params *p, const conv_dims *d);
int64_t glim_conv_wino_tiles_per_task(const glim_graph *g, const conv_dims *d);
glim_status glim_conv_wino_pack(glim_graph *g, const float *w, const conv_dims *d,
                                conv_state *cs);
void glim_conv_wino_run(glim_graph *g, const glim_node *n, const conv_dims *d, const float *x,
                        float *y, float lo, float hi);

/* conv_direct.c: the direct path on the packed weights (n->state); its
 * scratch is the padded input copy when the conv pads (direct_extent). */
void glim_conv_direct_run(glim_graph *g, const glim_node *n, const conv_dims *d, const float *x,
                          float *y, float lo, float hi);

#endif
