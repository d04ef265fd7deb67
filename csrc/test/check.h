/*
 * check.h — a tiny test harness for the C core. Each test is a function;
 * main() lists them with RUN(). Output is TAP-like ("ok - name",
 * "not ok - name"), counted by tools/run_tests.lua.
 *
 *     static void test_resize_identity(void) { CHECK(a == b); }
 *     int main(void) { RUN(test_resize_identity); return check_done(); }
 */
#ifndef GLIMPSE_CHECK_H
#define GLIMPSE_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_failed_now, check_total_failed;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
            check_failed_now = 1;                                            \
        }                                                                    \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                        \
    do {                                                                             \
        double check_a_ = (a), check_b_ = (b);                                       \
        if (!(fabs(check_a_ - check_b_) <= (tol))) {                                 \
            printf("#   %s:%d: %s = %g, %s = %g, differ by more than %g\n", __FILE__, \
                   __LINE__, #a, check_a_, #b, check_b_, (double)(tol));             \
            check_failed_now = 1;                                                    \
        }                                                                            \
    } while (0)

/* CHECK_OK(status, err): status must be GLIM_OK; prints err.msg otherwise. */
#define CHECK_OK(st, err)                                                                  \
    do {                                                                                   \
        int check_st_ = (int)(st);                                                         \
        if (check_st_ != 0) {                                                              \
            printf("#   %s:%d: %s returned %d: %s\n", __FILE__, __LINE__, #st, check_st_, \
                   (err).msg);                                                             \
            check_failed_now = 1;                                                          \
        }                                                                                  \
    } while (0)

#define RUN(fn)                                                        \
    do {                                                               \
        check_failed_now = 0;                                          \
        fn();                                                          \
        printf("%s - %s\n", check_failed_now ? "not ok" : "ok", #fn); \
        check_total_failed += check_failed_now;                        \
        fflush(stdout);                                                \
    } while (0)

static inline int check_done(void) { return check_total_failed ? 1 : 0; }

#endif
