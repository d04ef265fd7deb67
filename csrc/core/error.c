/* error.c — status names and message formatting. */
#include "core.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
    const char *name;
    const char *text;
} status_info[] = {
    [GLIM_OK] = {"OK", "success"},
    [GLIM_EINVAL] = {"EINVAL", "invalid argument"},
    [GLIM_ENOMEM] = {"ENOMEM", "out of memory"},
    [GLIM_EFORMAT] = {"EFORMAT", "malformed data"},
    [GLIM_EUNSUPPORTED] = {"EUNSUPPORTED", "unsupported feature"},
    [GLIM_ELIMIT] = {"ELIMIT", "limit exceeded"},
    [GLIM_EIO] = {"EIO", "input/output error"},
    [GLIM_ENET] = {"ENET", "network error"},
    [GLIM_EHTTP] = {"EHTTP", "HTTP error"},
    [GLIM_ETIMEOUT] = {"ETIMEOUT", "timed out"},
};

_Static_assert(sizeof status_info / sizeof status_info[0] == GLIM_STATUS_COUNT,
               "status_info must name every glim_status");

glim_status glim_fail(glim_error *err, glim_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *glim_strerror(glim_status code)
{
    if ((unsigned)code >= GLIM_STATUS_COUNT) return "unknown error";
    return status_info[code].text;
}

const char *glim_status_name(glim_status code)
{
    if ((unsigned)code >= GLIM_STATUS_COUNT) return "EUNKNOWN";
    return status_info[code].name;
}
