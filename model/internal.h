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
};

/* Items grouped by a key (actor, event, source, kind...): the items of key k
 * are ranks[off[k] .. off[k+1]), ascending. */
struct model_groups {
    uint32_t *off;
    uint32_t *ranks;
    uint32_t n_keys;
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
};
struct model_text_index {
    struct model_term *terms;
    uint32_t n_terms;
    uint32_t *postings;
};

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
