/*
 * core.h — status codes, error messages and the allocator shared by every
 * part of the glimpse C core.
 *
 * Error contract: a function that can fail returns a glim_status and takes a
 * trailing `glim_error *err` (NULL allowed). On failure it fills err->msg
 * with "stage: detail" text. Nothing in the core prints, exits or aborts on
 * bad input.
 */
#ifndef GLIMPSE_CORE_H
#define GLIMPSE_CORE_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define GLIM_API __declspec(dllexport)
#else
#define GLIM_API __attribute__((visibility("default")))
#endif

#if defined(__GNUC__)
#define GLIM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define GLIM_PRINTF(a, b)
#endif

/* Keep in step with the name table in core/error.c (a static assert
 * checks the count). */
typedef enum glim_status {
    GLIM_OK = 0,
    GLIM_EINVAL,       /* invalid argument or object state */
    GLIM_ENOMEM,       /* an allocation failed */
    GLIM_EFORMAT,      /* malformed or truncated input data */
    GLIM_EUNSUPPORTED, /* valid input using a feature glimpse lacks */
    GLIM_ELIMIT,       /* input exceeds a configured limit */
    GLIM_EIO,          /* file system error */
    GLIM_ENET,         /* network: DNS, connect, TLS, transfer */
    GLIM_EHTTP,        /* HTTP-level failure */
    GLIM_ETIMEOUT,     /* a deadline passed */
    GLIM_STATUS_COUNT
} glim_status;

#define GLIM_ERROR_MSG_SIZE 256

typedef struct glim_error {
    glim_status code;
    char msg[GLIM_ERROR_MSG_SIZE];
} glim_error;

/* Fill `err` (if not NULL) and return `code`, so a failure is one statement:
 *     return glim_fail(err, GLIM_EFORMAT, "png: bad CRC in chunk %s", name); */
GLIM_API glim_status glim_fail(glim_error *err, glim_status code,
                               const char *fmt, ...) GLIM_PRINTF(3, 4);

/* Static text for a code: "malformed data". */
GLIM_API const char *glim_strerror(glim_status code);

/* Stable short name for a code: "EFORMAT". Lua sees these as error codes. */
GLIM_API const char *glim_status_name(glim_status code);

/* ---- memory ------------------------------------------------------------
 * One allocator for the whole core. Blocks are 64-byte aligned (SIMD rows).
 * glim_alloc returns NULL on failure and never aborts. glim_free(NULL) is a
 * no-op. */
#define GLIM_ALIGN 64

GLIM_API void *glim_alloc(size_t size);
GLIM_API void *glim_calloc(size_t count, size_t size); /* zeroed, overflow-checked */
GLIM_API void glim_free(void *ptr);

/* A host may route the core's memory through its own allocator (a game's
 * arena, a leak tracker). Install it once, before any other glimpse call;
 * pass NULL to restore the default. `alloc` must return `align`-aligned
 * memory or NULL. */
typedef struct glim_allocator {
    void *(*alloc)(size_t size, size_t align, void *user);
    void (*free)(void *ptr, void *user);
    void *user;
} glim_allocator;

GLIM_API void glim_set_allocator(const glim_allocator *allocator);

/* Overflow-checked size arithmetic: return 0 on overflow, else 1. */
static inline int glim_mul_size(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

#endif
