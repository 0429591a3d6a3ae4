/* Model internals shared by the loader, the index builder and the queries.
 * Not part of the public API. */
#ifndef MODEL_INTERNAL_H
#define MODEL_INTERNAL_H

#include "model.h"
#include "strmap.h"

/* A sorted list of item ranks (each kind's items are numbered by their
 * position in the snapshot's ordered array). */
struct model_plist {
    const uint32_t *ranks;
    uint32_t n;
    /* For a dense list (MODEL_DENSE_RATIO or more of all items), the same
     * ranks as a bitmap over all items, so that seeking in it is a word scan
     * instead of a search; NULL otherwise. */
    const uint64_t *bits;
    uint32_t universe;
};
#define MODEL_DENSE_RATIO 32   /* dense: n * 32 >= universe */
#define MODEL_DENSE_MIN 1024   /* smaller universes do not need bitmaps */

/* The bitmap of ranks[0..n) over universe items when the list is dense, in
 * arena; NULL when it is not worth one. */
const uint64_t *model_bitmap(struct model_arena *a, const uint32_t *ranks, uint32_t n,
                             uint32_t universe);

/* Items grouped by a key (actor, event, source, kind...): the items of key k
 * are ranks[off[k] .. off[k+1]), ascending. */
struct model_groups {
    uint32_t *off;
    uint32_t *ranks;
    uint32_t n_keys;
    const uint64_t **bits; /* per key, for dense groups; or NULL */
    uint32_t universe;
};

/* Intervals [lo, hi) bucketed by duration class (floor(log2(hi - lo))), so
 * that an overlap query looks only at items starting within one duration of
 * the window, per class. Within a class, items are in rank order, which is
 * also order of lo. */
#define MODEL_TIME_CLASSES 40
struct model_time_class {
    uint32_t *ranks;
    int64_t *lo;
    int64_t *hi;
    uint32_t n;
    int64_t max_len;
};
struct model_time_index {
    struct model_time_class classes[MODEL_TIME_CLASSES];
};

/* Folded search terms, sorted bytewise, each with the ranks that contain
 * it. */
struct model_term {
    const char *term;
    uint32_t len;
    uint32_t start; /* into postings */
    uint32_t n;
    /* For a term of MODEL_PREFIX_MIN or more bytes that other terms extend
     * ("guarantee": "guarantees", "guaranteed"): the ranks containing any
     * of them, precomputed so a prefix query is one list. */
    const uint32_t *closure;
    uint32_t closure_n;
    const uint64_t *bits;         /* of the postings, when dense */
    const uint64_t *closure_bits; /* of the closure, when dense */
};
/* Query words shorter than this match whole words only ("5", "EU"). */
#define MODEL_PREFIX_MIN 3
struct model_text_index {
    struct model_term *terms;
    uint32_t n_terms;
    uint32_t *postings;
    uint32_t universe; /* items indexed */
};

/* Merges k sorted rank lists into out (room for the sum of their sizes),
 * dropping duplicates; returns the merged size. */
uint32_t model_merge_lists(const struct model_plist *lists, size_t k, uint32_t *out);

struct model_topic {
    const char *topic;
    struct model_plist quotes;
};

enum { MODEL_ID_SOURCE, MODEL_ID_ACTOR, MODEL_ID_EVENT, MODEL_ID_QUOTE, MODEL_ID_KINDS };

struct model_index {
    struct model_idtable by_id[MODEL_ID_KINDS];
    struct model_groups events_by_type;
    struct model_groups events_by_status;
    struct model_groups events_by_actor;
    struct model_time_index events_by_time;
    struct model_text_index events_text;
    struct model_groups quotes_by_speaker;
    struct model_groups quotes_by_event;
    struct model_groups quotes_by_source;
    struct model_topic *topics; /* sorted by topic */
    size_t n_topics;
    struct model_time_index quotes_by_time;
    struct model_text_index quotes_text;
    struct model_groups actors_by_kind;
    struct model_text_index actors_text;
};

struct model_build_input {
    const struct model_source **sources;
    size_t n_sources;
    const struct model_actor **actors;
    size_t n_actors;
    struct model_event **events;
    size_t n_events;
    struct model_quote **quotes;
    size_t n_quotes;
    struct model_idtable by_id[MODEL_ID_KINDS]; /* filled by the loader */
};

/* Orders the entities, numbers them, fills the reverse links (what a source
 * supports, quote counts) and builds every index, all in snap's arena. */
void model_index_build(struct model_snapshot *snap,
                       const struct model_build_input *in);

struct model_plist model_group(const struct model_groups *g, uint32_t key);

#endif
