/* model.c — the model object: load (importer + prepare), I/O info, run. */
#include "model.h"
#include "graph.h"
#include "import/onnx_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct glim_model {
    glim_graph *graph;
    glim_model_io *inputs, *outputs; /* as declared (ONNX: -1 for dynamic dims) */
    int ninputs, noutputs;
    int threads;
    int failed;
    /* ONNX: the decoded file, the weights converted for the engine, and the
     * I/O of the graph built for the last concrete input shapes */
    onnx_model *onnx;
    ob_wcache *wcache;
    glim_model_opts opts;
    glim_model_io *gin, *gout; /* == inputs/outputs for TFLite */
};

void glim_model_opts_init(glim_model_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->threads = 1;
    opts->clamp_quant_range = 1;
    opts->max_tensors = (size_t)1 << 20;
    opts->max_ops = (size_t)1 << 20;
    opts->max_activation_bytes = (size_t)1 << 30;
    opts->max_weight_bytes = (size_t)1 << 31;
}

static void free_io(glim_model_io *io, int n)
{
    if (!io) return;
    for (int i = 0; i < n; i++) glim_free((void *)io[i].name);
    glim_free(io);
}

void glim_model_free(glim_model *m)
{
    if (!m) return;
    glim_graph_free(m->graph);
    if (m->gin != m->inputs) free_io(m->gin, m->ninputs);
    if (m->gout != m->outputs) free_io(m->gout, m->noutputs);
    free_io(m->inputs, m->ninputs);
    free_io(m->outputs, m->noutputs);
    onnx_model_free(m->onnx);
    onnx_cache_free(m->wcache);
    glim_free(m);
}

/* The file's declared I/O must agree with what the prepared graph holds:
 * run() copies by the declared shape. */
static glim_status check_io(const glim_model *m, glim_graph *g, const glim_model_io *gin,
                            const glim_model_io *gout, glim_error *err)
{
    for (int k = 0; k < m->ninputs + m->noutputs; k++) {
        const glim_model_io *io = k < m->ninputs ? &gin[k] : &gout[k - m->ninputs];
        const glim_gtensor *gt = glim_graph_tensor(g, io->tensor);
        int64_t count = glim_shape_count(io->ndim, io->shape);
        if (!gt || !gt->data || gt->dtype != io->dtype || count < 0 ||
            (size_t)count * glim_dtype_size(io->dtype) > gt->nbytes ||
            glim_shape_count(gt->ndim, gt->shape) != count)
            return glim_fail(err, GLIM_EFORMAT, "model: %s '%s' is declared %s with %lld "
                             "elements, the graph computes something else",
                             k < m->ninputs ? "input" : "output", io->name,
                             glim_dtype_name(io->dtype), (long long)count);
    }
    return GLIM_OK;
}

/* ---- ONNX: graphs built per concrete input shape -------------------------- */

/* Build and prepare the graph for these input shapes, replacing the current
 * one (the previous graph is kept when this fails). */
static glim_status onnx_rebuild(glim_model *m, const int *nd, const int64_t (*shapes)[GLIM_MAX_DIMS],
                                glim_error *err)
{
    glim_model_io *gin = glim_calloc((size_t)m->ninputs + 1, sizeof *gin);
    glim_model_io *gout = glim_calloc((size_t)m->noutputs + 1, sizeof *gout);
    glim_graph *g = NULL;
    glim_status st = gin && gout ? GLIM_OK : glim_fail(err, GLIM_ENOMEM, "model: out of memory");
    if (st == GLIM_OK)
        st = onnx_build(m->onnx, &m->opts, &m->wcache, nd, shapes, &g, gin, gout, err);
    if (st == GLIM_OK) st = glim_graph_prepare(g, m->threads, err);
    if (st == GLIM_OK) st = check_io(m, g, gin, gout, err);
    if (st == GLIM_OK) { /* install the new graph; the old one is freed below */
        glim_graph *og = m->graph;
        glim_model_io *oi = m->gin, *oo = m->gout;
        m->graph = g;
        m->gin = gin;
        m->gout = gout;
        g = og;
        gin = oi;
        gout = oo;
    }
    glim_graph_free(g);
    free_io(gin, m->ninputs);
    free_io(gout, m->noutputs);
    return st;
}

static glim_status onnx_load(glim_model *m, const void *bytes, size_t len, glim_error *err)
{
    glim_status st = onnx_model_decode(bytes, len, &m->opts, &m->onnx, err);
    if (st != GLIM_OK) return st;
    onnx_model *om = m->onnx;
    /* an op without a translator fails here, whatever the shapes */
    for (int i = 0; i < om->nnodes; i++)
        if (!onnx_node_op(om, &om->nodes[i], err)) return GLIM_EUNSUPPORTED;
    m->ninputs = om->ninputs;
    m->noutputs = om->noutputs;
    m->inputs = glim_calloc((size_t)om->ninputs + 1, sizeof *m->inputs);
    m->outputs = glim_calloc((size_t)om->noutputs + 1, sizeof *m->outputs);
    if (!m->inputs || !m->outputs) return glim_fail(err, GLIM_ENOMEM, "model: out of memory");
    int nd[64], dynamic = 0;
    int64_t shapes[64][GLIM_MAX_DIMS];
    for (int k = 0; k < om->ninputs + om->noutputs; k++) {
        int in = k < om->ninputs;
        const onnx_value *v = &om->values[in ? om->inputs[k] : om->outputs[k - om->ninputs]];
        glim_model_io *io = in ? &m->inputs[k] : &m->outputs[k - om->ninputs];
        size_t n = strlen(v->name) + 1;
        char *name = glim_alloc(n);
        if (!name) return glim_fail(err, GLIM_ENOMEM, "model: out of memory");
        memcpy(name, v->name, n);
        io->name = name;
        io->tensor = -1;
        io->ndim = v->ndim < 0 ? 0 : v->ndim;
        memcpy(io->shape, v->dims, sizeof io->shape);
        if (!onnx_graph_dtype(v->elem_type, &io->dtype)) io->dtype = GLIM_I64;
        io->file_dtype = io->dtype;
        if (!in) continue;
        if (v->ndim < 0)
            return glim_fail(err, GLIM_EUNSUPPORTED, "onnx: graph input '%s' has no declared shape",
                             v->name);
        nd[k] = v->ndim;
        for (int d = 0; d < v->ndim; d++) {
            shapes[k][d] = v->dims[d];
            if (v->dims[d] < 0) {
                dynamic = 1;
                shapes[k][d] = d == 0 ? 1 : 64; /* a probe shape */
            }
        }
    }
    st = onnx_rebuild(m, nd, (const int64_t(*)[GLIM_MAX_DIMS])shapes, err);
    /* With dynamic dims the probe may not suit the model (a reshape to fixed
     * sizes): only a missing kernel is reported now, the rest at run. */
    if (st != GLIM_OK && dynamic && st != GLIM_EUNSUPPORTED && st != GLIM_ENOMEM) st = GLIM_OK;
    return st;
}

glim_status glim_model_load(const void *bytes, size_t len, const glim_model_opts *opts,
                            glim_model **out, glim_error *err)
{
    if (!out) return glim_fail(err, GLIM_EINVAL, "model: no output pointer");
    *out = NULL;
    if (!bytes && len) return glim_fail(err, GLIM_EINVAL, "model: NULL bytes");
    glim_model_opts defaults;
    if (!opts) {
        glim_model_opts_init(&defaults);
        opts = &defaults;
    }
    if (opts->threads < 1 || opts->threads > 256)
        return glim_fail(err, GLIM_EINVAL, "model: threads must be 1..256 (got %d)",
                         opts->threads);
    glim_model *m = glim_calloc(1, sizeof *m);
    if (!m) return glim_fail(err, GLIM_ENOMEM, "model: out of memory");
    m->threads = opts->threads;
    m->opts = *opts;
    glim_status st;
    int tflite = len >= 8 && memcmp((const uint8_t *)bytes + 4, "TFL3", 4) == 0;
    /* ONNX: a ModelProto (its first field is usually ir_version, tag 0x08);
     * anything else goes to the TFLite importer, whose error names TFL3 */
    int onnx = !tflite && (onnx_sniff(bytes, len) || (len > 0 && ((const uint8_t *)bytes)[0] == 0x08));
    if (!onnx) {
        st = glim_tflite_import(bytes, len, opts, &m->graph, &m->inputs, &m->ninputs,
                                &m->outputs, &m->noutputs, err);
        m->gin = m->inputs;
        m->gout = m->outputs;
        if (st == GLIM_OK) st = glim_graph_prepare(m->graph, opts->threads, err);
        if (st == GLIM_OK) st = check_io(m, m->graph, m->gin, m->gout, err);
    } else {
        st = onnx_load(m, bytes, len, err);
    }
    if (st != GLIM_OK) {
        glim_model_free(m);
        return st;
    }
    *out = m;
    return GLIM_OK;
}

glim_status glim_model_load_file(const char *path, const glim_model_opts *opts,
                                 glim_model **out, glim_error *err)
{
    if (!out || !path) return glim_fail(err, GLIM_EINVAL, "model: NULL argument");
    *out = NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return glim_fail(err, GLIM_EIO, "model: cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return glim_fail(err, GLIM_EIO, "model: %s is not a regular file", path);
    }
    size_t len = (size_t)sb.st_size;
    if (len == 0) {
        close(fd);
        return glim_model_load("", 0, opts, out, err);
    }
    /* Map rather than read: the pages are only borrowed during the import and
     * are dropped with the mapping, so no copy of the file outlives the load. */
    void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) return glim_fail(err, GLIM_EIO, "model: cannot map %s: %s", path,
                                          strerror(errno));
    glim_status st = glim_model_load(p, len, opts, out, err);
    munmap(p, len);
    return st;
}

int glim_model_input_count(const glim_model *m) { return m ? m->ninputs : 0; }
int glim_model_output_count(const glim_model *m) { return m ? m->noutputs : 0; }

const glim_model_io *glim_model_input(const glim_model *m, int i)
{
    return m && i >= 0 && i < m->ninputs ? &m->inputs[i] : NULL;
}

const glim_model_io *glim_model_output(const glim_model *m, int i)
{
    return m && i >= 0 && i < m->noutputs ? &m->outputs[i] : NULL;
}

static int find_io(const glim_model_io *io, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(io[i].name, name) == 0) return i;
    return -1;
}

int glim_model_find_input(const glim_model *m, const char *name)
{
    return m && name ? find_io(m->inputs, m->ninputs, name) : -1;
}

int glim_model_find_output(const glim_model *m, const char *name)
{
    return m && name ? find_io(m->outputs, m->noutputs, name) : -1;
}

struct glim_graph *glim_model_graph(glim_model *m) { return m ? m->graph : NULL; }

void glim_model_get_stats(const glim_model *m, glim_model_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!m) return;
    if (m->onnx) {
        for (const ob_wcache *w = m->wcache; w; w = w->next)
            out->weights_bytes += (size_t)glim_shape_count(w->ndim, w->shape) * sizeof(float);
    }
    if (!m->graph) return;
    glim_graph_stats gs;
    glim_graph_get_stats(m->graph, &gs);
    out->weights_bytes += gs.weights_bytes;
    out->arena_bytes = gs.arena_bytes;
    out->nodes = gs.nodes;
    out->flops = gs.flops;
}

/* ---- run ------------------------------------------------------------------ */

/* Shapes match when they agree after dropping leading 1-sized dims. */
static int same_shape(int na, const int64_t *a, int nb, const int64_t *b)
{
    while (na > 0 && a[0] == 1) a++, na--;
    while (nb > 0 && b[0] == 1) b++, nb--;
    if (na != nb) return 0;
    for (int i = 0; i < na; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

static void shape_text(int n, const int64_t *s, char *buf, size_t size)
{
    size_t k = 0;
    buf[0] = 0;
    k += (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < n && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, i ? ",%lld" : "%lld", (long long)s[i]);
    if (k < size) snprintf(buf + k, size - k, "]");
}

static glim_status feed(const glim_model_io *io, glim_gtensor *gt, const glim_tensor *x, int i,
                        glim_error *err)
{
    if (!x || !x->data)
        return glim_fail(err, GLIM_EINVAL, "model: input %d ('%s') is missing", i + 1, io->name);
    if (!same_shape(x->ndim, x->shape, io->ndim, io->shape)) {
        char a[96], b[96];
        shape_text(x->ndim, x->shape, a, sizeof a);
        shape_text(io->ndim, io->shape, b, sizeof b);
        return glim_fail(err, GLIM_EINVAL, "model: input %d ('%s') has shape %s, expected %s",
                         i + 1, io->name, a, b);
    }
    size_t es = glim_dtype_size(io->dtype);
    if (x->dtype == io->dtype) {
        memcpy(gt->data, x->data, (size_t)x->count * es);
        return GLIM_OK;
    }
    if (x->dtype == GLIM_BOOL || io->dtype == GLIM_BOOL)
        return glim_fail(err, GLIM_EINVAL, "model: input %d ('%s') is %s, expected %s", i + 1,
                         io->name, glim_dtype_name(x->dtype), glim_dtype_name(io->dtype));
    /* Convert through real values (see model.h). */
    glim_tensor view = *(const glim_tensor *)x;
    glim_tensor dst;
    memset(&dst, 0, sizeof dst);
    dst.dtype = io->dtype;
    dst.data = gt->data;
    for (int64_t k = 0; k < x->count; k++) {
        double v = glim_tensor_get_flat(&view, k);
        if (x->scale != 0) v = x->scale * (v - x->zero_point);
        if (io->scale != 0) v = v / io->scale + io->zero_point;
        glim_tensor_set_flat(&dst, k, v);
    }
    return GLIM_OK;
}

/* ONNX: the concrete input shapes of this run (a dynamic dim takes the
 * tensor's size; leading 1-sized dims may be left out or added, as for
 * TFLite); rebuild the graph when they differ from the last run's. */
static glim_status onnx_shapes(glim_model *m, glim_tensor *const *inputs, glim_error *err)
{
    int nd[64], same = m->graph != NULL;
    int64_t shapes[64][GLIM_MAX_DIMS];
    for (int i = 0; i < m->ninputs; i++) {
        const glim_model_io *io = &m->inputs[i];
        const glim_tensor *x = inputs ? inputs[i] : NULL;
        if (!x || !x->data)
            return glim_fail(err, GLIM_EINVAL, "model: input %d ('%s') is missing", i + 1, io->name);
        int xn = x->ndim;
        const int64_t *xs = x->shape;
        while (xn > io->ndim && xs[0] == 1) xs++, xn--;
        int ok = xn <= io->ndim;
        for (int d = 0; ok && d < io->ndim; d++) {
            int k = d - (io->ndim - xn);
            int64_t v = k < 0 ? 1 : xs[k];
            if (io->shape[d] >= 0 && io->shape[d] != v) ok = 0;
            shapes[i][d] = v;
        }
        if (!ok) {
            char a[96], b[96];
            shape_text(x->ndim, x->shape, a, sizeof a);
            shape_text(io->ndim, io->shape, b, sizeof b);
            return glim_fail(err, GLIM_EINVAL, "model: input %d ('%s') has shape %s, expected %s "
                             "(-1: any size)", i + 1, io->name, a, b);
        }
        nd[i] = io->ndim;
        if (same && memcmp(shapes[i], m->gin[i].shape, sizeof(int64_t) * (size_t)nd[i]) != 0)
            same = 0;
    }
    if (same) return GLIM_OK;
    return onnx_rebuild(m, nd, (const int64_t(*)[GLIM_MAX_DIMS])shapes, err);
}

static glim_status run(glim_model *m, glim_tensor *const *inputs, int ninputs,
                       glim_tensor **outputs, int raw, glim_error *err)
{
    if (!m) return glim_fail(err, GLIM_EINVAL, "model: NULL model");
    if (m->failed) return glim_fail(err, GLIM_EINVAL, "model: model is in a failed state");
    if (ninputs != m->ninputs)
        return glim_fail(err, GLIM_EINVAL, "model: %d inputs given, the model takes %d", ninputs,
                         m->ninputs);
    if (!outputs) return glim_fail(err, GLIM_EINVAL, "model: no output array");
    for (int i = 0; i < m->noutputs; i++) outputs[i] = NULL;
    glim_status st;
    if (m->onnx && (st = onnx_shapes(m, inputs, err)) != GLIM_OK) return st;
    for (int i = 0; i < ninputs; i++) {
        glim_gtensor *gt = glim_graph_tensor(m->graph, m->gin[i].tensor);
        if ((st = feed(&m->gin[i], gt, inputs ? inputs[i] : NULL, i, err)) != GLIM_OK)
            return st;
    }
    if ((st = glim_graph_run(m->graph, err)) != GLIM_OK) {
        m->failed = 1;
        return st;
    }
    for (int i = 0; i < m->noutputs; i++) {
        const glim_model_io *io = &m->gout[i];
        const glim_gtensor *gt = glim_graph_tensor(m->graph, io->tensor);
        int quant = raw && io->scale != 0 && io->file_dtype != io->dtype;
        glim_tensor *t;
        st = glim_tensor_new(quant ? io->file_dtype : gt->dtype, io->ndim, io->shape, &t, err);
        if (st != GLIM_OK) {
            for (int k = 0; k < i; k++) glim_tensor_free(outputs[k]), outputs[k] = NULL;
            return st;
        }
        if (quant) {
            const float *src = gt->data;
            for (int64_t k = 0; k < t->count; k++)
                glim_tensor_set_flat(t, k, (double)src[k] / io->scale + io->zero_point);
            t->scale = io->scale;
            t->zero_point = io->zero_point;
        } else {
            memcpy(t->data, gt->data, (size_t)t->count * glim_dtype_size(t->dtype));
        }
        outputs[i] = t;
    }
    return GLIM_OK;
}

glim_status glim_model_run(glim_model *m, glim_tensor *const *inputs, int ninputs,
                           glim_tensor **outputs, glim_error *err)
{
    return run(m, inputs, ninputs, outputs, 0, err);
}

glim_status glim_model_run_raw(glim_model *m, glim_tensor *const *inputs, int ninputs,
                               glim_tensor **outputs, glim_error *err)
{
    return run(m, inputs, ninputs, outputs, 1, err);
}
