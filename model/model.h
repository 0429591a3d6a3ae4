/* The timeline model: an immutable snapshot of an annotated corpus, with the
 * indexes and queries that answer every timeline question.
 *
 * Ownership: a snapshot owns all of its memory (one arena); every pointer
 * reachable from it is borrowed and lives until model_snapshot_free(). A
 * snapshot is never modified after model_load() returns it, so any number of
 * threads may read it at once without locks. */
#ifndef MODEL_MODEL_H
#define MODEL_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "date.h"

/* ---- Enumerations (each has a name table for the wire format) ---- */

enum model_actor_kind {
    MODEL_ACTOR_PERSON,
    MODEL_ACTOR_ORGANIZATION,
    MODEL_ACTOR_COUNTRY,
    MODEL_ACTOR_REGION,
    MODEL_ACTOR_MEDIA_OUTLET,
    MODEL_ACTOR_PLATFORM,
    MODEL_ACTOR_KIND_COUNT
};

enum model_event_type {
    MODEL_EVENT_SUMMIT,
    MODEL_EVENT_MEETING,
    MODEL_EVENT_INTERVIEW,
    MODEL_EVENT_PRESS_CONFERENCE,
    MODEL_EVENT_CALL,
    MODEL_EVENT_SOCIAL_MEDIA_POST,
    MODEL_EVENT_STATEMENT,
    MODEL_EVENT_SPEECH,
    MODEL_EVENT_AGREEMENT,
    MODEL_EVENT_MILITARY_ACTION,
    MODEL_EVENT_ANNEXATION,
    MODEL_EVENT_BACKGROUND,
    MODEL_EVENT_TYPE_COUNT
};

enum model_event_status {
    MODEL_STATUS_OCCURRED,
    MODEL_STATUS_SCHEDULED,
    MODEL_STATUS_PROPOSED,
    MODEL_STATUS_CANCELLED,
    MODEL_STATUS_COUNT
};

enum model_quote_kind { MODEL_QUOTE_FULL, MODEL_QUOTE_FRAGMENT, MODEL_QUOTE_KIND_COUNT };

enum model_basis {
    MODEL_BASIS_REPORTED,
    MODEL_BASIS_RESOLVED,
    MODEL_BASIS_INFERRED,
    MODEL_BASIS_EXTERNAL,
    MODEL_BASIS_COUNT
};

enum model_participant_role {
    MODEL_ROLE_HOST,
    MODEL_ROLE_GUEST,
    MODEL_ROLE_ATTENDEE,
    MODEL_ROLE_INTERVIEWER,
    MODEL_ROLE_INTERVIEWEE,
    MODEL_ROLE_SPEAKER,
    MODEL_ROLE_AUTHOR,
    MODEL_ROLE_INVITEE,
    MODEL_ROLE_PARTY,
    MODEL_ROLE_SUBJECT,
    MODEL_ROLE_ORGANIZER,
    MODEL_ROLE_COUNT
};

/* Wire names ("media-outlet", "social-media-post", ...). Each table has the
 * enum's COUNT entries; model_enum_lookup returns the index or -1. */
extern const char *const model_actor_kind_names[MODEL_ACTOR_KIND_COUNT];
extern const char *const model_event_type_names[MODEL_EVENT_TYPE_COUNT];
extern const char *const model_event_status_names[MODEL_STATUS_COUNT];
extern const char *const model_quote_kind_names[MODEL_QUOTE_KIND_COUNT];
extern const char *const model_basis_names[MODEL_BASIS_COUNT];
extern const char *const model_role_names[MODEL_ROLE_COUNT];
int model_enum_lookup(const char *const *names, int count, const char *name);
/* Is s a valid id: lowercase letters, digits and single inner hyphens, 1 to
 * 80 characters ("steve-witkoff")? */
int model_is_id(const char *s);

/* ---- Entities ---- */

struct model_source;
struct model_actor;
struct model_event;
struct model_quote;

/* A date as annotated: when, how precisely, and where the date comes from. */
struct model_date {
    const char *text; /* as written: "2025-08-15", "2025-08-15T11:30-08:00" */
    struct model_time time;
    enum model_basis basis;
    const char *phrase;                 /* resolved: the words as printed */
    const struct model_source *anchor;  /* resolved: whose dateline */
    const char *note;                   /* inferred/external: why, or NULL */
};

/* A span [start, end) in code points of a source's original. text is the
 * exact text there for quote citations, NULL for other citations. */
struct model_citation {
    const struct model_source *source;
    uint32_t start;
    uint32_t end;
    const char *text;
};

struct model_source {
    const char *id;
    const struct model_actor *publisher;
    const struct model_actor *via; /* syndication, or NULL */
    const char *syndication_note;
    const char *title;
    const char *author;
    struct model_date published;
    const char *language;
    const char *url;
    const char *dateline;
    const char *original_file;
    char sha256[65];
    uint32_t length;
    uint32_t rank; /* index in model_snapshot.sources (sorted by id) */
    /* What it supports, in rank order. */
    const struct model_event **events;
    size_t n_events;
    const struct model_quote **quotes;
    size_t n_quotes;
    const struct model_actor **actors;
    size_t n_actors;
};

struct model_role {
    const char *title;
    const struct model_actor *organization; /* or NULL */
    const struct model_date *from;          /* or NULL */
    const struct model_date *to;            /* or NULL */
};

struct model_actor {
    const char *id;
    const char *name;
    enum model_actor_kind kind;
    const char **aliases;
    size_t n_aliases;
    const struct model_role *roles;
    size_t n_roles;
    const char *wikidata; /* or NULL; always general knowledge */
    const struct model_citation *citations;
    size_t n_citations;
    uint32_t rank; /* index in model_snapshot.actors (sorted by id) */
};

struct model_participant {
    const struct model_actor *actor;
    enum model_participant_role role;
};

struct model_location {
    const char *name;
    const char *country; /* ISO 3166-1 alpha-2, or NULL */
    int has_coordinates; /* coordinates are always general knowledge */
    double lat;
    double lon;
};

struct model_event {
    const char *id;
    enum model_event_type type;
    const char *title;
    const char *summary;
    enum model_event_status status;
    struct model_date start;
    const struct model_date *end; /* or NULL */
    const char *timezone;          /* IANA name, or NULL */
    const struct model_location *location; /* or NULL */
    const struct model_participant *participants;
    size_t n_participants;
    const struct model_event *parent; /* or NULL */
    const struct model_event **related;
    size_t n_related;
    const struct model_citation *citations;
    size_t n_citations;
    int64_t lo, hi; /* the interval covered, start.lo to (end or start).hi */
    uint32_t rank;  /* index in model_snapshot.events (chronological) */
    uint32_t quote_count;
};

struct model_quote {
    const char *id;
    const char *text;
    const struct model_actor *speaker;
    const struct model_event *event; /* or NULL */
    struct model_date said;
    enum model_quote_kind kind;
    const char **topics;
    size_t n_topics;
    const struct model_citation *citations;
    size_t n_citations;
    uint32_t rank; /* index in model_snapshot.quotes (chronological) */
};

struct model_index;

struct model_snapshot {
    char version[65]; /* the corpus version: a hash of every file's path and content */
    time_t loaded_at;
    /* Sorted by id. */
    const struct model_source **sources;
    size_t n_sources;
    const struct model_actor **actors;
    size_t n_actors;
    /* Chronological: by start (events) or said (quotes), then id. */
    const struct model_event **events;
    size_t n_events;
    const struct model_quote **quotes;
    size_t n_quotes;
    size_t n_citations;
    size_t n_proven; /* citations proven against originals */
    size_t n_files;
    struct model_index *index;
    struct model_arena *arena;
};

/* ---- Loading ---- */

struct model_load_options {
    /* Directory of the originals; when set, every source's original must be
     * there with the declared sha256 and length, and every quote citation's
     * text must be at its span. */
    const char *originals_dir;
};

/* Every problem found, as "path:line:column: message" lines. */
struct model_diagnostics {
    char **messages;
    size_t count;
    size_t capacity;
};
void model_diagnostics_free(struct model_diagnostics *diag);

/* The largest corpus file (and original) the loader reads: 64 MiB, over
 * 800 times the largest file of the 100,000-event benchmark corpus (80 KB).
 * A larger one is an error, so that a mistake (a dump, a sparse file) is
 * reported instead of exhausting the memory of a serving process. */
#define MODEL_MAX_FILE_BYTES (64u << 20)

/* Loads every *.json file below dir (following symbolic links; hidden names
 * skipped). Refused with an error each: a corpus without any file (an empty
 * or unmounted directory must not replace the corpus being served), a file
 * that is not a regular one (a FIFO, a device), a file over
 * MODEL_MAX_FILE_BYTES, a directory that cannot be read, and a link back to
 * a directory above it (a cycle). On success returns 0 and a new snapshot
 * in *out (free it with model_snapshot_free). On failure returns -1, stores
 * NULL in *out, and appends every error to diag (sorted by file, line,
 * column); nothing is loaded partially. */
int model_load(const char *dir, const struct model_load_options *opts,
               struct model_snapshot **out, struct model_diagnostics *diag);
void model_snapshot_free(struct model_snapshot *snap);

/* ---- Lookups by id: O(log n); NULL when there is none ---- */

const struct model_source *model_find_source(const struct model_snapshot *s, const char *id);
const struct model_actor *model_find_actor(const struct model_snapshot *s, const char *id);
const struct model_event *model_find_event(const struct model_snapshot *s, const char *id);
const struct model_quote *model_find_quote(const struct model_snapshot *s, const char *id);

/* ---- Queries ---- */

#define MODEL_LIMIT_MAX 500
#define MODEL_CURSOR_MAX 64

/* An inclusive date filter: an item matches when its interval overlaps
 * [from.lo, to.hi). Either bound may be absent. */
struct model_time_filter {
    int has_from;
    struct model_time from;
    int has_to;
    struct model_time to;
};

struct model_event_filter {
    struct model_time_filter when;
    const char *const *actors; /* any of these actor ids */
    size_t n_actors;
    int type;   /* enum model_event_type, or -1 for any */
    int status; /* enum model_event_status, or -1 for any */
    const char *text;
};

struct model_quote_filter {
    struct model_time_filter when;
    const char *speaker; /* actor id, or NULL */
    const char *event;   /* event id, or NULL */
    const char *source;  /* source id, or NULL */
    const char *topic;   /* topic slug, or NULL */
    const char *text;
};

struct model_actor_filter {
    int kind; /* enum model_actor_kind, or -1 for any */
    const char *text;
};

struct model_page_request {
    int descending; /* events and quotes: newest first */
    size_t limit;   /* 1 to MODEL_LIMIT_MAX */
    const char *cursor; /* from a previous page of the same query, or NULL */
};

struct model_page {
    const void *items[MODEL_LIMIT_MAX]; /* borrowed entity pointers */
    size_t count;
    size_t total; /* matches of the whole query */
    char next_cursor[MODEL_CURSOR_MAX]; /* "" on the last page */
};

/* Each returns 0 and fills page, or -1 when the cursor was not issued for
 * this query on this snapshot (forged, truncated, or from another corpus
 * version); then err says so. Cost: O(log n) per filter to position plus
 * the items returned; the total is counted on the first page and carried in
 * the cursor. */
int model_query_events(const struct model_snapshot *s,
                       const struct model_event_filter *f,
                       const struct model_page_request *req,
                       struct model_page *page, char *err, size_t errlen);
int model_query_quotes(const struct model_snapshot *s,
                       const struct model_quote_filter *f,
                       const struct model_page_request *req,
                       struct model_page *page, char *err, size_t errlen);
int model_query_actors(const struct model_snapshot *s,
                       const struct model_actor_filter *f,
                       const struct model_page_request *req,
                       struct model_page *page, char *err, size_t errlen);

/* All sources, by id. */
int model_query_sources(const struct model_snapshot *s,
                        const struct model_page_request *req,
                        struct model_page *page, char *err, size_t errlen);

/* Quotes said at an event, and events an actor took part in, are queries
 * with the event or actor filter set. */

#endif
