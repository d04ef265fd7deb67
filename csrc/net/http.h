/* net/http.h — placeholder until this area's API lands. */
#ifndef GLIMPSE_NET_HTTP_H
#define GLIMPSE_NET_HTTP_H
#include "../core/core.h"
#endif
