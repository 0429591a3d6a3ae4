/* libmicrohttpd glue: the only file that includes microhttpd.h.
 *
 * Two traps of Debian's libmicrohttpd 0.9.75 shape this file: in epoll mode a
 * burst of exactly 128 ready connections can stall the daemon, so it polls
 * with poll() and a thread pool; and queueing a response on the first call
 * of the access handler makes MHD close keep-alive connections, so the first
 * call only returns MHD_YES and the response is queued on the second. */
#define _GNU_SOURCE
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "strmap.h"
#include "uri.h"

#define MAX_URI 8192
#define ALLOW "GET, HEAD, OPTIONS"

struct server {
    struct MHD_Daemon *daemon;
    const struct model_snapshot *snap;
    const struct route_context *ctx;
    int access_log;
    char last_modified[64]; /* the corpus load time, as an HTTP date */
};

/* Per request: the raw URI as received, and what the access log needs. */
struct request_state {
    char *uri;
    char method[16];
    int seen;
    int status;
    size_t bytes;
    struct timespec started;
};

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    struct request_state *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return NULL;
    st->uri = strdup(uri);
    clock_gettime(CLOCK_MONOTONIC, &st->started);
    return st;
}

/* MHD must not decode anything: the raw URI is parsed strictly here. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

/* ---- Replies ---- */

/* A strong ETag: the corpus version, the code (its build id) and the request
 * as parsed: what the body is a function of. */
static void make_etag(const struct server *srv, const struct route_request *req, char *out)
{
    uint64_t h = model_hash_seeded(srv->snap->version, 64, 0x1234);
    h = model_hash_seeded(srv->ctx->build, strlen(srv->ctx->build), h);
    h = model_hash_seeded(req->path, strlen(req->path), h);
    for (size_t i = 0; i < req->n_params; i++) {
        h = model_hash_seeded(req->params[i].name, strlen(req->params[i].name) + 1, h);
        h = model_hash_seeded(req->params[i].value, strlen(req->params[i].value) + 1, h);
    }
    snprintf(out, 24, "\"%016llx\"", (unsigned long long)h);
}

/* Does If-None-Match (a list of tags, or *) name etag? */
static int etag_matches(const char *header, const char *etag)
{
    if (header == NULL)
        return 0;
    return strcmp(header, "*") == 0 || strstr(header, etag) != NULL;
}

static void add_common_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
    MHD_add_response_header(r, "Access-Control-Expose-Headers",
                            "ETag, Link, Last-Modified, Content-Length");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
}

/* Validators and freshness of a cacheable 200 or its 304. */
static void add_cache_headers(const struct server *srv, struct MHD_Response *r,
                              const char *etag)
{
    MHD_add_response_header(r, "ETag", etag);
    MHD_add_response_header(r, "Last-Modified", srv->last_modified);
    MHD_add_response_header(r, "Cache-Control", "public, max-age=60");
}

/* The one place responses are queued: sets the common headers. */
static enum MHD_Result reply(const struct server *srv, struct MHD_Connection *conn,
                             struct request_state *st, struct route_response *rr,
                             const char *etag)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        rr->body_len, rr->body, rr->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    rr->body = NULL; /* MHD owns it now */
    add_common_headers(r);
    if (rr->content_type != NULL)
        MHD_add_response_header(r, "Content-Type", rr->content_type);
    if (etag != NULL)
        add_cache_headers(srv, r, etag);
    else
        MHD_add_response_header(r, "Cache-Control", "no-store");
    if (rr->link != NULL)
        MHD_add_response_header(r, "Link", rr->link);
    if (rr->status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, "Allow", ALLOW);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)rr->status, r);
    MHD_destroy_response(r);
    st->status = rr->status;
    st->bytes = rr->body_len;
    route_response_free(rr);
    return ret;
}

static enum MHD_Result reply_preflight(struct MHD_Connection *conn,
                                       struct request_state *st)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    add_common_headers(r);
    MHD_add_response_header(r, "Allow", ALLOW);
    MHD_add_response_header(r, "Access-Control-Allow-Methods", ALLOW);
    MHD_add_response_header(r, "Access-Control-Allow-Headers",
                            "If-None-Match, If-Modified-Since, Content-Type, Accept");
    MHD_add_response_header(r, "Access-Control-Max-Age", "86400");
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_NO_CONTENT, r);
    MHD_destroy_response(r);
    st->status = MHD_HTTP_NO_CONTENT;
    return ret;
}

static enum MHD_Result reply_not_modified(const struct server *srv,
                                          struct MHD_Connection *conn,
                                          struct request_state *st, const char *etag)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    add_common_headers(r);
    add_cache_headers(srv, r, etag);
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_NOT_MODIFIED, r);
    MHD_destroy_response(r);
    st->status = MHD_HTTP_NOT_MODIFIED;
    return ret;
}

/* ---- The access handler ---- */

/* Is the representation unchanged for the client, by If-None-Match or,
 * without it, If-Modified-Since (RFC 9110 13.1)? */
static int not_modified(const struct server *srv, struct MHD_Connection *conn,
                        const char *etag)
{
    const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
    if (inm != NULL)
        return etag_matches(inm, etag);
    const char *ims = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-Modified-Since");
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *end = ims ? strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm) : NULL;
    return end != NULL && *end == '\0' && srv->snap->loaded_at <= timegm(&tm);
}

static enum MHD_Result handle(const struct server *srv, struct MHD_Connection *conn,
                              const char *method, struct request_state *st)
{
    snprintf(st->method, sizeof(st->method), "%s", method);
    struct route_response rr = {0};
    if (st->uri == NULL || strlen(st->uri) > MAX_URI) {
        route_problem(&rr, MHD_HTTP_URI_TOO_LONG, "URI Too Long",
                      "The request URI is longer than 8192 bytes; use fewer or shorter "
                      "query parameters.", NULL, NULL);
        return reply(srv, conn, st, &rr, NULL);
    }
    struct server_uri p;
    memset(&p, 0, sizeof(p));
    p.req.snap = srv->snap;
    p.req.ctx = srv->ctx;
    enum MHD_Result ret;
    char *pathbuf = NULL;
    if (server_parse_uri(st->uri, &p, &rr) != 0) {
        ret = reply(srv, conn, st, &rr, NULL);
        goto done;
    }
    /* The path first: nothing there is a 404 whatever the method. */
    pathbuf = strdup(p.req.path);
    route_handler h = route_split_path(pathbuf, &p.req) == 0 ? route_match(&p.req) : NULL;
    if (h == NULL) {
        route_not_found(&p.req, &rr);
        ret = reply(srv, conn, st, &rr, NULL);
        goto done;
    }
    if (strcmp(method, "OPTIONS") == 0) {
        ret = reply_preflight(conn, st);
        goto done;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        char detail[160];
        snprintf(detail, sizeof(detail), "%.20s is not supported; this API is read-only "
                 "and allows " ALLOW ".", method);
        route_problem(&rr, MHD_HTTP_METHOD_NOT_ALLOWED, "Method Not Allowed", detail,
                      NULL, NULL);
        ret = reply(srv, conn, st, &rr, NULL);
        goto done;
    }
    char etag[24];
    make_etag(srv, &p.req, etag);
    /* Preconditions apply only to what would be a 200 (RFC 9110 13.2.1).
     * Our own tag names a request that was a 200 on this corpus and code
     * (tags are only sent with 200s), so it is answered without running the
     * handler; "*", a list or a date needs the handler's verdict first. */
    const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
    if (inm != NULL && strcmp(inm, etag) == 0) {
        ret = reply_not_modified(srv, conn, st, etag);
        goto done;
    }
    h(&p.req, &rr);
    int cacheable = rr.status == 200 && !rr.uncacheable;
    if (cacheable && not_modified(srv, conn, etag)) {
        route_response_free(&rr);
        ret = reply_not_modified(srv, conn, st, etag);
        goto done;
    }
    ret = reply(srv, conn, st, &rr, cacheable ? etag : NULL);
done:
    free(pathbuf);
    free(p.buf);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)url;
    (void)version;
    (void)upload_data;
    struct request_state *st = *con_cls;
    if (st == NULL)
        return MHD_NO; /* out of memory in on_uri */
    if (!st->seen) {
        st->seen = 1; /* queue on the second call, or keep-alive is lost */
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0; /* a body on a read-only API is ignored */
        return MHD_YES;
    }
    return handle(cls, conn, method, st);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    const struct server *srv = cls;
    struct request_state *st = *con_cls;
    if (st == NULL)
        return;
    if (srv->access_log && st->status != 0) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long long us = (now.tv_sec - st->started.tv_sec) * 1000000LL +
                       (now.tv_nsec - st->started.tv_nsec) / 1000;
        fprintf(stderr, "access method=%s status=%d bytes=%zu us=%lld uri=\"%.300s\"\n",
                st->method, st->status, st->bytes, us, st->uri ? st->uri : "");
    }
    free(st->uri);
    free(st);
    *con_cls = NULL;
}

static void on_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("timeline-server: libmicrohttpd: ", stderr);
    vfprintf(stderr, fmt, ap);
}

struct server *server_start(const struct server_config *cfg,
                            const struct model_snapshot *snap,
                            const struct route_context *ctx, char *err, size_t errlen)
{
    struct server *srv = calloc(1, sizeof(*srv));
    srv->snap = snap;
    srv->ctx = ctx;
    srv->access_log = cfg->access_log;
    struct tm tm;
    gmtime_r(&snap->loaded_at, &tm);
    strftime(srv->last_modified, sizeof(srv->last_modified), "%a, %d %b %Y %H:%M:%S GMT", &tm);

    struct sockaddr_storage addr;
    memset(&addr, 0, sizeof(addr));
    unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&addr;
    if (inet_pton(AF_INET, cfg->bind, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)cfg->port);
    } else if (inet_pton(AF_INET6, cfg->bind, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)cfg->port);
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(err, errlen, "--bind %s is not an IPv4 or IPv6 address", cfg->bind);
        free(srv);
        return NULL;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cfg->threads ? cfg->threads : (cores > 0 ? (unsigned)cores : 1);
    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, on_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
        /* MHD parses every query parameter into a record in this pool before
         * on_request sees the URI, and on running out closes the connection
         * without any reply. Half the pool is the read buffer; 128 KiB leaves
         * room for about 1,300 parameters, so a request with 1,000 still
         * reaches parse_uri and gets its 400. (MHD zeroes the whole pool
         * between keep-alive requests, so it costs its size per connection.) */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
        MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_END);
    if (srv->daemon == NULL) {
        snprintf(err, errlen, "cannot listen on %s port %u (in use, or not allowed)",
                 cfg->bind, cfg->port);
        free(srv);
        return NULL;
    }
    return srv;
}

unsigned server_port(const struct server *srv)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon,
                                                           MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void server_stop(struct server *srv, unsigned drain_s)
{
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    /* Let requests in flight finish before the daemon is stopped. */
    for (unsigned i = 0; i < drain_s * 20; i++) {
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (info == NULL || info->num_connections == 0)
            break;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(srv->daemon);
    free(srv);
}
