/* image/process.h — placeholder until this area's API lands. */
#ifndef GLIMPSE_IMAGE_PROCESS_H
#define GLIMPSE_IMAGE_PROCESS_H
#include "../core/core.h"
#endif
