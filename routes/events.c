/* GET /events, /events/{id}, /events/{id}/quotes */
#include <stdlib.h>
#include <string.h>

#include "common.h"

int event_filter(const struct route_request *req, struct model_event_filter *f,
                 const char **actors, struct route_response *resp)
{
    memset(f, 0, sizeof(*f));
    if (param_time(req, &f->when, resp) != 0 ||
        param_enum(req, "type", model_event_type_names, MODEL_EVENT_TYPE_COUNT,
                   &f->type, resp) != 0 ||
        param_enum(req, "status", model_event_status_names, MODEL_STATUS_COUNT,
                   &f->status, resp) != 0 ||
        param_text(req, &f->text, resp) != 0)
        return -1;
    for (size_t i = 0; i < req->n_params; i++) {
        if (strcmp(req->params[i].name, "actor") != 0)
            continue;
        if (f->n_actors == ROUTE_MAX_ACTORS) {
            route_problem(resp, 400, "Too many actor filters",
                          "Give at most 50 actor= parameters.", "actor", "at most 50 actor ids");
            return -1;
        }
        struct route_request one = *req;
        one.params[0] = req->params[i];
        one.n_params = 1;
        const char *id;
        if (param_id(&one, "actor", &id, resp) != 0)
            return -1;
        actors[f->n_actors++] = id;
    }
    f->actors = actors;
    return 0;
}

int page_request(const struct route_request *req, struct model_page_request *pr,
                 struct route_response *resp)
{
    memset(pr, 0, sizeof(*pr));
    if (param_sort(req, &pr->descending, resp) != 0 ||
        param_limit(req, &pr->limit, resp) != 0 ||
        param_cursor(req, &pr->cursor, resp) != 0)
        return -1;
    return 0;
}

void events_page(const struct route_request *req, struct route_response *resp,
                        const struct model_event_filter *f)
{
    struct model_page_request pr;
    if (page_request(req, &pr, resp) != 0)
        return;
    struct model_page *page = malloc(sizeof(*page));
    char err[256];
    if (model_query_events(req->snap, f, &pr, page, err, sizeof(err)) != 0)
        respond_bad_cursor(resp, err);
    else
        respond_page(req, resp, page, pr.limit, ROUTE_EVENTS);
    free(page);
}

void route_events_list(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{"from", 0}, {"to", 0}, {"actor", 1},
        {"type", 0}, {"status", 0}, {"q", 0}, {"sort", 0}, {"limit", 0},
        {"cursor", 0}, {NULL, 0}};
    struct model_event_filter f;
    const char *actors[ROUTE_MAX_ACTORS];
    if (params_check(req, spec, resp) != 0 || event_filter(req, &f, actors, resp) != 0)
        return;
    events_page(req, resp, &f);
}

static const struct model_event *find_event(const struct route_request *req,
                                            struct route_response *resp)
{
    const struct model_event *e = model_find_event(req->snap, req->segments[1]);
    if (e == NULL)
        route_not_found(req, resp);
    return e;
}

void route_events_get(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{NULL, 0}};
    if (params_check(req, spec, resp) != 0)
        return;
    const struct model_event *e = find_event(req, resp);
    if (e != NULL)
        respond_entity(req, resp, ROUTE_EVENTS, e);
}

void route_events_quotes(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{"speaker", 0}, {"source", 0}, {"topic", 0},
        {"from", 0}, {"to", 0}, {"q", 0}, {"sort", 0}, {"limit", 0}, {"cursor", 0},
        {NULL, 0}};
    struct model_quote_filter f;
    if (params_check(req, spec, resp) != 0 || quote_filter(req, &f, resp) != 0)
        return;
    const struct model_event *e = find_event(req, resp);
    if (e == NULL)
        return;
    f.event = e->id;
    quotes_page(req, resp, &f);
}
