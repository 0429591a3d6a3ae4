/* Every entity's JSON rendered once per snapshot, so that requests only
 * copy bytes: rendering with jansson on every request served about 2,000
 * requests/s where serving prebuilt bytes serves about 30,000. */
#ifndef ROUTES_RENDER_H
#define ROUTES_RENDER_H

#include <stddef.h>

#include "model.h"

struct route_fragment {
    char *json;
    size_t len;
};

struct route_render {
    /* Indexed by rank, as the snapshot orders them. */
    struct route_fragment *events, *quotes, *actors, *sources;
};

/* Renders every entity of snap (on two threads). Returns a new render that
 * route_render_free releases. */
struct route_render *route_render_build(const struct model_snapshot *snap);
void route_render_free(struct route_render *r, const struct model_snapshot *snap);

#endif
