/*
 * net/http.h — one HTTP request over libcurl, with no Lua in it.
 *
 *     glim_http_opts o;
 *     glim_http_opts_init(&o);
 *     o.method = "POST";
 *     o.url = "https://api.openai.com/v1/chat/completions";
 *     const char *hdrs[] = {"Content-Type: application/json", auth_line};
 *     o.headers = hdrs; o.n_headers = 2;
 *     o.body = json; o.body_len = strlen(json);
 *     o.timeout = 30.0;
 *     glim_http_response *res = NULL;
 *     glim_error err;
 *     if (glim_http_request(&o, &res, &err) != GLIM_OK) {
 *         fprintf(stderr, "%s\n", err.msg);   // "http: timed out after 30.0 s"
 *     } else {
 *         ... res->status, res->body, res->body_len, glim_http_response_header(res, "retry-after")
 *         glim_http_response_free(res);
 *     }
 *
 * Behaviour:
 *  - libcurl's global state is initialised once per process (pthread_once);
 *    every request uses its own easy handle, so any number of threads and Lua
 *    states may call glim_http_request at the same time.
 *  - TLS peers are verified against the system CA store (or opts.ca_file).
 *  - Redirects are not followed unless opts.follow_redirects is set.
 *  - A response body larger than opts.max_response fails with GLIM_ELIMIT.
 *  - Only http and https URLs are accepted.
 *  - Nothing is logged: request headers (which carry API keys) never leave
 *    the call, and no error message quotes them.
 *
 * Failures: GLIM_ENET (DNS, refused, TLS, connection dropped), GLIM_ETIMEOUT,
 * GLIM_ELIMIT (response too large), GLIM_EINVAL (bad URL, method, header),
 * GLIM_ENOMEM. An HTTP error status (404, 500) is NOT a failure: the response
 * is returned and the caller reads res->status.
 */
#ifndef GLIMPSE_NET_HTTP_H
#define GLIMPSE_NET_HTTP_H

#include "../core/core.h"

#define GLIM_HTTP_DEFAULT_MAX_RESPONSE ((size_t)64 << 20) /* 64 MiB */

typedef struct glim_http_opts {
    const char *method;            /* "GET" (default), "POST", "PUT", "DELETE", "HEAD", ... */
    const char *url;               /* required: http:// or https:// */
    const char *const *headers;    /* "Name: value" lines, n_headers of them */
    size_t n_headers;
    const void *body;              /* request body (borrowed for the call), may be NULL */
    size_t body_len;
    double timeout;                /* whole request, seconds; 0 = none (default 60) */
    double connect_timeout;        /* connection phase, seconds (default 10) */
    size_t max_response;           /* body cap in bytes (default 64 MiB) */
    int follow_redirects;          /* 0 (default): a 3xx is returned as is */
    int max_redirects;             /* when following (default 5) */
    const char *ca_file;           /* PEM bundle instead of the system store, or NULL */
} glim_http_opts;

typedef struct glim_http_header {
    char *name;   /* lower-cased */
    char *value;  /* surrounding white space trimmed */
} glim_http_header;

typedef struct glim_http_response {
    long status;                   /* 200, 404, ... */
    char *body;                    /* body_len bytes plus a terminating NUL */
    size_t body_len;
    glim_http_header *headers;     /* final response's headers, in arrival order */
    size_t n_headers;
    double total_time;             /* seconds */
} glim_http_response;

/* Fill `opts` with the defaults above. */
GLIM_API void glim_http_opts_init(glim_http_opts *opts);

/* Perform one request. On GLIM_OK *out owns a new response (free it with
 * glim_http_response_free); on failure *out is NULL and err says why.
 * Thread-safe. */
GLIM_API glim_status glim_http_request(const glim_http_opts *opts, glim_http_response **out,
                                       glim_error *err);

/* First header named `name` (case-insensitive) or NULL. The pointer lives as
 * long as the response. */
GLIM_API const char *glim_http_response_header(const glim_http_response *res, const char *name);

/* Free a response; NULL is a no-op. */
GLIM_API void glim_http_response_free(glim_http_response *res);

/* ---- base64 (RFC 4648, standard alphabet, padded) ---------------------
 * For image data URLs. glim_base64_encoded_size returns the output length
 * (no NUL added), 0 on overflow. glim_base64_decode is strict (no white
 * space) and needs a destination of at least len / 4 * 3 bytes; it returns
 * GLIM_EFORMAT on malformed input. */
GLIM_API size_t glim_base64_encoded_size(size_t len);
GLIM_API void glim_base64_encode(const void *src, size_t len, char *dst);
GLIM_API glim_status glim_base64_decode(const char *src, size_t len, void *dst, size_t *out_len,
                                        glim_error *err);

#endif
