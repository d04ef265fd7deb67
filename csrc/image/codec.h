/* image/codec.h — placeholder until this area's API lands. */
#ifndef GLIMPSE_IMAGE_CODEC_H
#define GLIMPSE_IMAGE_CODEC_H
#include "../core/core.h"
#endif
