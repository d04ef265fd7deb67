/*
 * onnx_rnn.c — ONNX LSTM and GRU onto the engine's LSTM (TFLite's 24-slot
 * layout, one direction per node) and GRU ops.
 */
#include "onnx_internal.h"

glim_status onnx_t_lstm(ob_ctx *c, const onnx_node *n)
{
    return ob_fail(c, n, GLIM_EUNSUPPORTED, "LSTM is not supported yet");
}

glim_status onnx_t_gru(ob_ctx *c, const onnx_node *n)
{
    return ob_fail(c, n, GLIM_EUNSUPPORTED, "GRU is not supported yet");
}
