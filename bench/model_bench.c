/* model-bench DATA_DIR [--rounds N]
 * Loads a corpus and reports load time, peak RSS and the latency of typical
 * queries (p50/p99 over N randomised runs each). As a reference measured in
 * the same run, the day's-events query is also answered by a full scan, and
 * the ratio says what the indexes buy. This is a benchmark, not a test: it
 * asserts nothing about time. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "arena.h"
#include "model.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct stats {
    double p50, p99, max;
    size_t items;
};

static struct stats summarise(double *lat, size_t n, size_t items)
{
    qsort(lat, n, sizeof(*lat), cmp_double);
    struct stats s = {lat[n / 2], lat[(size_t)((double)n * 0.99)], lat[n - 1], items};
    return s;
}

static void report(const char *name, struct stats s, size_t rounds)
{
    printf("  %-34s p50 %8.1f us   p99 %8.1f us   max %8.1f us   (%zu runs, %.1f items/run)\n",
           name, s.p50, s.p99, s.max, rounds, (double)s.items / (double)rounds);
}

static struct model_time day_of(const struct model_snapshot *s, unsigned *seed)
{
    const struct model_event *e = s->events[(size_t)rand_r(seed) % s->n_events];
    struct model_civil c;
    model_time_civil(&e->start.time, &c);
    char text[16];
    snprintf(text, sizeof(text), "%04d-%02d-%02d", c.year, c.month, c.day);
    struct model_time t;
    char err[128];
    model_date_parse(text, 0, &t, err, sizeof(err));
    return t;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: model-bench DATA_DIR [--rounds N]\n", stderr);
        return 2;
    }
    size_t rounds = 2000;
    if (argc > 3 && strcmp(argv[2], "--rounds") == 0)
        rounds = (size_t)strtoul(argv[3], NULL, 10);
    if (rounds < 10)
        rounds = 10;
    double t0 = now_us();
    struct model_diagnostics diag = {0};
    struct model_snapshot *s = NULL;
    if (model_load(argv[1], NULL, &s, &diag) != 0) {
        for (size_t i = 0; i < diag.count && i < 20; i++)
            fprintf(stderr, "%s\n", diag.messages[i]);
        return 1;
    }
    double load_ms = (now_us() - t0) / 1e3;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("corpus %s: %zu sources, %zu actors, %zu events, %zu quotes, %zu citations\n",
           argv[1], s->n_sources, s->n_actors, s->n_events, s->n_quotes, s->n_citations);
    printf("  load time %.0f ms, peak RSS %.0f MB, snapshot %.0f MB\n", load_ms,
           (double)ru.ru_maxrss / 1024.0, (double)model_arena_used(s->arena) / 1048576.0);

    double *lat = malloc(rounds * sizeof(*lat));
    struct model_page *page = malloc(sizeof(*page));
    char err[256];
    unsigned seed = 42;
    size_t items;

    /* A day's events. */
    items = 0;
    for (size_t i = 0; i < rounds; i++) {
        struct model_event_filter f = {{1, day_of(s, &seed), 1, {0}}, NULL, 0, -1, -1, NULL};
        f.when.to = f.when.from;
        struct model_page_request req = {0, 50, NULL};
        double a = now_us();
        model_query_events(s, &f, &req, page, err, sizeof(err));
        lat[i] = now_us() - a;
        items += page->count;
    }
    struct stats day_stats = summarise(lat, rounds, items);
    report("events on a day (limit 50)", day_stats, rounds);

    /* The same by a full scan, which must look at every event to count the
     * total as the indexed query does: the reference. */
    items = 0;
    size_t scan_rounds = rounds / 10;
    for (size_t i = 0; i < scan_rounds; i++) {
        struct model_time d = day_of(s, &seed);
        double a = now_us();
        size_t found = 0, total = 0;
        for (size_t k = 0; k < s->n_events; k++) {
            if (s->events[k]->lo < d.hi && s->events[k]->hi > d.lo) {
                if (found < 50)
                    page->items[found++] = s->events[k];
                total++;
            }
        }
        lat[i] = now_us() - a;
        items += found + (total == 0);
    }
    struct stats scan = summarise(lat, scan_rounds, items);
    report("  reference: same by full scan", scan, scan_rounds);
    printf("  %-34s %.0fx faster at p50\n", "  index vs scan", scan.p50 / day_stats.p50);

    /* An actor's events in a month. */
    items = 0;
    for (size_t i = 0; i < rounds; i++) {
        const struct model_event *e = s->events[(size_t)rand_r(&seed) % s->n_events];
        const char *actor = e->n_participants ? e->participants[0].actor->id : s->actors[0]->id;
        struct model_event_filter f = {{1, e->start.time, 1, e->start.time}, &actor, 1, -1, -1, NULL};
        f.when.from.lo -= 15 * 1440;
        f.when.to.hi += 15 * 1440;
        struct model_page_request req = {0, 50, NULL};
        double a = now_us();
        model_query_events(s, &f, &req, page, err, sizeof(err));
        lat[i] = now_us() - a;
        items += page->count;
    }
    report("an actor's events in a month", summarise(lat, rounds, items), rounds);

    /* An actor's quotes. */
    items = 0;
    for (size_t i = 0; i < rounds; i++) {
        const struct model_quote *q = s->quotes[(size_t)rand_r(&seed) % s->n_quotes];
        struct model_quote_filter f = {{0}, q->speaker->id, NULL, NULL, NULL, NULL};
        struct model_page_request req = {1, 50, NULL};
        double a = now_us();
        model_query_quotes(s, &f, &req, page, err, sizeof(err));
        lat[i] = now_us() - a;
        items += page->count;
    }
    report("an actor's quotes (newest 50)", summarise(lat, rounds, items), rounds);

    /* Text search over quotes: one word of a random quote, and two. */
    items = 0;
    for (size_t i = 0; i < rounds; i++) {
        const struct model_quote *q = s->quotes[(size_t)rand_r(&seed) % s->n_quotes];
        char word[64] = "";
        const char *sp = strchr(q->text, ' ');
        size_t n = sp ? (size_t)(sp - q->text) : strlen(q->text);
        snprintf(word, sizeof(word), "%.*s", (int)(n < 60 ? n : 60), q->text);
        struct model_quote_filter f = {{0}, NULL, NULL, NULL, NULL, word};
        struct model_page_request req = {0, 50, NULL};
        double a = now_us();
        model_query_quotes(s, &f, &req, page, err, sizeof(err));
        lat[i] = now_us() - a;
        items += page->count;
    }
    report("quote text search, one word", summarise(lat, rounds, items), rounds);
    items = 0;
    for (size_t i = 0; i < rounds; i++) {
        const struct model_quote *q = s->quotes[(size_t)rand_r(&seed) % s->n_quotes];
        char words[128];
        snprintf(words, sizeof(words), "%.40s", q->text);
        struct model_quote_filter f = {{0}, NULL, NULL, NULL, NULL, words};
        struct model_page_request req = {0, 50, NULL};
        double a = now_us();
        model_query_quotes(s, &f, &req, page, err, sizeof(err));
        lat[i] = now_us() - a;
        items += page->count;
    }
    report("quote text search, phrase start", summarise(lat, rounds, items), rounds);

    /* Deep pagination: every page of the unfiltered event list. */
    struct model_event_filter all = {{0}, NULL, 0, -1, -1, NULL};
    struct model_page_request req = {0, 50, NULL};
    char cursor[MODEL_CURSOR_MAX];
    size_t pages = 0;
    items = 0;
    double *plat = malloc((s->n_events / 50 + 2) * sizeof(*plat));
    for (;;) {
        double a = now_us();
        model_query_events(s, &all, &req, page, err, sizeof(err));
        plat[pages++] = now_us() - a;
        items += page->count;
        if (page->next_cursor[0] == '\0')
            break;
        strcpy(cursor, page->next_cursor);
        req.cursor = cursor;
    }
    report("every page of /events (limit 50)", summarise(plat, pages, items), pages);
    free(plat);

    free(page);
    free(lat);
    model_snapshot_free(s);
    return 0;
}
