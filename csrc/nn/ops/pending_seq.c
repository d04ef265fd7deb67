/* pending_seq.c — placeholders for ops whose kernels are being written: prepare
 * reports the op as unsupported. Each op moves to its own file. */
#include "kernel.h"

static glim_status pending_prepare(glim_graph *g, glim_node *n, glim_error *err)
{
    (void)g;
    return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "is not implemented yet");
}
static void pending_eval(glim_graph *g, const glim_node *n) { (void)g; (void)n; }

const glim_op_vtable glim_op_gru = {"GRU", 0, pending_prepare, pending_eval, NULL};
