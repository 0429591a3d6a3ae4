/* Every entity's JSON, rendered once per snapshot so that requests only
 * copy bytes: rendering with jansson on every request served about 2,000
 * requests/s where serving prebuilt bytes serves about 30,000.
 *
 * The JSON is written straight into a growing buffer, with no tree built:
 * building one jansson tree per entity and dumping it took 5.8 s of the
 * synthetic corpus's 12.5 s start-up. The bytes are what
 * json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS) makes of the same value
 * (objects' keys in strcmp order, jansson's escapes and number format);
 * check_render holds every fragment and the writer's primitives to that. */
#ifndef ROUTES_RENDER_H
#define ROUTES_RENDER_H

#include <stddef.h>

#include "model.h"

struct route_buf;

struct route_fragment {
    const char *json; /* NUL-terminated, in one of the render's chunks */
    size_t len;       /* strlen(json) */
};

/* What an entity, a fragment or a page is of. ROUTE_TIMELINE: events as
 * /timeline shows them (TimelineJS3 slides). */
enum route_kind {
    ROUTE_EVENTS,
    ROUTE_QUOTES,
    ROUTE_ACTORS,
    ROUTE_SOURCES,
    ROUTE_TIMELINE,
    ROUTE_KINDS
};

struct route_render {
    /* By kind, then by rank, as the snapshot orders them. */
    struct route_fragment *fragments[ROUTE_KINDS];
    char **chunks; /* the bytes the fragments point into */
    size_t n_chunks;
};

/* Renders every entity of snap (on one thread per core). Returns a new
 * render that route_render_free releases, or NULL when out of memory. */
struct route_render *route_render_build(const struct model_snapshot *snap);
void route_render_free(struct route_render *r);
/* The fragment of item (an entity of kind) in r (borrowed), or NULL when
 * there is no render. */
const struct route_fragment *route_render_fragment(const struct route_render *r,
                                                   enum route_kind kind, const void *item);

/* Appends a string literal, without its NUL ("" lit "" refuses anything
 * but a literal, whose sizeof is its length). */
#define RENDER_LIT(b, lit) route_buf_put((b), "" lit "", sizeof(lit) - 1)

/* The JSON writer. s: valid UTF-8 (the loader guarantees it of every
 * string in a snapshot); v: finite. */
void render_string(struct route_buf *b, const char *s);
void render_string_or_null(struct route_buf *b, const char *s);
void render_int(struct route_buf *b, long long v);
void render_real(struct route_buf *b, double v);

/* Entities, as the API serves them. A source's "supports" (the ids of all
 * it supports) is only in its own resource; lists give "counts". */
void render_event(struct route_buf *b, const struct model_event *e);
void render_quote(struct route_buf *b, const struct model_quote *q);
void render_actor(struct route_buf *b, const struct model_actor *a);
void render_source(struct route_buf *b, const struct model_source *s, int with_supports);
/* e as a TimelineJS3 slide: {display_date, end_date?, group, start_date,
 * text: {headline, text}, unique_id}. */
void render_timeline_event(struct route_buf *b, const struct model_event *e);
/* item, an entity of kind, as lists show it (a source with its counts). */
void render_item(struct route_buf *b, enum route_kind kind, const void *item);

#endif
