/* GET /sources, /sources/{id} */
#include <stdlib.h>

#include "common.h"
#include "render.h"

void route_sources_list(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{"limit", 0}, {"cursor", 0}, {NULL, 0}};
    struct model_page_request pr = {0, 0, NULL};
    if (params_check(req, spec, resp) != 0 || param_limit(req, &pr.limit, resp) != 0 ||
        param_cursor(req, &pr.cursor, resp) != 0)
        return;
    struct model_page *page = malloc(sizeof(*page));
    char err[256];
    if (model_query_sources(req->snap, &pr, page, err, sizeof(err)) != 0)
        respond_bad_cursor(resp, err);
    else
        respond_page(req, resp, page, pr.limit, ROUTE_SOURCES);
    free(page);
}

void route_sources_get(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{NULL, 0}};
    if (params_check(req, spec, resp) != 0)
        return;
    const struct model_source *s = model_find_source(req->snap, req->segments[1]);
    if (s == NULL) {
        route_not_found(req, resp);
        return;
    }
    struct route_buf b = {NULL, 0, 0};
    render_source(&b, s, 1);
    respond_buf(resp, &b);
}
