/*
 * gemm.c — a packed single-precision GEMM for convolutions:
 *
 *   C[i, j] = act( bias[j] + sum_k A[i, k] * W[j, k] )   for rows i in [m0, m1)
 *
 * A is row-major with leading dimension lda (an NHWC activation or its
 * im2col matrix: one row per output pixel), W is the op's [N, K] weight
 * matrix, packed once at prepare into panels of 16 columns ([K][16] each)
 * so that the inner loop reads it contiguously. The full panels take
 * exactly the bytes of W and can replace it in place (conv2d.c does when
 * it is the weights' only user), so packing costs no extra memory; the last
 * partial panel is zero-padded in a small separate buffer.
 *
 * Why not only cblas_sgemm: MobileNet-style 1x1 convolutions have small K
 * (16..64) and small N at large M, where OpenBLAS spends much of its time
 * packing A and on edge cases; this kernel reads A in place and fuses the
 * bias and clamp activation into the store. The micro-kernel holds a 6x16
 * block of C in 12 AVX2 registers (the classic Haswell register tile) and
 * performs one broadcast and two FMAs per row per k. Rows are processed in
 * blocks sized to keep A in L2 while every panel is swept.
 * Without AVX2+FMA the same loops run in plain C.
 */
#include "kernel.h"

#include <math.h>
#include <string.h>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define GEMM_AVX2 1
#endif


#define NR 16
#if defined(__AVX512F__)
#include <immintrin.h>
#define GEMM_AVX512 1
#define MR 12
#define MB_STEP 84 /* row blocks whole in both the 12- and the 7-row tiles */
#else
#define MR 6
#define MB_STEP MR
#endif

int glim_gemm_best_isa(void)
{
#if defined(GEMM_AVX512)
    return GLIM_GEMM_AVX512;
#elif defined(GEMM_AVX2)
    return GLIM_GEMM_AVX2;
#else
    return GLIM_GEMM_PLAIN;
#endif
}

glim_status glim_pack_weights(glim_graph *g, const float *w, const float *bias, int64_t n,
                              int64_t k, glim_packed *out, float *in_place)
{
    int64_t np = (n + NR - 1) / NR, nfull = n / NR;
    size_t full_bytes, tail_bytes;
    if (!glim_mul_size((size_t)(nfull * NR), (size_t)k * sizeof(float), &full_bytes) ||
        !glim_mul_size((size_t)NR, (size_t)k * sizeof(float), &tail_bytes))
        return GLIM_ELIMIT;
    out->n = n;
    out->k = k;
    out->npanels = np;
    out->nfull = nfull;
    out->isa = glim_gemm_best_isa();
    out->in_place = in_place != NULL;
    out->bias = glim_graph_pool_alloc(g, (size_t)(np * NR) * sizeof(float));
    out->tail = np > nfull ? glim_graph_pool_alloc(g, tail_bytes) : NULL;
    float *tmp = full_bytes ? glim_alloc(full_bytes) : NULL;
    out->data = in_place ? in_place : (full_bytes ? glim_graph_pool_alloc(g, full_bytes) : NULL);
    if (!out->bias || (np > nfull && !out->tail) || (full_bytes && (!tmp || !out->data))) {
        glim_free(tmp);
        return GLIM_ENOMEM;
    }
    for (int64_t p = 0; p < nfull; p++)
        for (int64_t kk = 0; kk < k; kk++)
            for (int j = 0; j < NR; j++) tmp[(p * k + kk) * NR + j] = w[(p * NR + j) * k + kk];
    for (int64_t kk = 0; np > nfull && kk < k; kk++)
        for (int j = 0; j < NR; j++) {
            int64_t col = nfull * NR + j;
            out->tail[kk * NR + j] = col < n ? w[col * k + kk] : 0.f;
        }
    /* only now overwrite the source, if packing in place */
    if (full_bytes) memcpy(out->data, tmp, full_bytes);
    glim_free(tmp);
    for (int64_t j = 0; j < np * NR; j++) out->bias[j] = (bias && j < n) ? bias[j] : 0.f;
    return GLIM_OK;
}

float glim_packed_weight(const glim_packed *w, int64_t row, int64_t kk)
{
    int64_t p = row / NR, j = row % NR;
    return p < w->nfull ? w->data[(p * w->k + kk) * NR + j] : w->tail[kk * NR + j];
}

/* Store a 16-wide row of results, clamped, masking columns past `cols`. */
static inline void store_row(float *c, const float *v, int cols, float lo, float hi)
{
    for (int j = 0; j < cols; j++) {
        float x = v[j];
        c[j] = x < lo ? lo : (x > hi ? hi : x);
    }
}

#ifdef GEMM_AVX2
static inline void load_row16(const float *c, int cols, __m256 *lo8, __m256 *hi8)
{
    float tmp[NR] = {0};
    memcpy(tmp, c, (size_t)cols * sizeof(float));
    *lo8 = _mm256_loadu_ps(tmp);
    *hi8 = _mm256_loadu_ps(tmp + 8);
}

static void kernel_6x16(const float *a, int64_t lda, const float *b, const float *bias, int64_t k,
                        float *c, int64_t ldc, int rows, int cols, float lo, float hi, int stream,
                        int accumulate)
{
    __m256 c00 = _mm256_loadu_ps(bias), c01 = _mm256_loadu_ps(bias + 8);
    __m256 c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
    __m256 c40 = c00, c41 = c01, c50 = c00, c51 = c01;
    if (accumulate) { /* continue the sums already in C (a later block of K) */
        __m256 z = _mm256_setzero_ps();
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = z;
        load_row16(c, cols, &c00, &c01);
        if (rows > 1) load_row16(c + ldc, cols, &c10, &c11);
        if (rows > 2) load_row16(c + 2 * ldc, cols, &c20, &c21);
        if (rows > 3) load_row16(c + 3 * ldc, cols, &c30, &c31);
        if (rows > 4) load_row16(c + 4 * ldc, cols, &c40, &c41);
        if (rows > 5) load_row16(c + 5 * ldc, cols, &c50, &c51);
    }
    const float *a0 = a, *a1 = a + lda, *a2 = a + 2 * lda, *a3 = a + 3 * lda, *a4 = a + 4 * lda,
                *a5 = a + 5 * lda;
    /* rows past `rows` read row 0 again (their results are not stored) */
    if (rows < 2) a1 = a0;
    if (rows < 3) a2 = a0;
    if (rows < 4) a3 = a0;
    if (rows < 5) a4 = a0;
    if (rows < 6) a5 = a0;
    for (int64_t kk = 0; kk < k; kk++) {
        __m256 b0 = _mm256_loadu_ps(b + kk * NR), b1 = _mm256_loadu_ps(b + kk * NR + 8);
        __m256 x;
/* row r: one broadcast of a_r[kk], two FMAs into its accumulators */
#define ROW(r)                                        \
    x = _mm256_broadcast_ss(a##r + kk);               \
    c##r##0 = _mm256_fmadd_ps(x, b0, c##r##0);        \
    c##r##1 = _mm256_fmadd_ps(x, b1, c##r##1)
        ROW(0); ROW(1); ROW(2); ROW(3); ROW(4); ROW(5);
#undef ROW
    }
    __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
    __m256 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    for (int r = 0; r < rows; r++) {
        __m256 v0 = _mm256_min_ps(_mm256_max_ps(acc[r][0], vlo), vhi);
        __m256 v1 = _mm256_min_ps(_mm256_max_ps(acc[r][1], vlo), vhi);
        float *cr = c + r * ldc;
        if (stream && cols == NR) {
            _mm256_stream_ps(cr, v0);
            _mm256_stream_ps(cr + 8, v1);
        } else if (cols == NR) {
            _mm256_storeu_ps(cr, v0);
            _mm256_storeu_ps(cr + 8, v1);
        } else {
            float tmp[NR];
            _mm256_storeu_ps(tmp, v0);
            _mm256_storeu_ps(tmp + 8, v1);
            memcpy(cr, tmp, (size_t)cols * sizeof(float));
        }
    }
}
#endif

#ifdef GEMM_AVX512
/* Where AVX-512 exists: 12 rows x 16 columns in 12 zmm accumulators; each
 * k step is one panel load and twelve FMAs with a broadcast operand. */
static void kernel_12x16(const float *a, int64_t lda, const float *b, const float *bias,
                         int64_t k, float *c, int64_t ldc, int rows, int cols, float lo, float hi,
                         int stream, int accumulate)
{
    const float *ar[12];
    for (int r = 0; r < 12; r++) ar[r] = a + (r < rows ? r : 0) * lda;
    __m512 c0 = _mm512_loadu_ps(bias), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0,
           c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
    if (accumulate) { /* continue the sums already in C (a later block of K) */
        __mmask16 cm = (__mmask16)((1u << cols) - 1);
#define LD(r) ((r) < rows ? _mm512_maskz_loadu_ps(cm, c + (r) * ldc) : _mm512_setzero_ps())
        c0 = LD(0), c1 = LD(1), c2 = LD(2), c3 = LD(3), c4 = LD(4), c5 = LD(5);
        c6 = LD(6), c7 = LD(7), c8 = LD(8), c9 = LD(9), c10 = LD(10), c11 = LD(11);
#undef LD
    }
    for (int64_t kk = 0; kk < k; kk++) {
        __m512 bv = _mm512_loadu_ps(b + kk * NR);
        c0 = _mm512_fmadd_ps(_mm512_set1_ps(ar[0][kk]), bv, c0);
        c1 = _mm512_fmadd_ps(_mm512_set1_ps(ar[1][kk]), bv, c1);
        c2 = _mm512_fmadd_ps(_mm512_set1_ps(ar[2][kk]), bv, c2);
        c3 = _mm512_fmadd_ps(_mm512_set1_ps(ar[3][kk]), bv, c3);
        c4 = _mm512_fmadd_ps(_mm512_set1_ps(ar[4][kk]), bv, c4);
        c5 = _mm512_fmadd_ps(_mm512_set1_ps(ar[5][kk]), bv, c5);
        c6 = _mm512_fmadd_ps(_mm512_set1_ps(ar[6][kk]), bv, c6);
        c7 = _mm512_fmadd_ps(_mm512_set1_ps(ar[7][kk]), bv, c7);
        c8 = _mm512_fmadd_ps(_mm512_set1_ps(ar[8][kk]), bv, c8);
        c9 = _mm512_fmadd_ps(_mm512_set1_ps(ar[9][kk]), bv, c9);
        c10 = _mm512_fmadd_ps(_mm512_set1_ps(ar[10][kk]), bv, c10);
        c11 = _mm512_fmadd_ps(_mm512_set1_ps(ar[11][kk]), bv, c11);
    }
    __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
    __m512 acc[12] = {c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11};
    if (stream && cols == NR) { /* whole aligned lines, bypassing the cache */
        for (int r = 0; r < rows; r++)
            _mm512_stream_ps(c + r * ldc, _mm512_min_ps(_mm512_max_ps(acc[r], vlo), vhi));
        return;
    }
    __mmask16 m = (__mmask16)((1u << cols) - 1);
    for (int r = 0; r < rows; r++)
        _mm512_mask_storeu_ps(c + r * ldc, m, _mm512_min_ps(_mm512_max_ps(acc[r], vlo), vhi));
}

/* Two panels at once (7 rows x 32 columns in 14 zmm accumulators): each k
 * step loads two panel vectors and seven broadcasts for fourteen FMAs, so
 * the loads no longer outnumber the FMAs as in the 12x16 tile. Seven rows
 * because MobileNet-style maps (7, 14, 28, 56, 112 squared) are multiples
 * of 7: the tiles have no idle rows. The first panel is always full; the
 * second may be the zero-padded tail (`cols1` columns stored). */
static void kernel_7x32(const float *a, int64_t lda, const float *b0, const float *b1,
                        const float *bias, int64_t k, float *c, int64_t ldc, int rows, int cols1,
                        float lo, float hi, int stream, int accumulate)
{
    const float *ar[7];
    for (int r = 0; r < 7; r++) ar[r] = a + (r < rows ? r : 0) * lda;
    __m512 x0 = _mm512_loadu_ps(bias), x1 = _mm512_loadu_ps(bias + NR);
    __m512 c00 = x0, c01 = x1, c10 = x0, c11 = x1, c20 = x0, c21 = x1, c30 = x0, c31 = x1;
    __m512 c40 = x0, c41 = x1, c50 = x0, c51 = x1, c60 = x0, c61 = x1;
    __mmask16 m1 = (__mmask16)((1u << cols1) - 1);
    if (accumulate) { /* continue the sums already in C (a later block of K) */
#define LD0(r) ((r) < rows ? _mm512_loadu_ps(c + (r) * ldc) : _mm512_setzero_ps())
#define LD1(r) ((r) < rows ? _mm512_maskz_loadu_ps(m1, c + (r) * ldc + NR) : _mm512_setzero_ps())
        c00 = LD0(0), c10 = LD0(1), c20 = LD0(2), c30 = LD0(3), c40 = LD0(4), c50 = LD0(5);
        c60 = LD0(6);
        c01 = LD1(0), c11 = LD1(1), c21 = LD1(2), c31 = LD1(3), c41 = LD1(4), c51 = LD1(5);
        c61 = LD1(6);
#undef LD0
#undef LD1
    }
    const float *a0 = ar[0], *a1 = ar[1], *a2 = ar[2], *a3 = ar[3], *a4 = ar[4], *a5 = ar[5],
                *a6 = ar[6];
    for (int64_t kk = 0; kk < k; kk++) {
        __m512 p0 = _mm512_loadu_ps(b0 + kk * NR), p1 = _mm512_loadu_ps(b1 + kk * NR), x;
#define ROW(r)                                        \
    x = _mm512_set1_ps(a##r[kk]);                     \
    c##r##0 = _mm512_fmadd_ps(x, p0, c##r##0);        \
    c##r##1 = _mm512_fmadd_ps(x, p1, c##r##1)
        ROW(0); ROW(1); ROW(2); ROW(3); ROW(4); ROW(5); ROW(6);
#undef ROW
    }
    __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
    __m512 acc[7][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31},
                        {c40, c41}, {c50, c51}, {c60, c61}};
    for (int r = 0; r < rows; r++) {
        __m512 v0 = _mm512_min_ps(_mm512_max_ps(acc[r][0], vlo), vhi);
        __m512 v1 = _mm512_min_ps(_mm512_max_ps(acc[r][1], vlo), vhi);
        float *cr = c + r * ldc;
        if (stream && cols1 == NR) { /* whole aligned lines, bypassing the cache */
            _mm512_stream_ps(cr, v0);
            _mm512_stream_ps(cr + NR, v1);
        } else {
            _mm512_storeu_ps(cr, v0);
            _mm512_mask_storeu_ps(cr + NR, m1, v1);
        }
    }
}
#endif

#ifdef GEMM_AVX2
/* One row (a classifier's last 1x1 conv on a 1x1 map): the 6- and 12-row
 * tiles would repeat the arithmetic for rows that are not there. Four
 * independent accumulators hide the FMA latency; this is memory-bound. */
static void kernel_1x16(const float *a, const float *b, const float *bias, int64_t k, float *c,
                        int cols, float lo, float hi)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, t0 = s0, t1 = s0;
    int64_t kk = 0;
    for (; kk + 2 <= k; kk += 2) {
        __m256 x0 = _mm256_broadcast_ss(a + kk), x1 = _mm256_broadcast_ss(a + kk + 1);
        s0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(b + kk * NR), s0);
        s1 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(b + kk * NR + 8), s1);
        t0 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(b + (kk + 1) * NR), t0);
        t1 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(b + (kk + 1) * NR + 8), t1);
    }
    for (; kk < k; kk++) {
        __m256 x0 = _mm256_broadcast_ss(a + kk);
        s0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(b + kk * NR), s0);
        s1 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(b + kk * NR + 8), s1);
    }
    float v[NR];
    _mm256_storeu_ps(v, _mm256_add_ps(_mm256_add_ps(s0, t0), _mm256_loadu_ps(bias)));
    _mm256_storeu_ps(v + 8, _mm256_add_ps(_mm256_add_ps(s1, t1), _mm256_loadu_ps(bias + 8)));
    store_row(c, v, cols, lo, hi);
}
#endif

#ifdef GEMM_AVX512
/* One row with AVX-512: four accumulators over four k steps, the panel
 * streamed with a prefetch a few lines ahead; memory-bound. */
static void kernel_1x16_avx512(const float *a, const float *b, const float *bias, int64_t k,
                               float *c, int cols, float lo, float hi)
{
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    int64_t kk = 0;
    for (; kk + 4 <= k; kk += 4) {
        _mm_prefetch((const char *)(b + (kk + 32) * NR), _MM_HINT_T0);
        _mm_prefetch((const char *)(b + (kk + 34) * NR), _MM_HINT_T0);
        s0 = _mm512_fmadd_ps(_mm512_set1_ps(a[kk]), _mm512_loadu_ps(b + kk * NR), s0);
        s1 = _mm512_fmadd_ps(_mm512_set1_ps(a[kk + 1]), _mm512_loadu_ps(b + (kk + 1) * NR), s1);
        s2 = _mm512_fmadd_ps(_mm512_set1_ps(a[kk + 2]), _mm512_loadu_ps(b + (kk + 2) * NR), s2);
        s3 = _mm512_fmadd_ps(_mm512_set1_ps(a[kk + 3]), _mm512_loadu_ps(b + (kk + 3) * NR), s3);
    }
    for (; kk < k; kk++)
        s0 = _mm512_fmadd_ps(_mm512_set1_ps(a[kk]), _mm512_loadu_ps(b + kk * NR), s0);
    __m512 v = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s2), _mm512_add_ps(s1, s3)),
                             _mm512_loadu_ps(bias));
    v = _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(lo)), _mm512_set1_ps(hi));
    _mm512_mask_storeu_ps(c, (__mmask16)((1u << cols) - 1), v);
}
#endif

static void kernel_plain(const float *a, int64_t lda, const float *b, const float *bias,
                         int64_t k, float *c, int64_t ldc, int rows, int cols, float lo, float hi,
                         int accumulate)
{
    for (int r = 0; r < rows; r++) {
        float acc[NR];
        if (accumulate) {
            memset(acc, 0, sizeof acc);
            memcpy(acc, c + r * ldc, (size_t)cols * sizeof(float));
        } else {
            memcpy(acc, bias, sizeof acc);
        }
        const float *ar = a + r * lda;
        for (int64_t kk = 0; kk < k; kk++)
            for (int j = 0; j < NR; j++) acc[j] += ar[kk] * b[kk * NR + j];
        store_row(c + r * ldc, acc, cols, lo, hi);
    }
}

void glim_gemm_packed(const float *a, int64_t lda, const glim_packed *w, float *c, int64_t ldc,
                      int64_t m0, int64_t m1, float lo, float hi)
{
    glim_gemm_packed_cols(a, lda, w, c, ldc, m0, m1, 0, w->npanels, lo, hi);
}

/* c = clamp(c + r) over a tile just stored (still in L1). */
static void add_residual(float *c, const float *r, int64_t ldc, int rows, int cols, float lo,
                         float hi)
{
    for (int i = 0; i < rows; i++) {
        float *ci = c + i * ldc;
        const float *ri = r + i * ldc;
        int j = 0;
#if defined(GEMM_AVX512)
        __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
        for (; j < cols; j += 16) {
            __mmask16 m = cols - j >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (cols - j)) - 1);
            __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, ci + j), _mm512_maskz_loadu_ps(m, ri + j));
            _mm512_mask_storeu_ps(ci + j, m, _mm512_min_ps(_mm512_max_ps(v, vlo), vhi));
        }
#endif
        for (; j < cols; j++) {
            float v = ci[j] + ri[j];
            ci[j] = v < lo ? lo : (v > hi ? hi : v);
        }
    }
}

void glim_gemm_packed_cols(const float *a, int64_t lda, const glim_packed *w, float *c,
                           int64_t ldc, int64_t m0, int64_t m1, int64_t p0, int64_t p1, float lo,
                           float hi)
{
    glim_gemm_packed_res(a, lda, w, c, ldc, m0, m1, p0, p1, lo, hi, NULL);
}

static __attribute__((noinline)) void gemm_packed_res(const float *a, int64_t lda, const glim_packed *w, float *c,
                            int64_t ldc, int64_t m0, int64_t m1, int64_t p0, int64_t p1, float lo,
                            float hi, const float *res)
{
    const int64_t K = w->k;
    /* rows per block: keep the A block within ~256 KB */
    int64_t mb = K ? (256 * 1024) / (K * (int64_t)sizeof(float)) : 1024;
    mb = mb / MB_STEP * MB_STEP;
    if (mb < MB_STEP) mb = MB_STEP;
    /* Outputs far larger than the caches are written with streaming stores:
     * no read-for-ownership of lines about to be overwritten. */
    int stream = !res && w->stream && ldc % NR == 0 && ((uintptr_t)c % 64) == 0;
    /* Long K is split into blocks whose slice of a weight panel (KB x 16
     * floats) stays in L1 while every row tile of the block uses it; C holds
     * the partial sums in between, and the clamp applies after the last. */
    int64_t KB = (K > 512 && m1 - m0 > 1) ? 256 : K;
    for (int64_t i0 = m0; i0 < m1; i0 += mb) {
        int64_t i1 = i0 + mb < m1 ? i0 + mb : m1;
        for (int64_t kb = 0; kb < K || kb == 0; kb += KB) {
            int64_t kl = K - kb < KB ? K - kb : KB;
            int first = kb == 0, last = kb + kl >= K;
            int radd = last && res != NULL; /* the clamp comes after the residual */
            float blo = last && !res ? lo : -INFINITY, bhi = last && !res ? hi : INFINITY;
            int bstream = stream && last;
            (void)bstream; /* unused without SIMD kernels */
            int64_t p = p0;
#if defined(GEMM_AVX512)
            /* pairs of panels through the 7x32 tile; an odd last panel below */
            for (; w->isa == GLIM_GEMM_AVX512 && m1 - m0 > 1 && p + 1 < p1; p += 2) {
                const float *bp0 = w->data + p * K * NR + kb * NR;
                const float *bp1 = (p + 1 < w->nfull ? w->data + (p + 1) * K * NR : w->tail) +
                                   kb * NR;
                int cols1 = (int)(w->n - (p + 1) * NR < NR ? w->n - (p + 1) * NR : NR);
                for (int64_t i = i0; i < i1; i += 7) {
                    int rows = (int)(i1 - i < 7 ? i1 - i : 7);
                    kernel_7x32(a + i * lda + kb, lda, bp0, bp1, w->bias + p * NR, kl,
                                c + i * ldc + p * NR, ldc, rows, cols1, blo, bhi, bstream,
                                !first);
                    if (radd)
                        add_residual(c + i * ldc + p * NR, res + i * ldc + p * NR, ldc, rows,
                                     NR + cols1, lo, hi);
                }
            }
#endif
            for (; p < p1; p++) {
                const float *bp = (p < w->nfull ? w->data + p * K * NR : w->tail) + kb * NR;
                const float *bias = w->bias + p * NR;
                int cols = (int)(w->n - p * NR < NR ? w->n - p * NR : NR);
                for (int64_t i = i0; i < i1; i += MR) {
                    int rows = (int)(i1 - i < MR ? i1 - i : MR);
                    const float *ai = a + i * lda + kb;
                    float *ci = c + i * ldc + p * NR;
#if defined(GEMM_AVX2)
                    if (w->isa >= GLIM_GEMM_AVX2 && m1 - m0 == 1) { /* KB == K here */
#if defined(GEMM_AVX512)
                        if (w->isa == GLIM_GEMM_AVX512)
                            kernel_1x16_avx512(ai, bp, bias, kl, ci, cols, blo, bhi);
                        else
#endif
                        kernel_1x16(ai, bp, bias, kl, ci, cols, blo, bhi);
                        if (radd) add_residual(ci, res + i * ldc + p * NR, ldc, 1, cols, lo, hi);
                        continue;
                    }
#endif
#if defined(GEMM_AVX512)
                    if (w->isa == GLIM_GEMM_AVX512) {
                        kernel_12x16(ai, lda, bp, bias, kl, ci, ldc, rows, cols, blo, bhi, bstream,
                                     !first);
                        if (radd)
                            add_residual(ci, res + i * ldc + p * NR, ldc, rows, cols, lo, hi);
                        continue;
                    }
#endif
#if defined(GEMM_AVX2)
                    if (w->isa >= GLIM_GEMM_AVX2) { /* 6 rows at a time */
                        for (int r = 0; r < rows; r += 6)
                            kernel_6x16(ai + r * lda, lda, bp, bias, kl, ci + r * ldc, ldc,
                                        rows - r < 6 ? rows - r : 6, cols, blo, bhi, bstream,
                                        !first);
                        if (radd)
                            add_residual(ci, res + i * ldc + p * NR, ldc, rows, cols, lo, hi);
                        continue;
                    }
#endif
                    kernel_plain(ai, lda, bp, bias, kl, ci, ldc, rows, cols, blo, bhi, !first);
                    if (radd) add_residual(ci, res + i * ldc + p * NR, ldc, rows, cols, lo, hi);
                }
            }
            if (K == 0) break;
        }
    }
#if defined(GEMM_AVX2) || defined(GEMM_AVX512)
    if (stream) _mm_sfence();
#else
    (void)stream;
#endif
}

void glim_gemm_packed_res(const float *a, int64_t lda, const glim_packed *w, float *c,
                          int64_t ldc, int64_t m0, int64_t m1, int64_t p0, int64_t p1, float lo,
                          float hi, const float *res)
{
    GLIM_FLUSH_BEGIN
    gemm_packed_res(a, lda, w, c, ldc, m0, m1, p0, p1, lo, hi, res);
    GLIM_FLUSH_END
}
