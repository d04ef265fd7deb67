/* pending_math.c — placeholders for ops whose kernels are being written: prepare
 * reports the op as unsupported. Each op moves to its own file. */
#include "kernel.h"

static glim_status pending_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    (void)g;
    return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "is not implemented yet");
}
static void pending_eval(glim_graph *g, const glim_node *n) { (void)g; (void)n; }

const glim_op_vtable glim_op_matmul = {"MATMUL", 0, pending_prepare, pending_eval, NULL};
const glim_op_vtable glim_op_layer_norm = {"LAYER_NORM", 0, pending_prepare, pending_eval, NULL};
const glim_op_vtable glim_op_gelu = {"GELU", 0, pending_prepare, pending_eval, NULL};
const glim_op_vtable glim_op_erf = {"ERF", 0, pending_prepare, pending_eval, NULL};
const glim_op_vtable glim_op_hard_sigmoid = {"HARD_SIGMOID", 0, pending_prepare, pending_eval, NULL};
const glim_op_vtable glim_op_clip = {"CLIP", 0, pending_prepare, pending_eval, NULL};
const glim_op_vtable glim_op_pow = {"POW", 0, pending_prepare, pending_eval, NULL};
const glim_op_vtable glim_op_exp = {"EXP", 0, pending_prepare, pending_eval, NULL};
const glim_op_vtable glim_op_log = {"LOG", 0, pending_prepare, pending_eval, NULL};
const glim_op_vtable glim_op_neg = {"NEG", 0, pending_prepare, pending_eval, NULL};
const glim_op_vtable glim_op_abs = {"ABS", 0, pending_prepare, pending_eval, NULL};
const glim_op_vtable glim_op_reciprocal = {"RECIPROCAL", 0, pending_prepare, pending_eval, NULL};
const glim_op_vtable glim_op_prelu = {"PRELU", 0, pending_prepare, pending_eval, NULL};
