/* http.c — glim_http_request over libcurl's easy interface.
 *
 * Why an easy handle per request and no connection cache: the core keeps no
 * state between calls (two Lua states, or a game's threads, may call at once),
 * and an LLM request takes seconds, so a reused connection would save little.
 * curl_global_init is not thread-safe in older libcurl, hence pthread_once.
 * CURLOPT_NOSIGNAL keeps libcurl from using SIGALRM for DNS timeouts, which
 * is unsafe in a multi-threaded host. */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_status = CURLE_FAILED_INIT;

static void global_init(void)
{
    global_status = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void glim_http_opts_init(glim_http_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->method = "GET";
    opts->timeout = 60.0;
    opts->connect_timeout = 10.0;
    opts->max_response = GLIM_HTTP_DEFAULT_MAX_RESPONSE;
    opts->max_redirects = 5;
}

/* ---- growing buffers ---------------------------------------------------- */

typedef struct body_buf {
    char *data;
    size_t len, cap, limit;
    int over_limit, oom;
} body_buf;

static int buf_reserve(body_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) return 0;
        cap *= 2;
    }
    char *p = glim_alloc(cap);
    if (!p) return 0;
    if (b->len) memcpy(p, b->data, b->len);
    glim_free(b->data);
    b->data = p;
    b->cap = cap;
    return 1;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *user)
{
    body_buf *b = user;
    size_t n = size * nmemb;
    if (n > b->limit - b->len || b->len > b->limit) {
        b->over_limit = 1;
        return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
    }
    if (!buf_reserve(b, n)) {
        b->oom = 1;
        return 0;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

typedef struct header_list {
    glim_http_header *items;
    size_t n, cap;
    int oom;
} header_list;

static void headers_clear(header_list *h)
{
    for (size_t i = 0; i < h->n; i++) {
        glim_free(h->items[i].name);
        glim_free(h->items[i].value);
    }
    h->n = 0;
}

static char *dup_range(const char *s, size_t n)
{
    char *p = glim_alloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *user)
{
    header_list *h = user;
    size_t n = size * nmemb;
    /* A status line starts a new response (after a 100 Continue or a
     * followed redirect): keep only the last response's headers. */
    if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) {
        headers_clear(h);
        return n;
    }
    const char *colon = memchr(ptr, ':', n);
    if (!colon) return n; /* the blank line, or a malformed line we ignore */
    size_t name_len = (size_t)(colon - ptr);
    const char *v = colon + 1, *end = ptr + n;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        glim_http_header *items = glim_alloc(cap * sizeof *items);
        if (!items) {
            h->oom = 1;
            return 0;
        }
        if (h->n) memcpy(items, h->items, h->n * sizeof *items);
        glim_free(h->items);
        h->items = items;
        h->cap = cap;
    }
    char *name = dup_range(ptr, name_len);
    char *value = dup_range(v, (size_t)(end - v));
    if (!name || !value) {
        glim_free(name);
        glim_free(value);
        h->oom = 1;
        return 0;
    }
    for (char *c = name; *c; c++) *c = (char)tolower((unsigned char)*c);
    h->items[h->n].name = name;
    h->items[h->n].value = value;
    h->n++;
    return n;
}

/* ---- error mapping ------------------------------------------------------ */

/* "host:port" of the URL, for messages; never includes user:password. */
static void describe_target(const char *url, char *out, size_t size)
{
    snprintf(out, size, "?");
    CURLU *u = curl_url();
    if (!u) return;
    char *host = NULL, *port = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
            snprintf(out, size, "%s:%s", host, port);
        else
            snprintf(out, size, "%s", host);
    }
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
}

static void host_of(const char *url, char *out, size_t size)
{
    snprintf(out, size, "?");
    CURLU *u = curl_url();
    if (!u) return;
    char *host = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        snprintf(out, size, "%s", host);
    curl_free(host);
    curl_url_cleanup(u);
}

static glim_status map_error(CURL *h, CURLcode rc, const glim_http_opts *o, const char *detail,
                             const body_buf *body, glim_error *err)
{
    char target[200];
    long os_errno = 0;
    curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
    if (body->over_limit)
        return glim_fail(err, GLIM_ELIMIT, "http: response larger than %zu bytes", o->max_response);
    if (body->oom) return glim_fail(err, GLIM_ENOMEM, "http: out of memory reading the response");
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        host_of(o->url, target, sizeof target);
        return glim_fail(err, GLIM_ENET, "http: could not resolve host %s", target);
    case CURLE_COULDNT_RESOLVE_PROXY:
        return glim_fail(err, GLIM_ENET, "http: could not resolve proxy");
    case CURLE_COULDNT_CONNECT:
        describe_target(o->url, target, sizeof target);
        if (os_errno == ECONNREFUSED)
            return glim_fail(err, GLIM_ENET, "http: connection refused (%s)", target);
        if (os_errno == ENETUNREACH || os_errno == EHOSTUNREACH)
            return glim_fail(err, GLIM_ENET, "http: network unreachable (%s)", target);
        return glim_fail(err, GLIM_ENET, "http: could not connect to %s: %s", target,
                         detail[0] ? detail : curl_easy_strerror(rc));
    case CURLE_OPERATION_TIMEDOUT: {
        double connect_time = 0;
        curl_easy_getinfo(h, CURLINFO_CONNECT_TIME, &connect_time);
        if (connect_time <= 0 && o->connect_timeout > 0 &&
            (o->timeout <= 0 || o->connect_timeout < o->timeout)) {
            describe_target(o->url, target, sizeof target);
            return glim_fail(err, GLIM_ETIMEOUT, "http: connect to %s timed out after %.1f s",
                             target, o->connect_timeout);
        }
        return glim_fail(err, GLIM_ETIMEOUT, "http: timed out after %.1f s", o->timeout);
    }
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
        describe_target(o->url, target, sizeof target);
        return glim_fail(err, GLIM_ENET, "http: TLS error with %s: %s", target,
                         detail[0] ? detail : curl_easy_strerror(rc));
    case CURLE_GOT_NOTHING:
        describe_target(o->url, target, sizeof target);
        return glim_fail(err, GLIM_ENET, "http: %s closed the connection without a reply",
                         target);
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
        describe_target(o->url, target, sizeof target);
        return glim_fail(err, GLIM_ENET, "http: connection to %s dropped: %s", target,
                         detail[0] ? detail : curl_easy_strerror(rc));
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
        describe_target(o->url, target, sizeof target);
        return glim_fail(err, GLIM_ENET, "http: malformed reply from %s: %s", target,
                         detail[0] ? detail : curl_easy_strerror(rc));
    case CURLE_TOO_MANY_REDIRECTS:
        return glim_fail(err, GLIM_EHTTP, "http: more than %d redirects", o->max_redirects);
    case CURLE_UNSUPPORTED_PROTOCOL:
        return glim_fail(err, GLIM_EINVAL, "http: unsupported URL scheme (only http and https)");
    case CURLE_URL_MALFORMAT:
        return glim_fail(err, GLIM_EINVAL, "http: malformed URL");
    case CURLE_OUT_OF_MEMORY:
        return glim_fail(err, GLIM_ENOMEM, "http: out of memory");
    default:
        return glim_fail(err, GLIM_ENET, "http: %s",
                         detail[0] ? detail : curl_easy_strerror(rc));
    }
}

/* ---- the request -------------------------------------------------------- */

static int valid_method(const char *m)
{
    if (!m || !*m) return 0;
    for (const char *c = m; *c; c++)
        if (!(isupper((unsigned char)*c) || *c == '-' || *c == '_')) return 0;
    return strlen(m) <= 16;
}

static int valid_header_line(const char *line)
{
    const char *colon = strchr(line, ':');
    if (!colon || colon == line) return 0;
    for (const char *c = line; *c; c++)
        if (*c == '\r' || *c == '\n' || *c == '\0') return 0;
    for (const char *c = line; c < colon; c++)
        if (*c <= ' ' || *c >= 127) return 0;
    return 1;
}

static long to_ms(double seconds)
{
    if (seconds <= 0) return 0;
    double ms = seconds * 1000.0;
    if (ms > 2e9) ms = 2e9;
    return ms < 1 ? 1 : (long)ms;
}

glim_status glim_http_request(const glim_http_opts *o, glim_http_response **out, glim_error *err)
{
    if (out) *out = NULL;
    if (!o || !out || !o->url) return glim_fail(err, GLIM_EINVAL, "http: no URL");
    if (strncmp(o->url, "http://", 7) != 0 && strncmp(o->url, "https://", 8) != 0)
        return glim_fail(err, GLIM_EINVAL, "http: unsupported URL scheme (only http and https)");
    const char *method = o->method ? o->method : "GET";
    if (!valid_method(method)) return glim_fail(err, GLIM_EINVAL, "http: invalid method");
    for (size_t i = 0; i < o->n_headers; i++)
        if (!o->headers[i] || !valid_header_line(o->headers[i]))
            return glim_fail(err, GLIM_EINVAL, "http: malformed request header #%zu", i + 1);
    if (o->body_len && !o->body) return glim_fail(err, GLIM_EINVAL, "http: body is NULL");

    pthread_once(&global_once, global_init);
    if (global_status != CURLE_OK)
        return glim_fail(err, GLIM_ENET, "http: libcurl failed to initialise: %s",
                         curl_easy_strerror(global_status));

    glim_status st = GLIM_OK;
    CURL *h = curl_easy_init();
    struct curl_slist *list = NULL;
    body_buf body = {0};
    header_list hdrs = {0};
    glim_http_response *res = NULL;
    char detail[CURL_ERROR_SIZE];
    detail[0] = '\0';
    body.limit = o->max_response ? o->max_response : GLIM_HTTP_DEFAULT_MAX_RESPONSE;

    if (!h) {
        st = glim_fail(err, GLIM_ENOMEM, "http: could not create a libcurl handle");
        goto done;
    }
    for (size_t i = 0; i < o->n_headers; i++) {
        struct curl_slist *next = curl_slist_append(list, o->headers[i]);
        if (!next) {
            st = glim_fail(err, GLIM_ENOMEM, "http: out of memory");
            goto done;
        }
        list = next;
    }
    /* libcurl would add "Expect: 100-continue" to large bodies: one round
     * trip more, and some servers never answer it. */
    struct curl_slist *next = curl_slist_append(list, "Expect:");
    if (!next) {
        st = glim_fail(err, GLIM_ENOMEM, "http: out of memory");
        goto done;
    }
    list = next;

    curl_easy_setopt(h, CURLOPT_URL, o->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, o->follow_redirects ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)(o->max_redirects > 0 ? o->max_redirects : 0));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, to_ms(o->timeout));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, to_ms(o->connect_timeout));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (o->ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* whatever libcurl can decode */
    curl_easy_setopt(h, CURLOPT_USERAGENT, "glimpse/" "0.1");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &hdrs);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)body.limit);

    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        if (strcmp(method, "POST") != 0) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
        if (o->body || strcmp(method, "POST") == 0) {
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->body_len);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, o->body ? (const char *)o->body : "");
        }
    }

    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_FILESIZE_EXCEEDED) body.over_limit = 1;
    if (rc != CURLE_OK || hdrs.oom) {
        if (hdrs.oom) st = glim_fail(err, GLIM_ENOMEM, "http: out of memory reading headers");
        else st = map_error(h, rc, o, detail, &body, err);
        goto done;
    }

    res = glim_calloc(1, sizeof *res);
    if (!res) {
        st = glim_fail(err, GLIM_ENOMEM, "http: out of memory");
        goto done;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &res->total_time);
    if (!body.data && !buf_reserve(&body, 0)) {
        glim_free(res);
        res = NULL;
        st = glim_fail(err, GLIM_ENOMEM, "http: out of memory");
        goto done;
    }
    body.data[body.len] = '\0';
    res->body = body.data;
    res->body_len = body.len;
    body.data = NULL;
    res->headers = hdrs.items;
    res->n_headers = hdrs.n;
    hdrs.items = NULL;
    hdrs.n = 0;
    *out = res;

done:
    glim_free(body.data);
    headers_clear(&hdrs);
    glim_free(hdrs.items);
    curl_slist_free_all(list);
    if (h) curl_easy_cleanup(h);
    return st;
}

const char *glim_http_response_header(const glim_http_response *res, const char *name)
{
    if (!res || !name) return NULL;
    for (size_t i = 0; i < res->n_headers; i++)
        if (strcasecmp(res->headers[i].name, name) == 0) return res->headers[i].value;
    return NULL;
}

void glim_http_response_free(glim_http_response *res)
{
    if (!res) return;
    for (size_t i = 0; i < res->n_headers; i++) {
        glim_free(res->headers[i].name);
        glim_free(res->headers[i].value);
    }
    glim_free(res->headers);
    glim_free(res->body);
    glim_free(res);
}
