/* nn/model.h — placeholder until this area's API lands. */
#ifndef GLIMPSE_NN_MODEL_H
#define GLIMPSE_NN_MODEL_H
#include "../core/core.h"
#endif
