/* GET /timeline: the events in the TimelineJS3 JSON format
 * (https://timeline.knightlab.com/docs/json-format.html). Dates are split
 * into year/month/day/hour/minute only down to each event's precision, in
 * the local time the event was reported in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "render.h"

static const char *const MONTHS[] = {"January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December"};

/* {day?, hour?, minute?, month?, year}: down to d's precision. */
static void timeline_date(struct route_buf *b, const struct model_date *d)
{
    struct model_civil c;
    model_time_civil(&d->time, &c);
    enum model_precision p = d->time.precision;
    const char *sep = "{";
    const struct {
        const char *key;
        enum model_precision from;
        int value;
    } parts[] = {{"\"day\":", MODEL_PRECISION_DAY, c.day},
                 {"\"hour\":", MODEL_PRECISION_HOUR, c.hour},
                 {"\"minute\":", MODEL_PRECISION_MINUTE, c.minute},
                 {"\"month\":", MODEL_PRECISION_MONTH, c.month},
                 {"\"year\":", MODEL_PRECISION_YEAR, c.year}};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (p < parts[i].from)
            continue;
        route_buf_put(b, sep, 1);
        route_buf_put(b, parts[i].key, strlen(parts[i].key));
        render_int(b, parts[i].value);
        sep = ",";
    }
    RENDER_LIT(b, "}");
}

/* "2025", "August 2025", "15 August 2025", "15 August 2025, 11:30". */
static void display_date(const struct model_date *d, char *buf, size_t size)
{
    struct model_civil c;
    model_time_civil(&d->time, &c);
    switch (d->time.precision) {
    case MODEL_PRECISION_YEAR:
        snprintf(buf, size, "%d", c.year);
        break;
    case MODEL_PRECISION_MONTH:
        snprintf(buf, size, "%s %d", MONTHS[c.month - 1], c.year);
        break;
    case MODEL_PRECISION_DAY:
        snprintf(buf, size, "%d %s %d", c.day, MONTHS[c.month - 1], c.year);
        break;
    default:
        snprintf(buf, size, "%d %s %d, %02d:%02d", c.day, MONTHS[c.month - 1], c.year,
                 c.hour, c.minute);
        break;
    }
}

/* {display_date, end_date?, group, start_date, text, unique_id} */
static void timeline_event(struct route_buf *b, const struct model_event *e)
{
    char shown[128], end[64];
    display_date(&e->start, shown, sizeof(shown));
    if (e->end != NULL) {
        display_date(e->end, end, sizeof(end));
        size_t n = strlen(shown);
        snprintf(shown + n, sizeof(shown) - n, " – %s", end);
    }
    RENDER_LIT(b, "{\"display_date\":");
    render_string(b, shown);
    if (e->end != NULL) {
        RENDER_LIT(b, ",\"end_date\":");
        timeline_date(b, e->end);
    }
    RENDER_LIT(b, ",\"group\":");
    render_string(b, model_event_type_names[e->type]);
    RENDER_LIT(b, ",\"start_date\":");
    timeline_date(b, &e->start);
    RENDER_LIT(b, ",\"text\":{\"headline\":");
    render_string(b, e->title);
    RENDER_LIT(b, ",\"text\":");
    render_string(b, e->summary);
    RENDER_LIT(b, "},\"unique_id\":");
    render_string(b, e->id);
    RENDER_LIT(b, "}");
}

void route_timeline(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{"from", 0}, {"to", 0}, {"actor", 1},
        {"type", 0}, {"status", 0}, {"q", 0}, {NULL, 0}};
    struct model_event_filter f;
    const char *actors[ROUTE_MAX_ACTORS];
    if (params_check(req, spec, resp) != 0 || event_filter(req, &f, actors, resp) != 0)
        return;
    /* {"events":[…],"title":{"text":{"headline","text"}}}, keys sorted. */
    struct route_buf b = {NULL, 0, 0};
    RENDER_LIT(&b, "{\"events\":[");
    struct model_page *page = malloc(sizeof(*page));
    struct model_page_request pr = {0, MODEL_LIMIT_MAX, NULL};
    char cursor[MODEL_CURSOR_MAX], err[256];
    size_t n = 0;
    do {
        if (model_query_events(req->snap, &f, &pr, page, err, sizeof(err)) != 0)
            break; /* cannot happen: the cursors are our own */
        for (size_t i = 0; i < page->count; i++, n++) {
            if (n > 0)
                RENDER_LIT(&b, ",");
            timeline_event(&b, page->items[i]);
        }
        memcpy(cursor, page->next_cursor, sizeof(cursor));
        pr.cursor = cursor;
    } while (cursor[0] != '\0');
    free(page);
    route_buf_printf(&b, "],\"title\":{\"text\":{\"headline\":\"Timeline\","
                     "\"text\":\"%zu event%s\"}}}", n, n == 1 ? "" : "s");
    respond_buf(resp, &b);
}
