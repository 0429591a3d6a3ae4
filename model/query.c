/* Queries over a snapshot. Every filter becomes a stream of item ranks in
 * ascending order that can seek (to the first rank >= r, or the last <= r
 * when walking backwards) in O(log n); a query is the leapfrog intersection
 * of its streams. A page costs O(streams * log n) per item returned, however
 * deep it is, because cursors are keyset positions (the last rank served),
 * not offsets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sha256.h"
#include "text.h"

#define NONE UINT32_MAX
#define MAX_STREAMS 32
#define MAX_UNION 8

enum stream_type { S_ALL, S_LIST, S_UNION, S_TIME };

struct stream {
    enum stream_type type;
    uint32_t universe; /* S_ALL: ranks 0..universe-1 */
    struct model_plist list;
    struct model_plist *children; /* S_UNION, owned by the query */
    uint32_t *child_pos;          /* S_UNION: a cursor per child */
    int n_children;
    const struct model_time_index *ti; /* S_TIME */
    int64_t from_lo, to_hi;
    uint32_t begin[MODEL_TIME_CLASSES], end[MODEL_TIME_CLASSES];
    uint32_t cpos[MODEL_TIME_CLASSES];
    uint8_t active[MODEL_TIME_CLASSES]; /* classes with candidates */
    int n_active;
    uint32_t pos; /* S_LIST cursor */
    uint64_t estimate;
};

struct query {
    struct stream streams[MAX_STREAMS];
    int n;
    void *owned[2 * MAX_STREAMS]; /* merged postings, union arrays */
    int n_owned;
    int empty; /* a filter matched nothing (an unknown id, say) */
    struct stream spare; /* written, never read, once streams are full */
};

static void query_free(struct query *q)
{
    for (int i = 0; i < q->n_owned; i++)
        free(q->owned[i]);
}

/* First index in a[lo..hi) with a[i] >= r. */
static uint32_t lower_bound(const uint32_t *a, uint32_t lo, uint32_t hi, uint32_t r)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (a[mid] < r)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static uint32_t lower_bound64(const int64_t *a, uint32_t n, int64_t v)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Seeks within a[b..e) from a cursor. Leapfrog seeks on one stream are
 * monotone within a walk (rising when ascending, falling when descending),
 * so the cursor only moves one way and a gallop from it finds the next
 * candidate in O(log distance). Ascending, *pos is the next index to look
 * at; descending, one past it. Returns the index found, or NONE. */
static uint32_t run_seek(const uint32_t *a, uint32_t b, uint32_t e, uint32_t *pos,
                         uint32_t r, int desc)
{
    if (!desc) {
        uint32_t lo = *pos < b ? b : *pos;
        if (lo >= e)
            return NONE;
        uint32_t step = 1, hi = lo;
        while (hi < e && a[hi] < r) {
            lo = hi + 1;
            hi = lo + step;
            step *= 2;
            if (hi > e)
                hi = e;
        }
        uint32_t i = lower_bound(a, lo, hi < e ? hi : e, r);
        *pos = i;
        return i < e ? i : NONE;
    }
    uint32_t hi = *pos > e ? e : *pos; /* candidates are below hi */
    if (hi <= b)
        return NONE;
    uint32_t step = 1, lo = hi;
    while (lo > b && a[lo - 1] > r) {
        hi = lo - 1;
        lo = hi > b + step ? hi - step : b;
        step *= 2;
    }
    uint32_t i = lower_bound(a, lo, hi, r == NONE ? r : r + 1); /* first > r */
    *pos = i;
    return i > b ? i - 1 : NONE;
}

/* Better of two candidates in the walking direction (NONE loses). */
static uint32_t nearest(uint32_t a, uint32_t b, int desc)
{
    if (a == NONE)
        return b;
    if (b == NONE)
        return a;
    return desc ? (a > b ? a : b) : (a < b ? a : b);
}

/* The next set bit at or after r (at or before r when desc), or NONE. */
static uint32_t bits_seek(const uint64_t *bits, uint32_t universe, uint32_t r, int desc)
{
    if (!desc) {
        if (r >= universe)
            return NONE;
        size_t w = r >> 6, nw = ((size_t)universe + 63) >> 6;
        uint64_t word = bits[w] & (~0ull << (r & 63));
        while (word == 0) {
            if (++w >= nw)
                return NONE;
            word = bits[w];
        }
        uint32_t found = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(word));
        return found < universe ? found : NONE;
    }
    if (r >= universe)
        r = universe - 1;
    size_t w = r >> 6;
    uint64_t word = bits[w] & (~0ull >> (63 - (r & 63)));
    while (word == 0) {
        if (w == 0)
            return NONE;
        word = bits[--w];
    }
    return (uint32_t)(w * 64 + 63 - (size_t)__builtin_clzll(word));
}

static uint32_t list_seek(const struct model_plist *l, uint32_t *pos, uint32_t r, int desc)
{
    if (l->bits != NULL)
        return bits_seek(l->bits, l->universe, r, desc);
    uint32_t i = run_seek(l->ranks, 0, l->n, pos, r, desc);
    return i == NONE ? NONE : l->ranks[i];
}

static uint32_t time_seek(struct stream *s, uint32_t r, int desc)
{
    uint32_t best = NONE;
    for (int k = 0; k < s->n_active; k++) {
        int c = s->active[k];
        const struct model_time_class *tc = &s->ti->classes[c];
        uint32_t j = run_seek(tc->ranks, s->begin[c], s->end[c], &s->cpos[c], r, desc);
        /* Skip items of this class that end before the window opens. */
        while (j != NONE && tc->hi[j] <= s->from_lo) {
            if (!desc) {
                j = j + 1 < s->end[c] ? j + 1 : NONE;
                s->cpos[c] = j == NONE ? s->end[c] : j;
            } else {
                j = j > s->begin[c] ? j - 1 : NONE;
                s->cpos[c] = j == NONE ? s->begin[c] : j + 1;
            }
        }
        if (j != NONE)
            best = nearest(best, tc->ranks[j], desc);
    }
    return best;
}

static uint32_t stream_seek(struct stream *s, uint32_t r, int desc)
{
    switch (s->type) {
    case S_ALL:
        if (!desc)
            return r < s->universe ? r : NONE;
        return s->universe == 0 ? NONE : (r < s->universe ? r : s->universe - 1);
    case S_LIST:
        return list_seek(&s->list, &s->pos, r, desc);
    case S_UNION: {
        uint32_t best = NONE;
        for (int i = 0; i < s->n_children; i++)
            best = nearest(best, list_seek(&s->children[i], &s->child_pos[i], r, desc), desc);
        return best;
    }
    default:
        return time_seek(s, r, desc);
    }
}

/* Puts every cursor of s at the start of a walk in direction desc. */
static void stream_reset(struct stream *s, int desc)
{
    s->pos = desc ? s->list.n : 0;
    for (int i = 0; i < s->n_children; i++)
        s->child_pos[i] = desc ? s->children[i].n : 0;
    for (int k = 0; k < s->n_active; k++) {
        int c = s->active[k];
        s->cpos[c] = desc ? s->end[c] : s->begin[c];
    }
}

static struct stream *add_stream(struct query *q, enum stream_type type)
{
    if (q->n == MAX_STREAMS) {
        /* More filters than streams (q= of over 30 words does it): the
         * query matches nothing. The caller still fills in the stream it
         * gets, so that is a spare one: streams[0], as it was, took a union's
         * children at its old count, past the end of their array. */
        q->empty = 1;
        memset(&q->spare, 0, sizeof(q->spare));
        q->spare.type = type;
        return &q->spare;
    }
    struct stream *s = &q->streams[q->n++];
    memset(s, 0, sizeof(*s));
    s->type = type;
    return s;
}

/* Keeps p until the query ends; on failure frees it and empties the query. */
static void *own(struct query *q, void *p)
{
    if (p == NULL || q->n_owned == (int)(sizeof(q->owned) / sizeof(q->owned[0]))) {
        free(p);
        q->empty = 1;
        return NULL;
    }
    q->owned[q->n_owned++] = p;
    return p;
}

/* A union stream with room for n lists, or NULL (query then empty). */
static struct stream *add_union(struct query *q, size_t n)
{
    struct model_plist *children = own(q, malloc((n ? n : 1) * sizeof(*children)));
    uint32_t *pos = own(q, malloc((n ? n : 1) * sizeof(*pos)));
    if (children == NULL || pos == NULL)
        return NULL;
    struct stream *s = add_stream(q, S_UNION);
    s->children = children;
    s->child_pos = pos;
    return s;
}

static void add_list(struct query *q, struct model_plist l)
{
    if (l.n == 0) {
        q->empty = 1;
        return;
    }
    struct stream *s = add_stream(q, S_LIST);
    s->list = l;
    s->estimate = l.n;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
    return a < INT64_MIN + b ? INT64_MIN : a - b;
}

static void add_time(struct query *q, const struct model_time_index *ti,
                     const struct model_time_filter *f)
{
    if (!f->has_from && !f->has_to)
        return;
    struct stream *s = add_stream(q, S_TIME);
    s->ti = ti;
    s->from_lo = f->has_from ? f->from.lo : INT64_MIN;
    s->to_hi = f->has_to ? f->to.hi : INT64_MAX;
    for (int c = 0; c < MODEL_TIME_CLASSES; c++) {
        const struct model_time_class *tc = &ti->classes[c];
        /* Items starting before from_lo - max_len end before from_lo. */
        s->begin[c] = lower_bound64(tc->lo, tc->n, sat_sub(s->from_lo, tc->max_len));
        s->end[c] = lower_bound64(tc->lo, tc->n, s->to_hi);
        if (s->end[c] > s->begin[c]) {
            s->estimate += s->end[c] - s->begin[c];
            s->active[s->n_active++] = (uint8_t)c;
        }
    }
}

static int term_prefix_cmp(const struct model_term *t, const char *tok, size_t len)
{
    size_t n = t->len < len ? t->len : len;
    int c = memcmp(t->term, tok, n);
    if (c != 0)
        return c;
    return t->len < len ? -1 : 0; /* a term the token is a prefix of is equal */
}

struct text_ctx {
    struct query *q;
    const struct model_text_index *ti;
};

static struct model_plist term_list(const struct model_text_index *ti, uint32_t i)
{
    const struct model_term *t = &ti->terms[i];
    return (struct model_plist){ti->postings + t->start, t->n, t->bits, ti->universe};
}

/* A query word of MODEL_PREFIX_MIN or more bytes matches every term it is a
 * prefix of ("zelensk" finds Zelensky and Zelenskyy, "guarantee" finds
 * "guarantees"); a shorter one matches the whole word only ("5", "EU"). */
static void text_token(const char *tok, size_t len, void *arg)
{
    struct text_ctx *tc = arg;
    const struct model_text_index *ti = tc->ti;
    uint32_t lo = 0, hi = ti->n_terms;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (term_prefix_cmp(&ti->terms[mid], tok, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int exact = lo < ti->n_terms && ti->terms[lo].len == len &&
                memcmp(ti->terms[lo].term, tok, len) == 0;
    if (len < MODEL_PREFIX_MIN || (exact && ti->terms[lo].closure == NULL)) {
        if (!exact)
            tc->q->empty = 1;
        else
            add_list(tc->q, term_list(ti, lo));
        return;
    }
    if (exact) {
        const struct model_term *t = &ti->terms[lo];
        add_list(tc->q, (struct model_plist){t->closure, t->closure_n, t->closure_bits,
                                             ti->universe});
        return;
    }
    uint32_t end = lo;
    while (end < ti->n_terms && term_prefix_cmp(&ti->terms[end], tok, len) == 0)
        end++;
    if (end == lo) {
        tc->q->empty = 1;
    } else if (end - lo == 1) {
        add_list(tc->q, term_list(ti, lo));
    } else if (end - lo <= MAX_UNION) {
        struct stream *s = add_union(tc->q, end - lo);
        for (uint32_t i = lo; s != NULL && i < end; i++) {
            s->children[s->n_children++] = term_list(ti, i);
            s->estimate += ti->terms[i].n;
        }
    } else {
        /* A prefix of many terms that is not a word itself: merge once. */
        size_t total = 0;
        struct model_plist *lists = own(tc->q, malloc((end - lo) * sizeof(*lists)));
        for (uint32_t i = lo; lists != NULL && i < end; i++) {
            lists[i - lo] = term_list(ti, i);
            total += ti->terms[i].n;
        }
        uint32_t *merged = lists ? own(tc->q, malloc((total ? total : 1) * sizeof(*merged))) : NULL;
        if (merged != NULL)
            add_list(tc->q, (struct model_plist){merged,
                     model_merge_lists(lists, end - lo, merged), NULL, 0});
    }
}

static void add_text(struct query *q, const struct model_text_index *ti,
                     const char *text)
{
    if (text == NULL)
        return;
    struct text_ctx tc = {q, ti};
    int before = q->n;
    model_tokenize(text, strlen(text), text_token, &tc);
    if (q->n == before && !q->empty)
        q->empty = 1; /* no searchable word at all: nothing matches */
}

static int stream_cmp(const void *a, const void *b)
{
    const struct stream *x = a, *y = b;
    return (x->estimate > y->estimate) - (x->estimate < y->estimate);
}

/* Walks matches from start in the given direction. Calls out for each
 * until it returns 0; returns how many matches were visited. */
static size_t leapfrog(struct query *q, uint32_t universe, uint32_t start,
                       int desc, int (*out)(uint32_t rank, void *arg), void *arg)
{
    if (q->empty || universe == 0 || start == NONE)
        return 0;
    if (q->n == 0) {
        struct stream *s = add_stream(q, S_ALL);
        s->universe = universe;
    }
    qsort(q->streams, (size_t)q->n, sizeof(q->streams[0]), stream_cmp);
    for (int k = 0; k < q->n; k++)
        stream_reset(&q->streams[k], desc);
    size_t visited = 0;
    uint32_t r = start;
    int agreed = 0, i = 0;
    for (;;) {
        uint32_t x = stream_seek(&q->streams[i], r, desc);
        if (x == NONE)
            return visited;
        if (x == r) {
            agreed++;
        } else {
            r = x;
            agreed = 1;
        }
        if (agreed == q->n) {
            visited++;
            if (!out(r, arg))
                return visited;
            if (desc ? r == 0 : r + 1 >= universe)
                return visited;
            r = desc ? r - 1 : r + 1;
            agreed = 0;
        }
        i = (i + 1) % q->n;
    }
}

/* ---- Cursors: [version][direction][rank:4][total:4][mac:8], base64url ---- */

#define CURSOR_BYTES 18

/* The canonical form of a query, which a cursor is bound to, is hashed as
 * it is built: each field name and value length-prefixed so that no value
 * can imitate another field. */
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

static void canon_begin(struct model_sha256 *h, const struct model_snapshot *s,
                        const char *what)
{
    model_sha256_init(h);
    model_sha256_update(h, s->version, 64);
    model_sha256_update(h, what, strlen(what) + 1);
}

static void cursor_mac(const struct model_sha256 *canon,
                       const unsigned char *payload, size_t n, unsigned char mac[8])
{
    struct model_sha256 h = *canon;
    unsigned char d[32];
    model_sha256_update(&h, payload, n);
    model_sha256_final(&h, d);
    memcpy(mac, d, 8);
}

static const char B64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void cursor_encode(const struct model_sha256 *canon,
                          int desc, uint32_t rank, uint32_t total, char *out)
{
    unsigned char b[CURSOR_BYTES];
    b[0] = 1;
    b[1] = (unsigned char)desc;
    for (int i = 0; i < 4; i++) {
        b[2 + i] = (unsigned char)(rank >> (24 - 8 * i));
        b[6 + i] = (unsigned char)(total >> (24 - 8 * i));
    }
    cursor_mac(canon, b, 10, b + 10);
    size_t o = 0;
    for (size_t i = 0; i < CURSOR_BYTES; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
        for (int k = 0; k < 4; k++)
            out[o++] = B64[(v >> (18 - 6 * k)) & 63];
    }
    out[o] = '\0';
}

static int cursor_decode(const struct model_sha256 *canon, const char *in, int desc, uint32_t *rank, uint32_t *total)
{
    unsigned char b[CURSOR_BYTES];
    if (strlen(in) != CURSOR_BYTES / 3 * 4)
        return -1;
    for (size_t i = 0; i < CURSOR_BYTES / 3; i++) {
        uint32_t v = 0;
        for (int k = 0; k < 4; k++) {
            const char *p = strchr(B64, in[4 * i + (size_t)k]);
            if (p == NULL || *p == '\0')
                return -1;
            v = v << 6 | (uint32_t)(p - B64);
        }
        b[3 * i] = (unsigned char)(v >> 16);
        b[3 * i + 1] = (unsigned char)(v >> 8);
        b[3 * i + 2] = (unsigned char)v;
    }
    unsigned char mac[8];
    cursor_mac(canon, b, 10, mac);
    if (b[0] != 1 || b[1] != desc || memcmp(mac, b + 10, 8) != 0)
        return -1;
    *rank = (uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 | (uint32_t)b[4] << 8 | b[5];
    *total = (uint32_t)b[6] << 24 | (uint32_t)b[7] << 16 | (uint32_t)b[8] << 8 | b[9];
    return 0;
}

/* ---- Paging ---- */

struct collect {
    struct model_page *page;
    const void *const *items;
    size_t limit;
    uint32_t last;
    int more;
};

static int collect_one(uint32_t rank, void *arg)
{
    struct collect *c = arg;
    if (c->page->count == c->limit) {
        c->more = 1;
        return 0;
    }
    c->page->items[c->page->count++] = c->items[rank];
    c->last = rank;
    return 1;
}

static int count_one(uint32_t rank, void *arg)
{
    (void)rank;
    (void)arg;
    return 1;
}

/* The number of items in every stream when all are dense bitmaps over the
 * same items (a popcount of their AND), or -1 when they are not. */
static long long bitmap_total(const struct query *q)
{
    if (q->n == 0)
        return -1;
    uint32_t universe = q->streams[0].list.universe;
    for (int k = 0; k < q->n; k++)
        if (q->streams[k].type != S_LIST || q->streams[k].list.bits == NULL ||
            q->streams[k].list.universe != universe)
            return -1;
    long long total = 0;
    for (size_t w = 0; w < ((size_t)universe + 63) / 64; w++) {
        uint64_t word = ~0ull;
        for (int k = 0; k < q->n && word != 0; k++)
            word &= q->streams[k].list.bits[w];
        total += __builtin_popcountll(word);
    }
    return total;
}

static int run_page(struct query *q, const struct model_sha256 *canon,
                    const void *const *items, uint32_t universe,
                    const struct model_page_request *req, struct model_page *page,
                    char *err, size_t errlen)
{
    int desc = req->descending ? 1 : 0;
    size_t limit = req->limit < 1 ? 1 : req->limit > MODEL_LIMIT_MAX ? MODEL_LIMIT_MAX : req->limit;
    page->count = 0;
    page->total = 0;
    page->next_cursor[0] = '\0';
    uint32_t start = desc ? universe - 1 : 0, total = 0;
    if (universe == 0)
        start = NONE;
    if (req->cursor != NULL) {
        uint32_t last;
        if (cursor_decode(canon, req->cursor, desc, &last, &total) != 0) {
            snprintf(err, errlen, "The cursor was not issued for this query on "
                     "this corpus version (it is altered, truncated, or from an "
                     "older corpus); request the first page again without it");
            query_free(q);
            return -1;
        }
        start = desc ? (last == 0 ? NONE : last - 1) : last + 1;
        if (!desc && (last == NONE || last + 1 >= universe))
            start = NONE; /* nothing after it (last + 1 would wrap to 0) */
    }
    struct collect c = {page, items, limit, 0, 0};
    leapfrog(q, universe, start, desc, collect_one, &c);
    if (req->cursor == NULL) {
        int cheap = q->n == 1 && (q->streams[0].type == S_LIST ||
                                  q->streams[0].type == S_ALL);
        long long dense = q->empty || cheap ? -1 : bitmap_total(q);
        if (q->empty)
            total = 0;
        else if (cheap)
            total = q->streams[0].type == S_ALL ? universe : q->streams[0].list.n;
        else if (dense >= 0)
            total = (uint32_t)dense;
        else
            total = (uint32_t)leapfrog(q, universe, desc ? universe - 1 : 0,
                                       desc, count_one, NULL);
    }
    page->total = total;
    if (c.more)
        cursor_encode(canon, desc, c.last, total, page->next_cursor);
    query_free(q);
    return 0;
}

int model_query_events(const struct model_snapshot *s,
                       const struct model_event_filter *f,
                       const struct model_page_request *req,
                       struct model_page *page, char *err, size_t errlen)
{
    const struct model_index *ix = s->index;
    struct query q;
    q.n = q.n_owned = q.empty = 0;
    struct model_sha256 canon;
    canon_begin(&canon, s, "events");
    canon_int(&canon, "type", f->type);
    canon_int(&canon, "status", f->status);
    canon_time(&canon, &f->when);
    canon_str(&canon, "q", f->text);
    if (f->type >= 0)
        add_list(&q, model_group(&ix->events_by_type, (uint32_t)f->type));
    if (f->status >= 0)
        add_list(&q, model_group(&ix->events_by_status, (uint32_t)f->status));
    if (f->n_actors > 0) {
        struct stream *u = add_union(&q, f->n_actors);
        for (size_t i = 0; u != NULL && i < f->n_actors; i++) {
            canon_str(&canon, "actor", f->actors[i]);
            const struct model_actor *a = model_find_actor(s, f->actors[i]);
            struct model_plist l = a ? model_group(&ix->events_by_actor, a->rank)
                                     : (struct model_plist){NULL, 0, NULL, 0};
            if (l.n > 0) {
                u->children[u->n_children++] = l;
                u->estimate += l.n;
            }
        }
        if (u != NULL && u->n_children == 0)
            q.empty = 1;
    }
    add_time(&q, &ix->events_by_time, &f->when);
    add_text(&q, &ix->events_text, f->text);
    return run_page(&q, &canon, (const void *const *)s->events,
                    (uint32_t)s->n_events, req, page, err, errlen);
}

static const struct model_topic *find_topic(const struct model_index *ix, const char *t)
{
    size_t lo = 0, hi = ix->n_topics;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ix->topics[mid].topic, t);
        if (c == 0)
            return &ix->topics[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int model_query_quotes(const struct model_snapshot *s,
                       const struct model_quote_filter *f,
                       const struct model_page_request *req,
                       struct model_page *page, char *err, size_t errlen)
{
    const struct model_index *ix = s->index;
    struct query q;
    q.n = q.n_owned = q.empty = 0;
    struct model_sha256 canon;
    canon_begin(&canon, s, "quotes");
    canon_time(&canon, &f->when);
    canon_str(&canon, "speaker", f->speaker);
    canon_str(&canon, "event", f->event);
    canon_str(&canon, "source", f->source);
    canon_str(&canon, "topic", f->topic);
    canon_str(&canon, "q", f->text);
    struct model_plist none = {NULL, 0, NULL, 0};
    if (f->speaker != NULL) {
        const struct model_actor *a = model_find_actor(s, f->speaker);
        add_list(&q, a ? model_group(&ix->quotes_by_speaker, a->rank) : none);
    }
    if (f->event != NULL) {
        const struct model_event *e = model_find_event(s, f->event);
        add_list(&q, e ? model_group(&ix->quotes_by_event, e->rank) : none);
    }
    if (f->source != NULL) {
        const struct model_source *src = model_find_source(s, f->source);
        add_list(&q, src ? model_group(&ix->quotes_by_source, src->rank) : none);
    }
    if (f->topic != NULL) {
        const struct model_topic *t = find_topic(ix, f->topic);
        add_list(&q, t ? t->quotes : none);
    }
    add_time(&q, &ix->quotes_by_time, &f->when);
    add_text(&q, &ix->quotes_text, f->text);
    return run_page(&q, &canon, (const void *const *)s->quotes,
                    (uint32_t)s->n_quotes, req, page, err, errlen);
}

int model_query_actors(const struct model_snapshot *s,
                       const struct model_actor_filter *f,
                       const struct model_page_request *req,
                       struct model_page *page, char *err, size_t errlen)
{
    const struct model_index *ix = s->index;
    struct query q;
    q.n = q.n_owned = q.empty = 0;
    struct model_sha256 canon;
    canon_begin(&canon, s, "actors");
    canon_int(&canon, "kind", f->kind);
    canon_str(&canon, "q", f->text);
    if (f->kind >= 0)
        add_list(&q, model_group(&ix->actors_by_kind, (uint32_t)f->kind));
    add_text(&q, &ix->actors_text, f->text);
    return run_page(&q, &canon, (const void *const *)s->actors,
                    (uint32_t)s->n_actors, req, page, err, errlen);
}

int model_query_sources(const struct model_snapshot *s,
                        const struct model_page_request *req,
                        struct model_page *page, char *err, size_t errlen)
{
    struct query q;
    q.n = q.n_owned = q.empty = 0;
    struct model_sha256 canon;
    canon_begin(&canon, s, "sources");
    return run_page(&q, &canon, (const void *const *)s->sources,
                    (uint32_t)s->n_sources, req, page, err, errlen);
}
