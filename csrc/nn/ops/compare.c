/*
 * compare.c — comparisons and selection with numpy broadcasting:
 * EQUAL, LESS, GREATER, LOGICAL_NOT, WHERE (ONNX Equal / Less / Greater /
 * Not / Where).
 *
 *   EQUAL / LESS / GREATER: y[i] = a[i'] OP b[i''] -> BOOL (0 or 1). a and b
 *     share one dtype: float32, int32 or int64 (EQUAL also BOOL). Float
 *     comparisons follow IEEE (NaN compares unequal and neither less nor
 *     greater).
 *   LOGICAL_NOT: y = !x, BOOL -> BOOL, same shape.
 *   WHERE: y[i] = cond[i'] ? x[i''] : y[i'''], cond BOOL, x and y of one
 *     dtype (float32, int32, int64 or BOOL) -> that dtype.
 * Shapes broadcast as in numpy (align trailing dims; a dim of 1 stretches),
 * any rank up to GLIM_MAX_DIMS. The loops walk the output with
 * glim_bcast_walk: an odometer over the outer dims and an inner run whose
 * operand strides are 0 or 1.
 * These ops move masks and indices (small tensors), so they run on one
 * thread.
 */
#include "kernel.h"

/* ---- EQUAL / LESS / GREATER --------------------------------------------- */

static glim_status cmp_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_status st;
    if ((st = glim_need_arity(n, 2, 2, 1, err)) ||
        (st = glim_need_input(g, n, 0, -1, 0, GLIM_MAX_DIMS, "input", err)) ||
        (st = glim_need_input(g, n, 1, -1, 0, GLIM_MAX_DIMS, "input", err)))
        return st;
    glim_gtensor *t[2] = {glim_in(g, n, 0), glim_in(g, n, 1)};
    if (t[0]->dtype != t[1]->dtype)
        return glim_node_fail(n, err, GLIM_EINVAL, "operands are %s and %s",
                              glim_dtype_name(t[0]->dtype), glim_dtype_name(t[1]->dtype));
    glim_dtype dt = t[0]->dtype;
    if (dt != GLIM_F32 && dt != GLIM_I32 && dt != GLIM_I64 &&
        !(dt == GLIM_BOOL && n->op == GLIM_OP_EQUAL))
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "dtype %s is not supported",
                              glim_dtype_name(dt));
    int rank, bad;
    int64_t shape[GLIM_MAX_DIMS];
    if (glim_bcast_shape(t, 2, &rank, shape, &bad))
        return glim_node_fail(n, err, GLIM_EINVAL, "shapes do not broadcast (dim %d)", bad);
    return glim_out_shape(g, n, 0, GLIM_BOOL, rank, shape, err);
}

typedef struct cmp_job {
    glim_op_id op;
    glim_dtype dt;
    const void *a, *b;
    uint8_t *y;
} cmp_job;

#define CMP_LOOP(T, EXPR)                                                            \
    do {                                                                             \
        const T *a = (const T *)j->a + off[0], *b = (const T *)j->b + off[1];        \
        int64_t sa = unit[0], sb = unit[1];                                          \
        for (int64_t i = 0; i < len; i++) {                                          \
            T u = a[i * sa], v = b[i * sb];                                          \
            y[i] = (uint8_t)(EXPR);                                                  \
        }                                                                            \
    } while (0)

#define CMP_TYPE(T)                                                                  \
    do {                                                                             \
        if (j->op == GLIM_OP_EQUAL) CMP_LOOP(T, u == v);                             \
        else if (j->op == GLIM_OP_LESS) CMP_LOOP(T, u < v);                          \
        else CMP_LOOP(T, u > v);                                                     \
    } while (0)

static void cmp_run(void *ctx, const int64_t *off, int64_t yo, int64_t len, const int *unit)
{
    const cmp_job *j = ctx;
    uint8_t *y = j->y + yo;
    switch (j->dt) {
    case GLIM_F32: CMP_TYPE(float); break;
    case GLIM_I32: CMP_TYPE(int32_t); break;
    case GLIM_I64: CMP_TYPE(int64_t); break;
    default: CMP_LOOP(uint8_t, (u != 0) == (v != 0)); break; /* BOOL, EQUAL only */
    }
}

static void cmp_eval(glim_graph *g, const glim_node *n)
{
    glim_gtensor *t[2] = {glim_in(g, n, 0), glim_in(g, n, 1)}, *y = glim_out(g, n, 0);
    glim_bcast b;
    glim_bcast_plan(t, 2, y, &b);
    cmp_job j = {n->op, t[0]->dtype, t[0]->data, t[1]->data, y->data};
    glim_bcast_walk(&b, 2, cmp_run, &j);
}

/* ---- LOGICAL_NOT -------------------------------------------------------- */

static glim_status not_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_status st;
    if ((st = glim_need_arity(n, 1, 1, 1, err)) ||
        (st = glim_need_input(g, n, 0, GLIM_BOOL, 0, GLIM_MAX_DIMS, "input", err)))
        return st;
    glim_gtensor *x = glim_in(g, n, 0);
    return glim_out_shape(g, n, 0, GLIM_BOOL, x->ndim, x->shape, err);
}

static void not_eval(glim_graph *g, const glim_node *n)
{
    glim_gtensor *x = glim_in(g, n, 0);
    const uint8_t *a = x->data;
    uint8_t *y = glim_out(g, n, 0)->data;
    for (int64_t i = 0; i < x->count; i++) y[i] = a[i] == 0;
}

/* ---- WHERE -------------------------------------------------------------- */

static glim_status where_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    glim_status st;
    if ((st = glim_need_arity(n, 3, 3, 1, err)) ||
        (st = glim_need_input(g, n, 0, GLIM_BOOL, 0, GLIM_MAX_DIMS, "condition", err)) ||
        (st = glim_need_input(g, n, 1, -1, 0, GLIM_MAX_DIMS, "x", err)) ||
        (st = glim_need_input(g, n, 2, -1, 0, GLIM_MAX_DIMS, "y", err)))
        return st;
    glim_gtensor *t[3] = {glim_in(g, n, 0), glim_in(g, n, 1), glim_in(g, n, 2)};
    if (t[1]->dtype != t[2]->dtype)
        return glim_node_fail(n, err, GLIM_EINVAL, "x is %s and y is %s",
                              glim_dtype_name(t[1]->dtype), glim_dtype_name(t[2]->dtype));
    glim_dtype dt = t[1]->dtype;
    if (dt != GLIM_F32 && dt != GLIM_I32 && dt != GLIM_I64 && dt != GLIM_BOOL)
        return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "dtype %s is not supported",
                              glim_dtype_name(dt));
    int rank, bad;
    int64_t shape[GLIM_MAX_DIMS];
    if (glim_bcast_shape(t, 3, &rank, shape, &bad))
        return glim_node_fail(n, err, GLIM_EINVAL, "shapes do not broadcast (dim %d)", bad);
    return glim_out_shape(g, n, 0, dt, rank, shape, err);
}

typedef struct where_job {
    glim_dtype dt;
    const uint8_t *c;
    const void *x, *y;
    void *out;
} where_job;

#define WHERE_LOOP(T)                                                                   \
    do {                                                                                \
        const T *x = (const T *)j->x + off[1], *y = (const T *)j->y + off[2];           \
        T *o = (T *)j->out + yo;                                                        \
        for (int64_t i = 0; i < len; i++) o[i] = c[i * sc] ? x[i * sx] : y[i * sy];     \
    } while (0)

static void where_run(void *ctx, const int64_t *off, int64_t yo, int64_t len, const int *unit)
{
    const where_job *j = ctx;
    const uint8_t *c = j->c + off[0];
    int64_t sc = unit[0], sx = unit[1], sy = unit[2];
    switch (j->dt) {
    case GLIM_F32: WHERE_LOOP(float); break;
    case GLIM_I32: WHERE_LOOP(int32_t); break;
    case GLIM_I64: WHERE_LOOP(int64_t); break;
    default: WHERE_LOOP(uint8_t); break;
    }
}

static void where_eval(glim_graph *g, const glim_node *n)
{
    glim_gtensor *t[3] = {glim_in(g, n, 0), glim_in(g, n, 1), glim_in(g, n, 2)};
    glim_gtensor *y = glim_out(g, n, 0);
    glim_bcast b;
    glim_bcast_plan(t, 3, y, &b);
    where_job j = {y->dtype, t[0]->data, t[1]->data, t[2]->data, y->data};
    glim_bcast_walk(&b, 3, where_run, &j);
}

const glim_op_vtable glim_op_equal = {"EQUAL", 0, cmp_prepare, cmp_eval, NULL};
const glim_op_vtable glim_op_less = {"LESS", 0, cmp_prepare, cmp_eval, NULL};
const glim_op_vtable glim_op_greater = {"GREATER", 0, cmp_prepare, cmp_eval, NULL};
const glim_op_vtable glim_op_logical_not = {"LOGICAL_NOT", 0, not_prepare, not_eval, NULL};
const glim_op_vtable glim_op_where = {"WHERE", 0, where_prepare, where_eval, NULL};
