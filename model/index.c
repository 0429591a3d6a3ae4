/* Builds a snapshot's ordering and indexes once, at load time, so that every
 * query afterwards is binary searches plus the items it returns. Everything
 * kept lives in the snapshot's arena; scratch space is malloc'd and freed
 * here. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "internal.h"
#include "strmap.h"
#include "text.h"

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fputs("timeline: out of memory\n", stderr);
        abort();
    }
    return p;
}

/* (key, rank) pairs gathered in ascending rank order. */
struct pairs {
    uint32_t *keys;
    uint32_t *ranks;
    size_t n, cap;
};

static void pairs_add(struct pairs *p, uint32_t key, uint32_t rank)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 1024;
        p->keys = realloc(p->keys, p->cap * sizeof(*p->keys));
        p->ranks = realloc(p->ranks, p->cap * sizeof(*p->ranks));
        if (p->keys == NULL || p->ranks == NULL) {
            fputs("timeline: out of memory\n", stderr);
            abort();
        }
    }
    p->keys[p->n] = key;
    p->ranks[p->n] = rank;
    p->n++;
}

static void pairs_free(struct pairs *p)
{
    free(p->keys);
    free(p->ranks);
    memset(p, 0, sizeof(*p));
}

/* Counting sort of pairs into groups; a rank repeated under one key (an
 * actor listed twice at one event) is kept once. */
static void groups_build(struct model_arena *a, struct model_groups *g,
                         uint32_t n_keys, struct pairs *p, uint32_t universe)
{
    uint32_t *last = xmalloc(n_keys * sizeof(*last));
    memset(last, 0xff, n_keys * sizeof(*last));
    g->n_keys = n_keys;
    g->off = model_arena_alloc(a, (n_keys + 1) * sizeof(*g->off));
    size_t kept = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (last[p->keys[i]] == p->ranks[i]) {
            p->keys[i] = UINT32_MAX; /* mark duplicate */
            continue;
        }
        last[p->keys[i]] = p->ranks[i];
        g->off[p->keys[i] + 1]++;
        kept++;
    }
    for (uint32_t k = 0; k < n_keys; k++)
        g->off[k + 1] += g->off[k];
    g->ranks = model_arena_alloc(a, kept * sizeof(*g->ranks));
    uint32_t *fill = xmalloc(n_keys * sizeof(*fill));
    memcpy(fill, g->off, n_keys * sizeof(*fill));
    for (size_t i = 0; i < p->n; i++)
        if (p->keys[i] != UINT32_MAX)
            g->ranks[fill[p->keys[i]]++] = p->ranks[i];
    free(fill);
    free(last);
    pairs_free(p);
    g->universe = universe;
    g->bits = NULL;
    if (universe < MODEL_DENSE_MIN)
        return;
    g->bits = model_arena_alloc(a, n_keys * sizeof(*g->bits));
    for (uint32_t k = 0; k < n_keys; k++)
        g->bits[k] = model_bitmap(a, g->ranks + g->off[k], g->off[k + 1] - g->off[k],
                                  universe);
}

/* ---- Ordering ---- */

static int by_id(const void *a, const void *b)
{
    return strcmp(**(const char *const *const *)a, **(const char *const *const *)b);
}

static int event_order(const void *a, const void *b)
{
    const struct model_event *x = *(const struct model_event *const *)a;
    const struct model_event *y = *(const struct model_event *const *)b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    if (x->hi != y->hi)
        return x->hi < y->hi ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int quote_order(const void *a, const void *b)
{
    const struct model_quote *x = *(const struct model_quote *const *)a;
    const struct model_quote *y = *(const struct model_quote *const *)b;
    if (x->said.time.lo != y->said.time.lo)
        return x->said.time.lo < y->said.time.lo ? -1 : 1;
    if (x->said.time.hi != y->said.time.hi)
        return x->said.time.hi < y->said.time.hi ? -1 : 1;
    return strcmp(x->id, y->id);
}

static void *arena_copy_sorted(struct model_arena *a, const void *items, size_t n,
                               int (*cmp)(const void *, const void *))
{
    void *copy = model_arena_memdup(a, items, n * sizeof(void *));
    qsort(copy, n, sizeof(void *), cmp);
    return copy;
}

/* ---- Time index ---- */

static int duration_class(int64_t len)
{
    int c = 0;
    while (len > 1 && c < MODEL_TIME_CLASSES - 1) {
        len >>= 1;
        c++;
    }
    return c;
}

/* lo and hi are per rank, ascending by lo. */
static void time_build(struct model_arena *a, struct model_time_index *ti,
                       const int64_t *lo, const int64_t *hi, uint32_t n)
{
    uint32_t counts[MODEL_TIME_CLASSES] = {0};
    for (uint32_t r = 0; r < n; r++)
        counts[duration_class(hi[r] - lo[r])]++;
    for (int c = 0; c < MODEL_TIME_CLASSES; c++) {
        struct model_time_class *tc = &ti->classes[c];
        tc->ranks = model_arena_alloc(a, counts[c] * sizeof(*tc->ranks));
        tc->lo = model_arena_alloc(a, counts[c] * sizeof(*tc->lo));
        tc->hi = model_arena_alloc(a, counts[c] * sizeof(*tc->hi));
    }
    for (uint32_t r = 0; r < n; r++) {
        struct model_time_class *tc = &ti->classes[duration_class(hi[r] - lo[r])];
        tc->ranks[tc->n] = r;
        tc->lo[tc->n] = lo[r];
        tc->hi[tc->n] = hi[r];
        if (hi[r] - lo[r] > tc->max_len)
            tc->max_len = hi[r] - lo[r];
        tc->n++;
    }
}

/* ---- Text index ---- */

struct text_build {
    struct model_arena *arena;
    struct model_strmap terms; /* folded term -> (term id + 1) */
    const char **term_text;
    uint32_t *term_len;
    uint32_t *last_rank;
    size_t n_terms, cap_terms;
    struct pairs occ; /* (term id, rank) */
    uint32_t rank;
    uint32_t universe; /* items indexed, for bitmaps */
};

static void text_token(const char *token, size_t len, void *arg)
{
    struct text_build *tb = arg;
    uintptr_t id = (uintptr_t)model_strmap_get(&tb->terms, token, len);
    if (id == 0) {
        if (tb->n_terms == tb->cap_terms) {
            tb->cap_terms = tb->cap_terms ? tb->cap_terms * 2 : 1024;
            tb->term_text = realloc(tb->term_text, tb->cap_terms * sizeof(char *));
            tb->term_len = realloc(tb->term_len, tb->cap_terms * sizeof(uint32_t));
            tb->last_rank = realloc(tb->last_rank, tb->cap_terms * sizeof(uint32_t));
            if (!tb->term_text || !tb->term_len || !tb->last_rank) {
                fputs("timeline: out of memory\n", stderr);
                abort();
            }
        }
        char *copy = model_arena_strndup(tb->arena, token, len);
        tb->term_text[tb->n_terms] = copy;
        tb->term_len[tb->n_terms] = (uint32_t)len;
        tb->last_rank[tb->n_terms] = UINT32_MAX;
        id = ++tb->n_terms;
        model_strmap_put(&tb->terms, copy, len, (void *)id);
    }
    if (tb->last_rank[id - 1] == tb->rank)
        return;
    tb->last_rank[id - 1] = tb->rank;
    pairs_add(&tb->occ, (uint32_t)(id - 1), tb->rank);
}

static void text_add(struct text_build *tb, const char *s)
{
    if (s != NULL)
        model_tokenize(s, strlen(s), text_token, tb);
}

static int term_cmp(const void *a, const void *b)
{
    const struct model_term *x = a, *y = b;
    return strcmp(x->term, y->term);
}

/* Merges two sorted lists without duplicates into out; returns its size. */
static uint32_t merge2(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb,
                       uint32_t *out)
{
    uint32_t i = 0, j = 0, o = 0;
    while (i < na && j < nb) {
        uint32_t x = a[i] <= b[j] ? a[i] : b[j];
        if (a[i] == x)
            i++;
        if (b[j] == x)
            j++;
        out[o++] = x;
    }
    while (i < na)
        out[o++] = a[i++];
    while (j < nb)
        out[o++] = b[j++];
    return o;
}

uint32_t model_merge_lists(const struct model_plist *lists, size_t k, uint32_t *out)
{
    if (k == 0)
        return 0;
    if (k == 1) {
        memcpy(out, lists[0].ranks, lists[0].n * sizeof(*out));
        return lists[0].n;
    }
    /* Halves merged recursively: O(total * log k). */
    size_t half = k / 2;
    size_t na = 0, nb = 0;
    for (size_t i = 0; i < half; i++)
        na += lists[i].n;
    for (size_t i = half; i < k; i++)
        nb += lists[i].n;
    uint32_t *tmp = xmalloc((na + nb) * sizeof(*tmp));
    uint32_t ma = model_merge_lists(lists, half, tmp);
    uint32_t mb = model_merge_lists(lists + half, k - half, tmp + na);
    uint32_t n = merge2(tmp, ma, tmp + na, mb, out);
    free(tmp);
    return n;
}

/* Precomputes the prefix closure of every term that other terms extend. */
static void text_closures(struct model_arena *a, struct model_text_index *ti)
{
    for (uint32_t t = 0; t < ti->n_terms; t++) {
        struct model_term *term = &ti->terms[t];
        if (term->len < MODEL_PREFIX_MIN)
            continue;
        uint32_t end = t + 1;
        while (end < ti->n_terms && ti->terms[end].len > term->len &&
               memcmp(ti->terms[end].term, term->term, term->len) == 0)
            end++;
        if (end == t + 1)
            continue;
        size_t total = 0;
        struct model_plist *lists = xmalloc((end - t) * sizeof(*lists));
        for (uint32_t i = t; i < end; i++) {
            lists[i - t] = (struct model_plist){ti->postings + ti->terms[i].start,
                                                ti->terms[i].n, NULL, 0};
            total += ti->terms[i].n;
        }
        uint32_t *merged = xmalloc(total * sizeof(*merged));
        uint32_t n = model_merge_lists(lists, end - t, merged);
        term->closure = model_arena_memdup(a, merged, n * sizeof(*merged));
        term->closure_n = n;
        term->closure_bits = model_bitmap(a, term->closure, n, ti->universe);
        free(merged);
        free(lists);
    }
}

static void text_finish(struct text_build *tb, struct model_text_index *ti)
{
    struct model_groups g;
    groups_build(tb->arena, &g, (uint32_t)tb->n_terms, &tb->occ, 0);
    ti->postings = g.ranks;
    ti->n_terms = (uint32_t)tb->n_terms;
    ti->universe = tb->universe;
    ti->terms = model_arena_alloc(tb->arena, tb->n_terms * sizeof(*ti->terms));
    for (size_t t = 0; t < tb->n_terms; t++)
        ti->terms[t] = (struct model_term){tb->term_text[t], tb->term_len[t],
                                           g.off[t], g.off[t + 1] - g.off[t], NULL, 0,
                                           model_bitmap(tb->arena, g.ranks + g.off[t],
                                                        g.off[t + 1] - g.off[t], tb->universe),
                                           NULL};
    qsort(ti->terms, ti->n_terms, sizeof(*ti->terms), term_cmp);
    text_closures(tb->arena, ti); /* after ti->universe is set */
    free(tb->term_text);
    free(tb->term_len);
    free(tb->last_rank);
    model_strmap_free(&tb->terms);
}

/* ---- Topics ---- */

static int topic_cmp(const void *a, const void *b)
{
    return strcmp(((const struct model_topic *)a)->topic,
                  ((const struct model_topic *)b)->topic);
}

/* Topics are few and quotes many: intern them, then group quote ranks by
 * topic number with a counting sort. */
static void topics_build(struct model_snapshot *s, struct model_index *ix,
                         struct model_arena *a)
{
    struct model_strmap ids;
    model_strmap_init(&ids);
    const char **names = NULL;
    size_t n_names = 0;
    struct pairs occ = {0};
    for (uint32_t r = 0; r < s->n_quotes; r++) {
        const struct model_quote *q = s->quotes[r];
        for (size_t t = 0; t < q->n_topics; t++) {
            size_t len = strlen(q->topics[t]);
            uintptr_t id = (uintptr_t)model_strmap_get(&ids, q->topics[t], len);
            if (id == 0) {
                names = realloc(names, (n_names + 1) * sizeof(*names));
                if (names == NULL)
                    abort();
                names[n_names] = q->topics[t];
                id = ++n_names;
                model_strmap_put(&ids, q->topics[t], len, (void *)id);
            }
            pairs_add(&occ, (uint32_t)(id - 1), r);
        }
    }
    struct model_groups g;
    groups_build(a, &g, (uint32_t)n_names, &occ, (uint32_t)s->n_quotes);
    ix->topics = model_arena_alloc(a, n_names * sizeof(*ix->topics));
    ix->n_topics = n_names;
    for (size_t t = 0; t < n_names; t++)
        ix->topics[t] = (struct model_topic){names[t], model_group(&g, (uint32_t)t)};
    qsort(ix->topics, n_names, sizeof(*ix->topics), topic_cmp);
    free(names);
    model_strmap_free(&ids);
}

/* ---- Reverse links: what each source supports ---- */

static void source_links(struct model_snapshot *s)
{
    struct pairs ev = {0}, qu = {0}, ac = {0};
    for (size_t i = 0; i < s->n_events; i++)
        for (size_t c = 0; c < s->events[i]->n_citations; c++)
            pairs_add(&ev, s->events[i]->citations[c].source->rank, (uint32_t)i);
    for (size_t i = 0; i < s->n_quotes; i++)
        for (size_t c = 0; c < s->quotes[i]->n_citations; c++)
            pairs_add(&qu, s->quotes[i]->citations[c].source->rank, (uint32_t)i);
    for (size_t i = 0; i < s->n_actors; i++)
        for (size_t c = 0; c < s->actors[i]->n_citations; c++)
            pairs_add(&ac, s->actors[i]->citations[c].source->rank, (uint32_t)i);
    struct model_groups ge, gq, ga;
    uint32_t ns = (uint32_t)s->n_sources;
    groups_build(s->arena, &ge, ns, &ev, 0);
    groups_build(s->arena, &gq, ns, &qu, 0);
    groups_build(s->arena, &ga, ns, &ac, 0);
    s->index->quotes_by_source = gq;
    for (uint32_t k = 0; k < ns; k++) {
        struct model_source *src = (struct model_source *)s->sources[k];
        struct model_plist p = model_group(&ge, k);
        src->events = model_arena_alloc(s->arena, p.n * sizeof(*src->events));
        for (uint32_t j = 0; j < p.n; j++)
            src->events[j] = s->events[p.ranks[j]];
        src->n_events = p.n;
        p = model_group(&gq, k);
        src->quotes = model_arena_alloc(s->arena, p.n * sizeof(*src->quotes));
        for (uint32_t j = 0; j < p.n; j++)
            src->quotes[j] = s->quotes[p.ranks[j]];
        src->n_quotes = p.n;
        p = model_group(&ga, k);
        src->actors = model_arena_alloc(s->arena, p.n * sizeof(*src->actors));
        for (uint32_t j = 0; j < p.n; j++)
            src->actors[j] = s->actors[p.ranks[j]];
        src->n_actors = p.n;
    }
}

/* ---- Entry point ---- */

static void order_entities(struct model_snapshot *s, const struct model_build_input *in)
{
    struct model_arena *a = s->arena;
    s->sources = arena_copy_sorted(a, in->sources, in->n_sources, by_id);
    s->n_sources = in->n_sources;
    for (size_t i = 0; i < s->n_sources; i++)
        ((struct model_source *)s->sources[i])->rank = (uint32_t)i;
    s->actors = arena_copy_sorted(a, in->actors, in->n_actors, by_id);
    s->n_actors = in->n_actors;
    for (size_t i = 0; i < s->n_actors; i++)
        ((struct model_actor *)s->actors[i])->rank = (uint32_t)i;
    for (size_t i = 0; i < in->n_events; i++) {
        struct model_event *e = in->events[i];
        e->lo = e->start.time.lo;
        e->hi = e->end ? e->end->time.hi : e->start.time.hi;
    }
    s->events = arena_copy_sorted(a, in->events, in->n_events, event_order);
    s->n_events = in->n_events;
    for (size_t i = 0; i < s->n_events; i++)
        ((struct model_event *)s->events[i])->rank = (uint32_t)i;
    memcpy(s->index->by_id, in->by_id, sizeof(in->by_id));
}

/* Orders quotes and counts them per event. */
static void order_quotes(struct model_snapshot *s, const struct model_build_input *in,
                         struct model_arena *a)
{
    s->quotes = arena_copy_sorted(a, in->quotes, in->n_quotes, quote_order);
    s->n_quotes = in->n_quotes;
    for (size_t i = 0; i < s->n_quotes; i++) {
        struct model_quote *q = (struct model_quote *)s->quotes[i];
        q->rank = (uint32_t)i;
        if (q->event != NULL)
            ((struct model_event *)q->event)->quote_count++;
    }
}

static void event_indexes(struct model_snapshot *s, struct model_index *ix)
{
    struct pairs type = {0}, status = {0}, actor = {0};
    uint32_t n = (uint32_t)s->n_events;
    int64_t *lo = xmalloc(n * sizeof(*lo)), *hi = xmalloc(n * sizeof(*hi));
    struct text_build tb = {.arena = s->arena, .universe = (uint32_t)s->n_events};
    model_strmap_init(&tb.terms);
    for (uint32_t r = 0; r < n; r++) {
        const struct model_event *e = s->events[r];
        pairs_add(&type, (uint32_t)e->type, r);
        pairs_add(&status, (uint32_t)e->status, r);
        for (size_t p = 0; p < e->n_participants; p++)
            pairs_add(&actor, e->participants[p].actor->rank, r);
        lo[r] = e->lo;
        hi[r] = e->hi;
        tb.rank = r;
        text_add(&tb, e->title);
        text_add(&tb, e->summary);
    }
    groups_build(s->arena, &ix->events_by_type, MODEL_EVENT_TYPE_COUNT, &type, n);
    groups_build(s->arena, &ix->events_by_status, MODEL_STATUS_COUNT, &status, n);
    groups_build(s->arena, &ix->events_by_actor, (uint32_t)s->n_actors, &actor, n);
    time_build(s->arena, &ix->events_by_time, lo, hi, n);
    text_finish(&tb, &ix->events_text);
    free(lo);
    free(hi);
}

static void quote_indexes(struct model_snapshot *s, struct model_index *ix,
                          struct model_arena *a)
{
    struct pairs speaker = {0}, event = {0};
    uint32_t n = (uint32_t)s->n_quotes;
    int64_t *lo = xmalloc(n * sizeof(*lo)), *hi = xmalloc(n * sizeof(*hi));
    for (uint32_t r = 0; r < n; r++) {
        const struct model_quote *q = s->quotes[r];
        pairs_add(&speaker, q->speaker->rank, r);
        if (q->event != NULL)
            pairs_add(&event, q->event->rank, r);
        lo[r] = q->said.time.lo;
        hi[r] = q->said.time.hi;
    }
    groups_build(a, &ix->quotes_by_speaker, (uint32_t)s->n_actors, &speaker, n);
    groups_build(a, &ix->quotes_by_event, (uint32_t)s->n_events, &event, n);
    time_build(a, &ix->quotes_by_time, lo, hi, n);
    topics_build(s, ix, a);
    free(lo);
    free(hi);
}

/* The text index of quotes, the largest single piece of work. */
static void quote_text_index(struct model_snapshot *s, struct model_index *ix,
                             struct model_arena *a)
{
    struct text_build tb = {.arena = a, .universe = (uint32_t)s->n_quotes};
    model_strmap_init(&tb.terms);
    for (uint32_t r = 0; r < s->n_quotes; r++) {
        tb.rank = r;
        text_add(&tb, s->quotes[r]->text);
    }
    text_finish(&tb, &ix->quotes_text);
}

static void actor_indexes(struct model_snapshot *s, struct model_index *ix)
{
    struct pairs kind = {0};
    struct text_build tb = {.arena = s->arena, .universe = (uint32_t)s->n_actors};
    model_strmap_init(&tb.terms);
    for (uint32_t r = 0; r < s->n_actors; r++) {
        const struct model_actor *a = s->actors[r];
        pairs_add(&kind, (uint32_t)a->kind, r);
        tb.rank = r;
        text_add(&tb, a->name);
        for (size_t i = 0; i < a->n_aliases; i++)
            text_add(&tb, a->aliases[i]);
    }
    groups_build(s->arena, &ix->actors_by_kind, MODEL_ACTOR_KIND_COUNT, &kind, (uint32_t)s->n_actors);
    text_finish(&tb, &ix->actors_text);
}

struct text_job {
    struct model_snapshot *s;
    struct model_arena *arena;
};

static void *text_job_run(void *arg)
{
    struct text_job *job = arg;
    quote_text_index(job->s, job->s->index, job->arena);
    return NULL;
}

void model_index_build(struct model_snapshot *s, const struct model_build_input *in)
{
    s->index = model_arena_alloc(s->arena, sizeof(*s->index));
    order_entities(s, in);
    order_quotes(s, in, s->arena);
    /* The quotes' text index is about half the work: build it on a second
     * thread, in an arena of its own that the snapshot adopts afterwards.
     * Both threads only read the entities, except quote_count (written
     * before the thread starts). */
    struct text_job job = {s, model_arena_new()};
    pthread_t thread;
    int threaded = pthread_create(&thread, NULL, text_job_run, &job) == 0;
    if (!threaded)
        text_job_run(&job);
    event_indexes(s, s->index);
    quote_indexes(s, s->index, s->arena);
    actor_indexes(s, s->index);
    if (threaded)
        pthread_join(thread, NULL);
    model_arena_adopt(s->arena, job.arena);
    source_links(s);
}
