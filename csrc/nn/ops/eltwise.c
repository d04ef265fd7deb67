/*
 * eltwise.c — binary elementwise ops with numpy broadcasting:
 * ADD, SUB, MUL, DIV, FLOOR_DIV, MAXIMUM, MINIMUM, and the float32-only
 * POW and PRELU.
 *
 *   y[i] = act( a[i'] OP b[i''] ) where shapes broadcast as in numpy (align
 *   trailing dims; a dim of 1 stretches). Any rank up to GLIM_MAX_DIMS.
 *   float32: DIV is a / b (IEEE), FLOOR_DIV is floor(a / b) (TFLite
 *   FloorDiv, numpy floor_divide). int32 / int64: ADD SUB MUL MAXIMUM MINIMUM
 *   wrap like C unsigned arithmetic; DIV truncates toward zero (TFLite Div on
 *   ints) and FLOOR_DIV rounds toward minus infinity; division by zero gives
 *   0 instead of trapping. The fused activation applies to float32 only.
 *   POW: y = powf(a, b) (a negative base with an integral exponent as C's
 *   pow; NaN for a fractional one); exponents 2 and 0.5 given as one value
 *   take multiply / sqrt fast paths with the same results.
 *   PRELU: y = a >= 0 ? a : a * b, b the slope broadcast to a's shape ([C]
 *   or [1,1,1,C] for NHWC channels); the output has a's shape.
 *
 * Both operands must have the same dtype. Shapes are collapsed to an outer
 * loop (odometer over the broadcast dims) and an inner contiguous run whose
 * operand strides are 0 or 1; the inner loops vectorise. Outer rows are split
 * across threads when large.
 */
#include "kernel.h"

#include <math.h>
#include <string.h>

typedef struct bin_job {
    glim_op_id op;
    glim_activation act;
    glim_dtype dt;
    int rank;                        /* after collapsing; the last dim is the inner run */
    int64_t shape[GLIM_MAX_DIMS];
    int64_t sa[GLIM_MAX_DIMS], sb[GLIM_MAX_DIMS]; /* element strides, 0 when broadcast */
    const void *a, *b;
    void *y;
} bin_job;

/* Residual fusion: ADD(conv(x), r) where the conv is a 1x1 one on the packed
 * path with no activation and its output has no other reader becomes one
 * GEMM whose store adds r and applies this node's clamp (conv2d.c). The
 * sum is the same float operation as here. The conv's output keeps its
 * memory, so the reference kernels still run both nodes unfused.
 * n->state: {conv node index, slot of r}. */
static void fuse_residual(glim_graph *g, glim_node *n)
{
    int *fs = n->state;
    if (fs) fs[0] = -1;
    glim_binary_params *p = n->params;
    float lo, hi;
    glim_gtensor *a = glim_in(g, n, 0), *b = glim_in(g, n, 1);
    if (n->op != GLIM_OP_ADD || a->dtype != GLIM_F32 || a->ndim != b->ndim ||
        n->inputs[0] == n->inputs[1] || !glim_act_range(p->act, &lo, &hi))
        return;
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d]) return;
    for (int s = 0; s < 2; s++) {
        glim_gtensor *t = glim_in(g, n, s);
        if (t->kind != GLIM_TENSOR_ACTIVATION || t->producer < 0) continue;
        glim_node *src = &g->nodes[t->producer];
        if (!glim_conv2d_residual_ok(g, src)) continue;
        int users = 0;
        for (int i = 0; i < g->nnodes; i++)
            for (int k = 0; k < g->nodes[i].ninputs; k++) users += g->nodes[i].inputs[k] == n->inputs[s];
        for (int i = 0; i < g->noutputs; i++) users += g->outputs[i] == n->inputs[s];
        if (users != 1) continue;
        if (!fs) fs = n->state = glim_graph_pool_alloc(g, 2 * sizeof(int));
        if (!fs) return; /* no memory for the note: simply unfused */
        fs[0] = t->producer;
        fs[1] = 1 - s;
        ((glim_packed *)src->state)->fused_residual = 1;
        n->reads_also = src->inputs[0]; /* the conv's input is read here */
        return;
    }
}

static glim_status bin_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_binary_params *p = n->params;
    glim_status st;
    if ((st = glim_need_arity(n, 2, 2, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 0, GLIM_MAX_DIMS, "input", err)) ||
        (st = glim_need_input(g, n, 1, -1, 0, GLIM_MAX_DIMS, "input", err)) ||
        (st = glim_check_act(n, p->act, err)))
        return st;
    glim_gtensor *a = glim_in(g, n, 0), *b = glim_in(g, n, 1);
    if (a->dtype != b->dtype)
        return glim_node_fail(n, err, GLIM_EINVAL, "operands are %s and %s",
                              glim_dtype_name(a->dtype), glim_dtype_name(b->dtype));
    if (a->dtype != GLIM_F32 && a->dtype != GLIM_I32 && a->dtype != GLIM_I64)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "dtype %s is not supported",
                              glim_dtype_name(a->dtype));
    if ((n->op == GLIM_OP_POW || n->op == GLIM_OP_PRELU) && a->dtype != GLIM_F32)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "dtype %s is not supported (float32 only)",
                              glim_dtype_name(a->dtype));
    if (n->op == GLIM_OP_PRELU && b->ndim > a->ndim)
        return glim_node_fail(n, err, GLIM_EINVAL, "slope has %d dims, the input only %d",
                              b->ndim, a->ndim);
    int r = a->ndim > b->ndim ? a->ndim : b->ndim;
    int64_t shape[GLIM_MAX_DIMS];
    for (int i = 0; i < r; i++) {
        int ia = i - (r - a->ndim), ib = i - (r - b->ndim);
        int64_t da = ia >= 0 ? a->shape[ia] : 1, db = ib >= 0 ? b->shape[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return glim_node_fail(n, err, GLIM_EINVAL,
                                  "shapes do not broadcast: dim %d is %lld and %lld", i,
                                  (long long)da, (long long)db);
        shape[i] = da == 1 ? db : da;
        if (n->op == GLIM_OP_PRELU && shape[i] != da)
            return glim_node_fail(n, err, GLIM_EINVAL,
                                  "slope does not broadcast to the input: dim %d is %lld and %lld",
                                  i, (long long)da, (long long)db);
    }
    if ((st = glim_out_shape(g, n, 0, a->dtype, r, shape, err))) return st;
    fuse_residual(g, n);
    return GLIM_OK;
}

/* Collapse into (outer dims..., inner run) with 0/1 strides per operand. */
static void plan_job(glim_graph *g, const glim_node *n, bin_job *j)
{
    glim_gtensor *a = glim_in(g, n, 0), *b = glim_in(g, n, 1), *y = glim_out(g, n, 0);
    int r = y->ndim;
    int64_t ea[GLIM_MAX_DIMS], eb[GLIM_MAX_DIMS];
    for (int i = 0; i < r; i++) {
        int ia = i - (r - a->ndim), ib = i - (r - b->ndim);
        ea[i] = ia >= 0 ? a->shape[ia] : 1;
        eb[i] = ib >= 0 ? b->shape[ib] : 1;
    }
    /* merge adjacent dims with the same broadcast pattern */
    int64_t ds[GLIM_MAX_DIMS], ma[GLIM_MAX_DIMS], mb[GLIM_MAX_DIMS];
    int m = 0;
    for (int i = 0; i < r; i++) {
        if (y->shape[i] == 1) continue;
        int ba = ea[i] != 1, bb = eb[i] != 1;
        if (m > 0 && ((ma[m - 1] != 1) == ba) && ((mb[m - 1] != 1) == bb)) {
            ds[m - 1] *= y->shape[i];
            ma[m - 1] = ba ? ds[m - 1] : 1;
            mb[m - 1] = bb ? ds[m - 1] : 1;
        } else {
            ds[m] = y->shape[i];
            ma[m] = ba ? y->shape[i] : 1;
            mb[m] = bb ? y->shape[i] : 1;
            m++;
        }
    }
    if (m == 0) {
        ds[0] = 1;
        ma[0] = mb[0] = 1;
        m = 1;
    }
    j->rank = m;
    int64_t acc_a = 1, acc_b = 1;
    for (int i = m - 1; i >= 0; i--) {
        j->shape[i] = ds[i];
        j->sa[i] = ma[i] == 1 ? 0 : acc_a;
        j->sb[i] = mb[i] == 1 ? 0 : acc_b;
        acc_a *= ma[i];
        acc_b *= mb[i];
    }
    j->op = n->op;
    j->act = ((glim_binary_params *)n->params)->act;
    j->dt = y->dtype;
    j->a = a->data;
    j->b = b->data;
    j->y = y->data;
}

#define INNER_F32(OPEXPR)                                                          \
    do {                                                                           \
        if (sa && sb)                                                              \
            for (int64_t i = 0; i < len; i++) { float u = a[i], v = b[i]; y[i] = (OPEXPR); } \
        else if (sa)                                                               \
            for (int64_t i = 0; i < len; i++) { float u = a[i], v = b[0]; y[i] = (OPEXPR); } \
        else if (sb)                                                               \
            for (int64_t i = 0; i < len; i++) { float u = a[0], v = b[i]; y[i] = (OPEXPR); } \
        else                                                                       \
            for (int64_t i = 0; i < len; i++) { float u = a[0], v = b[0]; y[i] = (OPEXPR); } \
    } while (0)

GLIM_VECTORIZE static void inner_f32(glim_op_id op, const float *a, const float *b, float *y,
                                int64_t len, int sa, int sb)
{
    switch (op) {
    case GLIM_OP_ADD: INNER_F32(u + v); break;
    case GLIM_OP_SUB: INNER_F32(u - v); break;
    case GLIM_OP_MUL: INNER_F32(u * v); break;
    case GLIM_OP_DIV: INNER_F32(u / v); break;
    case GLIM_OP_FLOOR_DIV: INNER_F32(floorf(u / v)); break;
    case GLIM_OP_MAXIMUM: INNER_F32(u > v ? u : v); break;
    case GLIM_OP_MINIMUM: INNER_F32(u < v ? u : v); break;
    case GLIM_OP_PRELU: INNER_F32(u >= 0.f ? u : u * v); break;
    case GLIM_OP_POW:
        if (!sb && b[0] == 2.f) { /* x^2: exact as powf's correctly rounded square */
            INNER_F32(((void)v, u * u));
        } else if (!sb && b[0] == 0.5f) { /* powf(-0, .5) = +0, powf(-inf, .5) = +inf */
            INNER_F32(((void)v, u == -INFINITY ? INFINITY : sqrtf(u) + 0.f));
        } else {
            INNER_F32(powf(u, v));
        }
        break;
    default: break;
    }
}

#define INNER_INT(T, UT)                                                                \
    static void inner_##T(glim_op_id op, const T *a, const T *b, T *y, int64_t len, int sa, \
                          int sb)                                                       \
    {                                                                                   \
        for (int64_t i = 0; i < len; i++) {                                             \
            T u = a[sa ? i : 0], v = b[sb ? i : 0], r = 0;                              \
            switch (op) {                                                               \
            case GLIM_OP_ADD: r = (T)((UT)u + (UT)v); break;                            \
            case GLIM_OP_SUB: r = (T)((UT)u - (UT)v); break;                            \
            case GLIM_OP_MUL: r = (T)((UT)u * (UT)v); break;                            \
            case GLIM_OP_DIV: r = (v == 0 || (v == -1 && u < 0 && (UT)u == (UT)1 << (sizeof(T) * 8 - 1))) ? 0 : u / v; break; \
            case GLIM_OP_FLOOR_DIV:                                                     \
                if (v == 0 || (v == -1 && u < 0 && (UT)u == (UT)1 << (sizeof(T) * 8 - 1))) r = 0; \
                else { r = u / v; if ((u % v != 0) && ((u < 0) != (v < 0))) r--; }      \
                break;                                                                  \
            case GLIM_OP_MAXIMUM: r = u > v ? u : v; break;                             \
            case GLIM_OP_MINIMUM: r = u < v ? u : v; break;                             \
            default: break;                                                             \
            }                                                                           \
            y[i] = r;                                                                   \
        }                                                                               \
    }
INNER_INT(int32_t, uint32_t)
INNER_INT(int64_t, uint64_t)

static void bin_rows(void *arg, int64_t r0, int64_t r1)
{
    const bin_job *j = arg;
    int outer = j->rank - 1;
    int64_t len = j->shape[outer];
    int sa = j->sa[outer] != 0, sb = j->sb[outer] != 0;
    size_t es = glim_dtype_size(j->dt);
    /* decode r0 into outer indices once, then step an odometer */
    int64_t idx[GLIM_MAX_DIMS] = {0}, rem = r0, oa = 0, ob = 0;
    for (int i = outer - 1; i >= 0; i--) {
        idx[i] = rem % j->shape[i];
        rem /= j->shape[i];
        oa += idx[i] * j->sa[i];
        ob += idx[i] * j->sb[i];
    }
    for (int64_t r = r0; r < r1; r++) {
        const char *a = (const char *)j->a + (size_t)oa * es;
        const char *b = (const char *)j->b + (size_t)ob * es;
        char *y = (char *)j->y + (size_t)(r * len) * es;
        if (j->dt == GLIM_F32) {
            inner_f32(j->op, (const float *)a, (const float *)b, (float *)y, len, sa, sb);
            if (j->act != GLIM_ACT_NONE) glim_apply_act((float *)y, len, j->act);
        } else if (j->dt == GLIM_I32) {
            inner_int32_t(j->op, (const int32_t *)a, (const int32_t *)b, (int32_t *)y, len, sa, sb);
        } else {
            inner_int64_t(j->op, (const int64_t *)a, (const int64_t *)b, (int64_t *)y, len, sa, sb);
        }
        for (int i = outer - 1; i >= 0; i--) {
            oa += j->sa[i];
            ob += j->sb[i];
            if (++idx[i] < j->shape[i]) break;
            oa -= idx[i] * j->sa[i];
            ob -= idx[i] * j->sb[i];
            idx[i] = 0;
        }
    }
}

/* One long contiguous run (same shapes, or a scalar operand): split the run
 * itself across threads. */
static void bin_span(void *arg, int64_t b0, int64_t b1)
{
    const bin_job *j = arg;
    int sa = j->sa[0] != 0, sb = j->sb[0] != 0;
    size_t es = glim_dtype_size(j->dt);
    const char *a = (const char *)j->a + (sa ? (size_t)b0 * es : 0);
    const char *b = (const char *)j->b + (sb ? (size_t)b0 * es : 0);
    char *y = (char *)j->y + (size_t)b0 * es;
    int64_t len = b1 - b0;
    if (j->dt == GLIM_F32) {
        inner_f32(j->op, (const float *)a, (const float *)b, (float *)y, len, sa, sb);
        if (j->act != GLIM_ACT_NONE) glim_apply_act((float *)y, len, j->act);
    } else if (j->dt == GLIM_I32) {
        inner_int32_t(j->op, (const int32_t *)a, (const int32_t *)b, (int32_t *)y, len, sa, sb);
    } else {
        inner_int64_t(j->op, (const int64_t *)a, (const int64_t *)b, (int64_t *)y, len, sa, sb);
    }
}

/* Rows of a few values against one broadcast vector (per-channel
 * normalisation of an NHWC image: [H*W, 3] - [3]): flat loops, since the
 * per-row bookkeeping would cost more than the arithmetic. */
#define SMALL_ROWS(OPEXPR)                                                     \
    for (int64_t r = r0; r < r1; r++) {                                        \
        const float *ar = a + r * len;                                         \
        float *yr = y + r * len;                                               \
        for (int64_t k = 0; k < len; k++) { float u = ar[k], v = b[k]; yr[k] = (OPEXPR); } \
    }

/* Two copies of the same loops: rows of 8 or more values vectorise (2x
 * at 16-48), rows of 3 run faster as plain scalar code. */
#define SMALL_ROWS_FN(name, attr)                                                   \
    attr static void name(void *arg, int64_t r0, int64_t r1)                        \
    {                                                                               \
        const bin_job *j = arg;                                                     \
        int64_t len = j->shape[1];                                                  \
        const float *a = j->a, *b = j->b;                                           \
        float *y = j->y;                                                            \
        switch (j->op) {                                                            \
        case GLIM_OP_ADD: SMALL_ROWS(u + v); break;                                 \
        case GLIM_OP_SUB: SMALL_ROWS(u - v); break;                                 \
        case GLIM_OP_MUL: SMALL_ROWS(u * v); break;                                 \
        case GLIM_OP_DIV: SMALL_ROWS(u / v); break;                                 \
        case GLIM_OP_PRELU: SMALL_ROWS(u >= 0.f ? u : u * v); break;                \
        default: break;                                                             \
        }                                                                           \
        if (j->act != GLIM_ACT_NONE) glim_apply_act(y + r0 * len, (r1 - r0) * len, j->act); \
    }
SMALL_ROWS_FN(bin_small_rows, )
SMALL_ROWS_FN(bin_small_rows_vec, GLIM_VECTORIZE)

static void bin_eval(glim_graph *g, const glim_node *n)
{
    const int *fs = n->state;
    if (fs && fs[0] >= 0 && !g->reference) {
        const glim_binary_params *p = n->params;
        glim_conv2d_run_residual(g, &g->nodes[fs[0]], glim_in(g, n, fs[1])->data,
                                 glim_out(g, n, 0)->data, p->act);
        return;
    }
    if (glim_out(g, n, 0)->count == 0) return; /* an empty broadcast: nothing to do */
    bin_job j;
    plan_job(g, n, &j);
    int64_t rows = 1;
    for (int i = 0; i < j.rank - 1; i++) rows *= j.shape[i];
    int64_t len = j.shape[j.rank - 1];
    if (j.rank == 1) {
        glim_parallel_for(g, len, 16384, bin_span, &j);
        return;
    }
    if (j.rank == 2 && len < 64 && j.dt == GLIM_F32 && j.sa[0] == len && j.sa[1] == 1 &&
        j.sb[0] == 0 && j.sb[1] == 1 &&
        (j.op == GLIM_OP_ADD || j.op == GLIM_OP_SUB || j.op == GLIM_OP_MUL || j.op == GLIM_OP_DIV ||
         j.op == GLIM_OP_PRELU)) {
        glim_parallel_for(g, rows, (4096 + len - 1) / len,
                          len >= 8 ? bin_small_rows_vec : bin_small_rows, &j);
        return;
    }
    int64_t grain = len >= 4096 ? 1 : (4096 + len - 1) / len;
    glim_parallel_for(g, rows, grain, bin_rows, &j);
}

static double bin_flops(const glim_graph *g, const glim_node *n)
{
    return (double)g->tensors[n->outputs[0]].count;
}

#define BIN(stem, NAME)                                                                  \
    const glim_op_vtable glim_op_##stem = {#NAME, sizeof(glim_binary_params), bin_prepare, \
                                           bin_eval, bin_flops};
BIN(add, ADD)
BIN(sub, SUB)
BIN(mul, MUL)
BIN(div, DIV)
BIN(floor_div, FLOOR_DIV)
BIN(maximum, MAXIMUM)
BIN(minimum, MINIMUM)
BIN(pow, POW)
BIN(prelu, PRELU)
