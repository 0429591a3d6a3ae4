/* The resources of the API: each handler takes a parsed request and the
 * snapshot and produces a JSON response. Handlers never touch sockets or
 * files; server/ turns HTTP into a struct route_request and a struct
 * route_response back into HTTP. */
#ifndef ROUTES_ROUTE_H
#define ROUTES_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct route_render;
struct route_metrics;

#define ROUTE_MAX_PARAMS 64
#define ROUTE_MAX_SEGMENTS 8
#define ROUTE_MAX_ACTORS 50 /* repeated actor= filters */

struct route_param {
    const char *name;  /* decoded, NUL-free UTF-8 */
    const char *value; /* decoded, NUL-free UTF-8 */
};

/* What the server knows that handlers need besides the snapshot. */
struct route_context {
    const char *openapi;  /* the contract, served by GET /openapi.yaml */
    size_t openapi_len;
    const char *version;  /* the server's version */
    const char *build;    /* identifies the code: part of every ETag */
    const char *last_reload_error; /* or NULL */
    const char *last_reload_at;    /* RFC 3339, or NULL */
    const struct route_render *render; /* prebuilt fragments, or NULL */
    struct route_metrics *metrics;
};

struct route_request {
    const char *path; /* decoded, e.g. "/events/alaska-summit-2025/quotes" */
    const char *segments[ROUTE_MAX_SEGMENTS];
    size_t n_segments;
    struct route_param params[ROUTE_MAX_PARAMS];
    size_t n_params;
    const struct model_snapshot *snap;
    const struct route_context *ctx;
};

/* A growing string, NUL-terminated once anything was added; p is malloc'd
 * (start from {NULL, 0, 0}; hand p on as a body, or free it). */
struct route_buf {
    char *p;
    size_t len, cap;
};

/* A large body that is not copied: bytes of its own with fragments borrowed
 * from the snapshot between them. A filtered /timeline of 100,000 events is
 * 37 MB of slides that the snapshot already holds; assembled as a copy, each
 * such answer held 37 MB until its client had read it. As a rope it holds
 * 16 bytes per item, and the server sends it a block at a time. Piece i
 * comes after own.p[0 .. pieces[i].own_at). */
struct route_piece {
    const char *p;
    uint32_t len;
    uint32_t own_at;
};

struct route_rope {
    struct route_buf own;
    struct route_piece *pieces; /* malloc'd */
    size_t n, cap;
    size_t borrowed_len; /* the pieces' bytes */
};

/* Where a sequential read of a rope is: span 2i is own bytes before piece
 * i (2n: after the last), span 2i + 1 is piece i; start: its offset in the
 * body. Start from {0, 0}. */
struct route_rope_at {
    size_t span;
    size_t start;
};

/* Copies the body's bytes from offset pos (at most max, fewer only at its
 * end) into out and returns their count. Reads that go forward are cheap. */
size_t route_rope_read(const struct route_rope *r, struct route_rope_at *at, size_t pos,
                       char *out, size_t max);
/* The memory r holds, the borrowed bytes aside. */
size_t route_rope_memory(const struct route_rope *r);
/* Frees what r holds (r itself is the caller's). */
void route_rope_free(struct route_rope *r);
/* Frees a malloc'd rope and what it holds; NULL: nothing. */
void route_rope_delete(struct route_rope *r);

struct route_response {
    int status;
    char *body; /* malloc'd, owned by the response */
    size_t body_len; /* of body, borrowed or rope */
    /* Or a body borrowed from the snapshot's prebuilt fragments, valid as
     * long as the snapshot (body is NULL then). */
    const char *borrowed;
    /* Or, for a body over ROUTE_ROPE_MIN assembled from fragments, a rope
     * whose pieces are valid as long as the snapshot (malloc'd, owned by the
     * response; body is NULL then). */
    struct route_rope *rope;
    const char *content_type;
    char *link; /* RFC 8288 Link header value, malloc'd, or NULL */
    int uncacheable; /* changes without the corpus changing (/health) */
};

/* Bodies assembled from fragments are copied up to this size; from there
 * on, fragments are borrowed (a rope). */
#define ROUTE_ROPE_MIN (256 * 1024)

void route_response_free(struct route_response *r);
/* Makes a rope's body one malloc'd body (what a response kept for every
 * request needs). Returns 0, or -1 when out of memory (r is unchanged). */
int route_response_flatten(struct route_response *r);

typedef void (*route_handler)(const struct route_request *req,
                              struct route_response *resp);

/* The dispatch table: one entry per resource path. Patterns are literal
 * segments or "{}" for an id. */
struct route {
    const char *pattern;
    route_handler handler;
};
extern const struct route route_table[];
extern const size_t route_table_size;

/* Finds the handler for req->segments; NULL when no route matches. */
route_handler route_match(const struct route_request *req);
/* The index in route_table of the route matching req, or route_table_size. */
size_t route_match_index(const struct route_request *req);

/* Splits a decoded path into segments (in place, into buf). Returns 0, or
 * -1 when it has too many segments or an empty one ("//"). */
int route_split_path(char *buf, struct route_request *req);

/* ---- Handlers (one file per resource) ---- */
void route_events_list(const struct route_request *req, struct route_response *resp);
void route_events_get(const struct route_request *req, struct route_response *resp);
void route_events_quotes(const struct route_request *req, struct route_response *resp);
void route_quotes_list(const struct route_request *req, struct route_response *resp);
void route_quotes_get(const struct route_request *req, struct route_response *resp);
void route_actors_list(const struct route_request *req, struct route_response *resp);
void route_actors_get(const struct route_request *req, struct route_response *resp);
void route_actors_events(const struct route_request *req, struct route_response *resp);
void route_actors_quotes(const struct route_request *req, struct route_response *resp);
void route_sources_list(const struct route_request *req, struct route_response *resp);
void route_sources_get(const struct route_request *req, struct route_response *resp);
void route_timeline(const struct route_request *req, struct route_response *resp);
void route_health(const struct route_request *req, struct route_response *resp);
void route_openapi(const struct route_request *req, struct route_response *resp);
void route_metrics(const struct route_request *req, struct route_response *resp);

/* Sets an RFC 9457 problem response. param and allowed may be NULL. */
void route_problem(struct route_response *resp, int status, const char *title,
                   const char *detail, const char *param, const char *allowed);
/* 404 for the path itself. */
void route_not_found(const struct route_request *req, struct route_response *resp);

#endif
