/*
 * alloc_fail.h — allocation-failure sweeps for the C tests. Install
 *     glim_allocator a = {failing_alloc, counting_free, NULL};
 * with glim_set_allocator, set fail_at = N (and alloc_count = 0) to make
 * the Nth allocation (0-based) fail; `live` counts the blocks not yet
 * freed, so a sweep can check that every failure leaked nothing.
 */
#ifndef GLIMPSE_TEST_ALLOC_FAIL_H
#define GLIMPSE_TEST_ALLOC_FAIL_H

#include <stdlib.h>

static int fail_at, alloc_count, live;

static void *failing_alloc(size_t size, size_t align, void *user)
{
    (void)user;
    if (alloc_count++ == fail_at) return NULL;
    void *p = NULL;
    if (posix_memalign(&p, align, size ? size : 1) != 0) return NULL;
    live++;
    return p;
}

static void counting_free(void *p, void *user)
{
    (void)user;
    if (p) live--;
    free(p);
}

#endif
