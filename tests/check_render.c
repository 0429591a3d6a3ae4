/* The JSON writer of routes/render.c against jansson: every primitive, and
 * every fragment of the bundled and the generated corpus, must be the bytes
 * json_dumps(…, JSON_COMPACT | JSON_SORT_KEYS) makes of the same value, and
 * fragment i must be entity i (the chunks are rendered on several threads).
 *
 * usage: check_render DATA_DIR [GENERATED_DIR] */
#include <check.h>
#include <float.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "common.h"
#include "model.h"
#include "render.h"

static const char *corpora[2];

/* jansson's bytes for v (stolen). */
static char *jansson_of(json_t *v)
{
    ck_assert_ptr_nonnull(v);
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(v);
    ck_assert_ptr_nonnull(s);
    return s;
}

static void assert_same(struct route_buf *b, json_t *v, const char *what)
{
    char *want = jansson_of(v);
    ck_assert_msg(b->len == strlen(want) && memcmp(b->p, want, b->len) == 0,
                  "%s: wrote %.*s, jansson %s", what, (int)b->len, b->p, want);
    free(want);
    free(b->p);
    memset(b, 0, sizeof(*b));
}

START_TEST(strings_are_escaped_as_jansson_does)
{
    /* Every control character, both escaped ASCII characters, '/', DEL,
     * and UTF-8 of two, three and four bytes (U+2028 included, which JSON
     * allows raw). */
    char all_controls[32];
    for (int c = 1; c < 32; c++)
        all_controls[c - 1] = (char)c;
    all_controls[31] = '\0';
    const char *cases[] = {"", "plain", "\"quoted\"", "back\\slash", "a/b", "del\x7f",
                           "tab\there\nnew\rline\b\f", all_controls, "caf\xc3\xa9",
                           "\xe2\x80\x9cTrump\xe2\x80\x9d \xe2\x80\x93 Putin",
                           "line\xe2\x80\xa8sep", "\xf0\x9f\x93\xb0 news", "\\\"\\",
                           "end\\", "\x1f"};
    struct route_buf b = {NULL, 0, 0};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        render_string(&b, cases[i]);
        assert_same(&b, json_string(cases[i]), cases[i]);
    }
    render_string_or_null(&b, NULL);
    assert_same(&b, json_null(), "NULL");
}
END_TEST

START_TEST(integers_are_written_as_jansson_does)
{
    const long long cases[] = {0, 1, -1, 9, 10, 99, 100, 2979, -2147483648LL, 4294967295LL,
                               LLONG_MAX, LLONG_MIN, LLONG_MIN + 1};
    struct route_buf b = {NULL, 0, 0};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        render_int(&b, cases[i]);
        assert_same(&b, json_integer(cases[i]), "integer");
    }
}
END_TEST

/* Reals as jansson writes them ("%.17g", ".0" for what reads as an integer,
 * a short exponent): coordinates, edge cases, and random bit patterns. */
START_TEST(reals_are_written_as_jansson_does)
{
    const double cases[] = {0.0, -0.0, 1.0, -180.0, 90.0, 61.2181, 50.8467, 38.8977,
                            -149.9003, 0.1, 1e-5, -1e-5, 1.5e-300, 1e20, 1e21, 1e300,
                            123456789012345678.0, DBL_MAX, DBL_MIN, 5e-324, 1e16, 1e17};
    struct route_buf b = {NULL, 0, 0};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        render_real(&b, cases[i]);
        assert_same(&b, json_real(cases[i]), "real");
    }
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
        double d;
        memcpy(&d, &x, sizeof(d));
        if (!isfinite(d))
            continue;
        render_real(&b, d);
        assert_same(&b, json_real(d), "random real");
    }
}
END_TEST

/* The JSON of one entity must be canonical (what jansson makes of its own
 * parse of it) and carry want_id. */
static void assert_canonical(const char *json, size_t len, const char *want_id,
                             const char *what)
{
    ck_assert_msg(strlen(json) == len, "%s %s: %zu bytes, strlen %zu", what, want_id, len,
                  strlen(json));
    json_error_t err;
    json_t *v = json_loadb(json, len, 0, &err);
    ck_assert_msg(v != NULL, "%s %s: not JSON (%s at %d): %.300s", what, want_id, err.text,
                  err.position, json);
    ck_assert_msg(json_is_string(json_object_get(v, "id")) &&
                      strcmp(json_string_value(json_object_get(v, "id")), want_id) == 0,
                  "%s: fragment of %s is %.200s", what, want_id, json);
    char *canon = jansson_of(v);
    ck_assert_msg(strlen(canon) == len && memcmp(canon, json, len) == 0,
                  "%s %s: not as jansson writes it:\n%.*s\n%s", what, want_id, (int)len, json,
                  canon);
    free(canon);
}

/* Every item's fragment: canonical, and the item's own (each entity
 * struct begins with its id). */
static void assert_fragments(const struct route_render *r, enum route_kind kind,
                             const void *const *items, size_t n)
{
    static const char *const names[ROUTE_KINDS] = {"event", "quote", "actor", "source"};
    for (size_t i = 0; i < n; i++) {
        const struct route_fragment *f = route_render_fragment(r, kind, items[i]);
        assert_canonical(f->json, f->len, *(const char *const *)items[i], names[kind]);
    }
}

/* The answer to GET path, through its route, must be canonical too. */
static void assert_route_canonical(const struct model_snapshot *snap,
                                   const struct route_render *r, const char *path)
{
    struct route_context ctx = {.build = "test", .render = r};
    struct route_request req = {.path = path, .snap = snap, .ctx = &ctx};
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", path);
    ck_assert_int_eq(route_split_path(buf, &req), 0);
    route_handler h = route_match(&req);
    ck_assert_ptr_nonnull(h);
    struct route_response resp = {0};
    h(&req, &resp);
    ck_assert_int_eq(resp.status, 200);
    json_error_t err;
    json_t *v = json_loadb(resp.body, resp.body_len, 0, &err);
    ck_assert_msg(v != NULL, "%s: not JSON (%s at %d)", path, err.text, err.position);
    char *canon = jansson_of(v);
    ck_assert_msg(strlen(canon) == resp.body_len && memcmp(canon, resp.body, resp.body_len) == 0,
                  "%s: not as jansson writes it:\n%.300s\n%.300s", path, resp.body, canon);
    free(canon);
    route_response_free(&resp);
}

static void check_corpus(const char *dir)
{
    struct model_snapshot *snap = NULL;
    struct model_diagnostics diag = {0};
    ck_assert_msg(model_load(dir, NULL, &snap, &diag) == 0, "cannot load %s: %s", dir,
                  diag.count ? diag.messages[0] : "?");
    struct route_render *r = route_render_build(snap);
    ck_assert_ptr_nonnull(r);
    assert_fragments(r, ROUTE_EVENTS, (const void *const *)snap->events, snap->n_events);
    assert_fragments(r, ROUTE_QUOTES, (const void *const *)snap->quotes, snap->n_quotes);
    assert_fragments(r, ROUTE_ACTORS, (const void *const *)snap->actors, snap->n_actors);
    assert_fragments(r, ROUTE_SOURCES, (const void *const *)snap->sources, snap->n_sources);
    for (size_t i = 0; i < snap->n_sources; i++) {
        struct route_buf b = {NULL, 0, 0};
        render_source(&b, snap->sources[i], 1);
        assert_canonical(b.p, b.len, snap->sources[i]->id, "source with supports");
        free(b.p);
    }
    assert_route_canonical(snap, r, "/timeline");
    assert_route_canonical(snap, r, "/events");
    route_render_free(r);
    model_snapshot_free(snap);
}

START_TEST(every_fragment_is_its_entity_as_jansson_writes_it)
{
    check_corpus(corpora[_i]);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: check_render DATA_DIR [GENERATED_DIR]\n");
        return EXIT_FAILURE;
    }
    corpora[0] = argv[1];
    corpora[1] = argc > 2 ? argv[2] : NULL;
    Suite *s = suite_create("render");
    TCase *tc = tcase_create("writer");
    tcase_add_test(tc, strings_are_escaped_as_jansson_does);
    tcase_add_test(tc, integers_are_written_as_jansson_does);
    tcase_add_test(tc, reals_are_written_as_jansson_does);
    tcase_add_loop_test(tc, every_fragment_is_its_entity_as_jansson_writes_it, 0,
                        corpora[1] != NULL ? 2 : 1);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return check_run(s, 0);
}
