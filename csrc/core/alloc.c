/* alloc.c — the core's single allocator (64-byte aligned).
 *
 * The active allocator is process-wide by nature (like malloc itself): a
 * host installs it once at start-up. Everything else in the core is
 * state-free. */
#include "core.h"

#include <stdlib.h>
#include <string.h>

static void *default_alloc(size_t size, size_t align, void *user)
{
    (void)user;
    void *p = NULL;
    if (size == 0) size = 1;
    if (posix_memalign(&p, align, size) != 0) return NULL;
    return p;
}

static void default_free(void *ptr, void *user)
{
    (void)user;
    free(ptr);
}

static glim_allocator active = {default_alloc, default_free, NULL};

void glim_set_allocator(const glim_allocator *allocator)
{
    if (allocator && allocator->alloc && allocator->free)
        active = *allocator;
    else
        active = (glim_allocator){default_alloc, default_free, NULL};
}

void *glim_alloc(size_t size)
{
    return active.alloc(size, GLIM_ALIGN, active.user);
}

void *glim_calloc(size_t count, size_t size)
{
    size_t total;
    if (!glim_mul_size(count, size, &total)) return NULL;
    void *p = glim_alloc(total);
    if (p) memset(p, 0, total);
    return p;
}

void glim_free(void *ptr)
{
    if (ptr) active.free(ptr, active.user);
}
