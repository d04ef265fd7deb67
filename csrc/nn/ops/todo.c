/*
 * todo.c — vtables of ops listed in ops.def whose kernels have not landed
 * yet. Building a graph with them works (the params size is known), and
 * prepare reports the op as unsupported. An op moves out of this file into
 * its own file when it is implemented.
 */
#include "kernel.h"

static glim_status unsupported(glim_graph *g, glim_node *n, glim_error *err)
{
    (void)g;
    return glim_node_fail(n, err, GLIM_EUNSUPPORTED, "op is not implemented yet");
}

static void no_eval(glim_graph *g, const glim_node *n) { (void)g; (void)n; }

#define STUB(stem, NAME, psize) \
    const glim_op_vtable glim_op_##stem = {#NAME, psize, unsupported, no_eval, NULL};

STUB(transpose, TRANSPOSE, sizeof(glim_transpose_params))
STUB(pad, PAD, sizeof(glim_pad_params))
STUB(gather, GATHER, sizeof(glim_gather_params))
STUB(gather_nd, GATHER_ND, 0)
STUB(pack, PACK, sizeof(glim_pack_params))
STUB(unpack, UNPACK, sizeof(glim_pack_params))
STUB(cast, CAST, sizeof(glim_cast_params))
STUB(lstm, LSTM, sizeof(glim_lstm_params))
STUB(slice, SLICE, sizeof(glim_slice_params))
