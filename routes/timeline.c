/* GET /timeline: the events in the TimelineJS3 JSON format
 * (https://timeline.knightlab.com/docs/json-format.html). Dates are split
 * into year/month/day/hour/minute only down to each event's precision, in
 * the local time the event was reported in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static const char *const MONTHS[] = {"January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December"};

static json_t *timeline_date(const struct model_date *d)
{
    struct model_civil c;
    model_time_civil(&d->time, &c);
    enum model_precision p = d->time.precision;
    json_t *o = json_pack("{s:i}", "year", c.year);
    if (p >= MODEL_PRECISION_MONTH)
        json_object_set_new(o, "month", json_integer(c.month));
    if (p >= MODEL_PRECISION_DAY)
        json_object_set_new(o, "day", json_integer(c.day));
    if (p >= MODEL_PRECISION_HOUR)
        json_object_set_new(o, "hour", json_integer(c.hour));
    if (p >= MODEL_PRECISION_MINUTE)
        json_object_set_new(o, "minute", json_integer(c.minute));
    return o;
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

static json_t *timeline_event(const struct model_event *e)
{
    char shown[128], end[64];
    display_date(&e->start, shown, sizeof(shown));
    if (e->end != NULL) {
        display_date(e->end, end, sizeof(end));
        size_t n = strlen(shown);
        snprintf(shown + n, sizeof(shown) - n, " – %s", end);
    }
    json_t *o = json_pack("{s:o, s:s, s:{s:s, s:s}, s:s, s:s}",
        "start_date", timeline_date(&e->start), "display_date", shown,
        "text", "headline", e->title, "text", e->summary,
        "group", model_event_type_names[e->type], "unique_id", e->id);
    if (e->end != NULL)
        json_object_set_new(o, "end_date", timeline_date(e->end));
    return o;
}

void route_timeline(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{"from", 0}, {"to", 0}, {"actor", 1},
        {"type", 0}, {"status", 0}, {"q", 0}, {NULL, 0}};
    struct model_event_filter f;
    const char *actors[ROUTE_MAX_ACTORS];
    if (params_check(req, spec, resp) != 0 || event_filter(req, &f, actors, resp) != 0)
        return;
    json_t *events = json_array();
    struct model_page *page = malloc(sizeof(*page));
    struct model_page_request pr = {0, MODEL_LIMIT_MAX, NULL};
    char cursor[MODEL_CURSOR_MAX], err[256];
    do {
        if (model_query_events(req->snap, &f, &pr, page, err, sizeof(err)) != 0)
            break; /* cannot happen: the cursors are our own */
        for (size_t i = 0; i < page->count; i++)
            json_array_append_new(events, timeline_event(page->items[i]));
        memcpy(cursor, page->next_cursor, sizeof(cursor));
        pr.cursor = cursor;
    } while (cursor[0] != '\0');
    free(page);
    char headline[64];
    size_t n = json_array_size(events);
    snprintf(headline, sizeof(headline), "%zu event%s", n, n == 1 ? "" : "s");
    respond_json(resp, 200, json_pack("{s:{s:{s:s, s:s}}, s:o}",
        "title", "text", "headline", "Timeline", "text", headline, "events", events));
}
