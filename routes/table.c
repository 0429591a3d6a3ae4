/* The dispatch table: every path the API serves, in one place. */
#include <string.h>

#include "metrics.h"
#include "route.h"

const struct route route_table[] = {
    {"/events", route_events_list},
    {"/events/{}", route_events_get},
    {"/events/{}/quotes", route_events_quotes},
    {"/quotes", route_quotes_list},
    {"/quotes/{}", route_quotes_get},
    {"/actors", route_actors_list},
    {"/actors/{}", route_actors_get},
    {"/actors/{}/events", route_actors_events},
    {"/actors/{}/quotes", route_actors_quotes},
    {"/sources", route_sources_list},
    {"/sources/{}", route_sources_get},
    {"/timeline", route_timeline},
    {"/health", route_health},
    {"/openapi.yaml", route_openapi},
    {"/metrics", route_metrics},
};
const size_t route_table_size = sizeof(route_table) / sizeof(route_table[0]);
_Static_assert(sizeof(route_table) / sizeof(route_table[0]) < METRICS_ROUTES,
               "/metrics counts each route and \"none\": raise METRICS_ROUTES");

int route_split_path(char *buf, struct route_request *req)
{
    req->n_segments = 0;
    if (buf[0] != '/')
        return -1;
    if (buf[1] == '\0')
        return 0;
    char *p = buf + 1;
    for (;;) {
        char *slash = strchr(p, '/');
        if (slash != NULL)
            *slash = '\0';
        if (*p == '\0' || req->n_segments == ROUTE_MAX_SEGMENTS)
            return -1;
        req->segments[req->n_segments++] = p;
        if (slash == NULL)
            return 0;
        p = slash + 1;
    }
}

static int matches(const char *pattern, const struct route_request *req)
{
    size_t i = 0;
    const char *p = pattern + 1;
    while (*p != '\0') {
        size_t len = strcspn(p, "/");
        if (i == req->n_segments)
            return 0;
        int wildcard = len == 2 && p[0] == '{' && p[1] == '}';
        if (!wildcard && (strlen(req->segments[i]) != len ||
                          memcmp(req->segments[i], p, len) != 0))
            return 0;
        i++;
        p += len;
        if (*p == '/')
            p++;
    }
    return i == req->n_segments;
}

size_t route_match_index(const struct route_request *req)
{
    size_t i = 0;
    while (i < route_table_size && !matches(route_table[i].pattern, req))
        i++;
    return i;
}

route_handler route_match(const struct route_request *req)
{
    size_t i = route_match_index(req);
    return i < route_table_size ? route_table[i].handler : NULL;
}
