#define _GNU_SOURCE
#include "client.h"

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

static const char *const *client_base;
static const int *client_slow;
static int client_exact;

void client_init(const char *const *base, const int *slow, int exact_targets)
{
    client_base = base;
    client_slow = slow;
    client_exact = exact_targets;
}

void client_resp_free(struct client_resp *r)
{
    free(r->body);
    free(r->head);
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

void client_append(char **buf, size_t *len, const char *p, size_t n)
{
    char *b = realloc(*buf, *len + n + 1);
    if (b == NULL)
        abort();
    memcpy(b + *len, p, n);
    *len += n;
    b[*len] = '\0';
    *buf = b;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct client_resp *r = arg;
    client_append(&r->body, &r->len, p, size * n);
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct client_resp *r = arg;
    if (size * n >= 5 && memcmp(p, "HTTP/", 5) == 0)
        r->hlen = 0; /* a new response (after 100 Continue, say) */
    client_append(&r->head, &r->hlen, p, size * n);
    return size * n;
}

int client_header(const char *head, const char *name, char *out, size_t size)
{
    int count = 0;
    size_t nlen = strlen(name);
    if (out != NULL && size > 0)
        out[0] = '\0';
    for (const char *line = head; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > nlen && line[nlen] == ':' && strncasecmp(line, name, nlen) == 0) {
            if (count++ == 0 && out != NULL && size > 0) {
                const char *v = line + nlen + 1;
                size_t vlen = len - nlen - 1;
                while (vlen > 0 && (*v == ' ' || *v == '\t'))
                    v++, vlen--;
                while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == ' '))
                    vlen--;
                if (vlen >= size)
                    vlen = size - 1;
                memcpy(out, v, vlen);
                out[vlen] = '\0';
            }
        }
        if (len == 0 || (len == 1 && line[0] == '\r'))
            break; /* the end of the header block */
        line = end ? end + 1 : NULL;
    }
    return count;
}

struct curl_slist *client_setup(CURL *h, const char *path, const struct client_req *q,
                                struct client_resp *r)
{
    static const struct client_req get_req = {0};
    if (q == NULL)
        q = &get_req;
    curl_easy_reset(h); /* keeps the connection cache */
    memset(r, 0, sizeof(*r));
    r->rc = (CURLcode)-1;
    const char *base = q->base != NULL ? q->base : *client_base;
    if (q->raw || client_exact) {
        char url[600];
        snprintf(url, sizeof(url), "%s/", base);
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_REQUEST_TARGET, path); /* sent exactly as given */
    } else {
        char *full;
        if (asprintf(&full, "%s%s", base, path) < 0)
            abort();
        curl_easy_setopt(h, CURLOPT_URL, full); /* libcurl copies it */
        free(full);
    }
    long slow = *client_slow;
    curl_easy_setopt(h, CURLOPT_PROXY, ""); /* never an environment proxy */
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, q->timeout_ms ? q->timeout_ms : 10000L * slow);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     q->timeout_ms ? q->timeout_ms : 5000L * slow);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    if (q->body != NULL) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(q->body_len ? q->body_len : strlen(q->body)));
    }
    if (q->method != NULL && strcmp(q->method, "HEAD") == 0)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    else if (q->method != NULL)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
    else if (q->body != NULL)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "GET");
    struct curl_slist *hl = NULL;
    for (int i = 0; i < 6 && q->headers[i] != NULL; i++)
        hl = curl_slist_append(hl, q->headers[i]);
    if (hl != NULL)
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    return hl;
}

void client_finish(CURL *h, struct client_resp *r)
{
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &r->connects);
    curl_easy_getinfo(h, CURLINFO_LOCAL_PORT, &r->local_port);
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &r->seconds);
    char ct[128];
    if (r->len > 0 && client_header(r->head, "Content-Type", ct, sizeof(ct)) &&
        strstr(ct, "json") != NULL)
        r->json = json_loadb(r->body, r->len, 0, NULL);
}

CURLcode client_perform(CURL *h, const char *path, const struct client_req *q,
                        struct client_resp *r)
{
    CURL *own = h == NULL ? curl_easy_init() : NULL;
    if (h == NULL && own == NULL) {
        memset(r, 0, sizeof(*r));
        r->rc = CURLE_FAILED_INIT;
        return r->rc;
    }
    CURL *use = h != NULL ? h : own;
    struct curl_slist *hl = client_setup(use, path, q, r);
    r->rc = curl_easy_perform(use);
    client_finish(use, r);
    curl_slist_free_all(hl);
    if (own != NULL)
        curl_easy_cleanup(own);
    return r->rc;
}

long client_metric(const char *sample)
{
    struct client_resp m;
    client_perform(NULL, "/metrics", NULL, &m);
    long v = -1;
    if (m.rc == CURLE_OK && m.status == 200 && m.body != NULL) {
        v = harness_metric(m.body, sample);
        if (v < 0)
            v = 0;
    }
    client_resp_free(&m);
    return v;
}

long client_metric_reaches(const char *sample, long want)
{
    double deadline = harness_now() + 10.0 * *client_slow;
    long v = client_metric(sample);
    while (v < want && harness_now() < deadline) {
        harness_sleep_ms(20);
        v = client_metric(sample);
    }
    return v;
}

int client_gunzips_to(const char *gz, size_t gz_len, const char *plain, size_t plain_len,
                      size_t *got)
{
    char *out = malloc(plain_len + 1);
    z_stream z;
    memset(&z, 0, sizeof(z));
    *got = 0;
    if (out == NULL || inflateInit2(&z, 15 + 16) != Z_OK) {
        free(out);
        return 0;
    }
    z.next_in = (Bytef *)gz;
    z.avail_in = (uInt)gz_len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)plain_len + 1;
    int rc = inflate(&z, Z_FINISH);
    *got = z.total_out;
    int same = rc == Z_STREAM_END && z.avail_in == 0 && *got == plain_len &&
               memcmp(out, plain, plain_len) == 0;
    inflateEnd(&z);
    free(out);
    return same;
}
