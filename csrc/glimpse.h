/*
 * glimpse.h — the public C API of glimpse, image recognition for Lua and
 * for any C/C++ host (a game, a server). The core has no Lua in it.
 *
 * A worked example: decode a photo, make a model input, run a model.
 *
 *     glim_error err;
 *     glim_image *img = NULL;
 *     glim_decode_opts dopts;
 *     glim_decode_opts_init(&dopts);
 *     dopts.max_side = 1024;              // never decode a huge photo at full size
 *     if (glim_image_load("photo.jpg", &dopts, &img, &err) != GLIM_OK) {
 *         fprintf(stderr, "%s\n", err.msg);  // "decode: truncated JPEG (...)"
 *         return 1;
 *     }
 *     ... resize / to_tensor (image/process.h), load and run a model
 *     (nn/model.h) ...
 *     glim_image_free(img);
 *
 * Conventions:
 *  - Functions that can fail return glim_status and take a trailing
 *    glim_error* (NULL allowed) that receives "stage: detail" text.
 *  - Every object has a _new/_free pair (or a constructor named for what it
 *    reads: _load, _decode); the caller owns what it gets.
 *  - Pixel coordinates are 0-based (x, y); tensor layout is row-major.
 *  - No function keeps a pointer into caller memory after it returns.
 */
#ifndef GLIMPSE_H
#define GLIMPSE_H

#define GLIMPSE_VERSION "0.1.0"

#include "core/core.h"
#include "image/image.h"
#include "image/codec.h"
#include "image/process.h"
#include "nn/tensor.h"
#include "nn/model.h"
#include "net/http.h"

#endif
