/* GET /quotes, /quotes/{id} */
#include <stdlib.h>
#include <string.h>

#include "common.h"

int quote_filter(const struct route_request *req, struct model_quote_filter *f,
                 struct route_response *resp)
{
    memset(f, 0, sizeof(f[0]));
    if (param_time(req, &f->when, resp) != 0 ||
        param_id(req, "speaker", &f->speaker, resp) != 0 ||
        param_id(req, "event", &f->event, resp) != 0 ||
        param_id(req, "source", &f->source, resp) != 0 ||
        param_id(req, "topic", &f->topic, resp) != 0 ||
        param_text(req, &f->text, resp) != 0)
        return -1;
    return 0;
}

void quotes_page(const struct route_request *req, struct route_response *resp,
                 const struct model_quote_filter *f)
{
    struct model_page_request pr;
    if (page_request(req, &pr, resp) != 0)
        return;
    struct model_page *page = malloc(sizeof(*page));
    char err[256];
    if (model_query_quotes(req->snap, f, &pr, page, err, sizeof(err)) != 0)
        respond_bad_cursor(resp, err);
    else
        respond_page(req, resp, page, pr.limit, ROUTE_QUOTES);
    free(page);
}

void route_quotes_list(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{"speaker", 0}, {"event", 0}, {"source", 0},
        {"topic", 0}, {"from", 0}, {"to", 0}, {"q", 0}, {"sort", 0}, {"limit", 0},
        {"cursor", 0}, {NULL, 0}};
    struct model_quote_filter f;
    if (params_check(req, spec, resp) != 0 || quote_filter(req, &f, resp) != 0)
        return;
    quotes_page(req, resp, &f);
}

void route_quotes_get(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{NULL, 0}};
    if (params_check(req, spec, resp) != 0)
        return;
    const struct model_quote *q = model_find_quote(req->snap, req->segments[1]);
    if (q == NULL)
        route_not_found(req, resp);
    else
        respond_entity(req, resp, ROUTE_QUOTES, q);
}
