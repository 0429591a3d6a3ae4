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
 * parse of it) and carry want_id as id_key. */
static void assert_canonical_id(const char *json, size_t len, const char *id_key,
                                const char *want_id, const char *what)
{
    ck_assert_msg(strlen(json) == len, "%s %s: %zu bytes, strlen %zu", what, want_id, len,
                  strlen(json));
    json_error_t err;
    json_t *v = json_loadb(json, len, 0, &err);
    ck_assert_msg(v != NULL, "%s %s: not JSON (%s at %d): %.300s", what, want_id, err.text,
                  err.position, json);
    ck_assert_msg(json_is_string(json_object_get(v, id_key)) &&
                      strcmp(json_string_value(json_object_get(v, id_key)), want_id) == 0,
                  "%s: fragment of %s is %.200s", what, want_id, json);
    char *canon = jansson_of(v);
    ck_assert_msg(strlen(canon) == len && memcmp(canon, json, len) == 0,
                  "%s %s: not as jansson writes it:\n%.*s\n%s", what, want_id, (int)len, json,
                  canon);
    free(canon);
}

static void assert_canonical(const char *json, size_t len, const char *want_id,
                             const char *what)
{
    assert_canonical_id(json, len, "id", want_id, what);
}

/* Every item's fragment: canonical, and the item's own (each entity
 * struct begins with its id). */
static void assert_fragments(const struct route_render *r, enum route_kind kind,
                             const void *const *items, size_t n)
{
    static const char *const names[ROUTE_KINDS] = {"event", "quote", "actor", "source",
                                                   "timeline slide"};
    const char *id_key = kind == ROUTE_TIMELINE ? "unique_id" : "id";
    for (size_t i = 0; i < n; i++) {
        const struct route_fragment *f = route_render_fragment(r, kind, items[i]);
        assert_canonical_id(f->json, f->len, id_key, *(const char *const *)items[i],
                            names[kind]);
    }
}

/* The answer to GET target ("path" or "path?name=value") through its
 * route, with the fragments of r (or rendered now when r is NULL): a 200. */
static void route_get(const struct model_snapshot *snap, const struct route_render *r,
                      const char *target, struct route_response *resp)
{
    struct route_context ctx = {.build = "test", .render = r};
    char path[128], buf[128];
    snprintf(path, sizeof(path), "%s", target);
    struct route_request req = {.path = path, .snap = snap, .ctx = &ctx};
    char *query = strchr(path, '?');
    if (query != NULL) {
        *query++ = '\0';
        char *eq = strchr(query, '=');
        ck_assert_ptr_nonnull(eq);
        *eq = '\0';
        req.params[0] = (struct route_param){query, eq + 1};
        req.n_params = 1;
    }
    snprintf(buf, sizeof(buf), "%s", path);
    ck_assert_int_eq(route_split_path(buf, &req), 0);
    route_handler h = route_match(&req);
    ck_assert_ptr_nonnull(h);
    memset(resp, 0, sizeof(*resp));
    h(&req, resp);
    ck_assert_msg(resp->status == 200, "%s: status %d", target, resp->status);
}

/* The same, as one body (what a rope reads as). */
static void route_get_flat(const struct model_snapshot *snap, const struct route_render *r,
                           const char *target, struct route_response *resp)
{
    route_get(snap, r, target, resp);
    ck_assert_int_eq(route_response_flatten(resp), 0);
    ck_assert_ptr_null(resp->rope);
}

/* Assembled from fragments or rendered now, the answer is the same. */
static void assert_same_without_render(const struct model_snapshot *snap,
                                       const struct route_render *r, const char *path)
{
    struct route_response with, without;
    route_get_flat(snap, r, path, &with);
    route_get_flat(snap, NULL, path, &without);
    const char *a = with.borrowed ? with.borrowed : with.body;
    const char *b = without.borrowed ? without.borrowed : without.body;
    ck_assert_msg(with.body_len == without.body_len && memcmp(a, b, with.body_len) == 0,
                  "%s from fragments:\n%.300s\nrendered now:\n%.300s", path, a, b);
    route_response_free(&with);
    route_response_free(&without);
}

/* The answer to GET path, through its route, must be canonical too. */
static void assert_route_canonical(const struct model_snapshot *snap,
                                   const struct route_render *r, const char *path)
{
    struct route_response resp;
    route_get_flat(snap, r, path, &resp);
    json_error_t err;
    json_t *v = json_loadb(resp.body, resp.body_len, 0, &err);
    ck_assert_msg(v != NULL, "%s: not JSON (%s at %d)", path, err.text, err.position);
    char *canon = jansson_of(v);
    ck_assert_msg(strlen(canon) == resp.body_len && memcmp(canon, resp.body, resp.body_len) == 0,
                  "%s: not as jansson writes it:\n%.300s\n%.300s", path, resp.body, canon);
    free(canon);
    route_response_free(&resp);
}

/* Reads rope's n bytes into out as libmicrohttpd does: block bytes at a
 * time from where it is, of which it sends (moves on by) only advance. */
static void read_rope(const struct route_rope *rope, struct route_rope_at *at, size_t n,
                      size_t block, size_t advance, char *out)
{
    char *buf = malloc(block);
    for (size_t pos = 0; pos < n;) {
        size_t k = route_rope_read(rope, at, pos, buf, block);
        ck_assert_msg(k == (n - pos < block ? n - pos : block),
                      "a read of %zu at %zu of %zu gave %zu bytes", block, pos, n, k);
        size_t sent = advance < k ? advance : k;
        memcpy(out + pos, buf, sent);
        pos += sent;
    }
    ck_assert_msg(route_rope_read(rope, at, n, buf, block) == 0, "a read at the end");
    free(buf);
}

/* A large answer assembled from fragments is a rope (its fragments not
 * copied), and however it is read (a byte at a time, in blocks, again
 * from inside the last block after a partial send, from the start again
 * once at the end) it is the body it flattens to, which is also the body
 * rendered without fragments (assert_same_without_render). */
static void assert_rope_reads(const struct model_snapshot *snap, const struct route_render *r,
                              const char *path)
{
    struct route_response resp;
    route_get(snap, r, path, &resp);
    ck_assert_msg(resp.rope != NULL && resp.rope->n > 0 && resp.body_len > ROUTE_ROPE_MIN,
                  "%s: %zu bytes and not a rope", path, resp.body_len);
    /* Past the first ROUTE_ROPE_MIN bytes, only the commas between items
     * and the closing bytes are its own; it holds no slack. */
    const struct route_rope *rope = resp.rope;
    ck_assert_msg(rope->own.len <= ROUTE_ROPE_MIN + rope->n + 1024 &&
                      route_rope_memory(rope) <= rope->own.len + 1 + rope->n * sizeof(*rope->pieces),
                  "%s: a rope of %zu bytes holds %zu, %zu of its own", path, resp.body_len,
                  route_rope_memory(rope), rope->own.len);
    size_t n = resp.body_len;
    static const size_t ways[][2] = {{1, 1}, {7, 7}, {4096, 4096}, {65536, 65536},
                                     {65536, 1000}, {SIZE_MAX, SIZE_MAX}};
    char *read[sizeof(ways) / sizeof(ways[0])];
    struct route_rope_at at = {0, 0};
    for (size_t w = 0; w < sizeof(ways) / sizeof(ways[0]); w++) {
        read[w] = malloc(n);
        /* the same position each time: after the first way, it starts over */
        read_rope(resp.rope, &at, n, ways[w][0] < n ? ways[w][0] : n,
                  ways[w][1] < n ? ways[w][1] : n, read[w]);
    }
    ck_assert_int_eq(route_response_flatten(&resp), 0);
    for (size_t w = 0; w < sizeof(ways) / sizeof(ways[0]); w++) {
        ck_assert_msg(memcmp(read[w], resp.body, n) == 0,
                      "%s read %zu bytes at a time (sending %zu) is not its body", path,
                      ways[w][0], ways[w][1]);
        free(read[w]);
    }
    route_response_free(&resp);
}

/* generated: dir is the generated corpus, whose lists are large enough to
 * be ropes (assert_rope_reads fails if they are not). */
static void check_corpus(const char *dir, int generated)
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
    assert_fragments(r, ROUTE_TIMELINE, (const void *const *)snap->events, snap->n_events);
    for (size_t i = 0; i < snap->n_sources; i++) {
        struct route_buf b = {NULL, 0, 0};
        render_source(&b, snap->sources[i], 1);
        assert_canonical(b.p, b.len, snap->sources[i]->id, "source with supports");
        free(b.p);
    }
    assert_route_canonical(snap, r, "/timeline");
    assert_route_canonical(snap, r, "/events");
    static const char *const paths[] = {"/timeline", "/timeline?status=occurred",
                                        "/timeline?from=2025-08-15", "/events",
                                        "/events?limit=3", "/quotes", "/actors", "/sources"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        assert_same_without_render(snap, r, paths[i]);
    if (generated) {
        static const char *const large[] = {"/timeline", "/timeline?from=1900",
                                            "/events?limit=500"};
        for (size_t i = 0; i < sizeof(large) / sizeof(large[0]); i++) {
            assert_same_without_render(snap, r, large[i]);
            assert_rope_reads(snap, r, large[i]);
        }
    }
    route_render_free(r);
    model_snapshot_free(snap);
}

START_TEST(every_fragment_is_its_entity_as_jansson_writes_it)
{
    check_corpus(corpora[_i], _i == 1);
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
