/* Model tests: lookups, filters, ordering, text search and cursors on the
 * minimal fixture (exact expectations), then random queries on a generated
 * corpus checked against a brute-force scan (the oracle). */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "text.h"
#include "check_run.h"

static const char *fixtures;
static const char *generated; /* a gen-corpus output, or NULL */
static struct model_snapshot *snap;
static struct model_snapshot *big;

static void use_big(void)
{
    snap = big;
}

static void keep_big(void)
{
    snap = NULL; /* freed once, at exit */
}

static void load_fixture(void)
{
    char *dir;
    ck_assert_int_ge(asprintf(&dir, "%s/loader/valid/minimal", fixtures), 0);
    struct model_diagnostics diag = {0};
    ck_assert_int_eq(model_load(dir, NULL, &snap, &diag), 0);
    free(dir);
}

static void unload(void)
{
    model_snapshot_free(snap);
    snap = NULL;
}

static struct model_time day(const char *s)
{
    struct model_time t;
    char err[128];
    ck_assert_int_eq(model_date_parse(s, MODEL_DATE_ALLOW_SECONDS, &t, err, sizeof(err)), 0);
    return t;
}

/* Runs an event query to the end with the given page size; writes the ids
 * joined by spaces. */
static size_t walk_events(const struct model_event_filter *f, int desc, size_t limit,
                          char *out, size_t size)
{
    struct model_page page;
    struct model_page_request req = {desc, limit, NULL};
    char cursor[MODEL_CURSOR_MAX], err[256];
    size_t n = 0, o = 0, total = 0;
    out[0] = '\0';
    for (;;) {
        ck_assert_int_eq(model_query_events(snap, f, &req, &page, err, sizeof(err)), 0);
        if (req.cursor == NULL)
            total = page.total;
        ck_assert_uint_eq(page.total, total);
        for (size_t i = 0; i < page.count; i++) {
            const struct model_event *e = page.items[i];
            o += (size_t)snprintf(out + o, size - o, "%s%s", o ? " " : "", e->id);
            n++;
        }
        if (page.next_cursor[0] == '\0')
            break;
        ck_assert_uint_eq(page.count, limit);
        strcpy(cursor, page.next_cursor);
        req.cursor = cursor;
    }
    ck_assert_uint_eq(n, total);
    return n;
}

static const char *events_ids(const struct model_event_filter *f)
{
    static char buf[2048];
    walk_events(f, 0, 50, buf, sizeof(buf));
    return buf;
}

#define NO_FILTER {{0}, NULL, 0, -1, -1, NULL}

START_TEST(lookups_and_links)
{
    ck_assert_str_eq(model_find_actor(snap, "ana-nunez")->name, "Ana N\xc3\xba\xc3\xb1" "ez");
    ck_assert_ptr_null(model_find_actor(snap, "nobody"));
    const struct model_event *e = model_find_event(snap, "radio-costa-interview");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->parent->id, "harbour-talks");
    ck_assert_uint_eq(e->quote_count, 1);
    ck_assert_int_eq(e->start.time.precision, MODEL_PRECISION_MINUTE);
    const struct model_quote *q = model_find_quote(snap, "walesa-cautious-hope");
    ck_assert_str_eq(q->speaker->id, "piotr-walesa");
    ck_assert_int_eq(q->kind, MODEL_QUOTE_FRAGMENT);
    ck_assert_ptr_null(q->event);
    const struct model_source *s = model_find_source(snap, "gazette-2025-08-16");
    ck_assert_str_eq(s->publisher->id, "harbour-gazette");
    ck_assert_str_eq(s->via->id, "coast-news");
    ck_assert_uint_eq(s->n_events, 5);
    ck_assert_uint_eq(s->n_quotes, 2);
    ck_assert_uint_eq(s->n_actors, 2);
    const struct model_event *talks = model_find_event(snap, "harbour-talks");
    ck_assert_int_eq(talks->start.basis, MODEL_BASIS_RESOLVED);
    ck_assert_str_eq(talks->start.phrase, "Sunday");
    ck_assert_ptr_eq(talks->start.anchor, s);
    ck_assert_int_eq(talks->location->has_coordinates, 1);
}
END_TEST

START_TEST(events_are_chronological)
{
    struct model_event_filter f = NO_FILTER;
    ck_assert_str_eq(events_ids(&f), "harbour-founded quota-season harbour-talks "
                                     "radio-costa-interview quota-vote");
    char buf[1024];
    walk_events(&f, 1, 2, buf, sizeof(buf));
    ck_assert_str_eq(buf, "quota-vote radio-costa-interview harbour-talks "
                          "quota-season harbour-founded");
}
END_TEST

START_TEST(date_filters_overlap_at_precision)
{
    struct model_event_filter f = NO_FILTER;
    f.when.has_from = f.when.has_to = 1;
    f.when.from = f.when.to = day("2025-08-17");
    /* Day precision, 14:00-04:00 (18:00Z), and the month-long season. */
    ck_assert_str_eq(events_ids(&f), "quota-season harbour-talks radio-costa-interview");
    f.when.from = f.when.to = day("2025-08-18");
    ck_assert_str_eq(events_ids(&f), "quota-season quota-vote");
    f.when.from = day("1990");
    f.when.to = day("2000");
    ck_assert_str_eq(events_ids(&f), "harbour-founded");
    f.when.from = day("2025-08-17T17:30Z");
    f.when.to = day("2025-08-17T18:00Z");
    ck_assert_str_eq(events_ids(&f), "quota-season harbour-talks radio-costa-interview");
    f.when.from = day("2025-08-17T19:00Z");
    f.when.to = day("2025-08-17T20:00Z");
    ck_assert_str_eq(events_ids(&f), "quota-season harbour-talks");
    f.when.has_to = 0;
    f.when.from = day("2025-09-15");
    ck_assert_str_eq(events_ids(&f), "quota-season");
    f.when.from = day("2025-10");
    ck_assert_str_eq(events_ids(&f), "");
}
END_TEST

START_TEST(attribute_filters)
{
    struct model_event_filter f = NO_FILTER;
    const char *actors[] = {"radio-costa", "portville"};
    f.actors = actors;
    f.n_actors = 2;
    ck_assert_str_eq(events_ids(&f), "harbour-founded radio-costa-interview");
    const char *unknown[] = {"nobody"};
    f.actors = unknown;
    f.n_actors = 1;
    ck_assert_str_eq(events_ids(&f), "");
    f = (struct model_event_filter)NO_FILTER;
    f.type = MODEL_EVENT_BACKGROUND;
    ck_assert_str_eq(events_ids(&f), "harbour-founded quota-season");
    f.status = MODEL_STATUS_OCCURRED;
    f.when.has_from = 1;
    f.when.from = day("2025");
    ck_assert_str_eq(events_ids(&f), "quota-season");
    f = (struct model_event_filter)NO_FILTER;
    f.status = MODEL_STATUS_PROPOSED;
    ck_assert_str_eq(events_ids(&f), "quota-vote");
}
END_TEST

static const char *actor_ids(const char *text, int kind)
{
    static char buf[1024];
    struct model_actor_filter f = {kind, text};
    struct model_page_request req = {0, 100, NULL};
    struct model_page page;
    char err[256];
    ck_assert_int_eq(model_query_actors(snap, &f, &req, &page, err, sizeof(err)), 0);
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < page.count; i++)
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", o ? " " : "",
                              ((const struct model_actor *)page.items[i])->id);
    ck_assert_uint_eq(page.total, page.count);
    return buf;
}

START_TEST(text_search_ignores_case_and_accents)
{
    ck_assert_str_eq(actor_ids("nunez", -1), "ana-nunez");
    ck_assert_str_eq(actor_ids("N\xc3\x9a\xc3\x91" "EZ", -1), "ana-nunez");
    ck_assert_str_eq(actor_ids("walesa", -1), "piotr-walesa");
    ck_assert_str_eq(actor_ids("mayor", -1), "ana-nunez");      /* an alias */
    ck_assert_str_eq(actor_ids("portv", -1), "fishing-union portville portville-council");
    ck_assert_str_eq(actor_ids("portville council", -1), "portville-council");
    ck_assert_str_eq(actor_ids("portville zzz", -1), "");
    ck_assert_str_eq(actor_ids("!!!", -1), "");
    ck_assert_str_eq(actor_ids(NULL, MODEL_ACTOR_MEDIA_OUTLET),
                     "coast-news harbour-gazette radio-costa");
    ck_assert_str_eq(actor_ids("radio", MODEL_ACTOR_MEDIA_OUTLET), "radio-costa");
    struct model_event_filter f = NO_FILTER;
    f.text = "QUOTA";
    ck_assert_str_eq(events_ids(&f), "quota-season harbour-talks radio-costa-interview quota-vote");
}
END_TEST

static const char *quote_ids(const struct model_quote_filter *f)
{
    static char buf[1024];
    struct model_page_request req = {0, 100, NULL};
    struct model_page page;
    char err[256];
    ck_assert_int_eq(model_query_quotes(snap, f, &req, &page, err, sizeof(err)), 0);
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < page.count; i++)
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", o ? " " : "",
                              ((const struct model_quote *)page.items[i])->id);
    return buf;
}

START_TEST(quote_filters)
{
    struct model_quote_filter f = {{0}, NULL, NULL, NULL, NULL, NULL};
    ck_assert_str_eq(quote_ids(&f), "walesa-cautious-hope nunez-common-ground");
    f.speaker = "ana-nunez";
    ck_assert_str_eq(quote_ids(&f), "nunez-common-ground");
    f.speaker = NULL;
    f.event = "radio-costa-interview";
    ck_assert_str_eq(quote_ids(&f), "nunez-common-ground");
    f.event = "no-such-event";
    ck_assert_str_eq(quote_ids(&f), "");
    f.event = NULL;
    f.topic = "talks";
    ck_assert_str_eq(quote_ids(&f), "walesa-cautious-hope nunez-common-ground");
    f.topic = "quotas";
    ck_assert_str_eq(quote_ids(&f), "nunez-common-ground");
    f.topic = NULL;
    f.source = "gazette-2025-08-16";
    f.text = "common ground";
    ck_assert_str_eq(quote_ids(&f), "nunez-common-ground");
    f.text = NULL;
    f.when.has_to = 1;
    f.when.to = day("2025-08-16");
    ck_assert_str_eq(quote_ids(&f), "walesa-cautious-hope");
}
END_TEST

START_TEST(cursors_are_checked)
{
    struct model_event_filter f = NO_FILTER;
    struct model_page_request req = {0, 2, NULL};
    struct model_page page;
    char err[256];
    ck_assert_int_eq(model_query_events(snap, &f, &req, &page, err, sizeof(err)), 0);
    ck_assert_uint_eq(page.total, 5);
    ck_assert_str_ne(page.next_cursor, "");
    char cursor[MODEL_CURSOR_MAX];
    strcpy(cursor, page.next_cursor);
    req.cursor = cursor;
    ck_assert_int_eq(model_query_events(snap, &f, &req, &page, err, sizeof(err)), 0);
    ck_assert_str_eq(((const struct model_event *)page.items[0])->id, "harbour-talks");

    /* Altered, truncated, garbage, another query, another direction. */
    char forged[MODEL_CURSOR_MAX];
    strcpy(forged, cursor);
    forged[3] = forged[3] == 'A' ? 'B' : 'A';
    const char *bad[] = {forged, "", "abc", "!!!!!!!!!!!!!!!!!!!!!!!!", "AAAAAAAAAAAAAAAAAAAAAAAA"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        req.cursor = bad[i];
        err[0] = '\0';
        ck_assert_int_eq(model_query_events(snap, &f, &req, &page, err, sizeof(err)), -1);
        ck_assert_ptr_nonnull(strstr(err, "cursor"));
    }
    req.cursor = cursor;
    f.type = MODEL_EVENT_MEETING;
    ck_assert_int_eq(model_query_events(snap, &f, &req, &page, err, sizeof(err)), -1);
    f.type = -1;
    req.descending = 1;
    ck_assert_int_eq(model_query_events(snap, &f, &req, &page, err, sizeof(err)), -1);
    struct model_quote_filter qf = {{0}, NULL, NULL, NULL, NULL, NULL};
    req.descending = 0;
    ck_assert_int_eq(model_query_quotes(snap, &qf, &req, &page, err, sizeof(err)), -1);
}
END_TEST

/* ---- Oracle tests on a generated corpus ---- */

struct toks {
    char (*t)[MODEL_TOKEN_MAX + 1];
    size_t n, cap;
};

static void tok_add(const char *s, size_t n, void *arg)
{
    struct toks *t = arg;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 32;
        t->t = realloc(t->t, t->cap * sizeof(*t->t));
    }
    memcpy(t->t[t->n], s, n);
    t->t[t->n++][n] = '\0';
}

/* Every query word of 3 or more bytes is a prefix of some word of the
 * fields; a shorter one equals one. */
static int text_matches(const char *q, const char *const *fields, size_t nf)
{
    struct toks qt = {0}, ft = {0};
    model_tokenize(q, strlen(q), tok_add, &qt);
    for (size_t i = 0; i < nf; i++)
        if (fields[i] != NULL)
            model_tokenize(fields[i], strlen(fields[i]), tok_add, &ft);
    int all = qt.n > 0;
    for (size_t i = 0; i < qt.n && all; i++) {
        int found = 0;
        for (size_t j = 0; j < ft.n && !found; j++)
            found = strlen(qt.t[i]) < 3 ? strcmp(ft.t[j], qt.t[i]) == 0
                                        : strncmp(ft.t[j], qt.t[i], strlen(qt.t[i])) == 0;
        all = found;
    }
    free(qt.t);
    free(ft.t);
    return all;
}

static int overlaps(const struct model_time_filter *w, int64_t lo, int64_t hi)
{
    return (!w->has_from || hi > w->from.lo) && (!w->has_to || lo < w->to.hi);
}

static int event_matches(const struct model_event *e, const struct model_event_filter *f)
{
    if (f->type >= 0 && (int)e->type != f->type)
        return 0;
    if (f->status >= 0 && (int)e->status != f->status)
        return 0;
    if (!overlaps(&f->when, e->lo, e->hi))
        return 0;
    if (f->n_actors > 0) {
        int any = 0;
        for (size_t i = 0; i < f->n_actors; i++)
            for (size_t p = 0; p < e->n_participants; p++)
                any |= strcmp(e->participants[p].actor->id, f->actors[i]) == 0;
        if (!any)
            return 0;
    }
    const char *fields[] = {e->title, e->summary};
    return f->text == NULL || text_matches(f->text, fields, 2);
}

static const char *random_word(unsigned *seed, const char *const *items, size_t n)
{
    return items[(size_t)rand_r(seed) % n];
}

static void random_window(unsigned *seed, struct model_time_filter *w)
{
    static const char *const dates[] = {"2024", "2024-03", "2024-06-01", "2025-01",
        "2025-08-17", "2025-08-17T14:00-04:00", "2024-11-05T09:30Z", "2025-12",
        "1990", "2025-02-10"};
    w->has_from = rand_r(seed) % 2;
    w->has_to = rand_r(seed) % 2;
    w->from = day(random_word(seed, dates, 10));
    w->to = day(random_word(seed, dates, 10));
}

START_TEST(events_match_the_oracle)
{
    unsigned seed = 12345;
    for (int round = 0; round < 120; round++) {
        struct model_event_filter f = NO_FILTER;
        const char *actors[3];
        int shape = rand_r(&seed);
        if (shape & 1)
            random_window(&seed, &f.when);
        if (shape & 2)
            f.type = rand_r(&seed) % MODEL_EVENT_TYPE_COUNT;
        if (shape & 4)
            f.status = rand_r(&seed) % MODEL_STATUS_COUNT;
        if (shape & 8) {
            f.n_actors = 1 + (size_t)rand_r(&seed) % 3;
            for (size_t i = 0; i < f.n_actors; i++)
                actors[i] = snap->actors[(size_t)rand_r(&seed) % snap->n_actors]->id;
            f.actors = actors;
        }
        char text[MODEL_TOKEN_MAX * 2 + 2];
        if (shape & 16) {
            /* A word (or a prefix of one) from a random event's title. */
            const struct model_event *e = snap->events[(size_t)rand_r(&seed) % snap->n_events];
            struct toks t = {0};
            model_tokenize(e->title, strlen(e->title), tok_add, &t);
            snprintf(text, sizeof(text), "%s", t.n ? t.t[(size_t)rand_r(&seed) % t.n] : "x");
            if (shape & 32 && strlen(text) > 3)
                text[3] = '\0';
            if (shape & 128 && strlen(text) > 2)
                text[2] = '\0'; /* short words match whole words only */
            free(t.t);
            f.text = text;
        }
        int desc = (shape >> 6) & 1;
        size_t limit = 1 + (size_t)rand_r(&seed) % 97;

        static char got[1 << 22], want[1 << 22];
        walk_events(&f, desc, limit, got, sizeof(got));
        size_t o = 0;
        want[0] = '\0';
        for (size_t k = 0; k < snap->n_events; k++) {
            size_t i = desc ? snap->n_events - 1 - k : k;
            if (event_matches(snap->events[i], &f))
                o += (size_t)snprintf(want + o, sizeof(want) - o, "%s%s", o ? " " : "",
                                      snap->events[i]->id);
        }
        if (strcmp(got, want) != 0) {
            FILE *dump = fopen("/tmp/oracle-diff.txt", "w");
            if (dump != NULL) {
                fprintf(dump, "round %d shape %d desc %d limit %zu text %s type %d status %d "
                        "from %d %lld to %d %lld actors %zu\ngot:  %s\nwant: %s\n", round,
                        shape, desc, limit, f.text ? f.text : "-", f.type, f.status,
                        f.when.has_from, (long long)f.when.from.lo, f.when.has_to,
                        (long long)f.when.to.hi, f.n_actors, got, want);
                fclose(dump);
            }
        }
        ck_assert_msg(strcmp(got, want) == 0, "round %d (shape %d) differs", round, shape);
    }
}
END_TEST

START_TEST(quotes_match_the_oracle)
{
    unsigned seed = 777;
    for (int round = 0; round < 80; round++) {
        struct model_quote_filter f = {{0}, NULL, NULL, NULL, NULL, NULL};
        int shape = rand_r(&seed);
        const struct model_quote *pick = snap->quotes[(size_t)rand_r(&seed) % snap->n_quotes];
        if (shape & 1)
            random_window(&seed, &f.when);
        if (shape & 2)
            f.speaker = pick->speaker->id;
        if (shape & 4 && pick->event)
            f.event = pick->event->id;
        if (shape & 8)
            f.source = pick->citations[0].source->id;
        if (shape & 16 && pick->n_topics)
            f.topic = pick->topics[0];
        struct model_page_request req = {(shape >> 5) & 1, 1 + (size_t)rand_r(&seed) % 40, NULL};
        struct model_page page;
        char cursor[MODEL_CURSOR_MAX], err[256];
        size_t k = 0, n = snap->n_quotes, seen = 0;
        for (;;) {
            ck_assert_int_eq(model_query_quotes(snap, &f, &req, &page, err, sizeof(err)), 0);
            for (size_t i = 0; i < page.count; i++) {
                /* Advance the oracle to its next match and compare. */
                const struct model_quote *want = NULL;
                while (k < n && want == NULL) {
                    const struct model_quote *q = snap->quotes[req.descending ? n - 1 - k : k];
                    k++;
                    int ok = overlaps(&f.when, q->said.time.lo, q->said.time.hi);
                    ok &= f.speaker == NULL || strcmp(q->speaker->id, f.speaker) == 0;
                    ok &= f.event == NULL || (q->event && strcmp(q->event->id, f.event) == 0);
                    int src = f.source == NULL, top = f.topic == NULL;
                    for (size_t c = 0; c < q->n_citations; c++)
                        src |= strcmp(q->citations[c].source->id, f.source ? f.source : "") == 0;
                    for (size_t t = 0; t < q->n_topics; t++)
                        top |= strcmp(q->topics[t], f.topic ? f.topic : "") == 0;
                    if (ok && src && top)
                        want = q;
                }
                ck_assert_ptr_eq(page.items[i], want);
                seen++;
            }
            if (page.next_cursor[0] == '\0')
                break;
            strcpy(cursor, page.next_cursor);
            req.cursor = cursor;
        }
        ck_assert_uint_eq(seen, page.total);
    }
}
END_TEST

int main(int argc, char **argv)
{
    fixtures = argc > 1 ? argv[1] : "tests/fixtures";
    generated = argc > 2 ? argv[2] : NULL;
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("fixture");
    tcase_add_checked_fixture(tc, load_fixture, unload);
    tcase_add_test(tc, lookups_and_links);
    tcase_add_test(tc, events_are_chronological);
    tcase_add_test(tc, date_filters_overlap_at_precision);
    tcase_add_test(tc, attribute_filters);
    tcase_add_test(tc, text_search_ignores_case_and_accents);
    tcase_add_test(tc, quote_filters);
    tcase_add_test(tc, cursors_are_checked);
    suite_add_tcase(s, tc);
    if (generated != NULL) {
        struct model_diagnostics diag = {0};
        if (model_load(generated, NULL, &big, &diag) != 0) {
            fprintf(stderr, "cannot load %s: %s\n", generated,
                    diag.count ? diag.messages[0] : "?");
            return EXIT_FAILURE;
        }
        TCase *oracle = tcase_create("oracle");
        tcase_add_checked_fixture(oracle, use_big, keep_big);
        tcase_set_timeout(oracle, 120);
        tcase_add_test(oracle, events_match_the_oracle);
        tcase_add_test(oracle, quotes_match_the_oracle);
        suite_add_tcase(s, oracle);
    }
    int rc = check_run(s, 1);
    model_snapshot_free(big);
    return rc;
}
