/* GET /actors, /actors/{id}, /actors/{id}/events, /actors/{id}/quotes */
#include <stdlib.h>
#include <string.h>

#include "common.h"

void route_actors_list(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{"kind", 0}, {"q", 0}, {"limit", 0},
                                             {"cursor", 0}, {NULL, 0}};
    struct model_actor_filter f;
    struct model_page_request pr;
    memset(&pr, 0, sizeof(pr));
    if (params_check(req, spec, resp) != 0 ||
        param_enum(req, "kind", model_actor_kind_names, MODEL_ACTOR_KIND_COUNT, &f.kind,
                   resp) != 0 ||
        param_text(req, &f.text, resp) != 0 || param_limit(req, &pr.limit, resp) != 0 ||
        param_cursor(req, &pr.cursor, resp) != 0)
        return;
    struct model_page *page = malloc(sizeof(*page));
    char err[256];
    if (model_query_actors(req->snap, &f, &pr, page, err, sizeof(err)) != 0)
        respond_bad_cursor(resp, err);
    else
        respond_page(req, resp, page, pr.limit, ROUTE_ACTORS);
    free(page);
}

static const struct model_actor *find_actor(const struct route_request *req,
                                            struct route_response *resp)
{
    const struct model_actor *a = model_find_actor(req->snap, req->segments[1]);
    if (a == NULL)
        route_not_found(req, resp);
    return a;
}

void route_actors_get(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{NULL, 0}};
    if (params_check(req, spec, resp) != 0)
        return;
    const struct model_actor *a = find_actor(req, resp);
    if (a != NULL)
        respond_entity(req, resp, ROUTE_ACTORS, a);
}

void route_actors_events(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{"from", 0}, {"to", 0}, {"type", 0},
        {"status", 0}, {"q", 0}, {"sort", 0}, {"limit", 0}, {"cursor", 0}, {NULL, 0}};
    struct model_event_filter f;
    const char *actors[ROUTE_MAX_ACTORS];
    if (params_check(req, spec, resp) != 0 || event_filter(req, &f, actors, resp) != 0)
        return;
    const struct model_actor *a = find_actor(req, resp);
    if (a == NULL)
        return;
    actors[0] = a->id;
    f.actors = actors;
    f.n_actors = 1;
    events_page(req, resp, &f);
}

void route_actors_quotes(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{"event", 0}, {"source", 0}, {"topic", 0},
        {"from", 0}, {"to", 0}, {"q", 0}, {"sort", 0}, {"limit", 0}, {"cursor", 0},
        {NULL, 0}};
    struct model_quote_filter f;
    if (params_check(req, spec, resp) != 0 || quote_filter(req, &f, resp) != 0)
        return;
    const struct model_actor *a = find_actor(req, resp);
    if (a == NULL)
        return;
    f.speaker = a->id;
    quotes_page(req, resp, &f);
}
