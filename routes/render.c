#include "render.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static struct route_fragment *render_all(const void *const *items, size_t n,
                                         json_t *(*render)(const void *))
{
    struct route_fragment *f = calloc(n ? n : 1, sizeof(*f));
    for (size_t i = 0; f != NULL && i < n; i++) {
        json_t *v = render(items[i]);
        f[i].json = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
        f[i].len = f[i].json ? strlen(f[i].json) : 0;
        json_decref(v);
    }
    return f;
}

struct quote_job {
    const struct model_snapshot *snap;
    struct route_fragment *out;
};

static void *render_quotes(void *arg)
{
    struct quote_job *job = arg;
    job->out = render_all((const void *const *)job->snap->quotes, job->snap->n_quotes,
                          render_quote);
    return NULL;
}

struct route_render *route_render_build(const struct model_snapshot *snap)
{
    struct route_render *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    /* Quotes are most of the work: render them on a second thread. */
    struct quote_job job = {snap, NULL};
    pthread_t t;
    int threaded = pthread_create(&t, NULL, render_quotes, &job) == 0;
    if (!threaded)
        render_quotes(&job);
    r->events = render_all((const void *const *)snap->events, snap->n_events, render_event);
    r->actors = render_all((const void *const *)snap->actors, snap->n_actors, render_actor);
    r->sources = render_all((const void *const *)snap->sources, snap->n_sources, render_source);
    if (threaded)
        pthread_join(t, NULL);
    r->quotes = job.out;
    return r;
}

static void free_all(struct route_fragment *f, size_t n)
{
    for (size_t i = 0; f != NULL && i < n; i++)
        free(f[i].json);
    free(f);
}

void route_render_free(struct route_render *r, const struct model_snapshot *snap)
{
    if (r == NULL)
        return;
    free_all(r->events, snap->n_events);
    free_all(r->quotes, snap->n_quotes);
    free_all(r->actors, snap->n_actors);
    free_all(r->sources, snap->n_sources);
    free(r);
}
