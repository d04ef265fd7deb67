/* test_core.c — status codes, error messages, allocator and tensors. */
#include "check.h"
#include "glimpse.h"

#include <stdint.h>
#include <string.h>

static void test_fail_fills_message(void)
{
    glim_error err = {0};
    glim_status st = glim_fail(&err, GLIM_EFORMAT, "png: bad chunk %s", "IHDR");
    CHECK(st == GLIM_EFORMAT);
    CHECK(err.code == GLIM_EFORMAT);
    CHECK(strcmp(err.msg, "png: bad chunk IHDR") == 0);
    CHECK(glim_fail(NULL, GLIM_EIO, "x") == GLIM_EIO);
    CHECK(strcmp(glim_status_name(GLIM_ELIMIT), "ELIMIT") == 0);
    CHECK(strcmp(glim_status_name((glim_status)999), "EUNKNOWN") == 0);
}

static void test_alloc_is_aligned(void)
{
    for (size_t n = 1; n < 5000; n = n * 3 + 1) {
        void *p = glim_alloc(n);
        CHECK(p != NULL);
        CHECK(((uintptr_t)p % GLIM_ALIGN) == 0);
        glim_free(p);
    }
    CHECK(glim_calloc(SIZE_MAX / 2, 4) == NULL); /* overflow refused */
}

static void test_tensor_reshape_shares_buffer(void)
{
    glim_error err;
    glim_tensor *t = NULL, *v = NULL;
    int64_t shape[] = {2, 3, 4}, flat[] = {24}, bad[] = {5};
    CHECK_OK(glim_tensor_new(GLIM_F32, 3, shape, &t, &err), err);
    CHECK(t->count == 24);
    glim_tensor_set_flat(t, 23, 1.5);
    CHECK_OK(glim_tensor_reshape(t, 1, flat, &v, &err), err);
    glim_tensor_free(t); /* the view keeps the bytes alive */
    CHECK_NEAR(glim_tensor_get_flat(v, 23), 1.5, 0);
    glim_tensor *w = NULL;
    CHECK(glim_tensor_reshape(v, 1, bad, &w, &err) == GLIM_EINVAL);
    CHECK(w == NULL);
    glim_tensor_free(v);
}

static void test_tensor_saturates_integers(void)
{
    glim_error err;
    glim_tensor *t = NULL;
    int64_t shape[] = {3};
    CHECK_OK(glim_tensor_new(GLIM_U8, 1, shape, &t, &err), err);
    glim_tensor_set_flat(t, 0, 300);
    glim_tensor_set_flat(t, 1, -4);
    glim_tensor_set_flat(t, 2, 2.5); /* round half to even */
    CHECK(glim_tensor_get_flat(t, 0) == 255);
    CHECK(glim_tensor_get_flat(t, 1) == 0);
    CHECK(glim_tensor_get_flat(t, 2) == 2);
    glim_tensor_free(t);
    int64_t neg[] = {-1};
    CHECK(glim_tensor_new(GLIM_F32, 1, neg, &t, &err) == GLIM_EINVAL);
}

int main(void)
{
    RUN(test_fail_fills_message);
    RUN(test_alloc_is_aligned);
    RUN(test_tensor_reshape_shares_buffer);
    RUN(test_tensor_saturates_integers);
    return check_done();
}
