/* The libcurl client of the HTTP test suites (check_api, check_hostile):
 * one request, its status, header block and body. */
#ifndef TESTS_CLIENT_H
#define TESTS_CLIENT_H

#include <curl/curl.h>
#include <jansson.h>
#include <stddef.h>

struct client_resp {
    CURLcode rc;
    long status;
    char *body;
    size_t len;
    char *head;  /* the header lines of the final response */
    size_t hlen;
    json_t *json; /* the body, when it is JSON */
    long connects; /* CURLINFO_NUM_CONNECTS: new connections for this request */
    long local_port;
    double seconds;
};

struct client_req {
    const char *method;     /* NULL: GET; "HEAD" uses CURLOPT_NOBODY */
    int raw;                /* send path as the exact request target */
    const char *body;       /* sent with the request, or NULL */
    const char *headers[6]; /* extra request headers, NULL-terminated */
    size_t body_len;        /* 0: strlen(body) */
    long timeout_ms;        /* 0: 10 s, times *slow */
    const char *base;       /* another server's http://HOST:PORT, or NULL */
};

/* Where requests go: *base is http://HOST:PORT without a trailing slash,
 * and time limits are multiplied by *slow; both are read at every request,
 * so the caller may change them. With exact_targets every path is sent as
 * the exact request target, as if each request had raw set. */
void client_init(const char *const *base, const int *slow, int exact_targets);

void client_resp_free(struct client_resp *r);

/* Appends the n bytes at p to the malloc'd buffer *buf of *len bytes,
 * keeping a NUL after them; aborts when out of memory. */
void client_append(char **buf, size_t *len, const char *p, size_t n);

/* Is gz[0..gz_len) one gzip stream, nothing after it, that gunzips to
 * plain[0..plain_len) to the byte? 1 or 0; *got: the bytes it gave (at
 * most plain_len + 1). */
int client_gunzips_to(const char *gz, size_t gz_len, const char *plain, size_t plain_len,
                      size_t *got);

/* The number of header fields called name in the header block head; the
 * first one's value is copied to out (may be NULL). */
int client_header(const char *head, const char *name, char *out, size_t size);

/* One request (q NULL: a plain GET) on handle h, which keeps its
 * connection between calls, or on a new connection when h is NULL. Fills
 * r (freed with client_resp_free) and returns r->rc; asserts nothing. */
CURLcode client_perform(CURL *h, const char *path, const struct client_req *q,
                        struct client_resp *r);

/* The two halves of client_perform, for requests run by a multi handle:
 * set h up for the request (r cleared; the returned header list is freed
 * by the caller once it is done), then read what h got into r (r->rc is
 * the caller's to set). */
struct curl_slist *client_setup(CURL *h, const char *path, const struct client_req *q,
                                struct client_resp *r);
void client_finish(CURL *h, struct client_resp *r);

/* The value of a sample of the server's /metrics (see harness_metric): 0
 * when it is not there (/metrics leaves out request counters still at 0),
 * -1 when /metrics did not answer 200. */
long client_metric(const char *sample);

/* client_metric, asked again until it is at least want or 10 s (times
 * *slow) have passed; returns the last value. The server counts a request
 * when libmicrohttpd reports it complete, which may be just after the
 * client has read the whole answer (and asked for /metrics). */
long client_metric_reaches(const char *sample, long want);

#endif
