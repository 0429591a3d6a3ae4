/* Helpers shared by the route files: query parameter checking, JSON
 * rendering of entities, collection envelopes. */
#ifndef ROUTES_COMMON_H
#define ROUTES_COMMON_H

#include <jansson.h>

#include "render.h"
#include "route.h"

/* Allowed query parameters of a route. repeatable: may appear more than
 * once (actor=). */
struct param_spec {
    const char *name;
    int repeatable;
};

/* Rejects unknown and wrongly repeated parameters with a 400 naming them
 * and listing the allowed ones. Returns 0 when all are fine, -1 when resp
 * holds the problem. spec ends with a {NULL, 0} entry. */
int params_check(const struct route_request *req, const struct param_spec *spec,
                 struct route_response *resp);
/* The (first) value of a parameter, or NULL. */
const char *param_get(const struct route_request *req, const char *name);

/* Each parser returns 0 and fills its output, or -1 with a 400 in resp. */
int param_limit(const struct route_request *req, size_t *limit, struct route_response *resp);
int param_sort(const struct route_request *req, int *descending, struct route_response *resp);
int param_time(const struct route_request *req, struct model_time_filter *w,
               struct route_response *resp);
int param_enum(const struct route_request *req, const char *name,
               const char *const *names, int count, int *out, struct route_response *resp);
/* An id-shaped value (slug), or NULL when absent. */
int param_id(const struct route_request *req, const char *name, const char **out,
             struct route_response *resp);
int param_text(const struct route_request *req, const char **out, struct route_response *resp);
int param_cursor(const struct route_request *req, const char **out, struct route_response *resp);

void route_buf_put(struct route_buf *b, const char *s, size_t n);
__attribute__((format(printf, 2, 3))) void route_buf_printf(struct route_buf *b,
                                                            const char *fmt, ...);

/* Serialises v (stealing the reference) as the 200 response body. */
void respond_json(struct route_response *resp, int status, json_t *v);
/* Answers 200 with b's JSON as the body, taking its bytes (b is emptied). */
void respond_buf(struct route_response *resp, struct route_buf *b);

/* Appends item's JSON (an entity of kind) to r: its fragment, copied while
 * the body is under ROUTE_ROPE_MIN and borrowed from then on, or rendered
 * now when there are none (the render ran out of memory). */
void put_item(struct route_rope *r, const struct route_request *req, enum route_kind kind,
              const void *item);
/* Answers 200 with r's JSON as the body, taking its bytes and pieces (r is
 * emptied): one body when nothing was borrowed, else the rope. */
void respond_rope(struct route_response *resp, struct route_rope *r);
/* Renders a page of a query as a collection: data, meta, links, and the
 * Link header. The items' JSON comes from the snapshot's prebuilt fragments
 * when there are any, else it is rendered now (render.h). */
void respond_page(const struct route_request *req, struct route_response *resp,
                  const struct model_page *page, size_t limit, enum route_kind kind);
/* Answers 200 with one entity's prebuilt JSON (borrowed, not copied), or
 * renders it when there are no fragments. */
void respond_entity(const struct route_request *req, struct route_response *resp,
                    enum route_kind kind, const void *item);

/* Reads the event filters shared by /events, /actors/{id}/events and
 * /timeline into f (actor ids into actors, room for ROUTE_MAX_ACTORS). */
int event_filter(const struct route_request *req, struct model_event_filter *f,
                 const char **actors, struct route_response *resp);
/* Reads the quote filters shared by /quotes and the nested quote lists. */
int quote_filter(const struct route_request *req, struct model_quote_filter *f,
                 struct route_response *resp);
/* Reads sort, limit and cursor. */
int page_request(const struct route_request *req, struct model_page_request *pr,
                 struct route_response *resp);

/* Run a query with the request's sort, limit and cursor, and respond with
 * the page (or the problem). */
void events_page(const struct route_request *req, struct route_response *resp,
                 const struct model_event_filter *f);
void quotes_page(const struct route_request *req, struct route_response *resp,
                 const struct model_quote_filter *f);

/* The 400 for a cursor the model refused. */
void respond_bad_cursor(struct route_response *resp, const char *detail);

#endif
