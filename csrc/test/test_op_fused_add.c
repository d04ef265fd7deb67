/* test_op_fused_add.c — the residual ADD fused into a 1x1 CONV2D
 * (eltwise.c fuse_residual, conv2d.c glim_conv2d_run_residual, gemm.c
 * glim_gemm_packed_res). Small graphs of CONV2D (1x1, bias) -> ADD with
 * another activation, on odd shapes (tails of the 16-column panels, of the
 * 7x32 tile pairs and of the 7-row tiles; one-row maps; K > 512, which the
 * packed GEMM splits into K blocks), both operand orders, with and without
 * the ADD's RELU6 (and RELU, RELU_N1_TO_1), at 1, 2 and 3 threads. Each
 * run is checked three ways, with S = 1 + the sum of |terms| of the
 * element (|bias| + sum |x*w| + |r|, the scale of float32 rounding):
 *   - against the reference kernels (glim_graph_set_reference, which run
 *     both nodes unfused): |fast - ref| <= 1e-5 * S;
 *   - against a plain double-precision loop of the math:
 *     |fast - exact| <= 1e-5 * S;
 *   - against the same graph with the conv output also a graph output (so
 *     unfused, fast kernels, same thread count): bit-identical, as
 *     docs/engine.md promises.
 * Fusion is observed through the node state (kernel.h: the conv's
 * glim_packed.fused_residual, the ADD's {conv node, residual slot}) and
 * through the conv's output slot, which a fused conv never writes. Cases
 * that must not fuse (second reader, conv activation, broadcast, 3x3 or
 * strided conv, ADD(c, c), TANH on the ADD, K past the packed path) are
 * checked for no fusion and correct results. Graphs of several nodes check
 * chained blocks, two conv operands and the conv input's liveness. */
#include "test_op_util.h"
#include "nn/ops/kernel.h"

#define TOL 1e-5
#define SENTINEL 12345.5f

/* conv output reader beyond the ADD */
enum { EXTRA_NONE, EXTRA_GRAPH_OUTPUT, EXTRA_NODE, EXTRA_SAME_OPERAND };

typedef struct fcase {
    int n, h, w, cin, cout;
    int conv_first;          /* conv output is ADD input 0 (else input 1) */
    glim_activation add_act; /* the ADD's fused activation */
    glim_activation conv_act;
    int extra;               /* EXTRA_*: a second reader of the conv output */
    int kernel, stride;      /* conv kernel size (1: pointwise) and stride */
    int res_broadcast;       /* residual is [1,1,1,cout] */
    int res_is_x;            /* residual is the conv's own input (cin == cout) */
    int no_bias;             /* the conv's bias input is absent (-1) */
    uint32_t seed;
} fcase;

typedef struct fgraph {
    glim_graph *g;
    int x, r, c, y, z; /* input, residual input, conv output, ADD output, extra output */
    int conv_node, add_node;
    int oh, ow;
    float *wv, *bv;    /* copies of the weights [cout, k, k, cin] and bias */
} fgraph;

static void fg_free(fgraph *f)
{
    glim_graph_free(f->g);
    free(f->wv);
    free(f->bv);
    memset(f, 0, sizeof *f);
}

static int fg_build(const fcase *c, int conv_out_is_output, fgraph *f, glim_error *err)
{
    memset(f, 0, sizeof *f);
    f->r = f->z = -1;
    if (glim_graph_new(&f->g, err) != GLIM_OK) return -1;
    glim_graph *g = f->g;
    int k = c->kernel, s = c->stride;
    f->oh = (c->h - k) / s + 1;
    f->ow = (c->w - k) / s + 1;
    int64_t xs[] = {c->n, c->h, c->w, c->cin}, ws[] = {c->cout, k, k, c->cin}, bs[] = {c->cout};
    int64_t rs[] = {c->n, f->oh, f->ow, c->cout}, rb[] = {1, 1, 1, c->cout};
    f->x = glim_graph_add_tensor(g, "x", GLIM_F32, 4, xs, GLIM_TENSOR_INPUT, err);
    int wt = glim_graph_add_tensor(g, "w", GLIM_F32, 4, ws, GLIM_TENSOR_CONSTANT, err);
    int bt = glim_graph_add_tensor(g, "b", GLIM_F32, 1, bs, GLIM_TENSOR_CONSTANT, err);
    if (c->res_is_x) f->r = f->x;
    else f->r = glim_graph_add_tensor(g, "r", GLIM_F32, 4, c->res_broadcast ? rb : rs,
                                      GLIM_TENSOR_INPUT, err);
    f->c = glim_graph_add_tensor(g, "c", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, err);
    f->y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, err);
    if (f->x < 0 || wt < 0 || bt < 0 || f->r < 0 || f->c < 0 || f->y < 0) return -1;

    size_t wn = (size_t)(c->cout * k * k * c->cin);
    f->wv = malloc(wn * sizeof(float));
    f->bv = malloc((size_t)c->cout * sizeof(float));
    float *wd = glim_graph_const_alloc(g, wn * sizeof(float), err);
    float *bd = glim_graph_const_alloc(g, (size_t)c->cout * sizeof(float), err);
    if (!f->wv || !f->bv || !wd || !bd) return -1;
    uint32_t seed = c->seed;
    for (size_t i = 0; i < wn; i++) f->wv[i] = wd[i] = fx_rand(&seed);
    for (int i = 0; i < c->cout; i++) f->bv[i] = bd[i] = c->no_bias ? 0.f : fx_rand(&seed);
    if (glim_graph_set_const(g, wt, wd, err) != GLIM_OK ||
        glim_graph_set_const(g, bt, bd, err) != GLIM_OK)
        return -1;

    glim_conv2d_params cp = {0};
    cp.stride_h = cp.stride_w = s;
    cp.dilation_h = cp.dilation_w = 1;
    cp.padding = GLIM_PAD_VALID;
    cp.act = c->conv_act;
    int cin3[] = {f->x, wt, c->no_bias ? -1 : bt};
    f->conv_node = glim_graph_add_node(g, GLIM_OP_CONV2D, "proj", 3, cin3, 1, &f->c, &cp,
                                       sizeof cp, err);
    glim_binary_params ap = {c->add_act};
    int ain[2];
    if (c->extra == EXTRA_SAME_OPERAND) {
        ain[0] = ain[1] = f->c;
    } else {
        ain[0] = c->conv_first ? f->c : f->r;
        ain[1] = c->conv_first ? f->r : f->c;
    }
    f->add_node = glim_graph_add_node(g, GLIM_OP_ADD, "residual", 2, ain, 1, &f->y, &ap,
                                      sizeof ap, err);
    if (f->conv_node < 0 || f->add_node < 0) return -1;
    int outs[3] = {f->y}, nout = 1;
    if (c->extra == EXTRA_NODE) { /* z = c * y, after the ADD */
        f->z = glim_graph_add_tensor(g, "z", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, err);
        int min2[] = {f->c, f->y};
        if (f->z < 0 ||
            glim_graph_add_node(g, GLIM_OP_MUL, "reuse", 2, min2, 1, &f->z, NULL, 0, err) < 0)
            return -1;
        outs[nout++] = f->z;
    }
    if (c->extra == EXTRA_GRAPH_OUTPUT || conv_out_is_output) outs[nout++] = f->c;
    int ins[2] = {f->x, f->r};
    if (glim_graph_set_io(g, c->res_is_x ? 1 : 2, ins, nout, outs, err) != GLIM_OK) return -1;
    return 0;
}

static void fill_inputs(const fcase *c, fgraph *f)
{
    uint32_t seed = c->seed * 7919u + 17u;
    glim_gtensor *x = glim_graph_tensor(f->g, f->x);
    for (int64_t i = 0; i < x->count; i++) ((float *)x->data)[i] = fx_rand(&seed);
    if (!c->res_is_x) {
        glim_gtensor *r = glim_graph_tensor(f->g, f->r);
        /* a wider range than the product, so RELU6 clamps on both sides */
        for (int64_t i = 0; i < r->count; i++) ((float *)r->data)[i] = 6.f * fx_rand(&seed);
    }
}

static float act_apply(glim_activation a, double v)
{
    switch (a) {
    case GLIM_ACT_RELU: return (float)(v < 0 ? 0 : v);
    case GLIM_ACT_RELU6: return (float)(v < 0 ? 0 : (v > 6 ? 6 : v));
    case GLIM_ACT_RELU_N1_TO_1: return (float)(v < -1 ? -1 : (v > 1 ? 1 : v));
    case GLIM_ACT_TANH: return (float)tanh(v);
    default: return (float)v;
    }
}

/* The math in double: c = conv_act(b + x * w), y = add_act(c + r), with
 * an error scale per element (sum of the magnitudes of the terms). */
static void plain_math(const fcase *c, fgraph *f, float *cw, float *yw, double *scale)
{
    const float *x = glim_graph_tensor(f->g, f->x)->data;
    const float *r = glim_graph_tensor(f->g, f->r)->data;
    int k = c->kernel;
    for (int nn = 0; nn < c->n; nn++)
        for (int oy = 0; oy < f->oh; oy++)
            for (int ox = 0; ox < f->ow; ox++) {
                int64_t m = ((int64_t)nn * f->oh + oy) * f->ow + ox;
                for (int o = 0; o < c->cout; o++) {
                    double acc = f->bv[o], mag = fabs(f->bv[o]);
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                            for (int i = 0; i < c->cin; i++) {
                                double t = (double)x[(((int64_t)nn * c->h + oy * c->stride + ky) *
                                                          c->w + ox * c->stride + kx) * c->cin + i] *
                                           f->wv[((int64_t)(o * k + ky) * k + kx) * c->cin + i];
                                acc += t;
                                mag += fabs(t);
                            }
                    float cv = act_apply(c->conv_act, acc);
                    double rv = c->extra == EXTRA_SAME_OPERAND ? cv
                                : r[c->res_broadcast ? o : m * c->cout + o];
                    cw[m * c->cout + o] = cv;
                    yw[m * c->cout + o] = act_apply(c->add_act, (double)cv + rv);
                    scale[m * c->cout + o] = 1 + mag + fabs(rv);
                }
            }
}

static int fused_now(fgraph *f)
{
    glim_node *conv = &f->g->nodes[f->conv_node], *add = &f->g->nodes[f->add_node];
    const int *fs = add->state;
    int by_add = fs && fs[0] == f->conv_node;
    int by_conv = conv->state && ((const glim_packed *)conv->state)->fused_residual;
    if (by_add != by_conv)
        printf("#   the ADD says fused=%d, the conv says fused=%d\n", by_add, by_conv);
    return by_add && by_conv;
}

static void describe(const fcase *c, int threads, char *buf, size_t n)
{
    snprintf(buf, n,
             "N%d H%d W%d Cin%d Cout%d k%d s%d conv %s, add act %d, conv act %d, extra %d, "
             "bcast %d, r=x %d, %d threads",
             c->n, c->h, c->w, c->cin, c->cout, c->kernel, c->stride,
             c->extra == EXTRA_SAME_OPERAND ? "both" : c->conv_first ? "first" : "second",
             (int)c->add_act, (int)c->conv_act, c->extra, c->res_broadcast, c->res_is_x, threads);
}

/* |got - want| <= tol * scale[i] (scale NULL: max(1, |want|)); exact when tol < 0. */
static int compare(const char *what, const char *label, const float *got, const float *want,
                   const double *scale, int64_t count, double tol)
{
    for (int64_t i = 0; i < count; i++) {
        double s = scale ? scale[i] : (fabs(want[i]) > 1 ? fabs(want[i]) : 1);
        int bad = tol < 0 ? memcmp(&got[i], &want[i], sizeof(float)) != 0
                          : !(fabs((double)got[i] - want[i]) <= tol * s);
        if (bad) {
            printf("#   %s [%s]: element %lld: got %.9g want %.9g\n", what, label, (long long)i,
                   got[i], want[i]);
            check_failed_now = 1;
            return 0;
        }
    }
    return 1;
}

static void check_run(const fcase *c, int threads, int fused, const char *label, fgraph *fp,
                      fgraph *up, float *cw, float *yw, float *yfast, double *scale);

/* Run one case at `threads`; expect_fused: 1 must fuse, 0 must not. */
static void run_case(const fcase *c, int threads, int expect_fused)
{
    char label[256];
    describe(c, threads, label, sizeof label);
    glim_error err = {0};
    fgraph f, u;
    if (fg_build(c, 0, &f, &err) != 0 || fg_build(c, 1, &u, &err) != 0) {
        printf("#   [%s] building the graph: %s\n", label, err.msg);
        check_failed_now = 1;
        fg_free(&f);
        fg_free(&u);
        return;
    }
    glim_status st = glim_graph_prepare(f.g, threads, &err);
    CHECK_OK(st, err);
    glim_status su = glim_graph_prepare(u.g, threads, &err);
    CHECK_OK(su, err);
    if (st != GLIM_OK || su != GLIM_OK) {
        fg_free(&f);
        fg_free(&u);
        return;
    }
    int fused = fused_now(&f);
    if (fused != expect_fused) {
        printf("#   [%s]: fused = %d, expected %d\n", label, fused, expect_fused);
        check_failed_now = 1;
    }
    CHECK(!fused_now(&u)); /* the conv output is a graph output there */

    glim_gtensor *yt = glim_graph_tensor(f.g, f.y), *ct = glim_graph_tensor(f.g, f.c);
    int64_t ycount = yt->count, ccount = ct->count;
    float *cw = calloc((size_t)ccount, sizeof(float)), *yw = calloc((size_t)ycount, sizeof(float));
    float *yfast = calloc((size_t)ycount, sizeof(float));
    double *scale = calloc((size_t)ycount, sizeof(double));
    if (cw && yw && yfast && scale)
        check_run(c, threads, fused, label, &f, &u, cw, yw, yfast, scale);
    else
        CHECK(!"out of memory");
    free(cw);
    free(yw);
    free(yfast);
    free(scale);
    fg_free(&f);
    fg_free(&u);
}

/* The runs of run_case: fast (fused when `fused`), reference, unfused fast. */
static void check_run(const fcase *c, int threads, int fused, const char *label, fgraph *fp,
                      fgraph *up, float *cw, float *yw, float *yfast, double *scale)
{
    glim_error err = {0};
    fgraph f = *fp, u = *up;
    glim_gtensor *yt = glim_graph_tensor(f.g, f.y), *ct = glim_graph_tensor(f.g, f.c);
    int64_t ycount = yt->count, ccount = ct->count;

    /* fast run; the conv's slot is poisoned first: a fused conv leaves it be */
    fill_inputs(c, &f);
    for (int64_t i = 0; i < ccount; i++) ((float *)ct->data)[i] = SENTINEL;
    glim_graph_set_reference(f.g, 0);
    CHECK_OK(glim_graph_run(f.g, &err), err);
    memcpy(yfast, yt->data, (size_t)ycount * sizeof(float));
    int untouched = 1;
    for (int64_t i = 0; i < ccount; i++) untouched &= ((float *)ct->data)[i] == SENTINEL;
    if (untouched != fused) {
        printf("#   [%s]: the conv output was %s by the fast run, fused = %d\n", label,
               untouched ? "not written" : "written", fused);
        check_failed_now = 1;
    }
    plain_math(c, &f, cw, yw, scale);
    compare("fast vs plain loop", label, yfast, yw, scale, ycount, TOL);
    if (!fused) compare("conv output, fast vs plain loop", label, ct->data, cw, scale, ccount, TOL);
    if (f.z >= 0) { /* z = c * y */
        glim_gtensor *zt = glim_graph_tensor(f.g, f.z);
        for (int64_t i = 0; i < zt->count; i++) {
            double want = (double)cw[i] * yw[i], got = ((float *)zt->data)[i];
            if (!(fabs(got - want) <= TOL * (1 + scale[i]) * (1 + fabs(cw[i])))) {
                printf("#   second reader [%s]: element %lld: got %.9g want %.9g\n", label,
                       (long long)i, got, want);
                check_failed_now = 1;
                break;
            }
        }
    }

    /* reference kernels: both nodes unfused */
    glim_graph_set_reference(f.g, 1);
    CHECK_OK(glim_graph_run(f.g, &err), err);
    compare("fast vs reference", label, yfast, yt->data, scale, ycount, TOL);
    compare("reference vs plain loop", label, yt->data, yw, scale, ycount, TOL);
    compare("reference conv output vs plain loop", label, ct->data, cw, scale, ccount, TOL);

    /* fast kernels, unfused (the conv output is a graph output): bit-identical */
    fill_inputs(c, &u);
    glim_graph_set_reference(u.g, 0);
    CHECK_OK(glim_graph_run(u.g, &err), err);
    compare("fused vs unfused fast (bit-identical)", label, yfast,
            glim_graph_tensor(u.g, u.y)->data, NULL, ycount, -1);

    /* a second fast run on the same graph gives the same result */
    glim_graph_set_reference(f.g, 0);
    CHECK_OK(glim_graph_run(f.g, &err), err);
    compare("second fast run", label, yt->data, yfast, NULL, ycount, -1);
}

static fcase base(int n, int h, int w, int cin, int cout)
{
    fcase c = {0};
    c.n = n; c.h = h; c.w = w; c.cin = cin; c.cout = cout;
    c.conv_first = 1; c.kernel = 1; c.stride = 1;
    c.add_act = GLIM_ACT_NONE; c.conv_act = GLIM_ACT_NONE;
    c.seed = (uint32_t)(n * 1000003 + h * 10007 + w * 1009 + cin * 101 + cout);
    return c;
}

/* Every order x {no act, RELU6} x {1, 2, 3 threads} of one shape (3
 * threads: other row/panel splits on the 2 cores). */
static void sweep(int n, int h, int w, int cin, int cout)
{
    for (int order = 0; order < 2; order++)
        for (int a = 0; a < 2; a++)
            for (int t = 1; t <= 3; t++) {
                fcase c = base(n, h, w, cin, cout);
                c.conv_first = order == 0;
                c.add_act = a ? GLIM_ACT_RELU6 : GLIM_ACT_NONE;
                c.seed += (uint32_t)(order * 31 + a * 7);
                run_case(&c, t, 1);
            }
}

static void test_fused_small_odd(void)
{
    sweep(1, 7, 5, 13, 19);  /* M = 35: 2 threads split panels x row groups */
    sweep(1, 3, 3, 5, 17);   /* one full panel + a 1-column tail */
    sweep(1, 2, 4, 7, 3);    /* a single partial panel */
}

static void test_fused_wide(void)
{
    sweep(1, 7, 5, 13, 32);  /* exactly one 7x32 pair */
    sweep(1, 4, 5, 9, 37);   /* a pair + a 5-column odd panel */
    sweep(1, 6, 3, 24, 69);  /* two pairs + a 5-column tail, M = 18 */
    sweep(1, 13, 17, 11, 48); /* M = 221 (31 tiles + 4 rows): row split at 2 threads */
}

static void test_fused_edges(void)
{
    sweep(1, 1, 1, 21, 40);   /* one row: the 1x16 kernels */
    sweep(1, 1, 8, 6, 33);    /* 8 rows: a 7-row tile + 1 */
    sweep(2, 5, 3, 10, 27);   /* batch of 2 */
    sweep(1, 5, 3, 517, 35);  /* K > 512: K blocks, the residual after the last */
    sweep(1, 1, 1, 600, 20);  /* one row with long K */
}

/* ADD(conv(x), x), the MobileNet form: the conv input is also the residual. */
static void test_fused_residual_is_input(void)
{
    for (int t = 1; t <= 2; t++)
        for (int order = 0; order < 2; order++) {
            fcase c = base(1, 7, 7, 24, 24);
            c.res_is_x = 1;
            c.conv_first = order == 0;
            c.add_act = order ? GLIM_ACT_RELU6 : GLIM_ACT_NONE;
            run_case(&c, t, 1);
        }
}

/* A 1x1 conv without bias fuses too; so do the ADD's other clamps. */
static void test_fused_no_bias_other_clamps(void)
{
    for (int t = 1; t <= 2; t++) {
        fcase c = base(1, 3, 7, 8, 29);
        c.add_act = GLIM_ACT_RELU;
        run_case(&c, t, 1);
        c.add_act = GLIM_ACT_RELU_N1_TO_1;
        c.conv_first = 0;
        run_case(&c, t, 1);
        c = base(1, 7, 5, 13, 37);
        c.no_bias = 1;
        c.add_act = GLIM_ACT_RELU6;
        run_case(&c, t, 1);
        c = base(1, 1, 1, 9, 21);
        c.no_bias = 1;
        c.conv_first = 0;
        run_case(&c, t, 1);
    }
}

static void test_not_fused(void)
{
    for (int t = 1; t <= 2; t++) {
        fcase c = base(1, 7, 5, 13, 19);
        c.extra = EXTRA_GRAPH_OUTPUT;
        run_case(&c, t, 0);
        c = base(1, 7, 5, 13, 37);
        c.extra = EXTRA_NODE;
        c.conv_first = 0;
        c.add_act = GLIM_ACT_RELU6;
        run_case(&c, t, 0);
        c = base(1, 7, 5, 13, 19);
        c.extra = EXTRA_SAME_OPERAND;
        run_case(&c, t, 0);
        c = base(1, 7, 5, 13, 33);
        c.conv_act = GLIM_ACT_RELU6;
        run_case(&c, t, 0);
        c.conv_act = GLIM_ACT_RELU;
        c.conv_first = 0;
        run_case(&c, t, 0);
        c = base(1, 7, 5, 13, 19);
        c.res_broadcast = 1; /* shapes differ: not fused */
        run_case(&c, t, 0);
        c = base(1, 9, 7, 5, 21);
        c.kernel = 3; /* not pointwise */
        run_case(&c, t, 0);
        c = base(1, 9, 7, 5, 21);
        c.stride = 2; /* 1x1 but strided */
        run_case(&c, t, 0);
        c = base(1, 7, 5, 13, 19);
        c.add_act = GLIM_ACT_TANH; /* no clamp range for the store */
        run_case(&c, t, 0);
        c = base(1, 2, 3, 8200, 3);
        c.add_act = GLIM_ACT_RELU6; /* K > 8192: OpenBLAS, not the packed path */
        run_case(&c, t, 0);
    }
}

/* Two chained blocks: y1 = ADD(conv1(x), x), y2 = ADD(conv2(y1), y1), with
 * a RELU6 between so the conv input is an intermediate activation. Both
 * ADDs fuse; checked against the reference and a plain loop. */
enum { CH_H = 7, CH_W = 9, CH_C = 21 };

static void test_fused_chain(void)
{
    enum { H = CH_H, W = CH_W, C = CH_C };
    for (int threads = 1; threads <= 2; threads++) {
        glim_error err = {0};
        glim_graph *g = NULL;
        CHECK_OK(glim_graph_new(&g, &err), err);
        int64_t xs[] = {1, H, W, C}, ws[] = {C, 1, 1, C}, bs[] = {C};
        int x = glim_graph_add_tensor(g, "x", GLIM_F32, 4, xs, GLIM_TENSOR_INPUT, &err);
        int t[6], wt[2], bt[2];
        float wv[2][C * C], bv[2][C];
        uint32_t seed = 99;
        for (int i = 0; i < 2; i++) {
            wt[i] = glim_graph_add_tensor(g, NULL, GLIM_F32, 4, ws, GLIM_TENSOR_CONSTANT, &err);
            bt[i] = glim_graph_add_tensor(g, NULL, GLIM_F32, 1, bs, GLIM_TENSOR_CONSTANT, &err);
            for (int k = 0; k < C * C; k++) wv[i][k] = fx_rand(&seed);
            for (int k = 0; k < C; k++) bv[i][k] = fx_rand(&seed);
            CHECK_OK(glim_graph_set_const_copy(g, wt[i], wv[i], &err), err);
            CHECK_OK(glim_graph_set_const_copy(g, bt[i], bv[i], &err), err);
        }
        for (int i = 0; i < 6; i++)
            t[i] = glim_graph_add_tensor(g, NULL, GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
        glim_conv2d_params cp = {1, 1, 1, 1, GLIM_PAD_VALID, 0, 0, 0, 0, GLIM_ACT_NONE, 0};
        glim_binary_params ap = {GLIM_ACT_NONE};
        /* t0 = relu6(x); t1 = conv1(t0); t2 = t1 + t0; t3 = relu6(t2);
         * t4 = conv2(t3); t5 = t3 + t4 */
        int n0[] = {x}, n1[] = {t[0], wt[0], bt[0]}, n2[] = {t[1], t[0]}, n3[] = {t[2]};
        int n4[] = {t[3], wt[1], bt[1]}, n5[] = {t[3], t[4]};
        CHECK(glim_graph_add_node(g, GLIM_OP_RELU6, NULL, 1, n0, 1, &t[0], NULL, 0, &err) >= 0);
        int c1 = glim_graph_add_node(g, GLIM_OP_CONV2D, NULL, 3, n1, 1, &t[1], &cp, sizeof cp, &err);
        int a1 = glim_graph_add_node(g, GLIM_OP_ADD, NULL, 2, n2, 1, &t[2], &ap, sizeof ap, &err);
        CHECK(glim_graph_add_node(g, GLIM_OP_RELU6, NULL, 1, n3, 1, &t[3], NULL, 0, &err) >= 0);
        int c2 = glim_graph_add_node(g, GLIM_OP_CONV2D, NULL, 3, n4, 1, &t[4], &cp, sizeof cp, &err);
        int a2 = glim_graph_add_node(g, GLIM_OP_ADD, NULL, 2, n5, 1, &t[5], &ap, sizeof ap, &err);
        CHECK(c1 >= 0 && a1 >= 0 && c2 >= 0 && a2 >= 0);
        CHECK_OK(glim_graph_set_io(g, 1, &x, 1, &t[5], &err), err);
        glim_status st = glim_graph_prepare(g, threads, &err);
        CHECK_OK(st, err);
        if (st != GLIM_OK || check_failed_now) {
            glim_graph_free(g);
            return;
        }
        const int *f1 = g->nodes[a1].state, *f2 = g->nodes[a2].state;
        CHECK(f1 && f1[0] == c1 && f2 && f2[0] == c2);
        CHECK(((glim_packed *)g->nodes[c1].state)->fused_residual);
        CHECK(((glim_packed *)g->nodes[c2].state)->fused_residual);

        float *xd = glim_graph_tensor(g, x)->data;
        for (int i = 0; i < H * W * C; i++) xd[i] = 4.f * fx_rand(&seed);
        /* plain loop */
        static float v[H * W * C], want[H * W * C];
        for (int i = 0; i < H * W * C; i++) v[i] = xd[i] < 0 ? 0 : (xd[i] > 6 ? 6 : xd[i]);
        for (int blk = 0; blk < 2; blk++) {
            for (int m = 0; m < H * W; m++)
                for (int o = 0; o < C; o++) {
                    double acc = bv[blk][o];
                    for (int i = 0; i < C; i++) acc += (double)v[m * C + i] * wv[blk][o * C + i];
                    want[m * C + o] = (float)(acc + v[m * C + o]);
                }
            for (int i = 0; i < H * W * C && blk == 0; i++)
                v[i] = want[i] < 0 ? 0 : (want[i] > 6 ? 6 : want[i]);
        }
        CHECK_OK(glim_graph_run(g, &err), err);
        static float fast[H * W * C];
        memcpy(fast, glim_graph_tensor(g, t[5])->data, sizeof fast);
        compare("chain, fast vs plain loop", threads == 1 ? "1 thread" : "2 threads", fast, want,
                NULL, H * W * C, 1e-4);
        glim_graph_set_reference(g, 1);
        CHECK_OK(glim_graph_run(g, &err), err);
        compare("chain, fast vs reference", threads == 1 ? "1 thread" : "2 threads", fast,
                glim_graph_tensor(g, t[5])->data, NULL, H * W * C, TOL);
        glim_graph_free(g);
    }
}

/* The conv's input must stay alive until the ADD that computes the conv
 * (node->reads_also): t0 = relu6(x); c = conv(t0); r = tanh(x); y = c + r.
 * Without it the planner may give r the slot of t0 (t0's last reader being
 * the conv), and the ADD would read tanh(x) as the conv's input. */
static void test_fused_input_liveness(void)
{
    enum { H = 5, W = 7, C = 19 };
    for (int threads = 1; threads <= 2; threads++) {
        glim_error err = {0};
        glim_graph *g = NULL;
        CHECK_OK(glim_graph_new(&g, &err), err);
        int64_t xs[] = {1, H, W, C}, ws[] = {C, 1, 1, C}, bs[] = {C};
        int x = glim_graph_add_tensor(g, "x", GLIM_F32, 4, xs, GLIM_TENSOR_INPUT, &err);
        int wt = glim_graph_add_tensor(g, "w", GLIM_F32, 4, ws, GLIM_TENSOR_CONSTANT, &err);
        int bt = glim_graph_add_tensor(g, "b", GLIM_F32, 1, bs, GLIM_TENSOR_CONSTANT, &err);
        float wv[C * C], bv[C];
        uint32_t seed = 4242;
        for (int k = 0; k < C * C; k++) wv[k] = fx_rand(&seed);
        for (int k = 0; k < C; k++) bv[k] = fx_rand(&seed);
        CHECK_OK(glim_graph_set_const_copy(g, wt, wv, &err), err);
        CHECK_OK(glim_graph_set_const_copy(g, bt, bv, &err), err);
        int t0 = glim_graph_add_tensor(g, "t0", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
        int c = glim_graph_add_tensor(g, "c", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
        int r = glim_graph_add_tensor(g, "r", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
        int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
        glim_conv2d_params cp = {1, 1, 1, 1, GLIM_PAD_VALID, 0, 0, 0, 0, GLIM_ACT_NONE, 0};
        glim_binary_params ap = {GLIM_ACT_NONE};
        int n1[] = {t0, wt, bt}, n3[] = {c, r};
        CHECK(glim_graph_add_node(g, GLIM_OP_RELU6, NULL, 1, &x, 1, &t0, NULL, 0, &err) >= 0);
        int cn = glim_graph_add_node(g, GLIM_OP_CONV2D, NULL, 3, n1, 1, &c, &cp, sizeof cp, &err);
        CHECK(glim_graph_add_node(g, GLIM_OP_TANH, NULL, 1, &x, 1, &r, NULL, 0, &err) >= 0);
        int an = glim_graph_add_node(g, GLIM_OP_ADD, NULL, 2, n3, 1, &y, &ap, sizeof ap, &err);
        CHECK(cn >= 0 && an >= 0);
        CHECK_OK(glim_graph_set_io(g, 1, &x, 1, &y, &err), err);
        glim_status st = glim_graph_prepare(g, threads, &err);
        CHECK_OK(st, err);
        if (st != GLIM_OK || check_failed_now) {
            glim_graph_free(g);
            return;
        }
        const int *fs = g->nodes[an].state;
        CHECK(fs && fs[0] == cn && ((glim_packed *)g->nodes[cn].state)->fused_residual);
        float *xd = glim_graph_tensor(g, x)->data;
        for (int i = 0; i < H * W * C; i++) xd[i] = 8.f * fx_rand(&seed);
        float want[H * W * C];
        for (int m = 0; m < H * W; m++)
            for (int o = 0; o < C; o++) {
                double acc = bv[o];
                for (int i = 0; i < C; i++) {
                    float v = xd[m * C + i];
                    acc += (double)(v < 0 ? 0 : (v > 6 ? 6 : v)) * wv[o * C + i];
                }
                want[m * C + o] = (float)(acc + tanh((double)xd[m * C + o]));
            }
        CHECK_OK(glim_graph_run(g, &err), err);
        float fast[H * W * C];
        memcpy(fast, glim_graph_tensor(g, y)->data, sizeof fast);
        const char *label = threads == 1 ? "1 thread" : "2 threads";
        compare("liveness, fast vs plain loop", label, fast, want, NULL, H * W * C, 1e-4);
        glim_graph_set_reference(g, 1);
        CHECK_OK(glim_graph_run(g, &err), err);
        compare("liveness, fast vs reference", label, fast, glim_graph_tensor(g, y)->data, NULL,
                H * W * C, TOL);
        glim_graph_free(g);
    }
}

/* Both ADD operands are fusable 1x1 conv outputs: y = conv1(x) + conv2(x2),
 * and blocks chained directly: z = conv3(y) + y (y, a fused ADD's output, is
 * both the next conv's input and its residual). */
static void test_fused_two_convs(void)
{
    enum { H = 6, W = 5, CI = 11, C = 35 };
    for (int threads = 1; threads <= 3; threads++) {
        glim_error err = {0};
        glim_graph *g = NULL;
        CHECK_OK(glim_graph_new(&g, &err), err);
        int64_t xs[] = {1, H, W, CI}, w1s[] = {C, 1, 1, CI}, w3s[] = {C, 1, 1, C}, bs[] = {C};
        int x = glim_graph_add_tensor(g, "x", GLIM_F32, 4, xs, GLIM_TENSOR_INPUT, &err);
        int x2 = glim_graph_add_tensor(g, "x2", GLIM_F32, 4, xs, GLIM_TENSOR_INPUT, &err);
        int wt[3], bt[3], c[3], cn[3];
        float wv[3][C * C], bv[3][C];
        uint32_t seed = 777;
        for (int i = 0; i < 3; i++) {
            int kk = i < 2 ? CI : C;
            wt[i] = glim_graph_add_tensor(g, NULL, GLIM_F32, 4, i < 2 ? w1s : w3s,
                                          GLIM_TENSOR_CONSTANT, &err);
            bt[i] = glim_graph_add_tensor(g, NULL, GLIM_F32, 1, bs, GLIM_TENSOR_CONSTANT, &err);
            for (int k = 0; k < C * kk; k++) wv[i][k] = fx_rand(&seed);
            for (int k = 0; k < C; k++) bv[i][k] = fx_rand(&seed);
            CHECK_OK(glim_graph_set_const_copy(g, wt[i], wv[i], &err), err);
            CHECK_OK(glim_graph_set_const_copy(g, bt[i], bv[i], &err), err);
            c[i] = glim_graph_add_tensor(g, NULL, GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
        }
        int y = glim_graph_add_tensor(g, "y", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
        int z = glim_graph_add_tensor(g, "z", GLIM_F32, -1, NULL, GLIM_TENSOR_ACTIVATION, &err);
        glim_conv2d_params cp = {1, 1, 1, 1, GLIM_PAD_VALID, 0, 0, 0, 0, GLIM_ACT_NONE, 0};
        glim_binary_params ap = {GLIM_ACT_RELU6};
        int i0[] = {x, wt[0], bt[0]}, i1[] = {x2, wt[1], bt[1]}, i2[] = {y, wt[2], bt[2]};
        int a0[] = {c[0], c[1]}, a1[] = {y, c[2]};
        cn[0] = glim_graph_add_node(g, GLIM_OP_CONV2D, NULL, 3, i0, 1, &c[0], &cp, sizeof cp, &err);
        cn[1] = glim_graph_add_node(g, GLIM_OP_CONV2D, NULL, 3, i1, 1, &c[1], &cp, sizeof cp, &err);
        int an0 = glim_graph_add_node(g, GLIM_OP_ADD, NULL, 2, a0, 1, &y, &ap, sizeof ap, &err);
        cn[2] = glim_graph_add_node(g, GLIM_OP_CONV2D, NULL, 3, i2, 1, &c[2], &cp, sizeof cp, &err);
        ap.act = GLIM_ACT_NONE;
        int an1 = glim_graph_add_node(g, GLIM_OP_ADD, NULL, 2, a1, 1, &z, &ap, sizeof ap, &err);
        CHECK(cn[0] >= 0 && cn[1] >= 0 && cn[2] >= 0 && an0 >= 0 && an1 >= 0);
        int ins[] = {x, x2};
        CHECK_OK(glim_graph_set_io(g, 2, ins, 1, &z, &err), err);
        glim_status st = glim_graph_prepare(g, threads, &err);
        CHECK_OK(st, err);
        if (st != GLIM_OK || check_failed_now) {
            glim_graph_free(g);
            return;
        }
        /* one conv per ADD is fused; the other operand's conv runs itself */
        const int *f0 = g->nodes[an0].state, *f1 = g->nodes[an1].state;
        CHECK(f0 && (f0[0] == cn[0] || f0[0] == cn[1]) && f1 && f1[0] == cn[2]);
        int nf = 0;
        for (int i = 0; i < 3; i++) nf += ((glim_packed *)g->nodes[cn[i]].state)->fused_residual;
        CHECK(nf == 2);
        float *xd = glim_graph_tensor(g, x)->data, *x2d = glim_graph_tensor(g, x2)->data;
        for (int i = 0; i < H * W * CI; i++) xd[i] = 2.f * fx_rand(&seed);
        for (int i = 0; i < H * W * CI; i++) x2d[i] = 2.f * fx_rand(&seed);
        float yw[H * W * C], want[H * W * C];
        for (int m = 0; m < H * W; m++)
            for (int o = 0; o < C; o++) {
                double s0 = bv[0][o], s1 = bv[1][o];
                for (int i = 0; i < CI; i++) {
                    s0 += (double)xd[m * CI + i] * wv[0][o * CI + i];
                    s1 += (double)x2d[m * CI + i] * wv[1][o * CI + i];
                }
                double v = (double)(float)s0 + (double)(float)s1;
                yw[m * C + o] = (float)(v < 0 ? 0 : (v > 6 ? 6 : v));
            }
        for (int m = 0; m < H * W; m++)
            for (int o = 0; o < C; o++) {
                double s = bv[2][o];
                for (int i = 0; i < C; i++) s += (double)yw[m * C + i] * wv[2][o * C + i];
                want[m * C + o] = (float)(s + yw[m * C + o]);
            }
        CHECK_OK(glim_graph_run(g, &err), err);
        float fast[H * W * C];
        memcpy(fast, glim_graph_tensor(g, z)->data, sizeof fast);
        char label[32];
        snprintf(label, sizeof label, "%d threads", threads);
        compare("two convs, fast vs plain loop", label, fast, want, NULL, H * W * C, 1e-4);
        glim_graph_set_reference(g, 1);
        CHECK_OK(glim_graph_run(g, &err), err);
        compare("two convs, fast vs reference", label, fast, glim_graph_tensor(g, z)->data, NULL,
                H * W * C, TOL);
        glim_graph_free(g);
    }
}

/* Re-preparing a fused graph at another thread count keeps it fused and
 * correct; a graph re-prepared after its conv output became unfusable is
 * not covered (the graph cannot change after building). */
static void test_fused_reprepare(void)
{
    fcase c = base(1, 7, 5, 13, 37);
    c.add_act = GLIM_ACT_RELU6;
    glim_error err = {0};
    fgraph f;
    if (fg_build(&c, 0, &f, &err) != 0) {
        printf("#   building: %s\n", err.msg);
        check_failed_now = 1;
        fg_free(&f);
        return;
    }
    int64_t count = 0;
    float *first = NULL;
    for (int round = 0; round < 4; round++) {
        glim_status st = glim_graph_prepare(f.g, 1 + round % 2, &err);
        CHECK_OK(st, err);
        if (st != GLIM_OK) break;
        CHECK(fused_now(&f));
        fill_inputs(&c, &f);
        CHECK_OK(glim_graph_run(f.g, &err), err);
        glim_gtensor *y = glim_graph_tensor(f.g, f.y);
        if (!first) {
            count = y->count;
            first = malloc((size_t)count * sizeof(float));
            if (!first) break;
            memcpy(first, y->data, (size_t)count * sizeof(float));
        } else {
            compare("re-prepared run", round % 2 ? "2 threads" : "1 thread", y->data, first, NULL,
                    count, TOL);
        }
    }
    free(first);
    fg_free(&f);
}

int main(void)
{
    (void)fx_check_op; /* test_op_util.h's fixture runner: unused here */
    RUN(test_fused_small_odd);
    RUN(test_fused_wide);
    RUN(test_fused_edges);
    RUN(test_fused_residual_is_input);
    RUN(test_fused_no_bias_other_clamps);
    RUN(test_not_fused);
    RUN(test_fused_chain);
    RUN(test_fused_input_liveness);
    RUN(test_fused_two_convs);
    RUN(test_fused_reprepare);
    return check_done();
}
