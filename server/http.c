/* libmicrohttpd glue: the only file that includes microhttpd.h.
 *
 * Two traps of Debian's libmicrohttpd 0.9.75 shape this file: in epoll mode a
 * burst of exactly 128 ready connections can stall the daemon, so it polls
 * with poll() and a thread pool; and queueing a response on the first call
 * of the access handler makes MHD close keep-alive connections, so the first
 * call only returns MHD_YES and the response is queued on the second (but
 * for a head that is refused, head.c: answered at once, then closed).
 *
 * What is served lives in a struct live: a snapshot, its prebuilt JSON
 * fragments and the responses that depend on nothing but the snapshot, built
 * once. A request takes a reference to the live state when it starts and
 * drops it when its response has been sent, so a reload (SIGHUP) can swap in
 * a new one at any time: requests in flight finish on the old one, which is
 * freed by its last reader. The outcome of the last reload (for /health) is
 * kept the same way, in a struct reload_status. */
#define _GNU_SOURCE
#include "http.h"

#include <arpa/inet.h>
#include <linux/tcp.h> /* struct tcp_info with tcpi_notsent_bytes */
#include <microhttpd.h>
#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "head.h"
#include "metrics.h"
#include "render.h"
#include "strmap.h"
#include "uri.h"

#define MAX_URI 8192
/* The longest Link header sent (links.next, in the body, is always whole).
 * The reply's head is made in the connection's 16 KiB, beside the request's:
 * a Link repeating a target near MAX_URI did not fit, and MHD closed the
 * connection without an answer. Proxies keep a response head in a buffer of
 * 4 KiB by default (nginx's proxy_buffer_size), so the whole head stays
 * under that. */
#define LINK_MAX 2048
#define ALLOW "GET, HEAD, OPTIONS"
#define GZIP_MIN 1024 /* smaller bodies are not worth compressing */
/* zlib levels: a response built once per snapshot is worth the best; a
 * recent answer is compressed while its client waits (a 25 KB page: 340 us
 * at 6, 460 us at 9, for 1% less). */
#define GZIP_LEVEL_PREBUILT 9
#define GZIP_LEVEL_RECENT 6
/* An answer too large to cache is gzipped as it is sent, for every client
 * that accepts gzip (as nginx does, at its default level): a filtered
 * /timeline of 37 MB goes out as 9.7 MB, for 0.27 s of one core where
 * sending it plain takes 0.04 s; at 6, 8.3 MB for 0.9 s. */
#define GZIP_LEVEL_SENT 1
#define ETAG_SIZE 28 /* "<16 hex digits>-gz" and its NUL */

/* A response built once per snapshot, plain and gzipped. */
struct prebuilt {
    const char *path; /* served for exactly this path, without parameters */
    char etag[ETAG_SIZE];
    char etag_gzip[ETAG_SIZE]; /* another representation, another strong tag */
    struct MHD_Response *plain;
    struct MHD_Response *gzip; /* or NULL */
    size_t plain_len, gzip_len; /* their bodies' bytes (for the access log) */
};

#define MAX_PREBUILT 8

/* Recent responses (filtered lists, single resources), by request: a
 * direct-mapped table (a new entry replaces whatever had its slot) with a
 * cap on the bytes it holds (--cache-mb), so its memory is bounded whatever
 * the traffic; a new entry that does not fit first evicts others, going
 * round the table like a clock hand, so that once full the table keeps
 * following what is asked for. An entry is a ready MHD response, headers
 * included, queued as is on a hit: MHD counts its references, so a replaced
 * entry lives on until the connections sending it are done. Slots are read
 * and written under a striped lock; the table lives and dies with its
 * snapshot. A client that accepts gzip and asks for an entry again (over
 * GZIP_MIN) has it compressed, once, and kept beside it: an answer asked
 * for once is never compressed, so a stream of new queries costs no zlib. */
#define CACHE_SLOTS 4096
#define CACHE_LOCKS 16
#define CACHE_MAX_ENTRY (256 * 1024)
#define CACHE_ENTRY_OVERHEAD 512 /* an MHD response and its headers */
#define CACHE_STRIPE (CACHE_SLOTS / CACHE_LOCKS) /* slot i * CACHE_LOCKS + lock */

/* An answer built for its request that holds more memory than this (a
 * rope: a filtered /timeline of a large corpus, a long page; or a large body
 * rendered without fragments) holds it until its client has read all but
 * what the kernel buffers: when such answers were copies, 60 slow readers of
 * a 37 MB /timeline took the server from 0.85 to 3 GB, and a rope of it
 * still holds 2 MB. Such answers together hold at most --large-answers-mb
 * (one alone always passes); smaller ones are bounded by the connection
 * limit. Equal to the largest cache entry: a large answer is never cached,
 * so it is counted once. */
#define LARGE_ANSWER CACHE_MAX_ENTRY

struct cache_entry {
    char *key; /* the request: path, then name=value pairs, NUL-separated */
    size_t key_len;
    struct MHD_Response *response; /* a 200 with its ETag */
    const char *body; /* its bytes: valid while response is */
    size_t body_len;
    const char *content_type; /* a string literal, like every route's */
    struct MHD_Response *gzip; /* its gzipped twin, or NULL */
    size_t gzip_len;
    int gzip_tried; /* gzip is made, being made, or would not shrink it */
    size_t cost; /* the memory it holds, as counted against max_bytes */
};

struct response_cache {
    pthread_mutex_t locks[CACHE_LOCKS];
    struct cache_entry slots[CACHE_SLOTS];
    atomic_size_t bytes;
    size_t max_bytes;
    atomic_size_t hand; /* the lock whose slots are evicted from next */
    size_t next[CACHE_LOCKS]; /* under each lock: its next slot to evict */
};

struct live {
    atomic_int refs;
    unsigned long generation; /* 1 for the first corpus, +1 at each reload */
    atomic_int replaced; /* a reload has put another one in its place */
    struct model_snapshot *snap;
    struct route_render *render;
    struct route_context ctx;
    char last_modified[64];
    struct prebuilt prebuilt[MAX_PREBUILT];
    size_t n_prebuilt;
    struct response_cache *cache;
};

/* The outcome of the last reload: immutable once published, and referenced
 * by the requests reading it (a reload may replace it while they run). */
struct reload_status {
    atomic_int refs;
    char at[32];  /* RFC 3339 */
    int failed;
    char error[]; /* when failed */
};

struct conn_entry;

struct server {
    unsigned max_connections; /* served; what the descriptor limit allows of --max-connections */
    unsigned max_per_client; /* open connections from one address; 0: any */
    unsigned long large_max; /* bytes of large answers held at once */
    pthread_mutex_t conns_lock; /* guards the list conns, not its entries' times */
    struct conn_entry *conns;   /* every connection within the limit */
    struct MHD_Daemon *daemon;
    pthread_mutex_t lock; /* guards current and status */
    struct live *current; /* swapped by the reloading thread only */
    struct reload_status *status; /* NULL until the first reload */
    struct route_context base; /* openapi, version, build */
    int access_log;
    size_t cache_bytes; /* for each snapshot's cache of recent responses */
    struct route_metrics metrics;
};

/* Per request: the raw URI as received, and what the log and metrics need. */
struct request_state {
    struct conn_entry *conn; /* its connection's entry, NULL, or a refusal mark */
    char *uri;
    size_t uri_len; /* the target as MHD saw it: a NUL in it cuts it short */
    int bad_target; /* the request target has a NUL byte */
    int http10;
    struct server_head head; /* what its header fields say */
    int head_status; /* server_head_check's verdict on them: 0, or answered at once */
    char method[33];
    int method_cut; /* method holds only the start of a longer one */
    int seen;
    int status;
    int by_library; /* status is libmicrohttpd's own answer (e.g. a 431), not ours */
    size_t bytes;
    unsigned long long body_bytes; /* of the request's body, read so far */
    size_t route;
    struct live *live; /* referenced while the response is being sent */
    struct reload_status *reload; /* the same (or NULL) */
    struct timespec started;
};

/* ---- The live state ---- */

/* References the live state and the reload status, read together so that
 * /health reports a corpus and a reload outcome that go with each other. */
static struct live *live_acquire(struct server *srv, struct reload_status **status)
{
    pthread_mutex_lock(&srv->lock);
    struct live *l = srv->current;
    atomic_fetch_add(&l->refs, 1);
    *status = srv->status;
    if (*status != NULL)
        atomic_fetch_add(&(*status)->refs, 1);
    pthread_mutex_unlock(&srv->lock);
    return l;
}

static void status_release(struct reload_status *s)
{
    if (s != NULL && atomic_fetch_sub(&s->refs, 1) == 1)
        free(s);
}

/* Empties e (under its slot's lock, or when no request can see it). */
static void cache_drop(struct response_cache *c, struct cache_entry *e)
{
    if (e->key == NULL)
        return;
    atomic_fetch_sub(&c->bytes, e->cost);
    MHD_destroy_response(e->response);
    if (e->gzip != NULL)
        MHD_destroy_response(e->gzip);
    free(e->key);
    memset(e, 0, sizeof(*e));
}

static void live_free(struct live *l)
{
    if (atomic_load(&l->replaced))
        atomic_fetch_sub(&l->ctx.metrics->corpora_replaced, 1);
    for (size_t i = 0; i < l->n_prebuilt; i++) {
        MHD_destroy_response(l->prebuilt[i].plain);
        if (l->prebuilt[i].gzip != NULL)
            MHD_destroy_response(l->prebuilt[i].gzip);
    }
    if (l->cache != NULL) {
        for (size_t i = 0; i < CACHE_SLOTS; i++)
            cache_drop(l->cache, &l->cache->slots[i]);
        for (size_t i = 0; i < CACHE_LOCKS; i++)
            pthread_mutex_destroy(&l->cache->locks[i]);
        free(l->cache);
    }
    route_render_free(l->render);
    model_snapshot_free(l->snap);
    free(l);
}

static void live_release(struct live *l)
{
    if (l != NULL && atomic_fetch_sub(&l->refs, 1) == 1)
        live_free(l);
}

/* ---- Headers and tags ---- */

/* A strong ETag: the corpus version, the code (its build id) and the request
 * as parsed: what the body is a function of. */
static void make_etag(const struct live *l, const struct route_request *req, char *out)
{
    uint64_t h = model_hash_seeded(l->snap->version, 64, 0x1234);
    h = model_hash_seeded(l->ctx.build, strlen(l->ctx.build), h);
    h = model_hash_seeded(req->path, strlen(req->path), h);
    for (size_t i = 0; i < req->n_params; i++) {
        h = model_hash_seeded(req->params[i].name, strlen(req->params[i].name) + 1, h);
        h = model_hash_seeded(req->params[i].value, strlen(req->params[i].value) + 1, h);
    }
    snprintf(out, ETAG_SIZE, "\"%016llx\"", (unsigned long long)h);
}

/* The tag of etag's gzipped representation: "…" becomes "…-gz". */
static void gzip_tag(const char *etag, char *out)
{
    size_t n = strlen(etag);
    memcpy(out, etag, n - 1);
    memcpy(out + n - 1, "-gz\"", 5);
}

/* The lines of one request field, and their value joined by ", ". */
struct field_lines {
    const char *name;
    char *value; /* malloc'd; NULL while no line was found */
    size_t len;
};

static enum MHD_Result join_line(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    struct field_lines *f = cls;
    if (strcasecmp(key, f->name) != 0)
        return MHD_YES;
    const char *v = value != NULL ? value : "";
    size_t n = strlen(v), sep = f->value != NULL ? 2 : 0;
    char *joined = realloc(f->value, f->len + sep + n + 1);
    if (joined == NULL)
        return MHD_NO; /* what was joined stands */
    memcpy(joined + f->len, ", ", sep);
    memcpy(joined + f->len + sep, v, n + 1);
    f->value = joined;
    f->len += sep + n;
    return MHD_YES;
}

/* The value of the request field name, a list sent on one line or several
 * (RFC 9110 5.3): malloc'd, the caller frees it; NULL when it was not
 * sent. */
static char *field_list(struct MHD_Connection *conn, const char *name)
{
    struct field_lines f = {name, NULL, 0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, join_line, &f);
    return f.value;
}

/* Does the request's Accept-Encoding allow gzip? */
static int accepts_gzip(struct MHD_Connection *conn)
{
    char *ae = field_list(conn, "Accept-Encoding");
    int gzip = server_accepts_gzip(ae);
    free(ae);
    return gzip;
}

static void add_common_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
    MHD_add_response_header(r, "Access-Control-Expose-Headers",
                            "ETag, Link, Last-Modified, Content-Length");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
}

/* Validators and freshness of a cacheable 200 or its 304. */
static void add_cache_headers(const struct live *l, struct MHD_Response *r, const char *etag)
{
    MHD_add_response_header(r, "ETag", etag);
    MHD_add_response_header(r, "Last-Modified", l->last_modified);
    MHD_add_response_header(r, "Cache-Control", "public, max-age=60");
    MHD_add_response_header(r, "Vary", "Accept-Encoding");
}

/* What MHD asks of a rope at a time (and allocates for it). */
#define ROPE_BLOCK (64 * 1024)

/* How a response's body goes out: as it is, gzipped already, or gzipped as
 * MHD reads it (an answer too large to cache, to a client that accepts
 * gzip). */
enum coding { CODING_NONE, CODING_GZIPPED, CODING_GZIP_AS_SENT };

/* A body gzipped as MHD asks for it, which is in order: each read starts
 * where the last one ended (a gzip stream cannot go back). deflate's own
 * state is made at the first read (a HEAD has none) and freed at the end. */
struct gzip_stream {
    z_stream z;
    enum { GZ_NEW, GZ_RUNNING, GZ_DONE } state;
    size_t in_pos;    /* the plain bytes given to deflate */
    uint64_t out_pos; /* the gzip bytes given to MHD */
    /* the request's byte count for the access log: set by the reader,
     * which MHD calls in the request's thread and only before it reports
     * the request complete (and its request_state freed) */
    size_t *sent;
    char in[16 * 1024]; /* a rope's bytes, copied for deflate */
};

/* deflate's parameters for a body gzipped as it is sent, and the memory
 * they take: zconf.h's (1 << (windowBits + 2)) + (1 << (memLevel + 9)),
 * and a few KiB besides. */
#define SENT_WINDOW_BITS 15
#define SENT_MEM_LEVEL 8
#define DEFLATE_MEMORY \
    ((1 << (SENT_WINDOW_BITS + 2)) + (1 << (SENT_MEM_LEVEL + 9)) + 8 * 1024)

/* The memory rr's body holds until MHD has sent it, coded c: a body of its
 * own or a rope (none for bytes borrowed whole), the block MHD reads into
 * when a reader makes the body (a rope's, or gzip's), and gzip's state. */
static size_t held_bytes(const struct route_response *rr, enum coding c)
{
    int zip = c == CODING_GZIP_AS_SENT;
    size_t own = rr->rope != NULL ? route_rope_memory(rr->rope)
                                  : rr->body != NULL ? rr->body_len : 0;
    size_t block = rr->rope != NULL || zip ? ROPE_BLOCK : 0;
    return own + block + (zip ? sizeof(struct gzip_stream) + DEFLATE_MEMORY : 0);
}

/* Is rr, coded c, a large answer, built for its request? A rope is, unless
 * one of its fragments is larger than ROPE_BLOCK: its own bytes before the
 * first piece are within a fragment of ROUTE_ROPE_MIN. One gzipped as it
 * is sent always is. */
static int is_large(const struct route_response *rr, enum coding c)
{
    return held_bytes(rr, c) > LARGE_ANSWER;
}

/* A large answer while MHD sends it, counted in *held (n bytes, or 0 when
 * not counted) until MHD frees it: a body, or a rope read from wherever MHD
 * asks, which keeps its snapshot (the fragments it borrows) alive. */
struct large_answer {
    atomic_ulong *held;
    size_t n;
    char *body;
    struct route_rope *rope;
    struct route_rope_at at;
    struct live *live; /* referenced while rope is */
    size_t len;        /* the body's bytes, plain */
    struct gzip_stream *gz; /* gzipping it as it is sent, or NULL */
};

static void large_answer_free(void *cls)
{
    struct large_answer *a = cls;
    atomic_fetch_sub_explicit(a->held, a->n, memory_order_relaxed);
    free(a->body);
    route_rope_delete(a->rope);
    live_release(a->live);
    if (a->gz != NULL && a->gz->state == GZ_RUNNING)
        deflateEnd(&a->gz->z);
    free(a->gz);
    free(a);
}

/* MHD's content reader for a rope: max bytes from pos, which only goes
 * forward on a connection (but may fall inside what was read before). */
static ssize_t rope_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct large_answer *a = cls;
    size_t n = route_rope_read(a->rope, &a->at, (size_t)pos, buf, max);
    return n > 0 ? (ssize_t)n : MHD_CONTENT_READER_END_OF_STREAM;
}

/* Gives deflate a's next plain bytes (a block of the body, or of the rope
 * copied): their count, 0 at the end. */
static size_t gzip_feed(struct large_answer *a, struct gzip_stream *g)
{
    size_t n = a->len - g->in_pos;
    if (a->rope != NULL) {
        n = route_rope_read(a->rope, &a->at, g->in_pos, g->in, sizeof(g->in));
        g->z.next_in = (Bytef *)g->in;
    } else {
        n = n < sizeof(g->in) ? n : sizeof(g->in);
        g->z.next_in = (Bytef *)a->body + g->in_pos;
    }
    g->z.avail_in = (uInt)n;
    g->in_pos += n;
    return n;
}

/* MHD's content reader for a body gzipped as it is sent: fills buf (max
 * bytes, gzip from pos) whole, but for the stream's last bytes. */
static ssize_t gzip_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct large_answer *a = cls;
    struct gzip_stream *g = a->gz;
    if (pos != g->out_pos)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (g->state == GZ_DONE)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (g->state == GZ_NEW) {
        if (deflateInit2(&g->z, GZIP_LEVEL_SENT, Z_DEFLATED, SENT_WINDOW_BITS + 16,
                         SENT_MEM_LEVEL, Z_DEFAULT_STRATEGY) != Z_OK)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        g->state = GZ_RUNNING;
    }
    g->z.next_out = (Bytef *)buf;
    g->z.avail_out = (uInt)max;
    while (g->z.avail_out > 0 && g->state == GZ_RUNNING) {
        if (g->z.avail_in == 0 && g->in_pos < a->len && gzip_feed(a, g) == 0)
            return MHD_CONTENT_READER_END_WITH_ERROR; /* a rope shorter than it said */
        int last = g->z.avail_in == 0 && g->in_pos == a->len;
        int rc = deflate(&g->z, last ? Z_FINISH : Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            deflateEnd(&g->z); /* its memory back at once */
            g->state = GZ_DONE;
        } else if (rc != Z_OK) { /* Z_BUF_ERROR too: it always has input or finishes */
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
    }
    size_t n = max - g->z.avail_out;
    g->out_pos += n;
    *g->sent = (size_t)g->out_pos;
    return n > 0 ? (ssize_t)n : MHD_CONTENT_READER_END_OF_STREAM;
}

/* Counts the large answer rr, coded c, against --large-answers-mb: 0, or -1 (nothing
 * counted) when it would go over with others already held. */
static int large_reserve(struct server *srv, const struct route_response *rr, enum coding c)
{
    atomic_ulong *held = &srv->metrics.large_answer_bytes;
    size_t n = held_bytes(rr, c);
    unsigned long before = atomic_fetch_add_explicit(held, n, memory_order_relaxed);
    if (before == 0 || before + n <= srv->large_max)
        return 0;
    atomic_fetch_sub_explicit(held, n, memory_order_relaxed);
    atomic_fetch_add_explicit(&srv->metrics.large_answers_refused, 1, memory_order_relaxed);
    return -1;
}

/* A response for rr's large body or rope, coded c, whose held_bytes
 * large_admit has counted when counted is set: uncounted when MHD frees it,
 * or at once when no response can be made (rr keeps its body or rope then).
 * Gzipped as sent, its bytes are counted in st's as MHD reads them. */
static struct MHD_Response *large_response(struct live *l, struct route_response *rr,
                                           int counted, enum coding c, struct request_state *st)
{
    atomic_ulong *held = &l->ctx.metrics->large_answer_bytes;
    size_t n = counted ? held_bytes(rr, c) : 0;
    struct large_answer *a = malloc(sizeof(*a));
    struct gzip_stream *gz = c == CODING_GZIP_AS_SENT ? calloc(1, sizeof(*gz)) : NULL;
    if (a == NULL || (c == CODING_GZIP_AS_SENT && gz == NULL)) {
        free(a);
        free(gz);
        atomic_fetch_sub_explicit(held, n, memory_order_relaxed);
        return NULL;
    }
    *a = (struct large_answer){held, n, rr->body, rr->rope, {0, 0}, NULL, rr->body_len, gz};
    if (rr->rope != NULL) { /* its pieces are the snapshot's */
        a->live = l;
        atomic_fetch_add(&l->refs, 1);
    }
    struct MHD_Response *r;
    if (gz != NULL) {
        gz->sent = &st->bytes;
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, ROPE_BLOCK, gzip_reader, a,
                                              large_answer_free);
    } else if (rr->rope != NULL) {
        r = MHD_create_response_from_callback(rr->body_len, ROPE_BLOCK, rope_reader, a,
                                              large_answer_free);
    } else {
        r = MHD_create_response_from_buffer_with_free_callback_cls(rr->body_len, rr->body,
                                                                   large_answer_free, a);
    }
    if (r == NULL) {
        a->body = NULL; /* left to the caller */
        a->rope = NULL;
        large_answer_free(a);
        return NULL;
    }
    rr->rope = NULL; /* MHD owns it now */
    return r;
}

/* The one place route responses become HTTP responses: sets the common
 * headers. etag: the response is a cacheable 200. c: how its body is coded
 * (CODING_GZIP_AS_SENT: not borrowed, and st given). st: the request rr is
 * an answer built for, whose body, when large, large_admit has counted
 * (uncounted when MHD frees it); NULL for a response prebuilt or kept for
 * others, which is not counted (it lives as long as its snapshot). A rope
 * is sent a block at a time from its pieces. Returns NULL when out of
 * memory (rr's body or rope is left to route_response_free; queue() then
 * fails and MHD closes the connection). */
static struct MHD_Response *make_response(struct live *l, struct route_response *rr,
                                          const char *etag, enum coding c,
                                          struct request_state *st)
{
    int counted = st != NULL && is_large(rr, c); /* as large_admit() counted it */
    struct MHD_Response *r;
    if (rr->borrowed != NULL) /* prebuilt bytes of the live snapshot */
        r = MHD_create_response_from_buffer(rr->body_len, (void *)rr->borrowed,
                                            MHD_RESPMEM_PERSISTENT);
    else if (rr->rope != NULL || counted)
        r = large_response(l, rr, counted, c, st);
    else
        r = MHD_create_response_from_buffer(rr->body_len, rr->body,
                                            rr->body ? MHD_RESPMEM_MUST_FREE
                                                     : MHD_RESPMEM_PERSISTENT);
    if (r == NULL)
        return NULL;
    rr->body = NULL; /* MHD owns it now */
    add_common_headers(r);
    if (rr->content_type != NULL)
        MHD_add_response_header(r, "Content-Type", rr->content_type);
    if (c != CODING_NONE)
        MHD_add_response_header(r, "Content-Encoding", "gzip");
    if (etag != NULL)
        add_cache_headers(l, r, etag);
    else
        MHD_add_response_header(r, "Cache-Control", "no-store");
    if (rr->link != NULL && strlen(rr->link) <= LINK_MAX)
        MHD_add_response_header(r, "Link", rr->link);
    if (rr->status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, "Allow", ALLOW);
    return r;
}

/* Queues r (NULL: out of memory) as the answer to st with status; bytes:
 * its body's length, which the access log counts as sent (none to a HEAD).
 * r stays the caller's. */
static enum MHD_Result queue(struct MHD_Connection *conn, struct request_state *st,
                             int status, struct MHD_Response *r, size_t bytes)
{
    if (r == NULL) /* out of memory: MHD closes the connection */
        return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
    st->status = status;
    st->bytes = strcmp(st->method, "HEAD") == 0 ? 0 : bytes; /* MHD sends no body */
    return ret;
}

/* Sends rr (etag: the tag of a cacheable 200, or NULL), coded c. With
 * close, then closes the connection: what follows on it cannot be trusted
 * to be a request, or the server wants the socket back; retry_after: a
 * Retry-After value, or NULL. */
static enum MHD_Result reply_then(struct live *l, struct MHD_Connection *conn,
                                  struct request_state *st, struct route_response *rr,
                                  const char *etag, enum coding c, int close,
                                  const char *retry_after)
{
    size_t bytes = c == CODING_GZIP_AS_SENT ? 0 : rr->body_len; /* the reader counts */
    int status = rr->status;
    struct MHD_Response *r = make_response(l, rr, etag, c, st);
    if (r == NULL) {
        route_response_free(rr);
        return MHD_NO; /* out of memory: MHD closes the connection */
    }
    if (retry_after != NULL)
        MHD_add_response_header(r, "Retry-After", retry_after);
    if (close)
        MHD_add_response_header(r, "Connection", "close");
    enum MHD_Result ret = queue(conn, st, status, r, bytes);
    MHD_destroy_response(r);
    route_response_free(rr);
    return ret;
}

static enum MHD_Result reply(struct live *l, struct MHD_Connection *conn,
                             struct request_state *st, struct route_response *rr,
                             const char *etag)
{
    return reply_then(l, conn, st, rr, etag, CODING_NONE, 0, NULL);
}

static enum MHD_Result reply_preflight(struct MHD_Connection *conn, struct request_state *st)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    add_common_headers(r);
    MHD_add_response_header(r, "Allow", ALLOW);
    MHD_add_response_header(r, "Access-Control-Allow-Methods", ALLOW);
    MHD_add_response_header(r, "Access-Control-Allow-Headers",
                            "If-None-Match, If-Modified-Since, If-Match, If-Unmodified-Since, "
                            "Content-Type, Accept");
    MHD_add_response_header(r, "Access-Control-Max-Age", "86400");
    enum MHD_Result ret = queue(conn, st, MHD_HTTP_NO_CONTENT, r, 0);
    MHD_destroy_response(r);
    return ret;
}

/* A 304 has no body: MHD never reads one. */
static ssize_t no_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    (void)pos;
    (void)buf;
    (void)max;
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

/* A 304 for the representation tagged etag, whose 200 has a body of length
 * bytes (MHD_SIZE_UNKNOWN: one gzipped as it is sent, chunked). MHD 0.9.75
 * gives a 304 the Content-Length of its response's size, and RFC 9110 8.6
 * allows none but the 200's: so that is its size (a 304 of size 0 said
 * Content-Length: 0, which a cache updating the stored headers from it could
 * take for an empty body). Of an unknown size, MHD would write a chunked
 * body's last chunk after the 304's head, which the client would read as
 * the start of the next response: that one goes without either header, and
 * the connection is closed after it. */
static enum MHD_Result reply_not_modified(struct server *srv, const struct live *l,
                                          struct MHD_Connection *conn,
                                          struct request_state *st, const char *etag,
                                          uint64_t length)
{
    struct MHD_Response *r = MHD_create_response_from_callback(length, 1024, no_body, NULL,
                                                               NULL);
    if (r == NULL)
        return MHD_NO; /* out of memory: MHD closes the connection */
    if (length == MHD_SIZE_UNKNOWN)
        MHD_set_response_options(r, MHD_RF_HTTP_1_0_COMPATIBLE_STRICT, MHD_RO_END);
    add_common_headers(r);
    add_cache_headers(l, r, etag);
    enum MHD_Result ret = queue(conn, st, MHD_HTTP_NOT_MODIFIED, r, 0);
    MHD_destroy_response(r);
    atomic_fetch_add_explicit(&srv->metrics.not_modified, 1, memory_order_relaxed);
    return ret;
}

/* Was the corpus loaded at or before the HTTP-date in the request's field
 * name (If-Modified-Since, If-Unmodified-Since)? -1 when the field was not
 * sent or is not a date (then it is ignored, RFC 9110 13.1.3-4). */
static int loaded_by(const struct live *l, struct MHD_Connection *conn, const char *name)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
    time_t t;
    if (v == NULL || server_http_date(v, &t) != 0)
        return -1;
    return l->snap->loaded_at <= t;
}

/* For each representation the client could be sent (held[0] plain, held[1]
 * gzipped), the tag to answer 304 with when the client has it already, or
 * NULL (RFC 9110 13.1.2-3): If-None-Match (inm, NULL when not sent) names
 * that representation's own tag (W/ or not: the weak comparison) or is
 * "*"; without If-None-Match, If-Modified-Since is not before the corpus
 * was loaded. A client naming the other representation's tag (the gzip one
 * without asking for gzip, say) holds another one than it would be sent,
 * and gets a 200. tags: the two representations' tags. */
static void held_tags(const struct live *l, struct MHD_Connection *conn, const char *inm,
                      const char *const tags[2], const char *held[2])
{
    int unchanged = inm == NULL && loaded_by(l, conn, "If-Modified-Since") == 1;
    for (int i = 0; i < 2; i++) {
        int named = inm != NULL && server_tag_in(inm, tags[i]) != SERVER_TAG_NONE;
        held[i] = named || unchanged ? tags[i] : NULL;
    }
}

/* Do If-Match or, without it, If-Unmodified-Since fail (RFC 9110 13.1.1,
 * 13.1.4, 13.2.2)? If-Match must name a current tag strongly (either
 * representation's: both are current together) or be "*". Evaluated before
 * If-None-Match, on what would be a 200 (the caller's to check). */
static int precondition_fails(const struct live *l, struct MHD_Connection *conn,
                              const char *const tags[2])
{
    char *im = field_list(conn, "If-Match");
    if (im == NULL)
        return loaded_by(l, conn, "If-Unmodified-Since") == 0;
    int fails = server_tag_in(im, tags[0]) < SERVER_TAG_STRONG &&
                server_tag_in(im, tags[1]) < SERVER_TAG_STRONG;
    free(im);
    return fails;
}

/* ---- Prebuilt responses ---- */

/* gzip of body at zlib level, or NULL when it does not shrink it. */
static char *gzip_of(const char *body, size_t n, int level, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, n);
    char *out = malloc(cap);
    if (out == NULL) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)body;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END || *out_len >= n) {
        free(out);
        return NULL;
    }
    return out;
}

/* A response of rr's body (its own or borrowed) gzipped at level, with rr's
 * headers and tag: NULL when the body is under GZIP_MIN, when gzip would
 * not shrink it, or when out of memory. rr is left as it was; *len: the
 * gzipped body's bytes. */
static struct MHD_Response *gzipped_response(struct live *l, const struct route_response *rr,
                                             int level, const char *tag, size_t *len)
{
    const char *body = rr->borrowed != NULL ? rr->borrowed : rr->body;
    char *z = rr->body_len >= GZIP_MIN ? gzip_of(body, rr->body_len, level, len) : NULL;
    if (z == NULL)
        return NULL;
    struct route_response zr = *rr; /* its link and content type, borrowed */
    zr.body = z;
    zr.borrowed = NULL;
    zr.body_len = *len;
    struct MHD_Response *r = make_response(l, &zr, tag, CODING_GZIPPED, NULL);
    if (r == NULL)
        free(z);
    return r;
}

/* Builds the responses to path (without parameters) once, if it is a 200. */
static void prebuild(struct live *l, const char *path)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", path);
    struct route_request req;
    memset(&req, 0, sizeof(req));
    req.path = path;
    req.snap = l->snap;
    req.ctx = &l->ctx;
    route_handler h = route_split_path(buf, &req) == 0 ? route_match(&req) : NULL;
    struct route_response rr = {0};
    if (h == NULL || l->n_prebuilt == MAX_PREBUILT)
        return;
    h(&req, &rr);
    /* one body, sent as is to every client (a large /timeline is a rope) */
    if (rr.status != 200 || rr.uncacheable || route_response_flatten(&rr) != 0) {
        route_response_free(&rr);
        return;
    }
    struct prebuilt *p = &l->prebuilt[l->n_prebuilt++];
    p->path = path;
    make_etag(l, &req, p->etag);
    gzip_tag(p->etag, p->etag_gzip);
    p->gzip = gzipped_response(l, &rr, GZIP_LEVEL_PREBUILT, p->etag_gzip, &p->gzip_len);
    p->plain_len = rr.body_len;
    p->plain = make_response(l, &rr, p->etag, CODING_NONE, NULL);
    route_response_free(&rr);
    if (p->plain == NULL) { /* out of memory: built per request instead */
        if (p->gzip != NULL)
            MHD_destroy_response(p->gzip);
        memset(p, 0, sizeof(*p));
        l->n_prebuilt--;
    }
}

static const struct prebuilt *find_prebuilt(const struct live *l, const struct route_request *req)
{
    if (req->n_params != 0)
        return NULL;
    for (size_t i = 0; i < l->n_prebuilt; i++)
        if (strcmp(l->prebuilt[i].path, req->path) == 0)
            return &l->prebuilt[i];
    return NULL;
}

/* A live state for snap: renders every entity and builds the responses
 * that depend only on the snapshot. Takes snap. */
static struct live *live_new(const struct server *srv, struct model_snapshot *snap)
{
    struct live *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return NULL;
    atomic_init(&l->refs, 1);
    l->snap = snap;
    l->ctx = srv->base;
    l->render = route_render_build(snap);
    l->ctx.render = l->render;
    l->cache = srv->cache_bytes > 0 ? calloc(1, sizeof(*l->cache)) : NULL;
    for (size_t i = 0; l->cache != NULL && i < CACHE_LOCKS; i++)
        pthread_mutex_init(&l->cache->locks[i], NULL);
    if (l->cache != NULL)
        l->cache->max_bytes = srv->cache_bytes;
    struct tm tm;
    gmtime_r(&snap->loaded_at, &tm);
    strftime(l->last_modified, sizeof(l->last_modified), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    static const char *const fixed[] = {"/events", "/quotes", "/actors", "/sources",
                                        "/timeline", "/openapi.yaml"};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        prebuild(l, fixed[i]);
    return l;
}

/* ---- The access handler ---- */

/* The request as one byte string: the cache's exact key (malloc'd), or
 * NULL when out of memory. */
static char *cache_key(const struct route_request *req, size_t *len)
{
    size_t n = strlen(req->path) + 1;
    for (size_t i = 0; i < req->n_params; i++)
        n += strlen(req->params[i].name) + strlen(req->params[i].value) + 2;
    char *k = malloc(n), *o = k;
    if (k == NULL)
        return NULL; /* out of memory: answered without the cache */
    o = stpcpy(o, req->path) + 1;
    for (size_t i = 0; i < req->n_params; i++) {
        o = stpcpy(o, req->params[i].name) + 1;
        o = stpcpy(o, req->params[i].value) + 1;
    }
    *len = n;
    return k;
}

/* The slot of key (hash h) and its lock. */
static struct cache_entry *cache_slot(struct response_cache *c, uint64_t h,
                                      pthread_mutex_t **lock)
{
    size_t slot = (size_t)(h % CACHE_SLOTS);
    *lock = &c->locks[slot % CACHE_LOCKS];
    return &c->slots[slot];
}

/* A request as the cache sees it. */
struct cache_ask {
    const char *key; /* cache_key(): path, then name=value pairs, NUL-separated */
    size_t key_len;
    uint64_t h; /* of key */
    int gzip;   /* the client accepts gzip */
    const char *held[2]; /* held_tags() of the plain and gzipped answers */
};

/* What the cache did with a request. */
enum cache_hit {
    CACHE_MISS,
    CACHE_SENT,   /* queued the cached response (or its gzipped twin) */
    CACHE_HELD,   /* the client has it: answer 304 with the tag given */
    CACHE_TO_ZIP, /* a gzip client's first repeat: gzip the copy given */
};

/* Is e the entry cached for q's key? Under e's lock. */
static int cache_holds(const struct cache_entry *e, const struct cache_ask *q)
{
    return e->key != NULL && e->key_len == q->key_len && memcmp(e->key, q->key, q->key_len) == 0;
}

/* Copies e's body and headers into rr, under e's lock: 0, or -1 when out
 * of memory (rr then holds nothing). */
static int cache_copy(const struct cache_entry *e, struct route_response *rr)
{
    const char *link = MHD_get_response_header(e->response, "Link");
    *rr = (struct route_response){.status = 200, .body_len = e->body_len,
                                  .content_type = e->content_type};
    rr->body = malloc(e->body_len);
    rr->link = link != NULL ? strdup(link) : NULL;
    if (rr->body == NULL || (link != NULL && rr->link == NULL)) {
        route_response_free(rr);
        return -1;
    }
    memcpy(rr->body, e->body, e->body_len);
    return 0;
}

/* Looks q up. On a hit, the client that has the answer gets CACHE_HELD,
 * *tag and its length in *len; a client that accepts gzip, asking for an
 * answer of at least GZIP_MIN that has not been gzipped yet, gets
 * CACHE_TO_ZIP and a copy of it in *copy (compressed outside the lock, by
 * one request only; a 304 for it waits for its length); any other is
 * queued its response on conn (setting *ret), under the slot's lock, so
 * that a concurrent cache_put cannot drop the last reference to it first. */
static enum cache_hit cache_serve(struct response_cache *c, const struct cache_ask *q,
                                  struct MHD_Connection *conn, struct request_state *st,
                                  enum MHD_Result *ret, const char **tag, size_t *len,
                                  struct route_response *copy)
{
    pthread_mutex_t *lock;
    struct cache_entry *e = cache_slot(c, q->h, &lock);
    enum cache_hit hit = CACHE_MISS;
    pthread_mutex_lock(lock);
    if (cache_holds(e, q)) {
        int to_zip = q->gzip && !e->gzip_tried && e->body_len >= GZIP_MIN;
        int zipped = q->gzip && e->gzip != NULL;
        *tag = q->held[zipped || to_zip];
        *len = zipped ? e->gzip_len : e->body_len;
        if (*tag != NULL && !to_zip) {
            hit = CACHE_HELD;
        } else if (to_zip && cache_copy(e, copy) == 0) {
            e->gzip_tried = 1;
            hit = CACHE_TO_ZIP;
        } else {
            *ret = queue(conn, st, 200, zipped ? e->gzip : e->response,
                         zipped ? e->gzip_len : e->body_len);
            hit = CACHE_SENT;
        }
    }
    pthread_mutex_unlock(lock);
    return hit;
}

/* Evicts entries until cost more bytes fit, or the table is empty: a lock at
 * a time (never two held), each lock's slots from where it last stopped, so
 * a whole round takes CACHE_LOCKS lock acquisitions. */
static void cache_make_room(struct response_cache *c, size_t cost)
{
    for (size_t n = 0; n < CACHE_LOCKS && atomic_load(&c->bytes) + cost > c->max_bytes; n++) {
        size_t lock = atomic_fetch_add(&c->hand, 1) % CACHE_LOCKS;
        pthread_mutex_lock(&c->locks[lock]);
        for (size_t k = 0; k < CACHE_STRIPE && atomic_load(&c->bytes) + cost > c->max_bytes;
             k++) {
            size_t i = c->next[lock];
            c->next[lock] = (i + 1) % CACHE_STRIPE;
            cache_drop(c, &c->slots[i * CACHE_LOCKS + lock]);
        }
        pthread_mutex_unlock(&c->locks[lock]);
    }
}

/* Keeps n (a cacheable 200: its key, response, body and cost, the memory
 * it holds, at most CACHE_MAX_ENTRY: serve() sends larger answers
 * uncached) within the byte budget. Takes n's key and the caller's
 * reference to its response: both are released here if it is not kept. */
static void cache_put(struct response_cache *c, uint64_t h, const struct cache_entry *n)
{
    if (n->response != NULL)
        cache_make_room(c, n->cost);
    if (n->response == NULL || atomic_load(&c->bytes) + n->cost > c->max_bytes) {
        free(n->key);
        if (n->response != NULL)
            MHD_destroy_response(n->response);
        return;
    }
    pthread_mutex_t *lock;
    struct cache_entry *e = cache_slot(c, h, &lock);
    pthread_mutex_lock(lock);
    cache_drop(c, e);
    *e = *n;
    atomic_fetch_add(&c->bytes, n->cost);
    pthread_mutex_unlock(lock);
}

/* Keeps response, the gzipped twin (len bytes) of the answer cached for
 * q->key, beside it, if it is still cached and its cost fits. Takes the
 * caller's reference to response. An entry cached again for the same key
 * since is the same answer (a cache lives and dies with its snapshot). */
static void cache_put_gzip(struct response_cache *c, const struct cache_ask *q,
                           struct MHD_Response *response, size_t len)
{
    size_t cost = len + CACHE_ENTRY_OVERHEAD;
    cache_make_room(c, cost);
    pthread_mutex_t *lock;
    struct cache_entry *e = cache_slot(c, q->h, &lock);
    pthread_mutex_lock(lock);
    if (cache_holds(e, q) && e->gzip == NULL && atomic_load(&c->bytes) + cost <= c->max_bytes) {
        e->gzip = response;
        e->gzip_len = len;
        e->gzip_tried = 1;
        e->cost += cost;
        atomic_fetch_add(&c->bytes, cost);
        response = NULL;
    }
    pthread_mutex_unlock(lock);
    if (response != NULL)
        MHD_destroy_response(response);
}

/* Below, beside the connection limits whose refusals it answers too. */
static enum MHD_Result reply_unavailable(struct live *l, struct MHD_Connection *conn,
                                         struct request_state *st, const struct server *srv);
static int large_admit(struct server *srv, struct request_state *st,
                       const struct route_response *rr, enum coding c);

/* A gzip client's first repeat of a cached answer (CACHE_TO_ZIP): answers
 * with copy gzipped, which is kept beside the entry for the next ones, or
 * with copy itself when it cannot be (gzip would not shrink it, or out of
 * memory; the entry is not tried again). Takes copy. */
static enum MHD_Result serve_gzipped(struct server *srv, struct live *l,
                                     struct MHD_Connection *conn, struct request_state *st,
                                     const struct cache_ask *q, struct route_response *copy,
                                     const char *const tags[2])
{
    size_t zlen;
    struct MHD_Response *r = gzipped_response(l, copy, GZIP_LEVEL_RECENT, tags[1], &zlen);
    if (r == NULL)
        return reply(l, conn, st, copy, tags[0]);
    route_response_free(copy);
    enum MHD_Result ret = q->held[1] != NULL
                              ? reply_not_modified(srv, l, conn, st, q->held[1], zlen)
                              : queue(conn, st, 200, r, zlen);
    cache_put_gzip(l->cache, q, r, zlen);
    atomic_fetch_add_explicit(&srv->metrics.recent_gzipped, 1, memory_order_relaxed);
    return ret;
}

/* Would req be answered a 200 with a tag, to which alone preconditions
 * apply (RFC 9110 13.2.1)? Asked of the handler: rare enough. */
static int answer_has_tag(const struct route_request *req, route_handler h)
{
    struct route_response rr = {0};
    h(req, &rr);
    int tagged = rr.status == 200 && !rr.uncacheable;
    route_response_free(&rr);
    return tagged;
}

/* 412 to a request whose If-Match or If-Unmodified-Since failed. */
static enum MHD_Result reply_precondition_failed(struct live *l, struct MHD_Connection *conn,
                                                 struct request_state *st)
{
    struct route_response rr = {0};
    route_problem(&rr, 412, "Precondition Failed",
                  "If-Match names no current ETag of this resource, or it has changed "
                  "since If-Unmodified-Since; GET it again without them for the current "
                  "one and its ETag.", NULL, NULL);
    return reply(l, conn, st, &rr, NULL);
}

static enum MHD_Result serve(struct server *srv, struct live *l, struct MHD_Connection *conn,
                             struct request_state *st, const struct route_request *req,
                             route_handler h)
{
    char etag[ETAG_SIZE], etag_gz[ETAG_SIZE];
    make_etag(l, req, etag);
    gzip_tag(etag, etag_gz);
    const char *const tags[2] = {etag, etag_gz};
    /* Preconditions apply only to what would be a 200 (RFC 9110 13.2.1),
     * and a 304 carries the 200's Content-Length: so it is answered from a
     * prebuilt or cached answer, or after the handler has made one. */
    if (precondition_fails(l, conn, tags) && answer_has_tag(req, h))
        return reply_precondition_failed(l, conn, st);
    char *inm = field_list(conn, "If-None-Match");
    struct cache_ask q = {NULL, 0, 0, accepts_gzip(conn), {NULL, NULL}};
    held_tags(l, conn, inm, tags, q.held);
    free(inm);
    const struct prebuilt *p = find_prebuilt(l, req);
    if (p != NULL) {
        int zipped = q.gzip && p->gzip != NULL;
        if (q.held[zipped] != NULL)
            return reply_not_modified(srv, l, conn, st, q.held[zipped],
                                      zipped ? p->gzip_len : p->plain_len);
        atomic_fetch_add_explicit(&srv->metrics.prebuilt_hits, 1, memory_order_relaxed);
        return queue(conn, st, 200, zipped ? p->gzip : p->plain,
                     zipped ? p->gzip_len : p->plain_len);
    }
    /* Everything else asked for recently (filtered lists, single
     * resources) is sent as the response built for its first asker: a
     * query costs more than that, and so does building a response. */
    char *key = l->cache != NULL ? cache_key(req, &q.key_len) : NULL;
    q.key = key;
    q.h = key ? model_hash(key, q.key_len) : 0;
    enum MHD_Result ret = MHD_YES;
    const char *tag = NULL;
    struct route_response copy = {0};
    size_t held_len = 0;
    enum cache_hit hit = key ? cache_serve(l->cache, &q, conn, st, &ret, &tag, &held_len, &copy)
                             : CACHE_MISS;
    if (hit != CACHE_MISS) {
        atomic_fetch_add_explicit(&srv->metrics.recent_hits, 1, memory_order_relaxed);
        if (hit == CACHE_HELD)
            ret = reply_not_modified(srv, l, conn, st, tag, held_len);
        else if (hit == CACHE_TO_ZIP)
            ret = serve_gzipped(srv, l, conn, st, &q, &copy, tags);
        free(key);
        return ret;
    }
    struct route_response rr = {0};
    h(req, &rr);
    int cacheable = rr.status == 200 && !rr.uncacheable;
    /* a body borrowed from the snapshot costs the cache only its headers */
    size_t cost = q.key_len + CACHE_ENTRY_OVERHEAD + (rr.borrowed != NULL ? 0 : rr.body_len);
    /* What the cache cannot keep (a rope is read as it is sent; a body over
     * its largest entry) is gzipped as it is sent, when the client takes
     * gzip: it is not asked again from here. */
    int uncached = rr.rope != NULL || cost > CACHE_MAX_ENTRY;
    int zip = cacheable && q.gzip && uncached && rr.borrowed == NULL && rr.body_len >= GZIP_MIN;
    enum coding coding = zip ? CODING_GZIP_AS_SENT : CODING_NONE;
    if (cacheable && q.held[zip] != NULL) { /* for a 200: the client has it */
        size_t rr_len = rr.body_len;
        free(key);
        route_response_free(&rr);
        return reply_not_modified(srv, l, conn, st, q.held[zip],
                                  zip ? MHD_SIZE_UNKNOWN : rr_len);
    }
    if (is_large(&rr, coding) && large_admit(srv, st, &rr, coding) != 0) {
        free(key);
        route_response_free(&rr);
        return reply_unavailable(l, conn, st, srv);
    }
    if (cacheable && l->render != NULL)
        atomic_fetch_add_explicit(&srv->metrics.fragment_hits, 1, memory_order_relaxed);
    if (zip)
        atomic_fetch_add_explicit(&srv->metrics.sent_gzipped, 1, memory_order_relaxed);
    if (key == NULL || !cacheable || uncached) {
        free(key);
        return reply_then(l, conn, st, &rr, cacheable ? tags[zip] : NULL, coding, 0, NULL);
    }
    struct cache_entry n = {.key = key, .key_len = q.key_len,
                            .body = rr.borrowed != NULL ? rr.borrowed : rr.body,
                            .body_len = rr.body_len, .content_type = rr.content_type,
                            .cost = cost};
    n.response = make_response(l, &rr, etag, CODING_NONE, st);
    route_response_free(&rr);
    ret = queue(conn, st, 200, n.response, n.body_len);
    cache_put(l->cache, q.h, &n);
    return ret;
}

/* ---- Connections: the limit, and who makes room at it ---- */

/* MHD accepts up to twice the configured limit. A connection that starts
 * over the limit takes the place of one that has waited on its client for
 * at least EVICT_AFTER_MS, which is shut down (its client, if it comes back,
 * reconnects). First choice, the one that has waited longest for a request:
 * a new connection that has sent nothing, or no complete head or body yet,
 * or one idle between keep-alive requests; shutting it down loses no answer.
 * Failing that, the one that has waited longest for its client to read the
 * response in flight (TCP held back by the client's receive window). Without
 * this, as many slow connections as the limit (slow heads, slow bodies or
 * slow reads, as slowhttptest -H, -B and -X make them) kept every other
 * client out for as long as they lasted, since MHD's timeout restarts at
 * every byte; nginx frees idle keep-alive connections the same way. When no
 * connection has waited that long (every one is being answered), the
 * newcomer is marked, given a short timeout, and answered 503 with
 * Connection: close: a fast refusal instead of a wait in the kernel's
 * backlog. */
#define OVER_LIMIT ((void *)1)
/* A connection opened while its client's address already had
 * max_per_client: refused the same way (503, closed), without making room,
 * so that one client cannot take every place. */
#define OVER_CLIENT_LIMIT ((void *)2)
#define EVICT_AFTER_MS 1000

/* Is a connection's socket context one of the refusal marks? */
static int is_refusal(const void *socket_context)
{
    return socket_context == OVER_LIMIT || socket_context == OVER_CLIENT_LIMIT;
}

struct conn_entry {
    int fd;
    unsigned char addr[16]; /* its client's address: 4 bytes for IPv4 */
    unsigned char addr_len;
    /* CLOCK_MONOTONIC ms since when it waits for a request (its head or
     * body), 0 from a complete request until its response has been sent;
     * answering_since: since when its response has been in flight, 0 when
     * none is. Written by the connection's thread, read by the one looking
     * for room. */
    atomic_llong waiting_since;
    atomic_llong answering_since;
    atomic_int large; /* the response in flight is a large answer */
    atomic_ulong serving; /* the generation of the live state it answers from, 0: none */
    atomic_int evicted;
    struct conn_entry *prev, *next;
};

static long long mono_ms(const struct timespec *t)
{
    return (long long)t->tv_sec * 1000 + t->tv_nsec / 1000000;
}

static long long mono_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return mono_ms(&now);
}

/* How long, in ms, e has waited on its client to read its response: the
 * time since TCP last sent the client data (tcpi_last_data_sent), while
 * data waits in the socket (sent and not yet acknowledged, or held back by
 * the client's receive window), taken as at most the age of the response
 * in flight; 0 when none has been in flight for EVICT_AFTER_MS. A client
 * that reads gets data all the time, however slow its network or its
 * reads; one that has stopped reading gets none (the kernel's probes of a
 * closed window carry no data). Not tcpi_rwnd_limited: Linux sums that
 * over the connection's life, so a client that had once paused (in an
 * earlier answer, or at the start of this one) would look stalled for
 * good, however fast it read afterwards. */
static long long read_wait_ms(const struct conn_entry *e, long long now)
{
    long long since = atomic_load_explicit(&e->answering_since, memory_order_relaxed);
    if (since == 0 || now - since < EVICT_AFTER_MS)
        return 0;
    struct tcp_info ti;
    socklen_t len = sizeof(ti);
    memset(&ti, 0, sizeof(ti));
    if (getsockopt(e->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 ||
        len < offsetof(struct tcp_info, tcpi_notsent_bytes) + sizeof(ti.tcpi_notsent_bytes))
        return 0; /* a kernel older than 4.6 does not say */
    if (ti.tcpi_unacked == 0 && ti.tcpi_notsent_bytes == 0)
        return 0; /* nothing waits for the client: the server is the slow one */
    long long idle = (long long)ti.tcpi_last_data_sent;
    return idle < now - since ? idle : now - since;
}

/* read_wait_ms of e when it is at least EVICT_AFTER_MS and e is not being
 * shut down already (a connection that may be evicted for it), else 0. */
static long long stalled_ms(const struct conn_entry *e, long long now)
{
    if (atomic_load(&e->evicted))
        return 0;
    long long waited = read_wait_ms(e, now);
    return waited >= EVICT_AFTER_MS ? waited : 0;
}

/* The connection whose client has left its response unread longest, and
 * at least EVICT_AFTER_MS (only among those sending a large answer when
 * large_only is set); NULL when none has. Under conns_lock. */
static struct conn_entry *longest_reading(struct server *srv, long long now, int large_only)
{
    struct conn_entry *pick = NULL;
    long long longest = 0;
    for (struct conn_entry *e = srv->conns; e != NULL; e = e->next) {
        if (large_only && !atomic_load_explicit(&e->large, memory_order_relaxed))
            continue;
        long long waited = stalled_ms(e, now);
        if (waited > longest) {
            longest = waited;
            pick = e;
        }
    }
    return pick;
}

/* The connection that has waited longest, and at least EVICT_AFTER_MS, for
 * a request, or failing that for its client to read; NULL when none has.
 * *reading says which. Under conns_lock. */
static struct conn_entry *longest_waiting(struct server *srv, long long now, int *reading)
{
    struct conn_entry *pick = NULL;
    long long longest = EVICT_AFTER_MS - 1;
    for (struct conn_entry *e = srv->conns; e != NULL; e = e->next) {
        long long since = atomic_load_explicit(&e->waiting_since, memory_order_relaxed);
        if (since != 0 && now - since > longest && !atomic_load(&e->evicted)) {
            longest = now - since;
            pick = e;
        }
    }
    *reading = pick == NULL;
    return pick != NULL ? pick : longest_reading(srv, now, 0);
}

/* Shuts e down (reading: its client has left its response unread). Under
 * conns_lock, taken by the caller: an entry leaves the list (on MHD's
 * CLOSED notification) before MHD closes its socket, so the fd is never one
 * that has since been given to another connection. */
static void evict(struct server *srv, struct conn_entry *e, int reading)
{
    atomic_store(&e->evicted, 1);
    if (reading) {
        /* What the client has not read is dropped with a reset when MHD
         * closes the socket, rather than kept in the kernel for it. */
        struct linger reset = {.l_onoff = 1, .l_linger = 0};
        setsockopt(e->fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
    }
    shutdown(e->fd, SHUT_RDWR); /* MHD reads its end and closes it */
    atomic_fetch_add_explicit(reading ? &srv->metrics.evicted_reading
                                      : &srv->metrics.evicted_waiting,
                              1, memory_order_relaxed);
}

/* Shuts down the connection longest_waiting picks, if any: 1 if one was. */
static int evict_longest_waiting(struct server *srv)
{
    int reading;
    struct conn_entry *pick = longest_waiting(srv, mono_now_ms(), &reading);
    if (pick != NULL)
        evict(srv, pick, reading);
    return pick != NULL;
}

/* When a large answer finds --large-answers-mb taken: shuts down the
 * connection whose client has left a large answer unread longest (at least
 * EVICT_AFTER_MS), if any, so that the memory it holds is freed and the
 * refused client, coming back after its Retry-After, finds room. Without
 * this, clients asking for large answers and not reading them kept every
 * other large answer refused for as long as they lasted. */
static void evict_slowest_large_reader(struct server *srv)
{
    pthread_mutex_lock(&srv->conns_lock);
    struct conn_entry *pick = longest_reading(srv, mono_now_ms(), 1);
    if (pick != NULL)
        evict(srv, pick, 1);
    pthread_mutex_unlock(&srv->conns_lock);
}

/* Copies the address of sa into e (for the per-client limit). */
static void set_client(struct conn_entry *e, const struct sockaddr *sa)
{
    if (sa != NULL && sa->sa_family == AF_INET) {
        memcpy(e->addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        e->addr_len = 4;
    } else if (sa != NULL && sa->sa_family == AF_INET6) {
        memcpy(e->addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        e->addr_len = 16;
    }
}

/* Connections in the list from e's client. Under conns_lock. */
static unsigned client_connections(const struct server *srv, const struct conn_entry *e)
{
    unsigned n = 0;
    for (const struct conn_entry *o = srv->conns; o != NULL; o = o->next)
        n += o->addr_len == e->addr_len && memcmp(o->addr, e->addr, e->addr_len) == 0;
    return n;
}

/* Enters e in the list, or says why it is refused: OVER_CLIENT_LIMIT, or
 * OVER_LIMIT when no connection could be evicted to make room for it.
 * Counting and entering under one lock: two connections of one client
 * opened at once cannot both pass as the last one allowed. */
static void *conn_enter(struct server *srv, struct conn_entry *e, unsigned open)
{
    void *refused = NULL;
    pthread_mutex_lock(&srv->conns_lock);
    if (srv->max_per_client != 0 && e->addr_len != 0 &&
        client_connections(srv, e) >= srv->max_per_client)
        refused = OVER_CLIENT_LIMIT;
    else if (open > srv->max_connections && !evict_longest_waiting(srv))
        refused = OVER_LIMIT;
    if (refused == NULL) {
        e->next = srv->conns;
        if (e->next != NULL)
            e->next->prev = e;
        srv->conns = e;
    }
    pthread_mutex_unlock(&srv->conns_lock);
    return refused;
}

static void conn_started(struct server *srv, struct MHD_Connection *conn, void **socket_context)
{
    unsigned n = (unsigned)atomic_fetch_add(&srv->metrics.connections_open, 1) + 1;
    const union MHD_ConnectionInfo *fd =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    const union MHD_ConnectionInfo *addr =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    struct conn_entry *e = fd != NULL ? calloc(1, sizeof(*e)) : NULL;
    void *refused = OVER_LIMIT;
    if (e != NULL) {
        e->fd = fd->connect_fd;
        set_client(e, addr != NULL ? addr->client_addr : NULL);
        atomic_init(&e->waiting_since, mono_now_ms());
        atomic_init(&e->answering_since, 0);
        atomic_init(&e->large, 0);
        atomic_init(&e->serving, 0);
        refused = conn_enter(srv, e, n);
    }
    if (refused != NULL) {
        free(e);
        *socket_context = refused;
        MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, (unsigned)2);
        return;
    }
    *socket_context = e;
}

static void conn_closed(struct server *srv, void *socket_context)
{
    atomic_fetch_sub(&srv->metrics.connections_open, 1);
    struct conn_entry *e = socket_context;
    if (e == NULL || is_refusal(e))
        return;
    pthread_mutex_lock(&srv->conns_lock);
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        srv->conns = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    pthread_mutex_unlock(&srv->conns_lock);
    free(e);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    if (toe == MHD_CONNECTION_NOTIFY_STARTED)
        conn_started(cls, conn, socket_context);
    else
        conn_closed(cls, *socket_context);
}

/* The entry of conn (NULL or a refusal mark when it has none). */
static struct conn_entry *conn_entry_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci != NULL ? ci->socket_context : NULL;
}

static int has_entry(const struct request_state *st)
{
    return st->conn != NULL && !is_refusal(st->conn);
}

/* Counts rr, a large answer coded c, against --large-answers-mb and marks
 * st's connection as sending one (until the request ends): 0; or -1,
 * nothing counted, when it would go over, after making room for the next
 * try. */
static int large_admit(struct server *srv, struct request_state *st,
                       const struct route_response *rr, enum coding c)
{
    if (large_reserve(srv, rr, c) != 0) {
        evict_slowest_large_reader(srv);
        return -1;
    }
    if (has_entry(st))
        atomic_store_explicit(&st->conn->large, 1, memory_order_relaxed);
    return 0;
}

/* 503 with Retry-After: 1, the connection closed after (the client comes
 * back on a new one): for a connection refused at a limit (st->conn is a
 * refusal mark), or for a large answer that would take what large answers
 * hold over --large-answers-mb. */
static enum MHD_Result reply_unavailable(struct live *l, struct MHD_Connection *conn,
                                         struct request_state *st, const struct server *srv)
{
    struct route_response rr = {0};
    char detail[300];
    if (st->conn == OVER_CLIENT_LIMIT)
        snprintf(detail, sizeof(detail), "Your address already has %u connections open to "
                 "this server, the most it serves one client; send your requests on those "
                 "(keep-alive), or close one.", srv->max_per_client);
    else if (st->conn == OVER_LIMIT)
        snprintf(detail, sizeof(detail), "The server has too many open connections; try "
                 "again in a moment.");
    else
        snprintf(detail, sizeof(detail), "Large answers being sent to other clients (each "
                 "holding over %d KiB) hold %lu MiB, the most this server holds "
                 "(--large-answers-mb); try again in a moment, or ask for less (a smaller "
                 "limit, or from and to).", LARGE_ANSWER / 1024, srv->large_max >> 20);
    route_problem(&rr, MHD_HTTP_SERVICE_UNAVAILABLE, "Service Unavailable", detail, NULL, NULL);
    return reply_then(l, conn, st, &rr, NULL, CODING_NONE, 1, "1");
}

static enum MHD_Result reply_not_allowed(struct live *l, struct MHD_Connection *conn,
                                        struct request_state *st, const char *method)
{
    struct route_response rr = {0};
    char detail[160];
    snprintf(detail, sizeof(detail), "%.20s is not supported; this API is read-only and "
             "allows " ALLOW ".", method);
    route_problem(&rr, MHD_HTTP_METHOD_NOT_ALLOWED, "Method Not Allowed", detail, NULL, NULL);
    return reply(l, conn, st, &rr, NULL);
}

static enum MHD_Result handle(struct server *srv, struct MHD_Connection *conn,
                              const char *method, struct request_state *st)
{
    struct live *l = live_acquire(srv, &st->reload);
    st->live = l; /* both released once the response has been sent */
    if (has_entry(st)) { /* the whole request is in: now its answer is */
        atomic_store_explicit(&st->conn->waiting_since, 0, memory_order_relaxed);
        atomic_store_explicit(&st->conn->answering_since, mono_now_ms(), memory_order_relaxed);
        atomic_store_explicit(&st->conn->serving, l->generation, memory_order_relaxed);
    }
    struct route_response rr = {0};
    if (is_refusal(st->conn))
        return reply_unavailable(l, conn, st, srv);
    if (st->head_status != 0) {
        server_head_check(&st->head, st->http10, &rr); /* its problem */
        return reply_then(l, conn, st, &rr, NULL, CODING_NONE, 1, NULL);
    }
    if (st->bad_target) {
        route_problem(&rr, 400, "Malformed request target",
                      "The request target has a NUL byte; percent-encode it as %00 "
                      "(which is refused too: a NUL is never valid here).", NULL, NULL);
        return reply(l, conn, st, &rr, NULL);
    }
    if (st->uri == NULL || st->uri_len > MAX_URI) {
        route_problem(&rr, MHD_HTTP_URI_TOO_LONG, "URI Too Long",
                      "The request URI is longer than 8192 bytes; use fewer or shorter "
                      "query parameters.", NULL, NULL);
        return reply(l, conn, st, &rr, NULL);
    }
    /* The target forms that go with a method (RFC 9112 3.2.3-4), which
     * uri.c refuses with any other: OPTIONS * asks what the whole server
     * allows; CONNECT host:port asks for a tunnel, not made here. */
    if (strcmp(st->uri, "*") == 0 && strcmp(method, "OPTIONS") == 0)
        return reply_preflight(conn, st);
    if (st->uri[0] != '/' && strcmp(method, "CONNECT") == 0)
        return reply_not_allowed(l, conn, st, method);
    struct route_context ctx = l->ctx;
    ctx.last_reload_error = st->reload && st->reload->failed ? st->reload->error : NULL;
    ctx.last_reload_at = st->reload ? st->reload->at : NULL;
    struct server_uri p;
    memset(&p, 0, sizeof(p));
    p.req.snap = l->snap;
    p.req.ctx = &ctx;
    enum MHD_Result ret;
    char *pathbuf = NULL;
    if (server_parse_uri(st->uri, &p, &rr) != 0) {
        ret = reply(l, conn, st, &rr, NULL);
        goto done;
    }
    /* The path first: nothing there is a 404 whatever the method. */
    pathbuf = strdup(p.req.path);
    if (pathbuf == NULL) {
        ret = MHD_NO; /* out of memory: MHD closes the connection */
        goto done;
    }
    if (route_split_path(pathbuf, &p.req) == 0)
        st->route = route_match_index(&p.req);
    if (st->route == route_table_size) {
        route_not_found(&p.req, &rr);
        ret = reply(l, conn, st, &rr, NULL);
        goto done;
    }
    if (strcmp(method, "OPTIONS") == 0) {
        ret = reply_preflight(conn, st);
        goto done;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        ret = reply_not_allowed(l, conn, st, method);
        goto done;
    }
    ret = serve(srv, l, conn, st, &p.req, route_table[st->route].handler);
done:
    free(pathbuf);
    free(p.buf);
    return ret;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    struct request_state *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return NULL;
    st->conn = conn_entry_of(conn);
    st->uri = strdup(uri);
    st->uri_len = strlen(uri);
    st->route = route_table_size; /* "none" until handle() matches one */
    clock_gettime(CLOCK_MONOTONIC, &st->started);
    /* MHD would parse every query parameter into its per-connection pool,
     * and close the connection without a reply when they do not fit; uri.c
     * parses the copy above itself, so MHD's own is left an empty query. */
    char *q = strchr(uri, '?');
    if (q != NULL && q[1] != '\0')
        q[1] = '\0';
    return st;
}

static enum MHD_Result head_field(void *cls, enum MHD_ValueKind kind, const char *name,
                                 const char *value)
{
    (void)kind;
    server_head_field(cls, name, value);
    return MHD_YES;
}

/* MHD must not decode anything: the raw URI is parsed strictly in uri.c. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)url;
    (void)version;
    struct request_state *st = *con_cls;
    if (st == NULL)
        return MHD_NO; /* out of memory in on_uri */
    if (!st->seen) {
        st->seen = 1; /* queue on the second call, or keep-alive is lost */
        st->method_cut = snprintf(st->method, sizeof(st->method), "%s", method) >=
                         (int)sizeof(st->method);
        /* The request line runs up to the version: a target shorter than
         * that had a NUL byte in it, which MHD cut it at. */
        if (url != NULL && version != NULL && version > url &&
            (size_t)(version - 1 - url) != st->uri_len)
            st->bad_target = 1;
        st->http10 = version != NULL && strcmp(version, MHD_HTTP_VERSION_1_0) == 0;
        MHD_get_connection_values(conn, MHD_HEADER_KIND, head_field, &st->head);
        /* A head that must be refused (a body whose end is ambiguous is
         * not read at all): answered now, with the connection closed after. */
        st->head_status = server_head_check(&st->head, st->http10, NULL);
        if (st->head_status != 0)
            return handle(cls, conn, method, st);
        return MHD_YES;
    }
    /* MHD 0.9.75 sends 100 Continue to Expect: 100-continue even when the
     * request declares no body; then, when another request is pipelined
     * behind it, it offers those bytes as a body of 0 bytes before the
     * request is whole, in a state where a response cannot be queued
     * (answering there lost both answers and the connection). The call
     * for the whole request comes next, without data. */
    if (*upload_data_size == 0 && upload_data != NULL)
        return MHD_YES;
    if (*upload_data_size != 0) {
        st->body_bytes += *upload_data_size;
        *upload_data_size = 0; /* a body on a read-only API is ignored... */
        /* ...up to a point. A declared length over it was refused on the
         * first call; a chunked body cannot be answered before its end
         * (MHD 0.9.75 refuses a response then), so its connection is
         * closed. */
        return st->body_bytes > SERVER_MAX_BODY ? MHD_NO : MHD_YES;
    }
    if (st->live != NULL)
        return MHD_YES; /* already answered */
    return handle(cls, conn, method, st);
}

/* Appends ` key="value"` to the line at *at (ending before end), with
 * every byte that could forge a field or a line (quote, backslash, control
 * and non-ASCII bytes) written as \xHH, and at most max bytes of value.
 * Returns 1 when the value was cut short. */
static int log_field(char **at, char *end, const char *key, const char *v, size_t n,
                     size_t max)
{
    static const char hex[] = "0123456789abcdef";
    char *o = *at;
    o += snprintf(o, (size_t)(end - o), " %s=\"", key);
    size_t i = 0;
    for (; i < n && i < max && end - o > 6; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = 'x';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        } else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    *at = o;
    return i < n;
}

enum { LOG_PATH_MAX = 400, LOG_QUERY_MAX = 800 };

/* Why a request ended before its answer was sent. */
static const char *closed_reason(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return "timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return "shutdown";
    case MHD_REQUEST_TERMINATED_READ_ERROR:
        return "read_error";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
        return "client_abort";
    default:
        return "error"; /* e.g. libmicrohttpd closed it without an answer */
    }
}

/* One line per request on stderr, written with one write(2) so that lines
 * from different threads never interleave:
 *   access method="GET" status=200 bytes=1234 us=56 path="/events"
 *   query="actor=x" (when the target has a query) cut=1 (when a value was
 *   shortened). A request that ended before we answered it has status=0
 *   and closed="timeout" (or another closed_reason, or "body_too_long":
 *   a chunked body over SERVER_MAX_BODY); one whose answer was cut off
 *   (its client stopped reading, say) has its status and the closed field
 *   too, bytes being what it would have had; one that
 *   libmicrohttpd answered itself before calling us (a head too large for
 *   its buffer: 431) has its status, bytes=0 (its body is not ours to
 *   count), an empty method and by="libmicrohttpd". The values are the raw
 *   bytes the client sent, escaped by log_field. */
static void access_log(const struct request_state *st, long long us,
                       enum MHD_RequestTerminationCode toe)
{
    /* Room for every field at its longest, each byte escaped: log_field
     * never has to cut a value for want of room. */
    char line[160 + 4 * (sizeof(st->method) + LOG_PATH_MAX + LOG_QUERY_MAX)];
    char *o = line, *end = line + sizeof(line) - 16; /* room for " cut=1\n" */
    const char *target = st->uri != NULL ? st->uri : "";
    size_t path_len = strcspn(target, "?");
    int cut = st->method_cut;
    o += snprintf(o, (size_t)(end - o), "access");
    cut |= log_field(&o, end, "method", st->method, strlen(st->method), sizeof(st->method));
    o += snprintf(o, (size_t)(end - o), " status=%d bytes=%zu us=%lld", st->status, st->bytes,
                  us);
    cut |= log_field(&o, end, "path", target, path_len, LOG_PATH_MAX);
    if (target[path_len] == '?')
        cut |= log_field(&o, end, "query", target + path_len + 1, st->uri_len - path_len - 1,
                         LOG_QUERY_MAX);
    if (st->status == 0 || (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && !st->by_library))
        o += snprintf(o, (size_t)(end - o), " closed=\"%s\"",
                      st->body_bytes > SERVER_MAX_BODY ? "body_too_long" :
                      has_entry(st) && atomic_load(&st->conn->evicted) ? "evicted" :
                      closed_reason(toe));
    if (st->by_library)
        o += snprintf(o, (size_t)(end - o), " by=\"libmicrohttpd\"");
    if (cut)
        o += snprintf(o, 16, " cut=1");
    *o++ = '\n';
    ssize_t w = write(STDERR_FILENO, line, (size_t)(o - line));
    (void)w; /* a log that cannot be written is not worth failing a request */
}

/* A request we never answered may have had libmicrohttpd's own answer
 * (it refuses a head too large for its buffer with a 431 before calling
 * on_request): take its status, so that the log and /metrics count it. */
static void take_library_status(struct MHD_Connection *conn, struct request_state *st)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_HTTP_STATUS);
    if (ci == NULL || ci->http_status == 0)
        return;
    st->status = (int)ci->http_status;
    st->by_library = 1;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *srv = cls;
    struct request_state *st = *con_cls;
    if (st == NULL)
        return;
    if (st->status == 0)
        take_library_status(conn, st);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long us = (now.tv_sec - st->started.tv_sec) * 1000000LL +
                   (now.tv_nsec - st->started.tv_nsec) / 1000;
    if (st->status != 0)
        metrics_count(&srv->metrics, st->route, st->status, (unsigned long)us);
    /* MHD says a request has ended before it says its connection closed. */
    if (has_entry(st)) {
        atomic_store_explicit(&st->conn->large, 0, memory_order_relaxed);
        atomic_store_explicit(&st->conn->serving, 0, memory_order_relaxed);
        atomic_store_explicit(&st->conn->answering_since, 0, memory_order_relaxed);
        atomic_store_explicit(&st->conn->waiting_since, mono_ms(&now), memory_order_relaxed);
    }
    if (srv->access_log)
        access_log(st, us, toe);
    live_release(st->live);
    status_release(st->reload);
    free(st->uri);
    free(st);
    *con_cls = NULL;
}

/* libmicrohttpd's messages, as one line written with one write(2), as the
 * access log's are: two stdio calls let another thread's line in between
 * (the access log's lines never interleave only if nobody else's do). A
 * control byte in a message (it may quote a client) is written as '?', so
 * that a client cannot forge a line; a message too long is cut. */
__attribute__((format(printf, 2, 0))) static void on_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    static const char prefix[] = "timeline-server: libmicrohttpd: ";
    char line[1024];
    memcpy(line, prefix, sizeof(prefix) - 1);
    int n = vsnprintf(line + sizeof(prefix) - 1, sizeof(line) - sizeof(prefix), fmt, ap);
    size_t len = sizeof(prefix) - 1 + (n < 0 ? 0 : (size_t)n);
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    while (len > sizeof(prefix) - 1 && line[len - 1] == '\n')
        len--;
    for (size_t i = sizeof(prefix) - 1; i < len; i++)
        if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
            line[i] = '?';
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w; /* as in access_log */
}

/* Descriptors the process needs beside its connections: stdio, the listening
 * socket, one event descriptor per pool thread (added apart), what a reload
 * opens (a directory and a file of the corpus, of the originals) and any the
 * parent left open. */
#define SPARE_DESCRIPTORS 64

/* Descriptors needed to serve n connections (accepting up to twice n). */
static rlim_t descriptors_for(unsigned n, unsigned threads)
{
    return 2 * (rlim_t)n + SPARE_DESCRIPTORS + threads;
}

/* The connections that can be served with the process's descriptors, up to
 * wanted; 0 when too few for one. Every connection the daemon accepts takes a
 * descriptor, and it accepts up to twice the number served: the others are
 * answered 503, or make room by evicting one that waits. When accept() fails
 * for lack of descriptors, libmicrohttpd just stops accepting until one
 * closes: connections below the limit would then hold every place with no
 * 503 and no eviction (ulimit -n 256, 600 idle connections: every /health
 * probe timed out). So the soft limit is raised as far as the hard one
 * allows (what systemd asks of programs that need more than 1,024), and when
 * that is not enough, fewer are served. Sets *have to the soft limit. */
static unsigned fit_descriptors(unsigned wanted, unsigned threads, rlim_t *have)
{
    struct rlimit rl;
    rlim_t spare = descriptors_for(0, threads), need = descriptors_for(wanted, threads);
    *have = RLIM_INFINITY;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return wanted;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        struct rlimit raised = {rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need
                                    ? rl.rlim_max : need, rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            rl.rlim_cur = raised.rlim_cur;
    }
    *have = rl.rlim_cur;
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
        return wanted;
    return rl.rlim_cur > spare ? (unsigned)((rl.rlim_cur - spare) / 2) : 0;
}

/* Frees srv and what it holds; its daemon is stopped (or never started). */
static void server_free(struct server *srv)
{
    live_release(srv->current);
    status_release(srv->status);
    pthread_mutex_destroy(&srv->lock);
    pthread_mutex_destroy(&srv->conns_lock);
    free(srv);
}

struct server *server_start(const struct server_config *cfg, struct model_snapshot *snap,
                            const struct route_context *ctx, char *err, size_t errlen)
{
    struct server *srv = calloc(1, sizeof(*srv));
    pthread_mutex_init(&srv->lock, NULL);
    pthread_mutex_init(&srv->conns_lock, NULL);
    srv->base = *ctx;
    srv->base.metrics = &srv->metrics;
    srv->access_log = cfg->access_log;
    srv->cache_bytes = (size_t)cfg->cache_mb << 20;
    srv->max_per_client = cfg->max_per_client;
    srv->large_max = (unsigned long)cfg->large_mb << 20;
    srv->current = live_new(srv, snap); /* taken: freed by server_free on failure too */
    if (srv->current == NULL) {
        model_snapshot_free(snap);
        snprintf(err, errlen, "out of memory");
        server_free(srv);
        return NULL;
    }
    srv->current->generation = 1;

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
        server_free(srv);
        return NULL;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cfg->threads ? cfg->threads : (cores > 0 ? (unsigned)cores : 1);
    rlim_t fds;
    srv->max_connections = fit_descriptors(cfg->max_connections, threads, &fds);
    if (srv->max_connections == 0) {
        snprintf(err, errlen, "the open-file limit (ulimit -n) is %llu, too low to serve "
                 "connections: raise it to %llu or more", (unsigned long long)fds,
                 (unsigned long long)descriptors_for(1, threads));
        server_free(srv);
        return NULL;
    }
    if (srv->max_connections < cfg->max_connections)
        fprintf(stderr, "timeline-server: the open-file limit (ulimit -n, hard limit "
                "included) is %llu: serving at most %u connections, not the %u of "
                "--max-connections, which needs %llu\n", (unsigned long long)fds,
                srv->max_connections, cfg->max_connections,
                (unsigned long long)descriptors_for(cfg->max_connections, threads));
    atomic_init(&srv->metrics.connections_limit, srv->max_connections);
    /* One thread is the daemon's own poll thread: MHD warns of a pool of one
     * (or of none), so then the option is left out. */
    struct MHD_OptionItem pool[] = {
        {threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (intptr_t)threads, NULL},
        {MHD_OPTION_END, 0, NULL}};
    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, on_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_ARRAY, pool,
        MHD_OPTION_CONNECTION_LIMIT, 2 * srv->max_connections,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
        /* MHD zeroes this pool between keep-alive requests, so it costs its
         * size per request (32 KiB measured 12% of the server's CPU at 128
         * connections); it holds the request line and headers only, since
         * on_uri hides the query string from MHD's own parser, and 16 KiB
         * holds a target of MAX_URI bytes with a few KiB of headers. A head
         * that fills it to within ~450 bytes leaves no room for the reply's
         * headers: MHD 0.9.75 then closes the connection without an answer
         * (a larger one gets MHD's own 414/431). */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
        MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_END);
    if (srv->daemon == NULL) {
        snprintf(err, errlen, "cannot listen on %s port %u (in use, or not allowed)",
                 cfg->bind, cfg->port);
        server_free(srv);
        return NULL;
    }
    return srv;
}

int server_reload(struct server *srv, struct model_snapshot *snap, const char *error)
{
    struct live *fresh = snap ? live_new(srv, snap) : NULL; /* built beside the live one */
    if (snap != NULL && fresh == NULL) {
        model_snapshot_free(snap);
        snap = NULL;
        error = "out of memory for the new corpus";
    }
    if (snap == NULL && error == NULL)
        error = "the corpus could not be loaded";
    if (fresh != NULL) /* current is swapped by this thread only: read without the lock */
        fresh->generation = srv->current->generation + 1;
    size_t elen = snap == NULL ? strlen(error) : 0;
    struct reload_status *status = malloc(sizeof(*status) + elen + 1);
    if (status != NULL) { /* else /health keeps the last one */
        atomic_init(&status->refs, 1);
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(status->at, sizeof(status->at), "%Y-%m-%dT%H:%M:%SZ", &tm);
        status->failed = snap == NULL;
        memcpy(status->error, snap == NULL ? error : "", elen + 1);
    }
    pthread_mutex_lock(&srv->lock);
    struct live *old = fresh ? srv->current : NULL;
    if (fresh != NULL)
        srv->current = fresh;
    struct reload_status *old_status = status != NULL ? srv->status : NULL;
    if (status != NULL)
        srv->status = status;
    pthread_mutex_unlock(&srv->lock);
    if (old != NULL) {
        atomic_store(&old->replaced, 1);
        atomic_fetch_add(&srv->metrics.corpora_replaced, 1);
    }
    live_release(old); /* freed here, or by its last request in flight */
    status_release(old_status);
    atomic_fetch_add(snap ? &srv->metrics.reloads : &srv->metrics.reload_failures, 1);
    return snap != NULL ? 0 : -1;
}

/* A response in flight finishes on the corpus it started on, but a client
 * that stops reading (or reads a byte at a time, restarting MHD's timeout)
 * kept a whole corpus alive for as long as it lasted, and one more at every
 * reload: with the 100,000 synthetic events, 0.8 GB each. Now such a corpus
 * is kept until the next reload starts: the connection is shut down (what
 * it had not read dropped with a reset) when its client has left it unread
 * for EVICT_AFTER_MS or more, as at the connection limit. So between
 * reloads at most one replaced corpus is held for clients that do not read,
 * and none while the next one loads; a client reading its answer keeps its
 * corpus to the end. */
void server_free_replaced(struct server *srv)
{
    unsigned n = 0;
    long long now = mono_now_ms();
    unsigned long current = srv->current->generation; /* swapped by this thread only */
    pthread_mutex_lock(&srv->conns_lock);
    for (struct conn_entry *e = srv->conns; e != NULL; e = e->next) {
        unsigned long gen = atomic_load_explicit(&e->serving, memory_order_relaxed);
        if (gen != 0 && gen < current && stalled_ms(e, now) > 0) {
            evict(srv, e, 1);
            n++;
        }
    }
    pthread_mutex_unlock(&srv->conns_lock);
    if (n > 0)
        fprintf(stderr, "timeline-server: shut down %u connection%s whose client%s left an "
                "answer from a replaced corpus unread\n", n, n == 1 ? "" : "s",
                n == 1 ? " has" : "s have");
}

unsigned server_port(const struct server *srv)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon,
                                                           MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

/* While stopping: shuts down every connection that waits for a request
 * (new, idle between keep-alive requests, or with part of a head or body)
 * and has no answer in flight: it loses nothing, and it would otherwise
 * hold the drain to its end. */
static void close_idle(struct server *srv)
{
    pthread_mutex_lock(&srv->conns_lock);
    for (struct conn_entry *e = srv->conns; e != NULL; e = e->next)
        if (atomic_load_explicit(&e->waiting_since, memory_order_relaxed) != 0 &&
            atomic_load_explicit(&e->answering_since, memory_order_relaxed) == 0)
            shutdown(e->fd, SHUT_RDWR); /* MHD reads its end and closes it */
    pthread_mutex_unlock(&srv->conns_lock);
}

void server_stop(struct server *srv, unsigned drain_s)
{
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    /* Let requests in flight finish before the daemon is stopped; a
     * connection that has finished its answer becomes idle and is closed
     * at the next look. */
    for (unsigned i = 0; i < drain_s * 20; i++) {
        close_idle(srv);
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (info == NULL || info->num_connections == 0)
            break;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(srv->daemon);
    server_free(srv);
}
