#include "render.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

/* ---- The writer ---- */

void render_string(struct route_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    RENDER_LIT(b, "\"");
    const char *run = s;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        route_buf_put(b, run, (size_t)(s - run));
        run = s + 1;
        switch (c) {
        case '"': RENDER_LIT(b, "\\\""); break;
        case '\\': RENDER_LIT(b, "\\\\"); break;
        case '\b': RENDER_LIT(b, "\\b"); break;
        case '\f': RENDER_LIT(b, "\\f"); break;
        case '\n': RENDER_LIT(b, "\\n"); break;
        case '\r': RENDER_LIT(b, "\\r"); break;
        case '\t': RENDER_LIT(b, "\\t"); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            route_buf_put(b, u, sizeof(u));
        }
        }
    }
    route_buf_put(b, run, (size_t)(s - run));
    RENDER_LIT(b, "\"");
}

void render_string_or_null(struct route_buf *b, const char *s)
{
    if (s != NULL)
        render_string(b, s);
    else
        RENDER_LIT(b, "null");
}

void render_int(struct route_buf *b, long long v)
{
    char digits[24], *p = digits + sizeof(digits);
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    route_buf_put(b, p, (size_t)(digits + sizeof(digits) - p));
}

/* As jansson 2.14 writes a real: "%.17g", ".0" added to what would read
 * as an integer, the exponent without '+' or leading zeros. */
void render_real(struct route_buf *b, double v)
{
    char s[40];
    int n = snprintf(s, sizeof(s), "%.17g", v);
    if (n < 0 || (size_t)n >= sizeof(s) - 2)
        return;
    if (strchr(s, '.') == NULL && strchr(s, 'e') == NULL) {
        memcpy(s + n, ".0", 3);
        n += 2;
    }
    char *e = strchr(s, 'e');
    if (e != NULL) {
        char *start = e + 1, *end = e + 2;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        memmove(start, end, (size_t)(s + n + 1 - end));
        n -= (int)(end - start);
    }
    route_buf_put(b, s, (size_t)n);
}

/* ---- Entities: keys in strcmp order, as JSON_SORT_KEYS puts them ---- */

/* Where a date comes from: {basis, note?, phrase?, source?}. */
static void render_basis(struct route_buf *b, const struct model_date *d)
{
    RENDER_LIT(b, "{\"basis\":");
    render_string(b, model_basis_names[d->basis]);
    if (d->note != NULL) {
        RENDER_LIT(b, ",\"note\":");
        render_string(b, d->note);
    }
    if (d->phrase != NULL) {
        RENDER_LIT(b, ",\"phrase\":");
        render_string(b, d->phrase);
    }
    if (d->anchor != NULL) {
        RENDER_LIT(b, ",\"source\":");
        render_string(b, d->anchor->id);
    }
    RENDER_LIT(b, "}");
}

/* [{end, exact?, publisher?, source, start}]: with_text for quotes. */
static void render_citations(struct route_buf *b, const struct model_citation *c, size_t n,
                             int with_text)
{
    RENDER_LIT(b, "[");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            RENDER_LIT(b, ",");
        RENDER_LIT(b, "{\"end\":");
        render_int(b, c[i].end);
        if (with_text) {
            RENDER_LIT(b, ",\"exact\":");
            render_string(b, c[i].text);
            RENDER_LIT(b, ",\"publisher\":");
            render_string(b, c[i].source->publisher->name);
        }
        RENDER_LIT(b, ",\"source\":");
        render_string(b, c[i].source->id);
        RENDER_LIT(b, ",\"start\":");
        render_int(b, c[i].start);
        RENDER_LIT(b, "}");
    }
    RENDER_LIT(b, "]");
}

/* [s, …] of n strings. */
static void render_string_list(struct route_buf *b, const char *const *s, size_t n)
{
    RENDER_LIT(b, "[");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            RENDER_LIT(b, ",");
        render_string(b, s[i]);
    }
    RENDER_LIT(b, "]");
}

/* [id, …] of n entities (each struct begins with its id). */
static void render_ids(struct route_buf *b, const void *const *items, size_t n)
{
    RENDER_LIT(b, "[");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            RENDER_LIT(b, ",");
        render_string(b, *(const char *const *)items[i]);
    }
    RENDER_LIT(b, "]");
}

static void render_location(struct route_buf *b, const struct model_location *l)
{
    RENDER_LIT(b, "{\"country\":");
    render_string_or_null(b, l->country);
    RENDER_LIT(b, ",\"lat\":");
    if (l->has_coordinates)
        render_real(b, l->lat);
    else
        RENDER_LIT(b, "null");
    RENDER_LIT(b, ",\"lon\":");
    if (l->has_coordinates)
        render_real(b, l->lon);
    else
        RENDER_LIT(b, "null");
    RENDER_LIT(b, ",\"name\":");
    render_string(b, l->name);
    RENDER_LIT(b, "}");
}

void render_event(struct route_buf *b, const struct model_event *e)
{
    RENDER_LIT(b, "{\"citations\":");
    render_citations(b, e->citations, e->n_citations, 0);
    RENDER_LIT(b, ",\"dating\":{");
    if (e->end != NULL) {
        RENDER_LIT(b, "\"end\":");
        render_basis(b, e->end);
        RENDER_LIT(b, ",");
    }
    RENDER_LIT(b, "\"start\":");
    render_basis(b, &e->start);
    RENDER_LIT(b, "},\"end\":");
    render_string_or_null(b, e->end ? e->end->text : NULL);
    RENDER_LIT(b, ",\"id\":");
    render_string(b, e->id);
    RENDER_LIT(b, ",\"location\":");
    if (e->location != NULL)
        render_location(b, e->location);
    else
        RENDER_LIT(b, "null");
    RENDER_LIT(b, ",\"parent\":");
    render_string_or_null(b, e->parent ? e->parent->id : NULL);
    RENDER_LIT(b, ",\"participants\":[");
    for (size_t i = 0; i < e->n_participants; i++) {
        if (i > 0)
            RENDER_LIT(b, ",");
        RENDER_LIT(b, "{\"id\":");
        render_string(b, e->participants[i].actor->id);
        RENDER_LIT(b, ",\"name\":");
        render_string(b, e->participants[i].actor->name);
        RENDER_LIT(b, ",\"role\":");
        render_string(b, model_role_names[e->participants[i].role]);
        RENDER_LIT(b, "}");
    }
    RENDER_LIT(b, "],\"precision\":");
    render_string(b, model_precision_name(e->start.time.precision));
    RENDER_LIT(b, ",\"quote_count\":");
    render_int(b, e->quote_count);
    RENDER_LIT(b, ",\"related\":");
    render_ids(b, (const void *const *)e->related, e->n_related);
    RENDER_LIT(b, ",\"start\":");
    render_string(b, e->start.text);
    RENDER_LIT(b, ",\"status\":");
    render_string(b, model_event_status_names[e->status]);
    RENDER_LIT(b, ",\"summary\":");
    render_string(b, e->summary);
    RENDER_LIT(b, ",\"timezone\":");
    render_string_or_null(b, e->timezone);
    RENDER_LIT(b, ",\"title\":");
    render_string(b, e->title);
    RENDER_LIT(b, ",\"type\":");
    render_string(b, model_event_type_names[e->type]);
    RENDER_LIT(b, "}");
}

void render_quote(struct route_buf *b, const struct model_quote *q)
{
    RENDER_LIT(b, "{\"citations\":");
    render_citations(b, q->citations, q->n_citations, 1);
    RENDER_LIT(b, ",\"date\":");
    render_string(b, q->said.text);
    RENDER_LIT(b, ",\"dating\":");
    render_basis(b, &q->said);
    RENDER_LIT(b, ",\"event\":");
    render_string_or_null(b, q->event ? q->event->id : NULL);
    RENDER_LIT(b, ",\"id\":");
    render_string(b, q->id);
    RENDER_LIT(b, ",\"kind\":");
    render_string(b, model_quote_kind_names[q->kind]);
    RENDER_LIT(b, ",\"precision\":");
    render_string(b, model_precision_name(q->said.time.precision));
    RENDER_LIT(b, ",\"speaker\":{\"id\":");
    render_string(b, q->speaker->id);
    RENDER_LIT(b, ",\"name\":");
    render_string(b, q->speaker->name);
    RENDER_LIT(b, "},\"text\":");
    render_string(b, q->text);
    RENDER_LIT(b, ",\"topics\":");
    render_string_list(b, q->topics, q->n_topics);
    RENDER_LIT(b, "}");
}

void render_actor(struct route_buf *b, const struct model_actor *a)
{
    RENDER_LIT(b, "{\"aliases\":");
    render_string_list(b, a->aliases, a->n_aliases);
    RENDER_LIT(b, ",\"id\":");
    render_string(b, a->id);
    RENDER_LIT(b, ",\"kind\":");
    render_string(b, model_actor_kind_names[a->kind]);
    RENDER_LIT(b, ",\"name\":");
    render_string(b, a->name);
    RENDER_LIT(b, ",\"roles\":[");
    for (size_t i = 0; i < a->n_roles; i++) {
        const struct model_role *r = &a->roles[i];
        if (i > 0)
            RENDER_LIT(b, ",");
        RENDER_LIT(b, "{\"from\":");
        render_string_or_null(b, r->from ? r->from->text : NULL);
        RENDER_LIT(b, ",\"organization\":");
        render_string_or_null(b, r->organization ? r->organization->id : NULL);
        RENDER_LIT(b, ",\"title\":");
        render_string(b, r->title);
        RENDER_LIT(b, ",\"to\":");
        render_string_or_null(b, r->to ? r->to->text : NULL);
        RENDER_LIT(b, "}");
    }
    RENDER_LIT(b, "],\"wikidata\":");
    render_string_or_null(b, a->wikidata);
    RENDER_LIT(b, "}");
}

void render_source(struct route_buf *b, const struct model_source *s, int with_supports)
{
    RENDER_LIT(b, "{\"author\":");
    render_string_or_null(b, s->author);
    if (!with_supports) {
        RENDER_LIT(b, ",\"counts\":{\"actors\":");
        render_int(b, (long long)s->n_actors);
        RENDER_LIT(b, ",\"events\":");
        render_int(b, (long long)s->n_events);
        RENDER_LIT(b, ",\"quotes\":");
        render_int(b, (long long)s->n_quotes);
        RENDER_LIT(b, "}");
    }
    RENDER_LIT(b, ",\"dateline\":");
    render_string_or_null(b, s->dateline);
    RENDER_LIT(b, ",\"dating\":");
    render_basis(b, &s->published);
    RENDER_LIT(b, ",\"id\":");
    render_string(b, s->id);
    RENDER_LIT(b, ",\"language\":");
    render_string(b, s->language);
    RENDER_LIT(b, ",\"length\":");
    render_int(b, s->length);
    RENDER_LIT(b, ",\"original\":");
    render_string(b, s->original_file);
    RENDER_LIT(b, ",\"precision\":");
    render_string(b, model_precision_name(s->published.time.precision));
    RENDER_LIT(b, ",\"published\":");
    render_string(b, s->published.text);
    RENDER_LIT(b, ",\"publisher\":{\"id\":");
    render_string(b, s->publisher->id);
    RENDER_LIT(b, ",\"name\":");
    render_string(b, s->publisher->name);
    RENDER_LIT(b, "},\"sha256\":");
    render_string(b, s->sha256);
    if (with_supports) {
        RENDER_LIT(b, ",\"supports\":{\"actors\":");
        render_ids(b, (const void *const *)s->actors, s->n_actors);
        RENDER_LIT(b, ",\"events\":");
        render_ids(b, (const void *const *)s->events, s->n_events);
        RENDER_LIT(b, ",\"quotes\":");
        render_ids(b, (const void *const *)s->quotes, s->n_quotes);
        RENDER_LIT(b, "}");
    }
    RENDER_LIT(b, ",\"syndication\":");
    if (s->via != NULL) {
        RENDER_LIT(b, "{\"name\":");
        render_string(b, s->via->name);
        RENDER_LIT(b, ",\"note\":");
        render_string_or_null(b, s->syndication_note);
        RENDER_LIT(b, ",\"via\":");
        render_string(b, s->via->id);
        RENDER_LIT(b, "}");
    } else {
        RENDER_LIT(b, "null");
    }
    RENDER_LIT(b, ",\"title\":");
    render_string(b, s->title);
    RENDER_LIT(b, ",\"url\":");
    render_string_or_null(b, s->url);
    RENDER_LIT(b, "}");
}

/* ---- /timeline's slides (TimelineJS3,
 * https://timeline.knightlab.com/docs/json-format.html). Dates are split
 * into year/month/day/hour/minute only down to each event's precision, in
 * the local time the event was reported in. ---- */

static const char *const MONTHS[] = {"January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December"};

/* {day?, hour?, minute?, month?, year}: down to d's precision. */
static void timeline_date(struct route_buf *b, const struct model_date *d)
{
    struct model_civil c;
    model_time_civil(&d->time, &c);
    enum model_precision p = d->time.precision;
    const char *sep = "{";
    const struct {
        const char *key;
        enum model_precision from;
        int value;
    } parts[] = {{"\"day\":", MODEL_PRECISION_DAY, c.day},
                 {"\"hour\":", MODEL_PRECISION_HOUR, c.hour},
                 {"\"minute\":", MODEL_PRECISION_MINUTE, c.minute},
                 {"\"month\":", MODEL_PRECISION_MONTH, c.month},
                 {"\"year\":", MODEL_PRECISION_YEAR, c.year}};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (p < parts[i].from)
            continue;
        route_buf_put(b, sep, 1);
        route_buf_put(b, parts[i].key, strlen(parts[i].key));
        render_int(b, parts[i].value);
        sep = ",";
    }
    RENDER_LIT(b, "}");
}

/* "2025", "August 2025", "15 August 2025", "15 August 2025, 11:30". */
static void display_date(const struct model_date *d, char *buf, size_t size)
{
    struct model_civil c;
    model_time_civil(&d->time, &c);
    switch (d->time.precision) {
    case MODEL_PRECISION_YEAR:
        snprintf(buf, size, "%d", c.year);
        break;
    case MODEL_PRECISION_MONTH:
        snprintf(buf, size, "%s %d", MONTHS[c.month - 1], c.year);
        break;
    case MODEL_PRECISION_DAY:
        snprintf(buf, size, "%d %s %d", c.day, MONTHS[c.month - 1], c.year);
        break;
    default:
        snprintf(buf, size, "%d %s %d, %02d:%02d", c.day, MONTHS[c.month - 1], c.year,
                 c.hour, c.minute);
        break;
    }
}

/* {display_date, end_date?, group, start_date, text, unique_id} */
void render_timeline_event(struct route_buf *b, const struct model_event *e)
{
    char shown[128], end[64];
    display_date(&e->start, shown, sizeof(shown));
    if (e->end != NULL) {
        display_date(e->end, end, sizeof(end));
        size_t n = strlen(shown);
        snprintf(shown + n, sizeof(shown) - n, " – %s", end);
    }
    RENDER_LIT(b, "{\"display_date\":");
    render_string(b, shown);
    if (e->end != NULL) {
        RENDER_LIT(b, ",\"end_date\":");
        timeline_date(b, e->end);
    }
    RENDER_LIT(b, ",\"group\":");
    render_string(b, model_event_type_names[e->type]);
    RENDER_LIT(b, ",\"start_date\":");
    timeline_date(b, &e->start);
    RENDER_LIT(b, ",\"text\":{\"headline\":");
    render_string(b, e->title);
    RENDER_LIT(b, ",\"text\":");
    render_string(b, e->summary);
    RENDER_LIT(b, "},\"unique_id\":");
    render_string(b, e->id);
    RENDER_LIT(b, "}");
}

/* ---- Rendering a snapshot ---- */

enum { CHUNK_ITEMS = 1024, MAX_WORKERS = 8 };

/* One chunk: items [first, first + n) of a kind, rendered into one buffer. */
struct render_chunk {
    enum route_kind kind;
    size_t first, n;
};

struct render_job {
    const struct model_snapshot *snap;
    struct route_render *r;
    struct render_chunk *chunks;
    size_t n_chunks;
    atomic_size_t next; /* the next chunk to take */
};

static const void *const *kind_items(const struct model_snapshot *snap, enum route_kind kind,
                                     size_t *n)
{
    switch (kind) {
    case ROUTE_EVENTS: *n = snap->n_events; return (const void *const *)snap->events;
    case ROUTE_QUOTES: *n = snap->n_quotes; return (const void *const *)snap->quotes;
    case ROUTE_ACTORS: *n = snap->n_actors; return (const void *const *)snap->actors;
    case ROUTE_SOURCES: *n = snap->n_sources; return (const void *const *)snap->sources;
    default: *n = snap->n_events; return (const void *const *)snap->events; /* slides */
    }
}

void render_item(struct route_buf *b, enum route_kind kind, const void *item)
{
    switch (kind) {
    case ROUTE_EVENTS: render_event(b, item); break;
    case ROUTE_QUOTES: render_quote(b, item); break;
    case ROUTE_ACTORS: render_actor(b, item); break;
    case ROUTE_SOURCES: render_source(b, item, 0); break;
    default: render_timeline_event(b, item); break;
    }
}

const struct route_fragment *route_render_fragment(const struct route_render *r,
                                                   enum route_kind kind, const void *item)
{
    if (r == NULL)
        return NULL;
    uint32_t rank;
    switch (kind) {
    case ROUTE_EVENTS:
    case ROUTE_TIMELINE: rank = ((const struct model_event *)item)->rank; break;
    case ROUTE_QUOTES: rank = ((const struct model_quote *)item)->rank; break;
    case ROUTE_ACTORS: rank = ((const struct model_actor *)item)->rank; break;
    default: rank = ((const struct model_source *)item)->rank; break;
    }
    return &r->fragments[kind][rank];
}

/* Renders chunk i into r->chunks[i], its fragments one after the other,
 * each followed by a NUL, and points the fragments there. */
static void render_chunk(struct render_job *job, size_t i)
{
    const struct render_chunk *c = &job->chunks[i];
    size_t n;
    const void *const *items = kind_items(job->snap, c->kind, &n);
    struct route_fragment *f = job->r->fragments[c->kind] + c->first;
    struct route_buf b = {NULL, 0, 0};
    for (size_t k = 0; k < c->n; k++) {
        size_t at = b.len;
        render_item(&b, c->kind, items[c->first + k]);
        f[k].len = b.len - at;
        route_buf_put(&b, "", 1); /* each fragment is a C string too */
    }
    char *p = b.len + 1 < b.cap ? realloc(b.p, b.len + 1) : b.p; /* give back the slack */
    job->r->chunks[i] = p != NULL ? p : b.p;
    const char *at = job->r->chunks[i];
    for (size_t k = 0; k < c->n; k++) {
        f[k].json = at;
        at += f[k].len + 1;
    }
}

static void *render_worker(void *arg)
{
    struct render_job *job = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->n_chunks)
            return NULL;
        render_chunk(job, i);
    }
}

/* Splits every kind's items into chunks of CHUNK_ITEMS. Returns how many
 * (and fills out when it is not NULL). */
static size_t plan_chunks(const struct model_snapshot *snap, struct render_chunk *out)
{
    size_t count = 0;
    for (enum route_kind kind = 0; kind < ROUTE_KINDS; kind++) {
        size_t n;
        kind_items(snap, kind, &n);
        for (size_t first = 0; first < n; first += CHUNK_ITEMS, count++)
            if (out != NULL)
                out[count] = (struct render_chunk){kind, first,
                                                   n - first < CHUNK_ITEMS ? n - first
                                                                           : CHUNK_ITEMS};
    }
    return count;
}

struct route_render *route_render_build(const struct model_snapshot *snap)
{
    struct route_render *r = calloc(1, sizeof(*r));
    struct render_job job = {snap, r, NULL, plan_chunks(snap, NULL), 0};
    job.chunks = calloc(job.n_chunks + 1, sizeof(*job.chunks));
    if (r == NULL || job.chunks == NULL)
        goto fail;
    r->chunks = calloc(job.n_chunks + 1, sizeof(*r->chunks));
    r->n_chunks = job.n_chunks;
    if (r->chunks == NULL)
        goto fail;
    for (enum route_kind kind = 0; kind < ROUTE_KINDS; kind++) {
        size_t n;
        kind_items(snap, kind, &n);
        r->fragments[kind] = calloc(n + 1, sizeof(struct route_fragment));
        if (r->fragments[kind] == NULL)
            goto fail;
    }
    plan_chunks(snap, job.chunks);
    /* The calling thread works too; the others share the chunks left. */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t workers = cores > 1 ? (size_t)cores : 1;
    if (workers > MAX_WORKERS)
        workers = MAX_WORKERS;
    if (workers > job.n_chunks)
        workers = job.n_chunks;
    pthread_t t[MAX_WORKERS];
    size_t started = 0;
    while (started + 1 < workers && pthread_create(&t[started], NULL, render_worker, &job) == 0)
        started++;
    render_worker(&job);
    for (size_t i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    free(job.chunks);
    return r;
fail:
    free(job.chunks);
    route_render_free(r);
    return NULL;
}

void route_render_free(struct route_render *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; r->chunks != NULL && i < r->n_chunks; i++)
        free(r->chunks[i]);
    free(r->chunks);
    for (enum route_kind kind = 0; kind < ROUTE_KINDS; kind++)
        free(r->fragments[kind]);
    free(r);
}
