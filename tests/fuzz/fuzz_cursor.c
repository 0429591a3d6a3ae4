/* Fuzz target "cursor": arbitrary bytes as the cursor of every kind of
 * query (model_query_events, _quotes, _actors, _sources; several filters,
 * both directions) against the fixture snapshot, loaded once.
 *
 * Each input is tried twice per query:
 *  - as given: cursors are MAC'd, so what the fuzzer makes up must be
 *    refused with a reason; the seeds are real cursors, which must be taken
 *    by exactly the query that issued them;
 *  - when it is 24 base64url characters, with its payload (format version,
 *    direction, last rank served, total) signed anew for the query as
 *    model/query.c signs: then it must be taken exactly when its version
 *    and direction are right, whatever rank and total it carries (mutations
 *    of a real cursor reach the paging code this way).
 * A cursor taken must give the page that follows its rank in the full walk
 * of the query, with the total it carries. The full walks are made once, at
 * start-up, and checked too: the same items whatever the page size, the
 * descending walk the ascending one reversed, each item once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sha256.h"

#define MAX_CURSOR_INPUT 256

enum kind { EVENTS, QUOTES, ACTORS, SOURCES };

struct query {
    const char *name;
    enum kind kind;
    struct model_event_filter ev;
    struct model_quote_filter qu;
    struct model_actor_filter ac;
};

static const char *const one_actor[] = {"ana-nunez"};
static const char *const two_actors[] = {"fishing-union", "radio-costa"};

/* Filters that match several items of the minimal fixture, and a few that
 * match none. from/to are filled in at start-up. */
static struct query queries[] = {
    {"events", EVENTS, .ev = {.type = -1, .status = -1}},
    {"events?status=occurred", EVENTS, .ev = {.type = -1, .status = MODEL_STATUS_OCCURRED}},
    {"events?type=background", EVENTS, .ev = {.type = MODEL_EVENT_BACKGROUND, .status = -1}},
    {"events?actor=ana-nunez", EVENTS,
     .ev = {.type = -1, .status = -1, .actors = one_actor, .n_actors = 1}},
    {"events?actor=fishing-union&actor=radio-costa", EVENTS,
     .ev = {.type = -1, .status = -1, .actors = two_actors, .n_actors = 2}},
    {"events?q=quota", EVENTS, .ev = {.type = -1, .status = -1, .text = "quota"}},
    {"events?from=2025-08", EVENTS, .ev = {.type = -1, .status = -1}},
    {"events?q=zzzz", EVENTS, .ev = {.type = -1, .status = -1, .text = "zzzz"}},
    {"quotes", QUOTES, .qu = {.speaker = NULL}},
    {"quotes?topic=talks", QUOTES, .qu = {.topic = "talks"}},
    {"quotes?source=gazette-2025-08-16", QUOTES, .qu = {.source = "gazette-2025-08-16"}},
    {"quotes?to=2025-08-17", QUOTES, .qu = {.speaker = NULL}},
    {"actors", ACTORS, .ac = {.kind = -1}},
    {"actors?kind=media-outlet", ACTORS, .ac = {.kind = MODEL_ACTOR_MEDIA_OUTLET}},
    {"actors?q=portville", ACTORS, .ac = {.kind = -1, .text = "portville"}},
    {"sources", SOURCES, .ac = {.kind = -1}},
};
#define N_QUERIES (sizeof(queries) / sizeof(queries[0]))
static const size_t limits[] = {1, 2, 3, MODEL_LIMIT_MAX};
#define N_LIMITS (sizeof(limits) / sizeof(limits[0]))

/* Per query: its items in ascending order. */
static const void **walks[N_QUERIES];
static size_t walk_n[N_QUERIES];

static int run(const struct model_snapshot *s, size_t q, int desc, size_t limit,
               const char *cursor, struct model_page *page, char *err, size_t errlen)
{
    struct model_page_request req = {desc, limit, cursor};
    switch (queries[q].kind) {
    case EVENTS:
        return model_query_events(s, &queries[q].ev, &req, page, err, errlen);
    case QUOTES:
        return model_query_quotes(s, &queries[q].qu, &req, page, err, errlen);
    case ACTORS:
        return model_query_actors(s, &queries[q].ac, &req, page, err, errlen);
    default:
        return model_query_sources(s, &req, page, err, errlen);
    }
}

static uint32_t rank_of(size_t q, const void *item)
{
    switch (queries[q].kind) {
    case EVENTS:
        return ((const struct model_event *)item)->rank;
    case QUOTES:
        return ((const struct model_quote *)item)->rank;
    case ACTORS:
        return ((const struct model_actor *)item)->rank;
    default:
        return ((const struct model_source *)item)->rank;
    }
}

/* Walks a query to its end; returns the items in walk order (malloc'd). */
static const void **walk(const struct model_snapshot *s, size_t q, int desc, size_t limit,
                         size_t *n_out)
{
    struct model_page *page = malloc(sizeof(*page));
    char cursor[MODEL_CURSOR_MAX], err[256];
    const void **items = NULL;
    size_t n = 0, total = 0;
    const char *at = NULL;
    for (;;) {
        FUZZ_CHECK(run(s, q, desc, limit, at, page, err, sizeof(err)) == 0,
                   "%s (desc %d, limit %zu) refuses its own cursor: %s", queries[q].name, desc,
                   limit, err);
        if (at == NULL)
            total = page->total;
        FUZZ_CHECK(page->total == total, "%s: the total changes while paging", queries[q].name);
        items = realloc(items, (n + page->count + 1) * sizeof(*items));
        for (size_t i = 0; i < page->count; i++)
            items[n++] = page->items[i];
        if (page->next_cursor[0] == '\0')
            break;
        FUZZ_CHECK(page->count == limit, "%s: a short page before the last", queries[q].name);
        memcpy(cursor, page->next_cursor, sizeof(cursor));
        at = cursor;
    }
    FUZZ_CHECK(n == total, "%s: the walk has %zu items, the total is %zu", queries[q].name, n,
               total);
    free(page);
    *n_out = n;
    return items;
}

static void setup(const struct model_snapshot *s)
{
    char err[200];
    struct model_time t;
    if (model_date_parse("2025-08", 0, &t, err, sizeof(err)) != 0)
        abort();
    queries[6].ev.when = (struct model_time_filter){.has_from = 1, .from = t};
    if (model_date_parse("2025-08-17", 0, &t, err, sizeof(err)) != 0)
        abort();
    queries[11].qu.when = (struct model_time_filter){.has_to = 1, .to = t};
    for (size_t q = 0; q < N_QUERIES; q++) {
        walks[q] = walk(s, q, 0, MODEL_LIMIT_MAX, &walk_n[q]);
        for (size_t i = 1; i < walk_n[q]; i++)
            FUZZ_CHECK(rank_of(q, walks[q][i - 1]) < rank_of(q, walks[q][i]),
                       "%s: not in rank order", queries[q].name);
        for (size_t l = 0; l < N_LIMITS; l++) {
            for (int desc = 0; desc < 2; desc++) {
                size_t n;
                const void **w = walk(s, q, desc, limits[l], &n);
                FUZZ_CHECK(n == walk_n[q], "%s: %zu items by %zu, %zu at once",
                           queries[q].name, n, limits[l], walk_n[q]);
                for (size_t i = 0; i < n; i++)
                    FUZZ_CHECK(w[i] == walks[q][desc ? n - 1 - i : i],
                               "%s: item %zu differs (limit %zu, desc %d)", queries[q].name,
                               i, limits[l], desc);
                free(w);
            }
        }
    }
}

static void free_walks(void)
{
    for (size_t q = 0; q < N_QUERIES; q++)
        free(walks[q]);
}

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The cursor's own fields, read independently of model/query.c; 0 when it
 * is 24 base64url characters. */
static int read_cursor(const char *c, unsigned char b[18])
{
    if (strlen(c) != 24)
        return -1;
    for (size_t i = 0; i < 6; i++) { /* 4 characters for 3 bytes */
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            const char *p = c[4 * i + k] ? strchr(alphabet, c[4 * i + k]) : NULL;
            if (p == NULL)
                return -1;
            v = v << 6 | (uint32_t)(p - alphabet);
        }
        b[3 * i] = (unsigned char)(v >> 16);
        b[3 * i + 1] = (unsigned char)(v >> 8);
        b[3 * i + 2] = (unsigned char)v;
    }
    return 0;
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* ---- Signing, as model/query.c does ----
 *
 * The MAC is the first 8 bytes of SHA-256 over the corpus version, the
 * query's canonical form and the payload. Nothing in it is secret (the
 * version is in /health), so anyone can make a cursor the model takes:
 * the target does too, to reach the paging code with any rank and total.
 * setup() checks that these cursors are byte for byte the model's own, so
 * a change of the canonical form in query.c shows up here first. */

static void canon_str(struct model_sha256 *h, const char *name, const char *v)
{
    char head[64];
    int n = snprintf(head, sizeof(head), "|%s=%zu:", name, v ? strlen(v) : 0);
    model_sha256_update(h, head, (size_t)n);
    if (v != NULL)
        model_sha256_update(h, v, strlen(v));
}

static void canon_int(struct model_sha256 *h, const char *name, long long v)
{
    char buf[64];
    int n = snprintf(buf, sizeof(buf), "|%s=%lld", name, v);
    model_sha256_update(h, buf, (size_t)n);
}

static void canon_time(struct model_sha256 *h, const struct model_time_filter *w)
{
    canon_int(h, "from", w->has_from ? (long long)w->from.lo : -1LL);
    canon_int(h, "to", w->has_to ? (long long)w->to.hi : -1LL);
}

static void canon(const struct model_snapshot *s, size_t q, struct model_sha256 *h)
{
    static const char *const what[] = {"events", "quotes", "actors", "sources"};
    const struct query *x = &queries[q];
    model_sha256_init(h);
    model_sha256_update(h, s->version, 64);
    model_sha256_update(h, what[x->kind], strlen(what[x->kind]) + 1);
    switch (x->kind) {
    case EVENTS:
        canon_int(h, "type", x->ev.type);
        canon_int(h, "status", x->ev.status);
        canon_time(h, &x->ev.when);
        canon_str(h, "q", x->ev.text);
        for (size_t i = 0; i < x->ev.n_actors; i++)
            canon_str(h, "actor", x->ev.actors[i]);
        break;
    case QUOTES:
        canon_time(h, &x->qu.when);
        canon_str(h, "speaker", x->qu.speaker);
        canon_str(h, "event", x->qu.event);
        canon_str(h, "source", x->qu.source);
        canon_str(h, "topic", x->qu.topic);
        canon_str(h, "q", x->qu.text);
        break;
    case ACTORS:
        canon_int(h, "kind", x->ac.kind);
        canon_str(h, "q", x->ac.text);
        break;
    default:
        break;
    }
}

/* The cursor of payload (version, direction, rank, total) for query q. */
static void sign(const struct model_snapshot *s, size_t q, const unsigned char payload[10],
                 char out[25])
{
    unsigned char b[18], digest[32];
    struct model_sha256 h;
    canon(s, q, &h);
    model_sha256_update(&h, payload, 10);
    model_sha256_final(&h, digest);
    memcpy(b, payload, 10);
    memcpy(b + 10, digest, 8);
    size_t o = 0;
    for (size_t i = 0; i < 18; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
        for (int k = 0; k < 4; k++)
            out[o++] = alphabet[(v >> (18 - 6 * k)) & 63];
    }
    out[o] = '\0';
}

static void check_signing(const struct model_snapshot *s)
{
    struct model_page *page = malloc(sizeof(*page));
    char err[256], mine[25];
    for (size_t q = 0; q < N_QUERIES; q++) {
        for (int desc = 0; desc < 2; desc++) {
            FUZZ_CHECK(run(s, q, desc, 1, NULL, page, err, sizeof(err)) == 0, "%s: %s",
                       queries[q].name, err);
            if (page->next_cursor[0] == '\0')
                continue; /* no cursor to compare with */
            unsigned char b[18];
            FUZZ_CHECK(read_cursor(page->next_cursor, b) == 0, "%s: cursor \"%s\"",
                       queries[q].name, page->next_cursor);
            sign(s, q, b, mine);
            FUZZ_CHECK(strcmp(mine, page->next_cursor) == 0,
                       "%s: the target signs \"%s\" where model/query.c issues \"%s\": the "
                       "canonical form changed, update canon() in %s",
                       queries[q].name, mine, page->next_cursor, __FILE__);
        }
    }
    free(page);
}

/* ---- Oracle ---- */

/* The page an accepted cursor must give: the items that follow rank
 * `last` in the walk of query q, in the cursor's direction. */
static void check_page(size_t q, int desc, size_t limit, const unsigned char b[18],
                       const struct model_page *page, int issued)
{
    uint32_t last = be32(b + 2), total = be32(b + 6);
    FUZZ_CHECK(page->total == total, "%s: page total %zu, cursor total %u", queries[q].name,
               page->total, total);
    if (issued)
        FUZZ_CHECK(total == walk_n[q], "%s: a real cursor says total %u, the walk has %zu",
                   queries[q].name, total, walk_n[q]);
    size_t n = walk_n[q], start = 0;
    if (!desc) {
        while (start < n && rank_of(q, walks[q][start]) <= last)
            start++;
    } else {
        while (start < n && rank_of(q, walks[q][n - 1 - start]) >= last)
            start++;
    }
    size_t left = n - start;
    if (issued)
        FUZZ_CHECK(left > 0, "%s: a cursor was issued after the last item", queries[q].name);
    size_t want = left < limit ? left : limit;
    FUZZ_CHECK(page->count == want, "%s: %zu items after rank %u (descending %d), %zu expected",
               queries[q].name, page->count, last, desc, want);
    for (size_t i = 0; i < page->count; i++) {
        const void *expect = desc ? walks[q][n - 1 - start - i] : walks[q][start + i];
        FUZZ_CHECK(page->items[i] == expect, "%s: item %zu after rank %u differs",
                   queries[q].name, i, last);
    }
    FUZZ_CHECK((page->next_cursor[0] != '\0') == (left > limit),
               "%s: next_cursor \"%s\" with %zu left and limit %zu", queries[q].name,
               page->next_cursor, left, limit);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct model_snapshot *s = fuzz_snapshot();
    if (walks[0] == NULL) {
        setup(s);
        check_signing(s);
        atexit(free_walks);
    }
    if (size > MAX_CURSOR_INPUT)
        return 0; /* the routes refuse cursors of MODEL_CURSOR_MAX or more bytes */
    char *cursor = fuzz_cstring(data, size);
    struct model_page *page = malloc(sizeof(*page));
    char err[256], forged[25];
    unsigned char b[18];
    int readable = read_cursor(cursor, b) == 0;
    /* The last character picks the page size (it only touches the MAC). */
    size_t limit = limits[readable ? b[17] % N_LIMITS : size % N_LIMITS];
    for (size_t q = 0; q < N_QUERIES; q++) {
        /* As given: only a cursor this query issued may be taken. */
        for (int desc = 0; desc < 2; desc++) {
            err[0] = '\0';
            if (run(s, q, desc, limit, cursor, page, err, sizeof(err)) == 0) {
                FUZZ_CHECK(readable && b[0] == 1 && b[1] == desc,
                           "%s: accepts \"%s\", which is not a cursor of direction %d",
                           queries[q].name, cursor, desc);
                check_page(q, desc, limit, b, page, 1);
            } else {
                FUZZ_CHECK(err[0] != '\0' && page->count == 0,
                           "%s: refused without a reason, or with items", queries[q].name);
            }
        }
        if (!readable)
            continue;
        /* Its payload signed for this query: taken exactly when its format
         * version and direction are right, whatever rank and total say. */
        sign(s, q, b, forged);
        for (int desc = 0; desc < 2; desc++) {
            err[0] = '\0';
            int rc = run(s, q, desc, limit, forged, page, err, sizeof(err));
            FUZZ_CHECK((rc == 0) == (b[0] == 1 && b[1] == desc),
                       "%s: a signed cursor (version %u, direction %u) %s for direction %d: %s",
                       queries[q].name, b[0], b[1], rc == 0 ? "taken" : "refused", desc, err);
            if (rc == 0)
                check_page(q, desc, limit, b, page, 0);
        }
    }
    free(page);
    free(cursor);
    return 0;
}
