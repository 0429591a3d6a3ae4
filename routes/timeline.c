/* GET /timeline: the events in the TimelineJS3 JSON format
 * (https://timeline.knightlab.com/docs/json-format.html), each one's slide
 * from the snapshot's prebuilt fragments (render.c: render_timeline_event). */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "render.h"

void route_timeline(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{"from", 0}, {"to", 0}, {"actor", 1},
        {"type", 0}, {"status", 0}, {"q", 0}, {NULL, 0}};
    struct model_event_filter f;
    const char *actors[ROUTE_MAX_ACTORS];
    if (params_check(req, spec, resp) != 0 || event_filter(req, &f, actors, resp) != 0)
        return;
    /* {"events":[…],"title":{"text":{"headline","text"}}}, keys sorted. */
    struct route_rope r = {{NULL, 0, 0}, NULL, 0, 0, 0};
    RENDER_LIT(&r.own, "{\"events\":[");
    struct model_page *page = malloc(sizeof(*page));
    struct model_page_request pr = {0, MODEL_LIMIT_MAX, NULL};
    char cursor[MODEL_CURSOR_MAX], err[256];
    size_t n = 0;
    do {
        if (model_query_events(req->snap, &f, &pr, page, err, sizeof(err)) != 0)
            break; /* cannot happen: the cursors are our own */
        for (size_t i = 0; i < page->count; i++, n++) {
            if (n > 0)
                RENDER_LIT(&r.own, ",");
            put_item(&r, req, ROUTE_TIMELINE, page->items[i]);
        }
        memcpy(cursor, page->next_cursor, sizeof(cursor));
        pr.cursor = cursor;
    } while (cursor[0] != '\0');
    free(page);
    route_buf_printf(&r.own, "],\"title\":{\"text\":{\"headline\":\"Timeline\","
                     "\"text\":\"%zu event%s\"}}}", n, n == 1 ? "" : "s");
    respond_rope(resp, &r);
}
