/* API tests: the real timeline-server binary, started on a free port with
 * the bundled corpus and driven over HTTP with libcurl, as libmicrohttpd's
 * own tests drive their daemons. Every expectation is a value of the bundled
 * corpus (the JSON files in data/): the ids in the filter table were worked
 * out from those files by an independent script, not read back from the
 * server.
 *
 * Usage: check_api SERVER_BINARY DATA_DIR
 *
 * The server is started with fork/exec as SERVER_BINARY --bind 127.0.0.1
 * --port 0 --data DATA_DIR; the port is read from the "listening on
 * http://127.0.0.1:PORT/" line on its standard output, within a time limit.
 * The last test sends it SIGTERM and expects exit status 0 within a time
 * limit. Two tcases start a second server the same way, one with --threads 1
 * and one with --cache-mb 1, and stop it the same way. Only the processes started here are ever signalled,
 * and they die with this program (PR_SET_PDEATHSIG), so a killed test run
 * leaves no server behind.
 *
 * Environment:
 *   TIMELINE_API_URL=http://127.0.0.1:4010
 *       Proxy mode, for the contract test: start no server and send every
 *       request to this base URL instead (a proxy in front of a real server).
 *       Only the tests that cannot work through an HTTP proxy are skipped,
 *       each with a line on stderr: the servers' exit status, raw request
 *       targets (bad percent-escapes, NUL, invalid UTF-8, "//"), and the
 *       connection-count tests (concurrent and sequential keep-alive). Links
 *       are resolved against the base URL, so it should carry no path prefix.
 *   TIMELINE_TEST_VALGRIND=1
 *       Run the servers under valgrind --error-exitcode=1 --leak-check=full:
 *       valgrind is exec'd in place of the server, with the server's command
 *       line after it, so the exit-status checks also fail on any memory
 *       error or leak valgrind finds. Time limits are multiplied by 20. Use a
 *       normal build, not TIMELINE_SANITIZE. It fits in the test's TIMEOUT
 *       (about 20 s here):  TIMELINE_TEST_VALGRIND=1 ctest -R api
 *
 * Every request has CURLOPT_TIMEOUT and CURLOPT_CONNECTTIMEOUT set, and no
 * environment proxy is used; only 127.0.0.1 (or TIMELINE_API_URL) is ever
 * contacted. Check runs in CK_NOFORK mode. */
#define _GNU_SOURCE
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_run.h"
#include "client.h"
#include "harness.h"
#include "route.h"

#ifndef TIMELINE_VERSION
#define TIMELINE_VERSION "0"
#endif

static const char *server_bin;
static const char *data_dir;
static int proxied;          /* TIMELINE_API_URL is set */
static int valgrind;         /* TIMELINE_TEST_VALGRIND=1 */
static int slow = 1;         /* time limits are multiplied by this */

/* A server this program started. */
static struct harness_server server = HARNESS_SERVER_INIT; /* the one most tests use */
static struct harness_server second = HARNESS_SERVER_INIT; /* with an option, for one tcase */
static const char *base = server.base; /* where requests go */

/* Tests that cannot run through a proxy return early through this. */
static int skip_when_proxied(const char *what)
{
    if (!proxied)
        return 0;
    fprintf(stderr, "check_api: skipped through TIMELINE_API_URL: %s\n", what);
    return 1;
}

/* Is the path of target one the API serves (and so one the contract
 * describes)? Asked of the real route table. */
static int served_path(const char *target)
{
    char path[1024];
    snprintf(path, sizeof(path), "%.*s", (int)strcspn(target, "?"), target);
    struct route_request req;
    memset(&req, 0, sizeof(req));
    return route_split_path(path, &req) == 0 && route_match(&req) != NULL;
}

/* ---- The server process ---- */

/* Starts a server (with option opt and its value, unless opt is NULL) and
 * reads its port from the listening line. Returns 0, or -1 with a message on
 * stderr (and no process left behind). */
static int start_server(struct harness_server *sp, const char *opt, const char *value)
{
    char *args[] = {"valgrind", "--error-exitcode=1", "--leak-check=full",
                    (char *)server_bin, "--bind", "127.0.0.1", "--port", "0",
                    "--data", (char *)data_dir, (char *)opt, (char *)value, NULL};
    return harness_start(sp, valgrind ? args : args + 3, 30 * slow, "check_api");
}

/* ---- HTTP ---- */

/* The number of header fields called name in r; the first one's value is
 * copied to out (may be NULL). */
static int header(const struct client_resp *r, const char *name, char *out, size_t size)
{
    return client_header(r->head, name, out, size);
}

/* Does the comma-separated header value list contain token (any case)? */
static int has_token(const char *list, const char *token)
{
    size_t n = strlen(token);
    for (const char *p = list; *p != '\0';) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ",");
        size_t t = len;
        while (t > 0 && p[t - 1] == ' ')
            t--;
        if (t == n && strncasecmp(p, token, n) == 0)
            return 1;
        p += len;
    }
    return 0;
}

/* One request on handle h (which keeps its connection between calls), or
 * on a new connection when h is NULL. */
static void perform(CURL *h, const char *path, const struct client_req *q,
                    struct client_resp *r)
{
    client_perform(h, path, q, r);
    ck_assert_msg(r->rc == CURLE_OK, "%.300s: %s", path, curl_easy_strerror(r->rc));
}

/* One request on a new connection. */
static void http(const char *path, const struct client_req *q, struct client_resp *r)
{
    perform(NULL, path, q, r);
}

static void get(const char *path, struct client_resp *r)
{
    http(path, NULL, r);
}

/* GET path, expecting a 200 JSON body. */
static void get_json(const char *path, struct client_resp *r)
{
    get(path, r);
    ck_assert_msg(r->status == 200, "%.300s: status %ld, body %.300s", path, r->status,
                  r->body ? r->body : "");
    char ct[128];
    header(r, "Content-Type", ct, sizeof(ct));
    ck_assert_msg(strncmp(ct, "application/json", 16) == 0, "%.300s: Content-Type %s", path, ct);
    ck_assert_msg(r->json != NULL, "%.300s: the body is not JSON: %.300s", path,
                  r->body ? r->body : "");
}

/* ---- JSON helpers ---- */

/* The value at a dotted path ("participants.0.role"), or NULL. */
static json_t *jget(json_t *v, const char *path)
{
    char buf[256], *save = NULL;
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *tok = strtok_r(buf, ".", &save); tok != NULL && v != NULL;
         tok = strtok_r(NULL, ".", &save))
        v = json_is_array(v) ? json_array_get(v, strtoul(tok, NULL, 10))
                             : json_object_get(v, tok);
    return v;
}

#define J_STR(v, path, want)                                                           \
    do {                                                                               \
        const char *got_ = json_string_value(jget((v), (path)));                       \
        ck_assert_msg(got_ != NULL && strcmp(got_, (want)) == 0,                       \
                      "%.300s: got \"%s\", want \"%s\"", (path), got_ ? got_ : "(none)",   \
                      (want));                                                         \
    } while (0)
#define J_INT(v, path, want)                                                           \
    do {                                                                               \
        json_t *got_ = jget((v), (path));                                              \
        ck_assert_msg(json_is_integer(got_) && json_integer_value(got_) == (want),     \
                      "%.300s: got %lld, want %lld", (path),                               \
                      got_ ? (long long)json_integer_value(got_) : -1LL,               \
                      (long long)(want));                                              \
    } while (0)
#define J_NULL(v, path) ck_assert_msg(json_is_null(jget((v), (path))), "%.300s: not null", (path))
#define J_SIZE(v, path, want)                                                          \
    ck_assert_msg(json_array_size(jget((v), (path))) == (size_t)(want),               \
                  "%.300s: %zu items, want %zu", (path), json_array_size(jget((v), (path))), \
                  (size_t)(want))

/* The key of every element of arr (or, with key NULL, every element, a
 * string), joined by spaces (malloc'd). */
static char *join_ids(json_t *arr, const char *key)
{
    size_t cap = 64, n = 0;
    char *s = malloc(cap);
    s[0] = '\0';
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it) {
        const char *id = json_string_value(key ? json_object_get(it, key) : it);
        if (id == NULL)
            id = "(no-id)";
        size_t need = n + strlen(id) + 2;
        if (need > cap) {
            cap = need * 2;
            s = realloc(s, cap);
        }
        n += (size_t)sprintf(s + n, "%s%s", n ? " " : "", id);
    }
    return s;
}

/* The first word of a space-separated list that occurs twice, or NULL. */
static const char *duplicate_word(const char *s)
{
    for (const char *p = s; *p != '\0'; p += strcspn(p, " "), p += *p == ' ') {
        size_t len = strcspn(p, " ");
        for (const char *q = p + len; *q != '\0'; q += strcspn(q, " "), q += *q == ' ')
            if (*q != ' ' && strcspn(q, " ") == len && strncmp(p, q, len) == 0)
                return p;
    }
    return NULL;
}

static size_t count_words(const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p != '\0'; p++)
        if (p == s || p[-1] == ' ')
            n++;
    return n;
}

/* ---- Checks on every response ---- */

/* A problem: status, application/problem+json, type/title/status/detail,
 * parameter when the error is about one, CORS, and no ETag. */
static void check_problem(const char *path, const struct client_resp *r, long status,
                          const char *param)
{
    char v[256];
    ck_assert_msg(r->status == status, "%.300s: status %ld, want %ld; body %.300s", path,
                  r->status, status, r->body ? r->body : "");
    header(r, "Content-Type", v, sizeof(v));
    ck_assert_msg(strncmp(v, "application/problem+json", 24) == 0, "%.300s: Content-Type %s",
                  path, v);
    ck_assert_msg(r->json != NULL && json_is_object(r->json), "%.300s: not a JSON object: %.300s",
                  path, r->body ? r->body : "");
    const char *type = json_string_value(json_object_get(r->json, "type"));
    const char *title = json_string_value(json_object_get(r->json, "title"));
    const char *detail = json_string_value(json_object_get(r->json, "detail"));
    ck_assert_msg(type && *type && title && *title && detail && *detail,
                  "%.300s: type/title/detail missing: %.300s", path, r->body);
    ck_assert_msg(json_integer_value(json_object_get(r->json, "status")) == status,
                  "%.300s: body status is not %ld", path, status);
    if (param != NULL) {
        const char *p = json_string_value(json_object_get(r->json, "parameter"));
        ck_assert_msg(p != NULL && strcmp(p, param) == 0,
                      "%.300s: parameter \"%s\", want \"%s\"", path, p ? p : "(none)", param);
    }
    ck_assert_msg(header(r, "Access-Control-Allow-Origin", v, sizeof(v)) == 1 &&
                  strcmp(v, "*") == 0, "%.300s: Access-Control-Allow-Origin \"%s\"", path, v);
    ck_assert_msg(header(r, "ETag", NULL, 0) == 0, "%.300s: an error has an ETag", path);
}

/* ---- Endpoints and their values ---- */

START_TEST(health_reports_the_corpus)
{
    struct client_resp r;
    get_json("/health", &r);
    J_STR(r.json, "status", "ok");
    J_STR(r.json, "server_version", TIMELINE_VERSION);
    J_INT(r.json, "corpus.sources", 3);
    J_INT(r.json, "corpus.actors", 51);
    J_INT(r.json, "corpus.events", 33);
    J_INT(r.json, "corpus.quotes", 31);
    J_INT(r.json, "corpus.files", 6);
    J_INT(r.json, "corpus.citations", 222);
    J_INT(r.json, "corpus.proven_citations", 0);
    J_NULL(r.json, "last_reload_error");
    const char *version = json_string_value(jget(r.json, "corpus.version"));
    ck_assert_msg(version != NULL && strlen(version) == 64 &&
                  strspn(version, "0123456789abcdef") == 64, "corpus.version %s", version);
    if (!proxied)
        ck_assert_msg(server.corpus[0] && strncmp(version, server.corpus,
                                                  strlen(server.corpus)) == 0,
                      "corpus.version %s does not start with the listening line's %s",
                      version, server.corpus);
    const char *loaded = json_string_value(jget(r.json, "corpus.loaded_at"));
    int y, mo, d, h, mi, s;
    char z;
    ck_assert_msg(loaded && strlen(loaded) == 20 &&
                  sscanf(loaded, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &z) == 7 &&
                  z == 'Z', "loaded_at %s", loaded);
    client_resp_free(&r);
}
END_TEST

START_TEST(openapi_is_served)
{
    struct client_resp r;
    get("/openapi.yaml", &r);
    ck_assert_int_eq(r.status, 200);
    char ct[128];
    header(&r, "Content-Type", ct, sizeof(ct));
    ck_assert_msg(strncmp(ct, "application/yaml", 16) == 0, "Content-Type %s", ct);
    ck_assert_msg(r.len > 9 && strncmp(r.body, "openapi: ", 9) == 0,
                  "not an OpenAPI document: %.100s", r.body ? r.body : "");
    ck_assert_msg(header(&r, "ETag", NULL, 0) == 1, "no ETag");
    client_resp_free(&r);
}
END_TEST

START_TEST(events_list_envelope)
{
    struct client_resp r;
    get_json("/events", &r);
    J_INT(r.json, "meta.total", 33);
    J_INT(r.json, "meta.limit", 50);
    J_NULL(r.json, "meta.next_cursor");
    J_STR(r.json, "links.self", "/events");
    J_NULL(r.json, "links.next");
    J_SIZE(r.json, "data", 33);
    ck_assert_msg(header(&r, "Link", NULL, 0) == 0, "a last page has a Link header");
    /* Every event has the documented fields. */
    size_t i;
    json_t *e;
    static const char *const keys[] = {"id", "type", "title", "summary", "status", "start",
        "end", "precision", "timezone", "dating", "location", "participants", "citations",
        "parent", "related", "quote_count"};
    json_array_foreach(json_object_get(r.json, "data"), i, e) {
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
            ck_assert_msg(json_object_get(e, keys[k]) != NULL, "event %zu has no %s", i, keys[k]);
    }
    client_resp_free(&r);
}
END_TEST

START_TEST(event_by_id)
{
    struct client_resp r;
    get_json("/events/alaska-summit-2025", &r);
    J_STR(r.json, "id", "alaska-summit-2025");
    J_STR(r.json, "type", "summit");
    J_STR(r.json, "title", "Trump\xe2\x80\x93Putin summit in Alaska");
    J_STR(r.json, "status", "occurred");
    J_STR(r.json, "start", "2025-08-15");
    J_NULL(r.json, "end");
    J_STR(r.json, "precision", "day");
    J_STR(r.json, "timezone", "America/Anchorage");
    J_STR(r.json, "dating.start.basis", "resolved");
    J_STR(r.json, "dating.start.phrase", "Friday");
    J_STR(r.json, "dating.start.source", "aa-2025-08-17-witkoff-concessions");
    J_STR(r.json, "location.name", "Anchorage, Alaska");
    J_STR(r.json, "location.country", "US");
    ck_assert(json_real_value(jget(r.json, "location.lat")) > 61.2 &&
              json_real_value(jget(r.json, "location.lat")) < 61.3);
    ck_assert(json_real_value(jget(r.json, "location.lon")) < -149.8 &&
              json_real_value(jget(r.json, "location.lon")) > -150.0);
    J_SIZE(r.json, "participants", 3);
    J_STR(r.json, "participants.0.id", "donald-trump");
    J_STR(r.json, "participants.0.name", "Donald Trump");
    J_STR(r.json, "participants.0.role", "host");
    J_STR(r.json, "participants.1.id", "vladimir-putin");
    J_STR(r.json, "participants.1.role", "guest");
    J_STR(r.json, "participants.2.id", "steve-witkoff");
    J_STR(r.json, "participants.2.role", "attendee");
    J_SIZE(r.json, "citations", 5);
    J_STR(r.json, "citations.0.source", "aa-2025-08-17-witkoff-concessions");
    J_INT(r.json, "citations.0.start", 2722);
    J_INT(r.json, "citations.0.end", 2861);
    J_NULL(r.json, "parent");
    J_SIZE(r.json, "related", 2);
    J_STR(r.json, "related.0", "white-house-meeting-2025-08-18");
    J_STR(r.json, "related.1", "trump-fox-news-interview-2025-08-15");
    J_INT(r.json, "quote_count", 0);
    client_resp_free(&r);

    get_json("/events/putin-accepts-security-guarantees-2025-08-15", &r);
    J_STR(r.json, "parent", "alaska-summit-2025");
    J_STR(r.json, "type", "agreement");
    client_resp_free(&r);
    get_json("/events/russia-ukraine-war-2022", &r);
    J_STR(r.json, "start", "2022-02");
    J_STR(r.json, "precision", "month");
    J_NULL(r.json, "location");
    client_resp_free(&r);
}
END_TEST

START_TEST(quote_by_id)
{
    struct client_resp r;
    get_json("/quotes/witkoff-some-concessions", &r);
    J_STR(r.json, "id", "witkoff-some-concessions");
    J_STR(r.json, "text", "some concessions");
    J_STR(r.json, "kind", "fragment");
    J_STR(r.json, "speaker.id", "steve-witkoff");
    J_STR(r.json, "speaker.name", "Steve Witkoff");
    J_STR(r.json, "event", "witkoff-cnn-interview-2025-08-17");
    J_STR(r.json, "date", "2025-08-17");
    J_STR(r.json, "precision", "day");
    J_STR(r.json, "dating.basis", "resolved");
    J_STR(r.json, "dating.phrase", "on Sunday");
    J_SIZE(r.json, "topics", 2);
    J_STR(r.json, "topics.0", "concessions");
    J_STR(r.json, "topics.1", "territory");
    J_SIZE(r.json, "citations", 2);
    J_STR(r.json, "citations.0.source", "aa-2025-08-17-witkoff-concessions");
    J_STR(r.json, "citations.0.publisher", "Anadolu Agency");
    J_STR(r.json, "citations.0.exact", "some concessions");
    J_INT(r.json, "citations.0.start", 48);
    J_INT(r.json, "citations.0.end", 64);
    J_INT(r.json, "citations.1.start", 332);
    client_resp_free(&r);

    get_json("/quotes/nato-article-5-armed-attack-against-all", &r);
    J_NULL(r.json, "event");
    J_STR(r.json, "date", "1949-04-04");
    J_STR(r.json, "speaker.id", "nato");
    client_resp_free(&r);
}
END_TEST

START_TEST(actor_by_id)
{
    struct client_resp r;
    get_json("/actors/keir-starmer", &r);
    J_STR(r.json, "id", "keir-starmer");
    J_STR(r.json, "name", "Keir Starmer");
    J_STR(r.json, "kind", "person");
    J_SIZE(r.json, "aliases", 2);
    J_STR(r.json, "aliases.0", "Sir Keir Starmer");
    J_STR(r.json, "aliases.1", "Sir Keir");
    J_SIZE(r.json, "roles", 1);
    J_STR(r.json, "roles.0.title", "UK Prime Minister");
    J_STR(r.json, "roles.0.organization", "united-kingdom");
    J_NULL(r.json, "roles.0.from");
    J_NULL(r.json, "wikidata");
    client_resp_free(&r);
    get_json("/actors/anadolu-agency", &r);
    J_STR(r.json, "kind", "media-outlet");
    J_STR(r.json, "aliases.0", "AA");
    client_resp_free(&r);
}
END_TEST

START_TEST(sources_list_and_by_id)
{
    struct client_resp r;
    get_json("/sources", &r);
    J_INT(r.json, "meta.total", 3);
    char *ids = join_ids(json_object_get(r.json, "data"), "id");
    ck_assert_str_eq(ids, "aa-2025-08-17-witkoff-concessions "
                          "aa-2025-08-18-washington-talks-explainer "
                          "sky-news-2025-08-17-nato-style-guarantee");
    free(ids);
    J_STR(r.json, "data.0.author", "Yasin Gungor");
    J_STR(r.json, "data.0.dateline", "ISTANBUL");
    J_STR(r.json, "data.0.publisher.id", "anadolu-agency");
    J_STR(r.json, "data.0.published", "2025-08-17");
    J_INT(r.json, "data.0.length", 3214);
    J_INT(r.json, "data.0.counts.events", 11);
    J_INT(r.json, "data.0.counts.quotes", 16);
    J_INT(r.json, "data.0.counts.actors", 20);
    J_STR(r.json, "data.1.dating.basis", "inferred");
    J_STR(r.json, "data.2.syndication.via", "this-is-the-coast");
    json_t *list = json_incref(json_object_get(r.json, "data"));
    client_resp_free(&r);

    /* Each source's supports lists agree with its counts and with the
     * quote filter by source. */
    size_t i;
    json_t *s;
    json_array_foreach(list, i, s) {
        const char *id = json_string_value(json_object_get(s, "id"));
        char path[256];
        snprintf(path, sizeof(path), "/sources/%s", id);
        get_json(path, &r);
        J_STR(r.json, "id", id);
        ck_assert(json_object_get(r.json, "counts") == NULL);
        J_SIZE(r.json, "supports.events", json_integer_value(jget(s, "counts.events")));
        J_SIZE(r.json, "supports.quotes", json_integer_value(jget(s, "counts.quotes")));
        J_SIZE(r.json, "supports.actors", json_integer_value(jget(s, "counts.actors")));
        J_STR(r.json, "sha256", json_string_value(json_object_get(s, "sha256")));
        char *supported = join_ids(jget(r.json, "supports.quotes"), NULL);
        client_resp_free(&r);
        snprintf(path, sizeof(path), "/quotes?source=%s&limit=500", id);
        get_json(path, &r);
        char *filtered = join_ids(json_object_get(r.json, "data"), "id");
        ck_assert_msg(strcmp(supported, filtered) == 0,
                      "%s supports %s but the filter gives %s", id, supported, filtered);
        free(supported);
        free(filtered);
        client_resp_free(&r);
    }
    json_decref(list);

    get_json("/sources/sky-news-2025-08-17-nato-style-guarantee", &r);
    J_STR(r.json, "publisher.name", "Sky News");
    J_STR(r.json, "syndication.name", "This is the Coast");
    J_STR(r.json, "sha256", "7e8718b00c24530381465d4426a5c60858bc4dc94913792d8255d2c99c680a41");
    J_INT(r.json, "length", 6067);
    J_STR(r.json, "supports.quotes.0", "no10-stands-ready-next-phase");
    J_STR(r.json, "supports.events.0", "september-11-attacks-2001");
    client_resp_free(&r);
}
END_TEST

/* quote_count of every event equals the total of /events/{id}/quotes, and
 * the nested actor lists agree with the participants and speakers. */
START_TEST(nested_lists_agree_with_the_entities)
{
    struct client_resp ev, qs, ac, r;
    get_json("/events?limit=500", &ev);
    get_json("/quotes?limit=500", &qs);
    get_json("/actors?limit=500", &ac);
    size_t i, j, k;
    json_t *e, *a, *x;
    json_array_foreach(json_object_get(ev.json, "data"), i, e) {
        char path[256];
        const char *id = json_string_value(json_object_get(e, "id"));
        snprintf(path, sizeof(path), "/events/%s/quotes?limit=500", id);
        get_json(path, &r);
        json_int_t want = json_integer_value(json_object_get(e, "quote_count"));
        J_INT(r.json, "meta.total", want);
        json_array_foreach(json_object_get(r.json, "data"), j, x)
            J_STR(x, "event", id);
        client_resp_free(&r);
        snprintf(path, sizeof(path), "/events/%s", id);
        get_json(path, &r);
        ck_assert_msg(json_equal(r.json, e), "%s differs from its item in /events", path);
        client_resp_free(&r);
    }
    json_array_foreach(json_object_get(ac.json, "data"), i, a) {
        const char *id = json_string_value(json_object_get(a, "id"));
        json_int_t in_events = 0, spoke = 0;
        json_array_foreach(json_object_get(ev.json, "data"), j, e)
            json_array_foreach(json_object_get(e, "participants"), k, x)
                if (strcmp(json_string_value(json_object_get(x, "id")), id) == 0) {
                    in_events++;
                    break;
                }
        json_array_foreach(json_object_get(qs.json, "data"), j, x)
            if (strcmp(json_string_value(jget(x, "speaker.id")), id) == 0)
                spoke++;
        char path[256];
        snprintf(path, sizeof(path), "/actors/%s/events?limit=500", id);
        get_json(path, &r);
        J_INT(r.json, "meta.total", in_events);
        client_resp_free(&r);
        snprintf(path, sizeof(path), "/actors/%s/quotes?limit=500", id);
        get_json(path, &r);
        J_INT(r.json, "meta.total", spoke);
        client_resp_free(&r);
        snprintf(path, sizeof(path), "/actors/%s", id);
        get_json(path, &r);
        ck_assert_msg(json_equal(r.json, a), "%s differs from its item in /actors", path);
        client_resp_free(&r);
    }
    json_array_foreach(json_object_get(qs.json, "data"), i, x) {
        char path[256];
        snprintf(path, sizeof(path), "/quotes/%s", json_string_value(json_object_get(x, "id")));
        get_json(path, &r);
        ck_assert_msg(json_equal(r.json, x), "%s differs from its item in /quotes", path);
        client_resp_free(&r);
    }
    client_resp_free(&ev);
    client_resp_free(&qs);
    client_resp_free(&ac);
}
END_TEST

static const char *const MONTHS[] = {"January", "February", "March", "April", "May",
    "June", "July", "August", "September", "October", "November", "December"};

START_TEST(timeline_is_timelinejs3)
{
    struct client_resp ev, r;
    get_json("/events?limit=500", &ev);
    get_json("/timeline", &r);
    J_STR(r.json, "title.text.headline", "Timeline");
    J_STR(r.json, "title.text.text", "33 events");
    json_t *events = json_object_get(r.json, "events");
    json_t *want = json_object_get(ev.json, "data");
    ck_assert_int_eq(json_array_size(events), 33);
    ck_assert_int_eq(json_array_size(events), json_array_size(want));
    size_t i;
    json_t *t;
    json_array_foreach(events, i, t) {
        json_t *e = json_array_get(want, i);
        const char *id = json_string_value(json_object_get(e, "id"));
        J_STR(t, "unique_id", id);
        J_STR(t, "group", json_string_value(json_object_get(e, "type")));
        J_STR(t, "text.headline", json_string_value(json_object_get(e, "title")));
        J_STR(t, "text.text", json_string_value(json_object_get(e, "summary")));
        ck_assert_msg(json_object_get(t, "end_date") == NULL, "%.300s: an end_date", id);
        /* start_date is split only down to the event's precision. */
        const char *start = json_string_value(json_object_get(e, "start"));
        const char *prec = json_string_value(json_object_get(e, "precision"));
        int y = 0, m = 0, d = 0;
        int parts = sscanf(start, "%4d-%2d-%2d", &y, &m, &d);
        int want_parts = strcmp(prec, "year") == 0 ? 1 : strcmp(prec, "month") == 0 ? 2 : 3;
        ck_assert_msg(parts == want_parts, "%.300s: start %s has precision %s", id, start, prec);
        json_t *sd = json_object_get(t, "start_date");
        ck_assert_msg(json_object_size(sd) == (size_t)parts,
                      "%.300s: start_date has %zu fields for precision %s", id,
                      json_object_size(sd), prec);
        J_INT(sd, "year", y);
        char shown[64];
        if (parts == 1) {
            snprintf(shown, sizeof(shown), "%d", y);
        } else if (parts == 2) {
            J_INT(sd, "month", m);
            snprintf(shown, sizeof(shown), "%s %d", MONTHS[m - 1], y);
        } else {
            J_INT(sd, "month", m);
            J_INT(sd, "day", d);
            snprintf(shown, sizeof(shown), "%d %s %d", d, MONTHS[m - 1], y);
        }
        J_STR(t, "display_date", shown);
    }
    /* Spot checks of real values. */
    J_STR(events, "0.display_date", "1994");
    J_STR(events, "2.display_date", "11 September 2001");
    J_STR(events, "6.display_date", "February 2022");
    J_STR(events, "6.group", "military-action");
    client_resp_free(&ev);
    client_resp_free(&r);
}
END_TEST

/* ---- Filters: exact ids, from the table worked out from data/ ---- */

struct filter_case {
    const char *path;
    const char *ids; /* space-separated, in order */
};

/* Every event of the bundled corpus, in start order: /events and
 * /timeline without filters. */
#define ALL_EVENTS \
     "budapest-memorandum-1994 ukraine-npt-accession-1994 " \
     "september-11-attacks-2001 nato-article-5-invocation-2001 " \
     "donbas-loss-2014 crimea-annexation-2014 russia-ukraine-war-2022 " \
     "ukraine-nato-membership-bid-2022 russia-annexes-four-regions-2022 " \
     "west-rejects-2022-annexation witkoff-earlier-meetings-with-putin-2025 " \
     "rubio-remarks-on-concessions-2025-08 " \
     "trump-invites-european-leaders-2025-08 " \
     "trump-putin-zelenskyy-trilateral-proposal us-land-swap-remarks-2025-08 " \
     "alaska-summit-2025 putin-accepts-security-guarantees-2025-08-15 " \
     "putin-territorial-demands-2025-08-15 " \
     "putin-understanding-remark-2025-08-15 " \
     "russian-concessions-on-five-regions-2025-08-15 " \
     "trump-fox-news-interview-2025-08-15 " \
     "downing-street-statement-2025-08-16 " \
     "european-leaders-statements-2025-08-16 " \
     "coalition-of-the-willing-call-2025-08-17 " \
     "trump-truth-social-post-2025-08-17 " \
     "us-article-5-style-guarantee-proposal witkoff-cnn-interview-2025-08-17 " \
     "witkoff-fox-news-interview-2025-08-17 " \
     "zelenskyy-von-der-leyen-brussels-meeting-2025-08-17 " \
     "zelenskyy-von-der-leyen-news-conference-2025-08-17 " \
     "zelenskyy-x-post-historic-decision-2025-08-17 " \
     "zelenskyy-x-post-lasting-peace-2025-08-17 " \
     "white-house-meeting-2025-08-18"

static const struct filter_case FILTERS[] = {
    {"/events", ALL_EVENTS},
    {"/events?from=2025-08-17&to=2025-08-17&type=interview",
     "witkoff-cnn-interview-2025-08-17 witkoff-fox-news-interview-2025-08-17"},
    {"/events?from=2025-08-17&to=2025-08-17",
     "witkoff-earlier-meetings-with-putin-2025 "
     "rubio-remarks-on-concessions-2025-08 "
     "trump-invites-european-leaders-2025-08 "
     "trump-putin-zelenskyy-trilateral-proposal us-land-swap-remarks-2025-08 "
     "coalition-of-the-willing-call-2025-08-17 "
     "trump-truth-social-post-2025-08-17 "
     "us-article-5-style-guarantee-proposal witkoff-cnn-interview-2025-08-17 "
     "witkoff-fox-news-interview-2025-08-17 "
     "zelenskyy-von-der-leyen-brussels-meeting-2025-08-17 "
     "zelenskyy-von-der-leyen-news-conference-2025-08-17 "
     "zelenskyy-x-post-historic-decision-2025-08-17 "
     "zelenskyy-x-post-lasting-peace-2025-08-17"},
    {"/events?to=2001",
     "budapest-memorandum-1994 ukraine-npt-accession-1994 "
     "september-11-attacks-2001 nato-article-5-invocation-2001"},
    {"/events?from=2022&to=2022",
     "russia-ukraine-war-2022 ukraine-nato-membership-bid-2022 "
     "russia-annexes-four-regions-2022 west-rejects-2022-annexation"},
    {"/events?from=2025-08-18",
     "witkoff-earlier-meetings-with-putin-2025 "
     "rubio-remarks-on-concessions-2025-08 "
     "trump-invites-european-leaders-2025-08 "
     "trump-putin-zelenskyy-trilateral-proposal us-land-swap-remarks-2025-08 "
     "white-house-meeting-2025-08-18"},
    {"/events?to=2014-03",
     "budapest-memorandum-1994 ukraine-npt-accession-1994 "
     "september-11-attacks-2001 nato-article-5-invocation-2001 "
     "donbas-loss-2014 crimea-annexation-2014"},
    {"/events?from=2014-03-19&to=2014-12",
     "donbas-loss-2014"},
    {"/events?from=2025-08-17T14:00:00-04:00&to=2025-08-17T23:59:59Z"
     "&type=social-media-post",
     "trump-truth-social-post-2025-08-17 "
     "zelenskyy-x-post-historic-decision-2025-08-17 "
     "zelenskyy-x-post-lasting-peace-2025-08-17"},
    {"/events?to=2025-08-15T00:00Z&from=2025-08-14",
     "witkoff-earlier-meetings-with-putin-2025 "
     "rubio-remarks-on-concessions-2025-08 "
     "trump-invites-european-leaders-2025-08 "
     "trump-putin-zelenskyy-trilateral-proposal us-land-swap-remarks-2025-08 "
     "alaska-summit-2025 putin-accepts-security-guarantees-2025-08-15 "
     "putin-territorial-demands-2025-08-15 "
     "putin-understanding-remark-2025-08-15 "
     "russian-concessions-on-five-regions-2025-08-15 "
     "trump-fox-news-interview-2025-08-15"},
    {"/events?actor=keir-starmer",
     "downing-street-statement-2025-08-16 white-house-meeting-2025-08-18"},
    {"/events?actor=keir-starmer&actor=fox-news",
     "trump-fox-news-interview-2025-08-15 "
     "downing-street-statement-2025-08-16 "
     "witkoff-fox-news-interview-2025-08-17 white-house-meeting-2025-08-18"},
    {"/events?actor=fox-news&actor=keir-starmer&actor=cnn",
     "trump-fox-news-interview-2025-08-15 "
     "downing-street-statement-2025-08-16 witkoff-cnn-interview-2025-08-17 "
     "witkoff-fox-news-interview-2025-08-17 white-house-meeting-2025-08-18"},
    {"/events?actor=no-such-actor",
     ""},
    {"/events?type=social-media-post",
     "trump-truth-social-post-2025-08-17 "
     "zelenskyy-x-post-historic-decision-2025-08-17 "
     "zelenskyy-x-post-lasting-peace-2025-08-17"},
    {"/events?type=speech",
     ""},
    {"/events?status=proposed",
     "trump-putin-zelenskyy-trilateral-proposal "
     "us-article-5-style-guarantee-proposal"},
    {"/events?status=scheduled",
     "white-house-meeting-2025-08-18"},
    {"/events?q=WITKOFF",
     "witkoff-earlier-meetings-with-putin-2025 alaska-summit-2025 "
     "putin-accepts-security-guarantees-2025-08-15 "
     "russian-concessions-on-five-regions-2025-08-15 "
     "witkoff-cnn-interview-2025-08-17 witkoff-fox-news-interview-2025-08-17 "
     "zelenskyy-von-der-leyen-brussels-meeting-2025-08-17"},
    {"/events?q=W%C3%ADtkoff",
     "witkoff-earlier-meetings-with-putin-2025 alaska-summit-2025 "
     "putin-accepts-security-guarantees-2025-08-15 "
     "russian-concessions-on-five-regions-2025-08-15 "
     "witkoff-cnn-interview-2025-08-17 witkoff-fox-news-interview-2025-08-17 "
     "zelenskyy-von-der-leyen-brussels-meeting-2025-08-17"},
    {"/events?q=zelensk",
     "budapest-memorandum-1994 donbas-loss-2014 crimea-annexation-2014 "
     "trump-putin-zelenskyy-trilateral-proposal "
     "european-leaders-statements-2025-08-16 "
     "coalition-of-the-willing-call-2025-08-17 "
     "trump-truth-social-post-2025-08-17 "
     "zelenskyy-von-der-leyen-brussels-meeting-2025-08-17 "
     "zelenskyy-von-der-leyen-news-conference-2025-08-17 "
     "zelenskyy-x-post-historic-decision-2025-08-17 "
     "zelenskyy-x-post-lasting-peace-2025-08-17 "
     "white-house-meeting-2025-08-18"},
    {"/events?q=Zelenskyy%20Trump",
     "crimea-annexation-2014 trump-putin-zelenskyy-trilateral-proposal "
     "trump-truth-social-post-2025-08-17 white-house-meeting-2025-08-18"},
    {"/events?q=EU",
     "zelenskyy-von-der-leyen-news-conference-2025-08-17"},
    {"/events?sort=-start&type=summit",
     "alaska-summit-2025"},
    {"/events?sort=-start&status=occurred&from=2025-08-17",
     "zelenskyy-x-post-lasting-peace-2025-08-17 "
     "zelenskyy-x-post-historic-decision-2025-08-17 "
     "zelenskyy-von-der-leyen-news-conference-2025-08-17 "
     "zelenskyy-von-der-leyen-brussels-meeting-2025-08-17 "
     "witkoff-fox-news-interview-2025-08-17 witkoff-cnn-interview-2025-08-17 "
     "trump-truth-social-post-2025-08-17 "
     "coalition-of-the-willing-call-2025-08-17 us-land-swap-remarks-2025-08 "
     "trump-invites-european-leaders-2025-08 "
     "rubio-remarks-on-concessions-2025-08 "
     "witkoff-earlier-meetings-with-putin-2025"},
    {"/events?actor=volodymyr-zelenskyy&type=social-media-post&from=2025-08-17"
     "&to=2025-08-17&status=occurred&q=post",
     "trump-truth-social-post-2025-08-17"},
    {"/quotes",
     "nato-article-5-armed-attack-against-all rubio-have-to-make-concessions "
     "rubio-key-remaining-issues us-some-swapping-changes-in-land "
     "putin-understanding no10-stands-ready-next-phase "
     "trump-zelenskyy-can-end-war von-der-leyen-eu-ready-to-do-its-share "
     "witkoff-article-five-guarantees-not-from-nato "
     "witkoff-article-five-like-language witkoff-cut-through-decisions "
     "witkoff-detailed-on-monday witkoff-encouraging "
     "witkoff-five-regions-crux witkoff-game-changing "
     "witkoff-important-discussion-donetsk witkoff-legislative-enshrinement "
     "witkoff-nato-style witkoff-robust-security-guarantees "
     "witkoff-russians-made-concessions witkoff-significant-not-enough "
     "witkoff-some-concessions witkoff-some-moderation "
     "witkoff-specifics-ukrainians-need witkoff-win-following-concession "
     "zelenskyy-historic zelenskyy-historic-decision "
     "zelenskyy-peace-must-be-lasting "
     "zelenskyy-practical-security-guarantees "
     "zelenskyy-so-called-security-guarantees-1994 "
     "zelenskyy-strong-desire-end-war"},
    {"/quotes?speaker=marco-rubio",
     "rubio-have-to-make-concessions rubio-key-remaining-issues"},
    {"/quotes?speaker=volodymyr-zelenskyy&sort=-start",
     "zelenskyy-strong-desire-end-war "
     "zelenskyy-so-called-security-guarantees-1994 "
     "zelenskyy-practical-security-guarantees "
     "zelenskyy-peace-must-be-lasting zelenskyy-historic-decision "
     "zelenskyy-historic"},
    {"/quotes?event=witkoff-fox-news-interview-2025-08-17",
     "witkoff-article-five-guarantees-not-from-nato "
     "witkoff-cut-through-decisions"},
    {"/quotes?source=sky-news-2025-08-17-nato-style-guarantee",
     "no10-stands-ready-next-phase von-der-leyen-eu-ready-to-do-its-share "
     "witkoff-game-changing witkoff-nato-style "
     "witkoff-win-following-concession zelenskyy-historic-decision "
     "zelenskyy-practical-security-guarantees"},
    {"/quotes?topic=article-5",
     "nato-article-5-armed-attack-against-all "
     "witkoff-article-five-guarantees-not-from-nato "
     "witkoff-article-five-like-language witkoff-win-following-concession"},
    {"/quotes?from=2025-08-16&to=2025-08-16",
     "rubio-have-to-make-concessions rubio-key-remaining-issues "
     "us-some-swapping-changes-in-land no10-stands-ready-next-phase"},
    {"/quotes?to=2000",
     "nato-article-5-armed-attack-against-all"},
    {"/quotes?q=guarantees",
     "rubio-key-remaining-issues "
     "witkoff-article-five-guarantees-not-from-nato "
     "witkoff-robust-security-guarantees zelenskyy-historic-decision "
     "zelenskyy-practical-security-guarantees "
     "zelenskyy-so-called-security-guarantees-1994"},
    {"/quotes?q=CONCESSIONS",
     "rubio-have-to-make-concessions witkoff-russians-made-concessions "
     "witkoff-some-concessions"},
    {"/quotes?q=some%20concessions",
     "witkoff-russians-made-concessions witkoff-some-concessions"},
    {"/quotes?speaker=steve-witkoff&topic=nato"
     "&source=sky-news-2025-08-17-nato-style-guarantee",
     "witkoff-nato-style witkoff-win-following-concession"},
    {"/quotes?topic=no-such-topic",
     ""},
    {"/actors",
     "alaska alexander-stubb anadolu-agency anchorage barack-obama brussels "
     "cnn coalition-of-the-willing crimea donald-trump donbas donetsk-oblast "
     "downing-street emmanuel-macron europe european-commission "
     "european-union finland fox-news france friedrich-merz germany "
     "giorgia-meloni istanbul italy keir-starmer kharkiv kherson-oblast kyiv "
     "luhansk-oblast marco-rubio mark-rutte nato odesa russia sky-news "
     "steve-witkoff the-west this-is-the-coast truth-social ukraine "
     "united-kingdom united-states ursula-von-der-leyen vladimir-putin "
     "volodymyr-zelenskyy washington-dc white-house x yasin-gungor "
     "zaporizhzhia-oblast"},
    {"/actors?kind=person",
     "alexander-stubb barack-obama donald-trump emmanuel-macron "
     "friedrich-merz giorgia-meloni keir-starmer marco-rubio mark-rutte "
     "steve-witkoff ursula-von-der-leyen vladimir-putin volodymyr-zelenskyy "
     "yasin-gungor"},
    {"/actors?kind=platform",
     "truth-social x"},
    {"/actors?q=zelenskyy",
     "volodymyr-zelenskyy"},
    {"/actors?q=washington",
     "washington-dc"},
    {"/actors?q=AA",
     "anadolu-agency"},
    {"/actors?kind=media-outlet&q=news",
     "fox-news sky-news"},
    {"/actors/keir-starmer/events",
     "downing-street-statement-2025-08-16 white-house-meeting-2025-08-18"},
    {"/actors/keir-starmer/events?type=statement",
     "downing-street-statement-2025-08-16"},
    {"/actors/volodymyr-zelenskyy/events?from=2025-08-17&sort=-start",
     "white-house-meeting-2025-08-18 "
     "zelenskyy-x-post-lasting-peace-2025-08-17 "
     "zelenskyy-x-post-historic-decision-2025-08-17 "
     "zelenskyy-von-der-leyen-news-conference-2025-08-17 "
     "zelenskyy-von-der-leyen-brussels-meeting-2025-08-17 "
     "trump-truth-social-post-2025-08-17 "
     "coalition-of-the-willing-call-2025-08-17 "
     "trump-putin-zelenskyy-trilateral-proposal"},
    {"/actors/steve-witkoff/quotes?event=witkoff-fox-news-interview-2025-08-17",
     "witkoff-article-five-guarantees-not-from-nato "
     "witkoff-cut-through-decisions"},
    {"/actors/steve-witkoff/quotes?topic=nato&sort=-start",
     "witkoff-win-following-concession witkoff-nato-style "
     "witkoff-article-five-guarantees-not-from-nato"},
    {"/actors/donald-trump/quotes",
     "trump-zelenskyy-can-end-war"},
    {"/events/witkoff-fox-news-interview-2025-08-17/quotes",
     "witkoff-article-five-guarantees-not-from-nato "
     "witkoff-cut-through-decisions"},
    {"/events/witkoff-cnn-interview-2025-08-17/quotes?sort=-start",
     "witkoff-win-following-concession witkoff-some-moderation "
     "witkoff-some-concessions witkoff-significant-not-enough "
     "witkoff-russians-made-concessions witkoff-robust-security-guarantees "
     "witkoff-nato-style witkoff-legislative-enshrinement "
     "witkoff-important-discussion-donetsk witkoff-game-changing "
     "witkoff-five-regions-crux witkoff-encouraging "
     "witkoff-detailed-on-monday witkoff-article-five-like-language"},
    {"/events/alaska-summit-2025/quotes",
     ""},
    {"/timeline", ALL_EVENTS},
    {"/timeline?type=interview",
     "trump-fox-news-interview-2025-08-15 witkoff-cnn-interview-2025-08-17 "
     "witkoff-fox-news-interview-2025-08-17"},
    {"/timeline?actor=keir-starmer&actor=cnn",
     "downing-street-statement-2025-08-16 witkoff-cnn-interview-2025-08-17 "
     "white-house-meeting-2025-08-18"},
    {"/timeline?from=2022&to=2022&status=occurred&q=annex",
     "russia-annexes-four-regions-2022 west-rejects-2022-annexation"},
    {"/events?actor=ukraine&type=agreement",
     "budapest-memorandum-1994 ukraine-npt-accession-1994 "
     "putin-accepts-security-guarantees-2025-08-15 "
     "us-article-5-style-guarantee-proposal"},
    {"/actors/volodymyr-zelenskyy/events?status=occurred&q=post",
     "trump-truth-social-post-2025-08-17"},
    {"/actors/keir-starmer/events?to=2025-08-16&status=occurred",
     "downing-street-statement-2025-08-16"},
    {"/actors/steve-witkoff/quotes?source=sky-news-2025-08-17-nato-style-guarantee"
     "&from=2025-08-17&to=2025-08-17&q=concession",
     "witkoff-win-following-concession"},
    {"/actors/marco-rubio/quotes?from=2025-08-16&to=2025-08-16",
     "rubio-have-to-make-concessions rubio-key-remaining-issues"},
    {"/actors/volodymyr-zelenskyy/quotes?q=SECURITY%20guarantees",
     "zelenskyy-historic-decision zelenskyy-practical-security-guarantees "
     "zelenskyy-so-called-security-guarantees-1994"},
    {"/quotes?event=witkoff-cnn-interview-2025-08-17&topic=peace-deal",
     "witkoff-encouraging witkoff-some-moderation"},
    {"/quotes?q=%C3%A9ncouraging",
     "witkoff-encouraging"},
    {"/actors?q=ZELENSK%C3%9DY",
     "volodymyr-zelenskyy"},
    {"/actors?q=sir%20keir",
     "keir-starmer"},
    {"/timeline?status=proposed",
     "trump-putin-zelenskyy-trilateral-proposal "
     "us-article-5-style-guarantee-proposal"},
};
#define N_FILTERS (sizeof(FILTERS) / sizeof(FILTERS[0]))

START_TEST(filter_returns_exact_ids)
{
    const struct filter_case *c = &FILTERS[_i];
    int timeline = strncmp(c->path, "/timeline", 9) == 0;
    char path[512];
    if (timeline)
        snprintf(path, sizeof(path), "%s", c->path);
    else
        snprintf(path, sizeof(path), "%s%climit=500", c->path,
                 strchr(c->path, '?') ? '&' : '?');
    struct client_resp r;
    get_json(path, &r);
    char *got = join_ids(json_object_get(r.json, timeline ? "events" : "data"),
                         timeline ? "unique_id" : "id");
    ck_assert_msg(strcmp(got, c->ids) == 0, "%s\n  got:  %s\n  want: %s", path, got, c->ids);
    if (!timeline) {
        J_INT(r.json, "meta.total", (json_int_t)count_words(c->ids));
        J_NULL(r.json, "meta.next_cursor");
    }
    free(got);
    client_resp_free(&r);
}
END_TEST

/* Filters that only make sense with a given limit or order. */
START_TEST(limit_and_sort)
{
    struct client_resp r;
    get_json("/events?limit=5", &r);
    char *got = join_ids(json_object_get(r.json, "data"), "id");
    ck_assert_str_eq(got, "budapest-memorandum-1994 ukraine-npt-accession-1994 "
                          "september-11-attacks-2001 nato-article-5-invocation-2001 "
                          "donbas-loss-2014");
    free(got);
    J_INT(r.json, "meta.total", 33);
    J_INT(r.json, "meta.limit", 5);
    ck_assert(json_is_string(jget(r.json, "meta.next_cursor")));
    client_resp_free(&r);

    get_json("/events?sort=-start&limit=3", &r);
    got = join_ids(json_object_get(r.json, "data"), "id");
    ck_assert_str_eq(got, "white-house-meeting-2025-08-18 "
                          "zelenskyy-x-post-lasting-peace-2025-08-17 "
                          "zelenskyy-x-post-historic-decision-2025-08-17");
    free(got);
    J_INT(r.json, "meta.total", 33);
    client_resp_free(&r);

    get_json("/events?sort=start&limit=1", &r);
    J_STR(r.json, "data.0.id", "budapest-memorandum-1994");
    client_resp_free(&r);

    get_json("/quotes?limit=1&sort=-start", &r);
    J_STR(r.json, "data.0.id", "zelenskyy-strong-desire-end-war");
    J_INT(r.json, "meta.total", 31);
    client_resp_free(&r);

    get_json("/actors?limit=2", &r);
    got = join_ids(json_object_get(r.json, "data"), "id");
    ck_assert_str_eq(got, "alaska alexander-stubb");
    free(got);
    J_INT(r.json, "meta.limit", 2);
    client_resp_free(&r);

    get_json("/sources?limit=1", &r);
    J_STR(r.json, "data.0.id", "aa-2025-08-17-witkoff-concessions");
    J_INT(r.json, "meta.total", 3);
    client_resp_free(&r);

    /* limit=500 and limit=1 are the bounds; 007 is seven. */
    get_json("/events?limit=007", &r);
    J_SIZE(r.json, "data", 7);
    client_resp_free(&r);
    get_json("/events?limit=500", &r);
    J_SIZE(r.json, "data", 33);
    J_INT(r.json, "meta.limit", 500);
    client_resp_free(&r);

    /* 50 actor= filters are allowed (any of them); the 51st is not. */
    char path[2048] = "/events?limit=500";
    for (int i = 0; i < 49; i++)
        strcat(path, "&actor=no-such-actor");
    strcat(path, "&actor=keir-starmer");
    get_json(path, &r);
    got = join_ids(json_object_get(r.json, "data"), "id");
    ck_assert_str_eq(got, "downing-street-statement-2025-08-16 white-house-meeting-2025-08-18");
    free(got);
    client_resp_free(&r);
    strcat(path, "&actor=cnn");
    get(path, &r);
    check_problem(path, &r, 400, "actor");
    client_resp_free(&r);

    /* a leap day is a date */
    get_json("/events?from=2024-02-29&to=2024-02-29", &r);
    J_INT(r.json, "meta.total", 0);
    client_resp_free(&r);
}
END_TEST

/* ---- Pagination ---- */

static const char *const WALKS[] = {
    "/events",
    "/events?sort=-start",
    "/events?from=2025-08-17&to=2025-08-17",
    "/events?actor=keir-starmer&actor=fox-news",
    "/events?q=zelensk",
    "/quotes",
    "/quotes?sort=-start&topic=security-guarantees",
    "/actors",
    "/actors?kind=person",
    "/sources",
    "/events/witkoff-cnn-interview-2025-08-17/quotes",
    "/actors/volodymyr-zelenskyy/events?sort=-start",
    "/actors/steve-witkoff/quotes",
};
#define N_WALKS (sizeof(WALKS) / sizeof(WALKS[0]))

/* The target of a Link header's rel="next", or "" when there is none. */
static void link_next(const struct client_resp *r, char *out, size_t size)
{
    char v[1024];
    out[0] = '\0';
    if (header(r, "Link", v, sizeof(v)) == 0)
        return;
    char *lt = strchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    ck_assert_msg(lt && gt && strstr(gt, "rel=\"next\"") != NULL, "Link header \"%s\"", v);
    *gt = '\0';
    snprintf(out, size, "%s", lt + 1);
}

/* Walks query with limit L by mode (0: meta.next_cursor, 1: links.next,
 * 2: the Link header). Every page is checked; returns the ids in order. */
static char *walk(CURL *h, const char *query, int limit, int mode, json_int_t total)
{
    char path[1024], next[1024];
    snprintf(path, sizeof(path), "%s%climit=%d", query, strchr(query, '?') ? '&' : '?', limit);
    size_t cap = 4096, n = 0;
    char *ids = calloc(1, cap);
    json_int_t pages = 0, max_pages = total / limit + 2;
    for (;;) {
        struct client_resp r;
        perform(h, path, NULL, &r);
        ck_assert_msg(r.status == 200 && r.json != NULL, "%.300s: status %ld", path, r.status);
        ck_assert_msg(++pages <= max_pages, "%.300s: more pages than %lld items allow", query,
                      (long long)total);
        J_INT(r.json, "meta.total", total);
        J_INT(r.json, "meta.limit", limit);
        J_STR(r.json, "links.self", path);
        json_t *data = json_object_get(r.json, "data");
        json_t *cursor = jget(r.json, "meta.next_cursor");
        json_t *lnext = jget(r.json, "links.next");
        char lnk[1024];
        link_next(&r, lnk, sizeof(lnk));
        int last = json_is_null(cursor);
        ck_assert_msg(last == json_is_null(lnext) && last == (lnk[0] == '\0'),
                      "%.300s: next_cursor, links.next and Link disagree", path);
        if (!last) {
            ck_assert_msg(json_array_size(data) == (size_t)limit, "%.300s: a short page", path);
            ck_assert_msg(strcmp(lnk, json_string_value(lnext)) == 0,
                          "%.300s: Link <%s> but links.next %s", path, lnk,
                          json_string_value(lnext));
        } else {
            ck_assert_msg(json_array_size(data) <= (size_t)limit &&
                          (total == 0 || json_array_size(data) > 0), "%.300s: last page of %zu",
                          path, json_array_size(data));
        }
        char *page = join_ids(data, "id");
        size_t need = n + strlen(page) + 2;
        if (need > cap) {
            cap = need * 2;
            ids = realloc(ids, cap);
        }
        n += (size_t)sprintf(ids + n, "%s%s", n && *page ? " " : "", page);
        free(page);
        if (last) {
            client_resp_free(&r);
            break;
        }
        if (mode == 0)
            snprintf(next, sizeof(next), "%s%climit=%d&cursor=%s", query,
                     strchr(query, '?') ? '&' : '?', limit, json_string_value(cursor));
        else if (mode == 1)
            snprintf(next, sizeof(next), "%s", json_string_value(lnext));
        else
            snprintf(next, sizeof(next), "%s", lnk);
        snprintf(path, sizeof(path), "%s", next);
        client_resp_free(&r);
    }
    ck_assert_msg(pages == (total + limit - 1) / limit || (total == 0 && pages == 1),
                  "%s limit %d: %lld pages for %lld items", query, limit, (long long)pages,
                  (long long)total);
    return ids;
}

START_TEST(pagination_walks_every_item_once)
{
    const char *query = WALKS[_i];
    char path[1024];
    snprintf(path, sizeof(path), "%s%climit=500", query, strchr(query, '?') ? '&' : '?');
    struct client_resp r;
    get_json(path, &r);
    json_int_t total = json_integer_value(jget(r.json, "meta.total"));
    ck_assert_msg(total >= 3, "%.300s: %lld items is too few to page", query, (long long)total);
    J_SIZE(r.json, "data", total);
    J_NULL(r.json, "meta.next_cursor");
    J_NULL(r.json, "links.next");
    ck_assert(header(&r, "Link", NULL, 0) == 0);
    char *all = join_ids(json_object_get(r.json, "data"), "id");
    client_resp_free(&r);
    ck_assert_msg(duplicate_word(all) == NULL, "%.300s: an item twice: %.80s", query,
                  duplicate_word(all));
    CURL *h = curl_easy_init();
    for (int limit = 1; limit <= 3; limit++) {
        for (int mode = 0; mode < 3; mode++) {
            char *ids = walk(h, query, limit, mode, total);
            ck_assert_msg(strcmp(ids, all) == 0,
                          "%s limit=%d by %s:\n  got:  %s\n  want: %s", query, limit,
                          mode == 0 ? "next_cursor" : mode == 1 ? "links.next" : "Link",
                          ids, all);
            free(ids);
        }
    }
    curl_easy_cleanup(h);
    free(all);
}
END_TEST

START_TEST(cursors_are_bound_to_their_query)
{
    struct client_resp r;
    get_json("/events?limit=2", &r);
    char c[128];
    snprintf(c, sizeof(c), "%s", json_string_value(jget(r.json, "meta.next_cursor")));
    client_resp_free(&r);
    ck_assert_msg(strlen(c) > 4, "cursor \"%s\"", c);
    char path[512];

    /* The same query, with any limit and the parameters in any order. */
    snprintf(path, sizeof(path), "/events?limit=2&cursor=%s", c);
    get_json(path, &r);
    char *got = join_ids(json_object_get(r.json, "data"), "id");
    ck_assert_str_eq(got, "september-11-attacks-2001 nato-article-5-invocation-2001");
    free(got);
    client_resp_free(&r);
    snprintf(path, sizeof(path), "/events?cursor=%s&limit=3", c);
    get_json(path, &r);
    got = join_ids(json_object_get(r.json, "data"), "id");
    ck_assert_str_eq(got, "september-11-attacks-2001 nato-article-5-invocation-2001 "
                          "donbas-loss-2014");
    free(got);
    client_resp_free(&r);

    /* Altered, truncated, extended, empty, garbage. */
    char bad[8][160];
    size_t len = strlen(c);
    snprintf(bad[0], sizeof(bad[0]), "%s", c);
    bad[0][len - 1] = bad[0][len - 1] == 'A' ? 'B' : 'A';
    snprintf(bad[1], sizeof(bad[1]), "%s", c);
    bad[1][0] = bad[1][0] == 'A' ? 'B' : 'A';
    snprintf(bad[2], sizeof(bad[2]), "%.*s", (int)len - 1, c);
    snprintf(bad[3], sizeof(bad[3]), "%.*s", (int)len / 2, c);
    snprintf(bad[4], sizeof(bad[4]), "%sA", c);
    snprintf(bad[5], sizeof(bad[5]), "%s", "");
    snprintf(bad[6], sizeof(bad[6]), "%s", "not-a-cursor");
    memset(bad[7], 'A', 100);
    bad[7][100] = '\0';
    for (int i = 0; i < 8; i++) {
        snprintf(path, sizeof(path), "/events?limit=2&cursor=%.160s", bad[i]);
        get(path, &r);
        check_problem(path, &r, 400, "cursor");
        client_resp_free(&r);
    }

    /* A cursor of another query, order, resource or actor. */
    static const char *const other[] = {"/events?type=summit", "/events?sort=-start",
        "/events?from=1990", "/events?q=zelensk", "/events?actor=ukraine",
        "/quotes", "/actors", "/sources", "/actors/ukraine/events",
        "/events/witkoff-cnn-interview-2025-08-17/quotes"};
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
        snprintf(path, sizeof(path), "%s%ccursor=%s", other[i],
                 strchr(other[i], '?') ? '&' : '?', c);
        get(path, &r);
        check_problem(path, &r, 400, "cursor");
        client_resp_free(&r);
    }
    get_json("/actors/steve-witkoff/quotes?limit=1", &r);
    snprintf(c, sizeof(c), "%s", json_string_value(jget(r.json, "meta.next_cursor")));
    client_resp_free(&r);
    snprintf(path, sizeof(path), "/actors/volodymyr-zelenskyy/quotes?limit=1&cursor=%s", c);
    get(path, &r);
    check_problem(path, &r, 400, "cursor");
    client_resp_free(&r);
}
END_TEST

/* ---- Errors ---- */

struct error_case {
    const char *target;
    long status;
    const char *param; /* the parameter the problem names, or NULL */
    int raw;           /* a malformed request target: sent as is, not through a proxy */
};

static const struct error_case ERRORS[] = {
    /* at most 24 words in q */
    {"/quotes?q=a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q+r+s+t+u+v+w+x+y", 400, "q", 0},
    /* a message quoting a long multibyte value still has a body */
    {"/events?type=a%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9", 400, "type", 0},
    {"/events?q=a%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9", 400, "q", 0},
    {"/events?z%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9=1", 400, "zéééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé", 0},
    /* unknown parameters: 400 naming them */
    {"/events?bogus=1", 400, "bogus", 0},
    {"/events?Limit=5", 400, "Limit", 0},
    {"/events?limit=5&page=2", 400, "page", 0},
    {"/quotes?kind=full", 400, "kind", 0},
    {"/actors?sort=start", 400, "sort", 0},
    {"/actors?type=person", 400, "type", 0},
    {"/sources?q=news", 400, "q", 0},
    {"/timeline?limit=5", 400, "limit", 0},
    {"/timeline?cursor=abc", 400, "cursor", 0},
    {"/health?verbose=1", 400, "verbose", 0},
    {"/openapi.yaml?v=2", 400, "v", 0},
    {"/events/alaska-summit-2025?expand=quotes", 400, "expand", 0},
    {"/quotes/witkoff-some-concessions?x", 400, "x", 0},
    {"/actors/keir-starmer?limit=1", 400, "limit", 0},
    {"/sources/sky-news-2025-08-17-nato-style-guarantee?q=x", 400, "q", 0},
    {"/actors/keir-starmer/events?actor=cnn", 400, "actor", 0},
    {"/actors/keir-starmer/quotes?speaker=cnn", 400, "speaker", 0},
    {"/events/alaska-summit-2025/quotes?event=x", 400, "event", 0},
    {"/events?=1", 400, "", 0},
    /* repeated parameters that are not repeatable */
    {"/events?type=summit&type=call", 400, "type", 0},
    {"/events?limit=1&limit=1", 400, "limit", 0},
    {"/events?from=2025&from=2024", 400, "from", 0},
    {"/events?q=a&q=b", 400, "q", 0},
    {"/events?sort=start&sort=start", 400, "sort", 0},
    {"/quotes?speaker=steve-witkoff&speaker=marco-rubio", 400, "speaker", 0},
    {"/quotes?topic=nato&topic=territory", 400, "topic", 0},
    {"/actors?kind=person&kind=country", 400, "kind", 0},
    {"/timeline?status=occurred&status=proposed", 400, "status", 0},
    {"/sources?limit=1&limit=2", 400, "limit", 0},
    /* limit */
    {"/events?limit=0", 400, "limit", 0},
    {"/events?limit=501", 400, "limit", 0},
    {"/events?limit=-1", 400, "limit", 0},
    {"/events?limit=abc", 400, "limit", 0},
    {"/events?limit=1e3", 400, "limit", 0},
    {"/events?limit=", 400, "limit", 0},
    {"/events?limit", 400, "limit", 0},
    {"/events?limit=1.5", 400, "limit", 0},
    {"/events?limit=%2B1", 400, "limit", 0},
    {"/events?limit=%201", 400, "limit", 0},
    {"/events?limit=0x10", 400, "limit", 0},
    {"/events?limit=99999999999999999999", 400, "limit", 0},
    {"/quotes?limit=0", 400, "limit", 0},
    {"/actors?limit=501", 400, "limit", 0},
    {"/sources?limit=abc", 400, "limit", 0},
    {"/actors/keir-starmer/events?limit=0", 400, "limit", 0},
    {"/actors/keir-starmer/quotes?limit=-1", 400, "limit", 0},
    {"/events/alaska-summit-2025/quotes?limit=501", 400, "limit", 0},
    /* sort */
    {"/events?sort=end", 400, "sort", 0},
    {"/events?sort=START", 400, "sort", 0},
    {"/events?sort=", 400, "sort", 0},
    {"/events?sort=%2Bstart", 400, "sort", 0},
    {"/events?sort=--start", 400, "sort", 0},
    {"/quotes?sort=date", 400, "sort", 0},
    {"/actors/keir-starmer/events?sort=-end", 400, "sort", 0},
    {"/events/alaska-summit-2025/quotes?sort=asc", 400, "sort", 0},
    /* dates */
    {"/events?from=2025-02-30", 400, "from", 0},
    {"/events?from=2025-13", 400, "from", 0},
    {"/events?from=garbage", 400, "from", 0},
    {"/events?to=2025-02-29", 400, "to", 0},
    {"/events?from=2025-00", 400, "from", 0},
    {"/events?from=2025-8-17", 400, "from", 0},
    {"/events?from=20250817", 400, "from", 0},
    {"/events?from=", 400, "from", 0},
    {"/events?to=2025-08-17T25:00Z", 400, "to", 0},
    {"/events?to=2025-08-17T12:00%2B25:00", 400, "to", 0},
    {"/quotes?from=2025-04-31", 400, "from", 0},
    {"/timeline?to=yesterday", 400, "to", 0},
    {"/actors/keir-starmer/events?from=2025-13-01", 400, "from", 0},
    {"/actors/keir-starmer/quotes?to=2025-02-30", 400, "to", 0},
    /* from after to */
    {"/events?from=2025-08-18&to=2025-08-17", 400, "to", 0},
    {"/quotes?from=2025-09&to=2025-08", 400, "to", 0},
    {"/timeline?from=2026&to=2025", 400, "to", 0},
    {"/actors/keir-starmer/events?from=2025-08-17T12:00Z&to=2025-08-17T11:00Z", 400, "to", 0},
    /* enums */
    {"/events?type=party", 400, "type", 0},
    {"/events?type=Summit", 400, "type", 0},
    {"/events?type=", 400, "type", 0},
    {"/events?status=happened", 400, "status", 0},
    {"/events?status=OCCURRED", 400, "status", 0},
    {"/actors?kind=human", 400, "kind", 0},
    {"/timeline?type=interviews", 400, "type", 0},
    {"/actors/keir-starmer/events?status=x", 400, "status", 0},
    /* id syntax in filters */
    {"/events?actor=Bad_Id", 400, "actor", 0},
    {"/events?actor=steve--witkoff", 400, "actor", 0},
    {"/events?actor=-steve", 400, "actor", 0},
    {"/events?actor=", 400, "actor", 0},
    {"/events?actor=keir-starmer&actor=NOPE", 400, "actor", 0},
    {"/quotes?speaker=X", 400, "speaker", 0},
    {"/quotes?event=a_b", 400, "event", 0},
    {"/quotes?source=UPPER", 400, "source", 0},
    {"/quotes?topic=Article-5", 400, "topic", 0},
    {"/quotes?topic=article%205", 400, "topic", 0},
    {"/actors/steve-witkoff/quotes?event=bad.id", 400, "event", 0},
    {"/timeline?actor=x%20y", 400, "actor", 0},
    /* q */
    {"/events?q=", 400, "q", 0},
    {"/quotes?q=", 400, "q", 0},
    {"/actors?q=", 400, "q", 0},
    {"/timeline?q=", 400, "q", 0},
    {"/actors/keir-starmer/events?q=", 400, "q", 0},
    /* unknown paths and ids */
    {"/nope", 404, NULL, 0},
    {"/", 404, NULL, 0},
    {"/EVENTS", 404, NULL, 0},
    {"/events/", 404, NULL, 0},
    {"//events", 404, NULL, 1}, /* proxies may collapse the slashes */
    {"/health/", 404, NULL, 0},
    {"/api/events", 404, NULL, 0},
    {"/events/alaska-summit-2025/extra", 404, NULL, 0},
    {"/events/alaska-summit-2025/quotes/witkoff-some-concessions", 404, NULL, 0},
    {"/events/nope", 404, NULL, 0},
    {"/events/Alaska-Summit-2025", 404, NULL, 0},
    {"/quotes/nope", 404, NULL, 0},
    {"/actors/nope", 404, NULL, 0},
    {"/sources/nope", 404, NULL, 0},
    {"/actors/nope/events", 404, NULL, 0},
    {"/actors/nope/quotes", 404, NULL, 0},
    {"/events/nope/quotes", 404, NULL, 0},
    {"/events/nope?limit=1", 400, "limit", 0},
    /* malformed request targets */
    {"/events?q=%zz", 400, "q", 1},
    {"/events?q=abc%", 400, "q", 1},
    {"/events?q=%4", 400, "q", 1},
    {"/events?q=%00", 400, "q", 1},
    {"/events?q=a%00b", 400, "q", 1},
    {"/events?q=%ff", 400, "q", 1},
    {"/events?q=%c3%28", 400, "q", 1},
    {"/events?q=%ed%a0%80", 400, "q", 1},
    {"/events?q=%c0%af", 400, "q", 1},
    {"/events?%zz=1", 400, NULL, 1},
    {"/events?q%ff=1", 400, NULL, 1},
    {"/events?limit=1&%00=1", 400, NULL, 1},
    {"/%zz", 400, NULL, 1},
    {"/events%", 400, NULL, 1},
    {"/events%00", 400, NULL, 1},
    {"/%ff", 400, NULL, 1},
    {"/events/%c3", 400, NULL, 1},
    {"/actors/%ff/events", 400, NULL, 1},
};
#define N_ERRORS (sizeof(ERRORS) / sizeof(ERRORS[0]))

START_TEST(errors_are_problems)
{
    const struct error_case *c = &ERRORS[_i];
    /* A validating proxy answers paths outside the contract itself. */
    if ((c->raw || !served_path(c->target)) && skip_when_proxied(c->target))
        return;
    struct client_req q = {.raw = c->raw};
    struct client_resp r;
    http(c->target, &q, &r);
    check_problem(c->target, &r, c->status, c->param);
    client_resp_free(&r);
}
END_TEST

START_TEST(long_uris_and_many_parameters)
{
    /* 8192 bytes is the limit of the request target: at it, the request is
     * parsed (and q is too long); one more is a 414. */
    char *path = malloc(20000);
    struct client_resp r;
    strcpy(path, "/events?q=");
    size_t n = strlen(path);
    memset(path + n, 'a', 8192 - n);
    path[8192] = '\0';
    get(path, &r);
    check_problem("8192-byte URI", &r, 400, "q");
    client_resp_free(&r);
    strcpy(path + 8192, "a");
    get(path, &r);
    check_problem("8193-byte URI", &r, 414, NULL);
    client_resp_free(&r);
    memset(path + n, 'a', 12000);
    path[n + 12000] = '\0';
    get(path, &r);
    check_problem("12 KB URI", &r, 414, NULL);
    client_resp_free(&r);

    /* 64 parameters are parsed (the first unknown one is named); 65 and
     * 1,000 are too many. */
    static const int counts[] = {64, 65, 1000};
    for (size_t c = 0; c < 3; c++) {
        int count = counts[c];
        size_t o = (size_t)sprintf(path, "/events");
        for (int i = 0; i < count; i++)
            o += (size_t)sprintf(path + o, "%cp%d=1", i ? '&' : '?', i);
        ck_assert_uint_le(o, 8192);
        get(path, &r);
        char what[64];
        snprintf(what, sizeof(what), "%d query parameters", count);
        check_problem(what, &r, 400, count == 64 ? "p0" : NULL);
        client_resp_free(&r);
    }
    /* 1,000 of a known parameter, and 2,000 empty ones. */
    size_t o = (size_t)sprintf(path, "/events");
    for (int i = 0; i < 1000; i++)
        o += (size_t)sprintf(path + o, "%climit=1", i ? '&' : '?');
    get(path, &r);
    check_problem("1,000 limit parameters", &r, 400, NULL);
    client_resp_free(&r);
    o = (size_t)sprintf(path, "/events?limit=1");
    for (int i = 0; i < 1000; i++)
        o += (size_t)sprintf(path + o, "&&");
    get(path, &r);
    ck_assert_msg(r.status == 200, "empty parameters are skipped, got %ld", r.status);
    client_resp_free(&r);
    free(path);
}
END_TEST

START_TEST(other_methods_are_405)
{
    if (skip_when_proxied("other methods (the proxy answers them itself)"))
        return;
    static const char *const methods[] = {"POST", "PUT", "DELETE", "PATCH"};
    static const char *const paths[] = {"/events", "/events/alaska-summit-2025", "/health",
                                        "/nope"};
    for (size_t m = 0; m < 4; m++) {
        for (size_t p = 0; p < 4; p++) {
            struct client_req q = {.method = methods[m], .body = m == 0 ? "a=1" : NULL};
            struct client_resp r;
            http(paths[p], &q, &r);
            char what[128], allow[128];
            snprintf(what, sizeof(what), "%s %s", methods[m], paths[p]);
            if (!served_path(paths[p])) {
                check_problem(what, &r, 404, NULL); /* nothing there, whatever the method */
                client_resp_free(&r);
                continue;
            }
            check_problem(what, &r, 405, NULL);
            ck_assert_msg(header(&r, "Allow", allow, sizeof(allow)) == 1, "%.300s: no Allow", what);
            ck_assert_msg(strcmp(allow, "GET, HEAD, OPTIONS") == 0, "%.300s: Allow: %s", what,
                          allow);
            client_resp_free(&r);
        }
    }
}
END_TEST

/* ---- Caching ---- */

static void etag_of(const char *path, char *out, size_t size)
{
    struct client_resp r;
    get(path, &r);
    ck_assert_msg(r.status == 200, "%.300s: %ld", path, r.status);
    ck_assert_msg(header(&r, "ETag", out, size) == 1, "%.300s: no single ETag", path);
    client_resp_free(&r);
}

/* The request fields that choose the answer, read as RFC 9110 says:
 * entity-tag lists (strictly: x"tag"x names nothing), white space around
 * values, a field sent on two lines as one list, the three forms of an
 * HTTP-date, Accept-Encoding codings and weights in any case, and If-Match
 * and If-Unmodified-Since, which were ignored: a 412 when they fail on what
 * would be a 200. Each case found answered otherwise by an audit. */
START_TEST(request_fields_are_read_as_rfc_9110_says)
{
    const char *path = "/events?limit=3";
    struct client_resp r;
    char tag[64], lm[64];
    get(path, &r);
    ck_assert(r.status == 200 && header(&r, "ETag", tag, sizeof(tag)) == 1 &&
              header(&r, "Last-Modified", lm, sizeof(lm)) == 1);
    client_resp_free(&r);
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    ck_assert(strptime(lm, "%a, %d %b %Y %H:%M:%S GMT", &tm) != NULL);
    char rfc850[80], asctime_form[80], tag_gz[72];
    char day[40]; /* RFC 850's two-digit year, which strftime warns about */
    strftime(day, sizeof(day), "%A, %d-%b-", &tm);
    snprintf(rfc850, sizeof(rfc850), "If-Modified-Since: %s%02d %02d:%02d:%02d GMT", day,
             tm.tm_year % 100, tm.tm_hour, tm.tm_min, tm.tm_sec);
    strftime(asctime_form, sizeof(asctime_form), "If-Modified-Since: %a %b %e %H:%M:%S %Y", &tm);
    snprintf(tag_gz, sizeof(tag_gz), "%.*s-gz\"", (int)strlen(tag) - 1, tag);
    char inm_garbled[100], inm_trailing[100], ims_trailing[100], im[100], im_weak[100],
        im_gz[100], inm[100];
    snprintf(inm_garbled, sizeof(inm_garbled), "If-None-Match: x%sx", tag);
    snprintf(inm_trailing, sizeof(inm_trailing), "If-None-Match: %s \t", tag);
    snprintf(ims_trailing, sizeof(ims_trailing), "If-Modified-Since: %s ", lm);
    snprintf(im, sizeof(im), "If-Match: %s", tag);
    snprintf(im_weak, sizeof(im_weak), "If-Match: W/%s", tag);
    snprintf(im_gz, sizeof(im_gz), "If-Match: \"other\", %s", tag_gz);
    snprintf(inm, sizeof(inm), "If-None-Match: %s", tag);
    static const char past[] = "If-Unmodified-Since: Mon, 01 Jan 2001 00:00:00 GMT";
    static const char future[] = "If-Unmodified-Since: Thu, 01 Jan 2099 00:00:00 GMT";
    const struct {
        const char *path;
        const char *h[3];
        long status;
        int gzip; /* the answer is gzipped: 1, plain: 0, -1: either */
    } cases[] = {
        {path, {inm_garbled}, 200, -1},
        {path, {inm_trailing}, 304, -1},
        {path, {"If-None-Match: * "}, 304, -1},
        {path, {rfc850}, 304, -1},
        {path, {asctime_form}, 304, -1},
        {path, {ims_trailing}, 304, -1},
        {path, {"If-Modified-Since: Monday, 01-Jan-01 00:00:00 GMT"}, 200, -1},
        {"/events", {"Accept-Encoding: GZIP"}, 200, 1},
        {"/events", {"Accept-Encoding: gzip;Q=0"}, 200, 0},
        {"/events", {"Accept-Encoding: gzip ; q=0.000"}, 200, 0},
        {"/events", {"Accept-Encoding: x-gzip;q=0, gzip"}, 200, 1},
        {"/events", {"Accept-Encoding: gzip;q=0.001"}, 200, 1},
        {"/events", {"Accept-Encoding: gzip;q=abc"}, 200, 0},
        {"/events", {"Accept-Encoding: *"}, 200, 0},
        {"/events", {"Accept-Encoding: *;q=0"}, 200, 0},
        {"/events", {"Accept-Encoding: identity, br"}, 200, 0},
        {"/events", {"Accept-Encoding: br", "Accept-Encoding: gzip"}, 200, 1},
        {path, {im}, 200, 0},
        {path, {"If-Match: *"}, 200, 0},
        {path, {im_gz}, 200, 0},
        {path, {"If-Match: \"other\""}, 412, 0},
        {path, {im_weak}, 412, 0},
        {path, {past}, 412, 0},
        {path, {future}, 200, 0},
        {path, {"If-Unmodified-Since: yesterday"}, 200, 0},
        {path, {im, past}, 200, 0},
        {path, {im, inm}, 304, -1},
        {"/events/nope", {"If-Match: \"other\""}, 404, 0},
        {"/health", {"If-Match: \"other\""}, 200, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* a proxy sends its own Accept-Encoding, and decodes what comes */
        if (proxied && strncmp(cases[i].h[0], "Accept-Encoding", 15) == 0)
            continue;
        struct client_req q = {.headers = {cases[i].h[0], cases[i].h[1], cases[i].h[2], NULL}};
        char ce[32] = "";
        http(cases[i].path, &q, &r);
        int gzipped = header(&r, "Content-Encoding", ce, sizeof(ce)) == 1 &&
                      strcmp(ce, "gzip") == 0;
        ck_assert_msg(r.status == cases[i].status &&
                          (cases[i].gzip < 0 || gzipped == cases[i].gzip),
                      "%s with %s%s%s: %ld, Content-Encoding \"%s\" (want %ld, %s)",
                      cases[i].path, cases[i].h[0], cases[i].h[1] ? "; " : "",
                      cases[i].h[1] ? cases[i].h[1] : "", r.status, ce, cases[i].status,
                      cases[i].gzip == 1 ? "gzip" : cases[i].gzip == 0 ? "plain" : "either");
        if (r.status == 412)
            check_problem(cases[i].path, &r, 412, NULL);
        client_resp_free(&r);
    }
}
END_TEST

START_TEST(if_modified_since_and_unknown_paths)
{
    /* q counts characters: 101 of them (202 bytes) is fine. */
    struct client_resp r;
    get("/events?q=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9", &r);
    ck_assert_msg(r.status == 200, "101 characters of q: %ld", r.status);
    char lm[128];
    ck_assert_msg(header(&r, "Last-Modified", lm, sizeof(lm)) == 1, "no Last-Modified");
    client_resp_free(&r);
    char h[200];
    snprintf(h, sizeof(h), "If-Modified-Since: %s", lm);
    struct client_req q = {.headers = {h, NULL}};
    http("/events?limit=1", &q, &r);
    ck_assert_msg(r.status == 304 && r.len == 0, "If-Modified-Since %s: %ld", lm, r.status);
    client_resp_free(&r);
    struct client_req old = {.headers = {"If-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT", NULL}};
    http("/events?limit=1", &old, &r);
    ck_assert_msg(r.status == 200, "an old If-Modified-Since: %ld", r.status);
    client_resp_free(&r);
    /* Errors are never "not modified", and carry no Last-Modified. */
    http("/events?limit=0", &q, &r);
    ck_assert_msg(r.status == 400, "If-Modified-Since on a 400: %ld", r.status);
    ck_assert_msg(header(&r, "Last-Modified", h, sizeof(h)) == 0, "Last-Modified on a 400");
    client_resp_free(&r);
    if (skip_when_proxied("OPTIONS on an unknown path"))
        return;
    struct client_req pre = {.method = "OPTIONS", .headers = {"Origin: https://example.org",
                      "Access-Control-Request-Method: GET", NULL}};
    http("/no/such/path", &pre, &r);
    check_problem("OPTIONS /no/such/path", &r, 404, NULL);
    client_resp_free(&r);
}
END_TEST

START_TEST(etags_and_conditional_requests)
{
    static const char *const paths[] = {"/events", "/events?limit=1", "/events?limit=2",
        "/events?type=summit", "/events/alaska-summit-2025", "/events/alaska-summit-2025/quotes",
        "/quotes", "/quotes/witkoff-some-concessions", "/actors", "/actors/keir-starmer",
        "/actors/keir-starmer/events", "/actors/keir-starmer/quotes", "/sources",
        "/sources/sky-news-2025-08-17-nato-style-guarantee", "/timeline",
        "/openapi.yaml"};
    enum { N = sizeof(paths) / sizeof(paths[0]) };
    /* /health changes without the corpus changing: never cached, no ETag. */
    {
        struct client_resp r;
        char v[256];
        get("/health", &r);
        ck_assert_msg(r.status == 200, "/health: %ld", r.status);
        ck_assert_msg(header(&r, "ETag", v, sizeof(v)) == 0, "/health has an ETag");
        ck_assert_msg(header(&r, "Cache-Control", v, sizeof(v)) == 1 &&
                      strcmp(v, "no-store") == 0, "/health: Cache-Control %s", v);
        client_resp_free(&r);
    }
    char tags[N][64];
    for (size_t i = 0; i < N; i++) {
        struct client_resp r;
        get(paths[i], &r);
        ck_assert_msg(r.status == 200, "%.300s: %ld", paths[i], r.status);
        char *t = tags[i], v[256];
        ck_assert_msg(header(&r, "ETag", t, 64) == 1, "%.300s: no single ETag", paths[i]);
        size_t len = strlen(t);
        ck_assert_msg(len >= 3 && t[0] == '"' && strchr(t + 1, '"') == t + len - 1,
                      "%.300s: ETag %s is not a strong tag", paths[i], t);
        ck_assert_msg(strncmp(t, "W/", 2) != 0, "%.300s: weak ETag %s", paths[i], t);
        ck_assert_msg(header(&r, "Last-Modified", v, sizeof(v)) == 1, "%.300s: no Last-Modified",
                      paths[i]);
        time_t lm = curl_getdate(v, NULL);
        ck_assert_msg(lm > 1577836800 && lm <= time(NULL) + 60, "%.300s: Last-Modified %s",
                      paths[i], v);
        ck_assert_msg(header(&r, "Cache-Control", v, sizeof(v)) == 1, "%.300s: no Cache-Control",
                      paths[i]);
        client_resp_free(&r);
        /* the same query, the same tag */
        char again[64];
        etag_of(paths[i], again, sizeof(again));
        ck_assert_msg(strcmp(t, again) == 0, "%.300s: ETag %s then %s", paths[i], t, again);
        for (size_t j = 0; j < i; j++)
            ck_assert_msg(strcmp(tags[j], t) != 0, "%s and %s share ETag %s", paths[j],
                          paths[i], t);
    }

    /* If-None-Match */
    const char *path = "/events?type=summit";
    const char *tag = tags[3];
    char h1[128], v[128];
    struct client_resp r;
    snprintf(h1, sizeof(h1), "If-None-Match: %s", tag);
    struct client_req q = {.headers = {h1, NULL}};
    http(path, &q, &r);
    ck_assert_msg(r.status == 304, "If-None-Match with its tag: %ld", r.status);
    ck_assert_msg(r.len == 0, "a 304 with a body of %zu bytes", r.len);
    ck_assert(header(&r, "ETag", v, sizeof(v)) == 1 && strcmp(v, tag) == 0);
    ck_assert(header(&r, "Access-Control-Allow-Origin", v, sizeof(v)) == 1 && strcmp(v, "*") == 0);
    ck_assert(header(&r, "Cache-Control", NULL, 0) == 1);
    ck_assert(header(&r, "Last-Modified", NULL, 0) == 1);
    client_resp_free(&r);
    /* HEAD too */
    struct client_req qh = {.method = "HEAD", .headers = {h1, NULL}};
    http(path, &qh, &r);
    ck_assert_int_eq(r.status, 304);
    client_resp_free(&r);
    /* in a list, weak comparison, and * */
    snprintf(h1, sizeof(h1), "If-None-Match: \"other\", %s", tag);
    http(path, &q, &r);
    ck_assert_int_eq(r.status, 304);
    client_resp_free(&r);
    snprintf(h1, sizeof(h1), "If-None-Match: W/%s", tag);
    http(path, &q, &r);
    ck_assert_int_eq(r.status, 304);
    client_resp_free(&r);
    snprintf(h1, sizeof(h1), "If-None-Match: *");
    http(path, &q, &r);
    ck_assert_int_eq(r.status, 304);
    client_resp_free(&r);
    /* another tag, or another query's tag: the full response */
    snprintf(h1, sizeof(h1), "If-None-Match: \"0000000000000000\"");
    http(path, &q, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert(r.json != NULL && json_array_size(json_object_get(r.json, "data")) == 1);
    client_resp_free(&r);
    snprintf(h1, sizeof(h1), "If-None-Match: %s", tags[1]);
    http(path, &q, &r);
    ck_assert_int_eq(r.status, 200);
    client_resp_free(&r);
    /* an error stays an error, whatever the precondition */
    snprintf(h1, sizeof(h1), "If-None-Match: *");
    http("/events/nope", &q, &r);
    check_problem("If-None-Match: * on an unknown id", &r, 404, NULL);
    client_resp_free(&r);
    http("/events?bogus=1", &q, &r);
    check_problem("If-None-Match: * on a bad request", &r, 400, "bogus");
    client_resp_free(&r);
    snprintf(h1, sizeof(h1), "If-None-Match: %s", tags[3]);
    http("/events?type=summit&limit=0", &q, &r);
    check_problem("If-None-Match on a bad limit", &r, 400, "limit");
    client_resp_free(&r);
}
END_TEST

/* ---- CORS ---- */

START_TEST(cors_everywhere)
{
    static const struct { const char *path; long status; } cases[] = {
        {"/events", 200}, {"/events/alaska-summit-2025", 200}, {"/timeline", 200},
        {"/openapi.yaml", 200}, {"/events?bogus=1", 400}, {"/events/nope", 404},
        {"/nope", 404}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (!served_path(cases[i].path) && skip_when_proxied(cases[i].path))
            continue;
        const char *hdrs = "Origin: https://example.org";
        struct client_req q = {.headers = {hdrs, NULL}};
        struct client_resp r;
        char v[256];
        http(cases[i].path, &q, &r);
        ck_assert_msg(r.status == cases[i].status, "%.300s: %ld", cases[i].path, r.status);
        ck_assert_msg(header(&r, "Access-Control-Allow-Origin", v, sizeof(v)) == 1 &&
                      strcmp(v, "*") == 0, "%.300s: Access-Control-Allow-Origin %s",
                      cases[i].path, v);
        ck_assert_msg(header(&r, "Access-Control-Expose-Headers", v, sizeof(v)) == 1,
                      "%.300s: no Access-Control-Expose-Headers", cases[i].path);
        ck_assert_msg(has_token(v, "ETag") && has_token(v, "Link"),
                      "%.300s: Access-Control-Expose-Headers: %s", cases[i].path, v);
        client_resp_free(&r);
    }
    /* 405 too (a validating proxy answers other methods itself) */
    struct client_req post = {.method = "POST", .headers = {"Origin: https://example.org", NULL}};
    struct client_resp r;
    char v[256];
    if (!proxied) {
        http("/events", &post, &r);
        ck_assert_int_eq(r.status, 405);
        ck_assert(header(&r, "Access-Control-Allow-Origin", v, sizeof(v)) == 1 &&
                  strcmp(v, "*") == 0);
        client_resp_free(&r);
    }

    /* A preflight */
    static const char *const paths[] = {"/events", "/events/alaska-summit-2025/quotes",
                                        "/timeline?from=2025"};
    for (size_t i = 0; i < 3; i++) {
        struct client_req q = {.method = "OPTIONS", .headers = {"Origin: https://example.org",
            "Access-Control-Request-Method: GET",
            "Access-Control-Request-Headers: If-None-Match", NULL}};
        http(paths[i], &q, &r);
        ck_assert_msg(r.status == 204, "OPTIONS %s: %ld", paths[i], r.status);
        ck_assert_msg(r.len == 0, "OPTIONS %s: a body", paths[i]);
        ck_assert(header(&r, "Access-Control-Allow-Origin", v, sizeof(v)) == 1 &&
                  strcmp(v, "*") == 0);
        ck_assert_msg(header(&r, "Access-Control-Allow-Methods", v, sizeof(v)) == 1 &&
                      has_token(v, "GET") && has_token(v, "HEAD"),
                      "OPTIONS %s: Access-Control-Allow-Methods %s", paths[i], v);
        ck_assert_msg(header(&r, "Access-Control-Allow-Headers", v, sizeof(v)) == 1 &&
                      has_token(v, "If-None-Match"),
                      "OPTIONS %s: Access-Control-Allow-Headers %s", paths[i], v);
        ck_assert_msg(header(&r, "Allow", v, sizeof(v)) == 1 &&
                      strcmp(v, "GET, HEAD, OPTIONS") == 0, "OPTIONS %s: Allow %s", paths[i], v);
        client_resp_free(&r);
    }
}
END_TEST

/* ---- HEAD ---- */

START_TEST(head_is_get_without_a_body)
{
    if (skip_when_proxied("HEAD (the proxy cannot pass it on)"))
        return;
    static const char *const paths[] = {"/events?limit=2", "/events/alaska-summit-2025",
        "/quotes?speaker=marco-rubio", "/actors/keir-starmer/events", "/sources",
        "/timeline", "/health", "/openapi.yaml", "/events?bogus=1", "/events/nope",
        "/events?limit=0"};
    static const char *const same[] = {"Content-Type", "ETag", "Link", "Cache-Control",
        "Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "Last-Modified",
        "Allow"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct client_resp g, h;
        struct client_req q = {.method = "HEAD"};
        get(paths[i], &g);
        http(paths[i], &q, &h);
        ck_assert_msg(g.status == h.status, "%.300s: GET %ld, HEAD %ld", paths[i], g.status,
                      h.status);
        ck_assert_msg(h.len == 0, "HEAD %s: a body of %zu bytes", paths[i], h.len);
        for (size_t k = 0; k < sizeof(same) / sizeof(same[0]); k++) {
            char a[1024], b[1024];
            int na = header(&g, same[k], a, sizeof(a)), nb = header(&h, same[k], b, sizeof(b));
            ck_assert_msg(na == nb && strcmp(a, b) == 0,
                          "%.300s: %s is \"%s\" on GET, \"%s\" on HEAD",
                          paths[i], same[k], a, b);
        }
        char cl[64];
        ck_assert_msg(header(&h, "Content-Length", cl, sizeof(cl)) == 1 &&
                      strtoul(cl, NULL, 10) == g.len, "HEAD %s: Content-Length %s, GET body %zu",
                      paths[i], cl, g.len);
        client_resp_free(&g);
        client_resp_free(&h);
    }
}
END_TEST

/* ---- A body on GET ---- */

/* zipped's body, gunzipped, is plain's to the byte (what says whose). */
static void assert_gunzips_to(const char *what, const struct client_resp *zipped,
                              const struct client_resp *plain)
{
    size_t n;
    int same = client_gunzips_to(zipped->body, zipped->len, plain->body, plain->len, &n);
    ck_assert_msg(same, "%s: gunzipped body differs (%zu bytes for %zu)", what, n, plain->len);
}

/* Responses built at load are also precompressed: a client that accepts
 * gzip gets the same bytes, compressed, with Vary and the same ETag. */
START_TEST(gzip_for_clients_that_accept_it)
{
    if (skip_when_proxied("gzip (the proxy decodes and re-encodes bodies)"))
        return;
    static const char *const paths[] = {"/events", "/timeline", "/openapi.yaml", "/quotes"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct client_resp plain, zipped;
        get(paths[i], &plain);
        struct client_req q = {.headers = {"Accept-Encoding: gzip", NULL}};
        http(paths[i], &q, &zipped);
        char enc[64], vary[64], t1[64], t2[64];
        ck_assert_msg(zipped.status == 200, "%s gzip: %ld", paths[i], zipped.status);
        ck_assert_msg(header(&zipped, "Content-Encoding", enc, sizeof(enc)) == 1 &&
                      strcmp(enc, "gzip") == 0, "%s: Content-Encoding %s", paths[i], enc);
        ck_assert_msg(header(&plain, "Content-Encoding", enc, sizeof(enc)) == 0,
                      "%s: gzip to a client that did not ask", paths[i]);
        ck_assert_msg(header(&zipped, "Vary", vary, sizeof(vary)) == 1 &&
                      strcmp(vary, "Accept-Encoding") == 0, "%s: Vary %s", paths[i], vary);
        /* Two representations, two strong tags (RFC 9110 8.8.3). */
        ck_assert(header(&plain, "ETag", t1, sizeof(t1)) == 1);
        ck_assert(header(&zipped, "ETag", t2, sizeof(t2)) == 1);
        char want[80];
        snprintf(want, sizeof(want), "%.*s-gz\"", (int)strlen(t1) - 1, t1);
        ck_assert_str_eq(t2, want);
        ck_assert_msg(zipped.len < plain.len && zipped.len > 18 &&
                      (unsigned char)zipped.body[0] == 0x1f &&
                      (unsigned char)zipped.body[1] == 0x8b,
                      "%s: %zu gzip bytes for %zu plain", paths[i], zipped.len, plain.len);
        assert_gunzips_to(paths[i], &zipped, &plain);
        client_resp_free(&plain);
        client_resp_free(&zipped);
    }
}
END_TEST

/* GET path with Accept-Encoding: gzip and, unless NULL, If-None-Match. */
static void get_gzip(const char *path, const char *inm, struct client_resp *r)
{
    char h[160];
    snprintf(h, sizeof(h), "If-None-Match: %s", inm ? inm : "");
    struct client_req q = {.headers = {"Accept-Encoding: gzip", inm ? h : NULL, NULL}};
    http(path, &q, r);
}

/* A recent answer (here a filtered page) asked for again by a client that
 * accepts gzip is sent gzipped, compressed once and kept: the first asker
 * gets it plain, the next ones the same bytes gzipped, with their own tag
 * and the same Link; a small answer is never compressed. */
START_TEST(recent_answers_gzipped_when_asked_again)
{
    if (skip_when_proxied("gzip (the proxy decodes and re-encodes bodies)"))
        return;
    const char *path = "/events?from=2025-08-01&limit=13"; /* asked for by no other test */
    const char *k = "timeline_recent_responses_gzipped_total";
    long before = client_metric(k);
    struct client_resp first, again, later, plain;
    get_gzip(path, NULL, &first);
    char enc[64], t1[64], t2[64], l1[512], l2[512], ct[64], vary[64];
    ck_assert_msg(first.status == 200 && first.len > 1024, "%ld, %zu bytes", first.status,
                  first.len);
    ck_assert_msg(header(&first, "Content-Encoding", enc, sizeof(enc)) == 0,
                  "the first asker got Content-Encoding %s", enc);
    get_gzip(path, NULL, &again);
    ck_assert_msg(again.status == 200 &&
                  header(&again, "Content-Encoding", enc, sizeof(enc)) == 1 &&
                  strcmp(enc, "gzip") == 0, "asked again: %ld, not gzipped", again.status);
    assert_gunzips_to(path, &again, &first);
    ck_assert_msg(again.len * 3 < first.len, "%zu gzip bytes for %zu", again.len, first.len);
    ck_assert(header(&first, "ETag", t1, sizeof(t1)) == 1);
    ck_assert(header(&again, "ETag", t2, sizeof(t2)) == 1);
    char want[80];
    snprintf(want, sizeof(want), "%.*s-gz\"", (int)strlen(t1) - 1, t1);
    ck_assert_str_eq(t2, want);
    ck_assert(header(&first, "Link", l1, sizeof(l1)) == 1);
    ck_assert(header(&again, "Link", l2, sizeof(l2)) == 1);
    ck_assert_str_eq(l1, l2);
    ck_assert(header(&again, "Content-Type", ct, sizeof(ct)) == 1);
    ck_assert_str_eq(ct, "application/json");
    ck_assert(header(&again, "Vary", vary, sizeof(vary)) == 1);
    ck_assert_str_eq(vary, "Accept-Encoding");
    ck_assert_int_eq(client_metric_reaches(k, before + 1), before + 1);
    /* kept: the next gzip client gets the same bytes, not compressed again */
    get_gzip(path, NULL, &later);
    ck_assert_msg(later.len == again.len && memcmp(later.body, again.body, later.len) == 0,
                  "a later asker got other bytes (%zu, %zu)", later.len, again.len);
    ck_assert_int_eq(client_metric(k), before + 1);
    /* a client without gzip still gets the plain answer */
    get(path, &plain);
    ck_assert_msg(plain.len == first.len && memcmp(plain.body, first.body, plain.len) == 0 &&
                  header(&plain, "Content-Encoding", enc, sizeof(enc)) == 0,
                  "plain after gzip differs");
    /* The tag of the representation the client would be sent, alone, in a
     * list or on a second line, is a 304 with that tag; the other one's tag
     * names a representation it would not be sent: a 200 (RFC 9110 13.1.2). */
    char list[140], second_line[100], plain_tag[100];
    snprintf(list, sizeof(list), "\"other\", %s", t2);
    snprintf(second_line, sizeof(second_line), "If-None-Match: %s", t2);
    snprintf(plain_tag, sizeof(plain_tag), "If-None-Match: %s", t1);
    static const char *const gzip_ae = "Accept-Encoding: gzip";
    const struct {
        const char *h[3];
        long status;
        const char *tag;
    } cond[] = {
        {{gzip_ae, "If-None-Match: \"other\"", second_line}, 304, t2},
        {{gzip_ae, plain_tag, NULL}, 200, t2},
        {{plain_tag, NULL, NULL}, 304, t1},
        {{second_line, NULL, NULL}, 200, t1},
    };
    for (size_t i = 0; i < 2; i++) {
        struct client_resp c;
        char tag[64];
        get_gzip(path, i == 0 ? t2 : list, &c);
        ck_assert_msg(c.status == 304 && header(&c, "ETag", tag, sizeof(tag)) == 1 &&
                      strcmp(tag, t2) == 0, "If-None-Match %s: %ld", i == 0 ? t2 : list,
                      c.status);
        client_resp_free(&c);
    }
    for (size_t i = 0; i < sizeof(cond) / sizeof(cond[0]); i++) {
        struct client_req q = {.headers = {cond[i].h[0], cond[i].h[1], cond[i].h[2], NULL}};
        struct client_resp c;
        char tag[64] = "";
        http(path, &q, &c);
        header(&c, "ETag", tag, sizeof(tag));
        ck_assert_msg(c.status == cond[i].status && strcmp(tag, cond[i].tag) == 0,
                      "case %zu (%s; %s; %s): %ld, ETag %s", i, cond[i].h[0],
                      cond[i].h[1] ? cond[i].h[1] : "", cond[i].h[2] ? cond[i].h[2] : "",
                      c.status, tag);
        client_resp_free(&c);
    }
    client_resp_free(&first);
    client_resp_free(&again);
    client_resp_free(&later);
    client_resp_free(&plain);

    /* an answer under 1 KiB is not worth it */
    const char *small = "/actors/steve-witkoff";
    for (int i = 0; i < 3; i++) {
        get_gzip(small, NULL, &first);
        ck_assert_msg(first.status == 200 && first.len < 1024 &&
                      header(&first, "Content-Encoding", enc, sizeof(enc)) == 0,
                      "%s: %ld, %zu bytes, gzipped", small, first.status, first.len);
        client_resp_free(&first);
    }
    ck_assert_int_eq(client_metric(k), before + 1);
}
END_TEST

/* A 304 says the Content-Length of the 200 it stands for, or none (RFC
 * 9110 8.6): whether that answer is prebuilt, cached, gzipped on its
 * repeat or built for the request. Before, every 304 said Content-Length:
 * 0, which a cache updating a stored response from it could take for an
 * empty body. */
START_TEST(not_modified_says_the_length_of_the_200)
{
    if (skip_when_proxied("the 304's Content-Length (the proxy rewrites the 200's body)"))
        return;
    static const struct {
        const char *path;
        int gzip;
    } cases[] = {
        {"/events", 0},                    /* prebuilt */
        {"/events", 1},                    /* prebuilt, gzipped */
        {"/quotes?limit=30", 0},  /* built, then cached */
        {"/quotes?limit=30", 1},  /* its gzip twin, made on the repeat */
        {"/actors?limit=40", 0},            /* built for the 304 itself: never asked before */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *ae = cases[i].gzip ? "Accept-Encoding: gzip" : NULL;
        char inm[128] = "If-None-Match: *", tag[64] = "", cl200[32] = "", cl304[32] = "";
        struct client_resp r;
        struct client_req q = {.headers = {ae, NULL}};
        if (i + 1 < sizeof(cases) / sizeof(cases[0])) {
            http(cases[i].path, &q, &r);
            ck_assert_msg(r.status == 200 && header(&r, "ETag", tag, sizeof(tag)) == 1 &&
                              header(&r, "Content-Length", cl200, sizeof(cl200)) == 1 &&
                              (size_t)atol(cl200) == r.len,
                          "%s (gzip %d): %ld, Content-Length %s of %zu bytes", cases[i].path,
                          cases[i].gzip, r.status, cl200, r.len);
            client_resp_free(&r);
            snprintf(inm, sizeof(inm), "If-None-Match: %s", tag);
        }
        struct client_req c = {.headers = {inm, ae, NULL}};
        http(cases[i].path, &c, &r);
        int has_length = header(&r, "Content-Length", cl304, sizeof(cl304));
        ck_assert_msg(r.status == 304 && r.len == 0, "%s (gzip %d) with %s: %ld, %zu bytes",
                      cases[i].path, cases[i].gzip, inm, r.status, r.len);
        client_resp_free(&r);
        if (cl200[0] == '\0') { /* the 200 after its 304 */
            http(cases[i].path, &q, &r);
            header(&r, "Content-Length", cl200, sizeof(cl200));
            client_resp_free(&r);
        }
        ck_assert_msg(has_length == 1 && strcmp(cl304, cl200) == 0 && atol(cl200) > 0,
                      "%s (gzip %d): the 304 says Content-Length %s, its 200 %s", cases[i].path,
                      cases[i].gzip, has_length ? cl304 : "(none)", cl200);
    }
}
END_TEST

/* A filtered list asked for again comes from the cache: the same bytes and
 * headers, and /metrics counts the hit. */
START_TEST(filtered_responses_are_cached)
{
    const char *path = "/events?actor=steve-witkoff&limit=2";
    struct client_resp a, b;
    const char *k = "timeline_cache_hits_total{kind=\"recent_response\"}";
    long before = client_metric(k);
    get(path, &a);
    get(path, &b);
    ck_assert_msg(a.status == 200 && b.status == 200, "%ld %ld", a.status, b.status);
    ck_assert_msg(a.len == b.len && memcmp(a.body, b.body, a.len) == 0, "bodies differ");
    char la[512], lb[512], ea[64], eb[64];
    ck_assert(header(&a, "Link", la, sizeof(la)) == 1 && header(&b, "Link", lb, sizeof(lb)) == 1);
    ck_assert_str_eq(la, lb);
    ck_assert(header(&a, "ETag", ea, sizeof(ea)) == 1 && header(&b, "ETag", eb, sizeof(eb)) == 1);
    ck_assert_str_eq(ea, eb);
    /* A cached answer keeps the rules of a fresh one: its tag in a list
     * (which, unlike the tag alone, needs the answer's verdict) gets a 304,
     * HEAD gets its headers without the body. */
    char inm[96];
    snprintf(inm, sizeof(inm), "If-None-Match: \"other\", %s", ea);
    struct client_req cond = {.headers = {inm, NULL}};
    struct client_resp c;
    http(path, &cond, &c);
    ck_assert_msg(c.status == 304 && c.len == 0, "cached, with its tag: %ld, %zu bytes",
                  c.status, c.len);
    client_resp_free(&c);
    long hits = 2; /* b and the conditional request */
    if (!skip_when_proxied("HEAD of a cached answer (the proxy cannot pass it on)")) {
        struct client_req head = {.method = "HEAD"};
        http(path, &head, &c);
        char cl[32];
        ck_assert(header(&c, "Content-Length", cl, sizeof(cl)) == 1);
        ck_assert_msg(c.status == 200 && c.len == 0 && (size_t)atol(cl) == a.len,
                      "HEAD of a cached answer: %ld, %zu bytes, Content-Length %s", c.status,
                      c.len, cl);
        client_resp_free(&c);
        hits++;
    }
    client_resp_free(&a);
    client_resp_free(&b);
    long after = client_metric(k);
    ck_assert_msg(after >= before + hits, "recent-response cache hits: %ld then %ld", before,
                  after);

    /* single resources too: the same bytes, and the second is a hit */
    const char *one = "/events/putin-accepts-security-guarantees-2025-08-15";
    get(one, &a);
    get(one, &b);
    ck_assert_msg(a.status == 200 && b.status == 200, "%s: %ld %ld", one, a.status, b.status);
    ck_assert_msg(a.len == b.len && memcmp(a.body, b.body, a.len) == 0, "%s: bodies differ", one);
    client_resp_free(&a);
    client_resp_free(&b);
    before = after;
    after = client_metric(k);
    ck_assert_msg(after >= before + 1, "%s twice: cache hits %ld then %ld", one, before, after);
}
END_TEST

/* /metrics counts what was served. */
START_TEST(metrics_count_requests)
{
    struct client_resp r;
    get("/metrics", &r);
    ck_assert_msg(r.status == 200, "/metrics: %ld", r.status);
    char ct[128];
    ck_assert(header(&r, "Content-Type", ct, sizeof(ct)) == 1);
    ck_assert_msg(strncmp(ct, "text/plain; version=0.0.4", 25) == 0, "Content-Type %s", ct);
    const char *k = "timeline_requests_total{route=\"/events\",status=\"200\"}";
    ck_assert_msg(harness_metric(r.body, k) > 0, "no /events 200 counter in\n%.2000s", r.body);
    ck_assert_ptr_nonnull(strstr(r.body, "timeline_request_duration_seconds_bucket{le=\"+Inf\"}"));
    ck_assert_ptr_nonnull(strstr(r.body, "timeline_corpus_items{kind=\"events\"} 33"));
    ck_assert_ptr_nonnull(strstr(r.body, "timeline_reloads_total 0"));
    client_resp_free(&r);
    long before = client_metric(k);
    for (int i = 0; i < 3; i++) {
        get("/events?limit=1", &r);
        client_resp_free(&r);
    }
    long after = client_metric_reaches(k, before + 3);
    ck_assert_msg(after >= before + 3, "/events 200s: %ld then %ld", before, after);
    /* a path no route serves counts as route "none" */
    get("/nowhere", &r);
    ck_assert_msg(r.status == 404, "/nowhere: %ld", r.status);
    client_resp_free(&r);
    const char *none = "timeline_requests_total{route=\"none\",status=\"404\"}";
    ck_assert_msg(client_metric_reaches(none, 1) >= 1, "no 404 counted for route \"none\"");
}
END_TEST

/* /metrics counts the connections open: held ones, then none of them. */
START_TEST(metrics_count_open_connections)
{
    if (skip_when_proxied("connections open (the proxy has its own)"))
        return;
    enum { HELD = 4 };
    static const char k[] = "timeline_connections_open";
    CURL *held[HELD];
    struct client_resp r;
    for (int i = 0; i < HELD; i++) {
        held[i] = curl_easy_init();
        client_perform(held[i], "/health", NULL, &r);
        ck_assert_msg(r.status == 200, "/health: %ld", r.status);
        client_resp_free(&r);
    }
    long open = client_metric(k); /* the held ones and the one asking */
    ck_assert_msg(open >= HELD + 1, "%s is %ld with %d connections held", k, open, HELD);
    for (int i = 0; i < HELD; i++)
        curl_easy_cleanup(held[i]);
    double deadline = harness_now() + 10.0 * slow;
    long now = client_metric(k);
    while ((now < 0 || now > open - HELD) && harness_now() < deadline) {
        harness_sleep_ms(20);
        now = client_metric(k);
    }
    ck_assert_msg(now >= 0 && now <= open - HELD, "%s is %ld (-1: no answer), %ld before %d "
                  "connections closed", k, now, open, HELD);
}
END_TEST

START_TEST(body_on_get_is_ignored)
{
    if (skip_when_proxied("a body on GET (the proxy refuses it)"))
        return;
    struct client_req q = {.body = "a=1&b=2", .headers = {"Content-Type: application/x-www-form-urlencoded", NULL}};
    struct client_resp r;
    CURL *h = curl_easy_init();
    perform(h, "/health", &q, &r);
    ck_assert_msg(r.status == 200 && r.json, "GET with a body: %ld", r.status);
    J_STR(r.json, "status", "ok");
    client_resp_free(&r);
    char big[5000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    struct client_req q2 = {.body = big, .headers = {"Content-Type: text/plain", NULL}};
    perform(h, "/events?type=summit", &q2, &r);
    ck_assert_msg(r.status == 200 && r.json, "GET with a 5 KB body: %ld", r.status);
    J_STR(r.json, "data.0.id", "alaska-summit-2025");
    client_resp_free(&r);
    /* and the connection is still good for the next request */
    perform(h, "/events/alaska-summit-2025", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    if (!proxied)
        ck_assert_msg(r.connects == 0, "the connection was not kept after a GET with a body");
    client_resp_free(&r);
    curl_easy_cleanup(h);
}
END_TEST

/* ---- Connections ---- */

/* n concurrent keep-alive connections, each sending ROUNDS requests: every
 * request must be answered with a 200 in bounded time, and after the first
 * round every request must reuse its connection. All n requests of a round
 * are sent at once, so the server sees n ready connections together (the
 * case that stalls libmicrohttpd 0.9.75's epoll mode at 128: against an
 * epoll build with --threads 1 this fails in 6 runs out of 6). */
static void concurrent_keepalive(int n)
{
    enum { ROUNDS = 8 };
    static const char *const paths[] = {"/health", "/events?limit=3",
        "/quotes/witkoff-some-concessions", "/actors/keir-starmer/events?type=statement"};
    CURLM *m = curl_multi_init();
    curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)n);
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)n);
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)n);
    curl_multi_setopt(m, CURLMOPT_PIPELINING, (long)CURLPIPE_NOTHING);
    CURL **h = calloc((size_t)n, sizeof(*h));
    struct client_resp *r = calloc((size_t)n, sizeof(*r));
    struct curl_slist **hl = calloc((size_t)n, sizeof(*hl));
    long connects = 0;
    for (int rnd = 0; rnd < ROUNDS; rnd++) {
        for (int i = 0; i < n; i++) {
            if (h[i] == NULL)
                h[i] = curl_easy_init();
            client_resp_free(&r[i]);
            hl[i] = client_setup(h[i], paths[i % 4], NULL, &r[i]);
            curl_easy_setopt(h[i], CURLOPT_PRIVATE, (void *)(intptr_t)i);
            curl_multi_add_handle(m, h[i]);
        }
        double t0 = harness_now(), deadline = t0 + 20.0 * slow;
        int running = 1;
        while (running && harness_now() < deadline) {
            ck_assert(curl_multi_perform(m, &running) == CURLM_OK);
            if (running)
                curl_multi_poll(m, NULL, 0, 100, NULL);
        }
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            void *priv;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
            r[(intptr_t)priv].rc = msg->data.result;
        }
        int answered = 0, reused = 0;
        for (int i = 0; i < n; i++) {
            client_finish(h[i], &r[i]);
            curl_multi_remove_handle(m, h[i]);
            curl_slist_free_all(hl[i]);
            hl[i] = NULL;
            if (r[i].rc == CURLE_OK && r[i].status == 200 && r[i].json != NULL)
                answered++;
            if (r[i].rc == CURLE_OK && r[i].connects == 0)
                reused++;
            connects += r[i].connects;
        }
        double took = harness_now() - t0;
        for (int i = 0; i < n; i++)
            ck_assert_msg(r[i].rc == CURLE_OK && r[i].status == 200 && r[i].json != NULL,
                          "%d connections, round %d: only %d of %d answered in %.1f s; "
                          "request %d (%s): %s, status %ld", n, rnd + 1, answered, n, took,
                          i, paths[i % 4], r[i].rc == (CURLcode)-1 ? "not finished"
                          : curl_easy_strerror(r[i].rc), r[i].status);
        if (rnd > 0)
            ck_assert_msg(reused == n, "%d connections, round %d: %d of %d requests reused "
                          "their connection", n, rnd + 1, reused, n);
    }
    ck_assert_msg(connects == n, "%ld connections opened for %d keep-alive clients",
                  connects, n);
    for (int i = 0; i < n; i++) {
        client_resp_free(&r[i]);
        curl_easy_cleanup(h[i]);
    }
    curl_multi_cleanup(m);
    free(h);
    free(r);
    free(hl);
}

START_TEST(concurrent_keepalive_128_then_256)
{
    if (skip_when_proxied("concurrent keep-alive connection counts"))
        return;
    concurrent_keepalive(128);
    concurrent_keepalive(256);
}
END_TEST

/* SIGTERM to sp, and it must exit 0 within a time limit; then its port is
 * closed. */
static void stop_server(struct harness_server *sp)
{
    ck_assert_msg(sp->pid > 0, "no server");
    ck_assert_int_eq(kill(sp->pid, SIGTERM), 0);
    int status = 0;
    pid_t done = 0;
    double deadline = harness_now() + 20.0 * slow;
    while ((done = waitpid(sp->pid, &status, WNOHANG)) == 0 && harness_now() < deadline)
        harness_sleep_ms(20);
    ck_assert_msg(done == sp->pid, "the server did not exit within %d s of SIGTERM",
                  20 * slow);
    sp->pid = -1;
    close(sp->out);
    sp->out = -1;
    ck_assert_msg(WIFEXITED(status), "the server was killed by signal %d",
                  WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    ck_assert_msg(WEXITSTATUS(status) == 0, "the server exited with status %d%s",
                  WEXITSTATUS(status), valgrind ? " (valgrind found errors?)" : "");
    struct client_resp r;
    const char *saved = base;
    base = sp->base;
    CURLcode rc = client_perform(NULL, "/health", NULL, &r);
    base = saved;
    client_resp_free(&r);
    ck_assert_msg(rc == CURLE_COULDNT_CONNECT, "after exit: %s", curl_easy_strerror(rc));
}

/* A second server, with one option, that the tcase's tests talk to. */
static void use_other(const char *opt, const char *value)
{
    if (proxied)
        return;
    ck_assert_msg(start_server(&second, opt, value) == 0, "cannot start a server with %s %s",
                  opt, value);
    base = second.base;
}

static void drop_other(void)
{
    base = server.base;
    harness_stop_hard(&second); /* only if the test did not stop it */
}

/* The same with every connection on one event loop: --threads 1 (with one
 * thread per core the connections are spread over several loops and a
 * per-loop stall may not show). */
static void use_single(void)
{
    use_other("--threads", "1");
}

START_TEST(concurrent_keepalive_on_one_thread)
{
    if (skip_when_proxied("concurrent keep-alive on a --threads 1 server"))
        return;
    concurrent_keepalive(128);
    concurrent_keepalive(256);
    stop_server(&second);
}
END_TEST

/* With --cache-mb 1, about 30 lists of all 33 events (34 KB each) fill the
 * cache of recent answers; a new one is then still kept, by evicting older
 * ones, so that the cache follows what is asked for. */
static void use_small_cache(void)
{
    use_other("--cache-mb", "1");
}

START_TEST(a_full_cache_keeps_taking_new_answers)
{
    if (skip_when_proxied("a server with --cache-mb 1"))
        return;
    const char *k = "timeline_cache_hits_total{kind=\"recent_response\"}";
    char path[64];
    struct client_resp r;
    size_t filled = 0;
    for (int year = 1900; year < 1960; year++) { /* 60 different keys, 2 MB */
        snprintf(path, sizeof(path), "/events?from=%d", year);
        get(path, &r);
        ck_assert_msg(r.status == 200 && r.len > 30000, "%s: %ld, %zu bytes", path, r.status,
                      r.len);
        filled += r.len;
        client_resp_free(&r);
    }
    ck_assert_msg(filled > 2 * (1 << 20) - 200000, "only %zu bytes asked for", filled);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "/events?from=%d", 1800 + i);
        long before = client_metric(k);
        get(path, &r); /* not cached yet: kept now */
        client_resp_free(&r);
        get(path, &r);
        ck_assert_msg(r.status == 200, "%s: %ld", path, r.status);
        client_resp_free(&r);
        long after = client_metric(k);
        ck_assert_msg(after == before + 1, "%s, asked twice after the cache filled: %ld hits "
                      "then %ld", path, before, after);
    }
    stop_server(&second);
}
END_TEST

START_TEST(thousand_requests_on_one_connection)
{
    if (skip_when_proxied("requests on one keep-alive connection"))
        return;
    static const struct { const char *path; long status; } seq[] = {
        {"/health", 200}, {"/events?limit=1", 200}, {"/events/nope", 404},
        {"/quotes?speaker=marco-rubio", 200}, {"/events?limit=0", 400}, {"/timeline", 200}};
    CURL *h = curl_easy_init();
    long port = 0;
    double t0 = harness_now();
    for (int i = 0; i < 1000; i++) {
        struct client_resp r;
        const char *path = seq[i % 6].path;
        perform(h, path, NULL, &r);
        ck_assert_msg(r.status == seq[i % 6].status && r.len > 0,
                      "request %d (%s): status %ld", i + 1, path, r.status);
        if (i == 0) {
            ck_assert_int_eq(r.connects, 1);
            port = r.local_port;
        } else {
            ck_assert_msg(r.connects == 0, "request %d (%s) opened a new connection", i + 1, path);
            ck_assert_msg(r.local_port == port, "request %d: local port %ld, was %ld", i + 1,
                          r.local_port, port);
        }
        client_resp_free(&r);
    }
    double took = harness_now() - t0;
    ck_assert_msg(took < 60.0 * slow, "1,000 requests took %.1f s", took);
    curl_easy_cleanup(h);
}
END_TEST

/* ---- Shutdown: the last test ---- */

START_TEST(sigterm_exits_zero)
{
    if (skip_when_proxied("the server's exit status"))
        return;
    stop_server(&server);
}
END_TEST

int main(int argc, char **argv)
{
    const char *url = getenv("TIMELINE_API_URL");
    const char *vg = getenv("TIMELINE_TEST_VALGRIND");
    proxied = url != NULL && *url != '\0';
    valgrind = !proxied && vg != NULL && strcmp(vg, "1") == 0;
    slow = valgrind ? 20 : 1;
    if (!proxied && argc < 3) {
        fprintf(stderr, "usage: check_api SERVER_BINARY DATA_DIR\n"
                        "   or: TIMELINE_API_URL=http://HOST:PORT check_api\n");
        return 2;
    }
    server_bin = argc > 1 ? argv[1] : NULL;
    data_dir = argc > 2 ? argv[2] : NULL;
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return EXIT_FAILURE;
    client_init(&base, &slow, 0);
    if (proxied) {
        snprintf(server.base, sizeof(server.base), "%s", url);
        size_t n = strlen(server.base);
        while (n > 0 && server.base[n - 1] == '/')
            server.base[--n] = '\0';
        fprintf(stderr, "check_api: testing %s (proxy mode)\n", server.base);
    } else if (start_server(&server, NULL, NULL) != 0) {
        curl_global_cleanup();
        return EXIT_FAILURE;
    }

    Suite *s = suite_create("api");
    TCase *tc = tcase_create("endpoints");
    tcase_add_test(tc, health_reports_the_corpus);
    tcase_add_test(tc, openapi_is_served);
    tcase_add_test(tc, events_list_envelope);
    tcase_add_test(tc, event_by_id);
    tcase_add_test(tc, quote_by_id);
    tcase_add_test(tc, actor_by_id);
    tcase_add_test(tc, sources_list_and_by_id);
    tcase_add_test(tc, nested_lists_agree_with_the_entities);
    tcase_add_test(tc, timeline_is_timelinejs3);
    suite_add_tcase(s, tc);
    tc = tcase_create("filters");
    tcase_add_loop_test(tc, filter_returns_exact_ids, 0, (int)N_FILTERS);
    tcase_add_test(tc, limit_and_sort);
    suite_add_tcase(s, tc);
    tc = tcase_create("pagination");
    tcase_add_loop_test(tc, pagination_walks_every_item_once, 0, (int)N_WALKS);
    tcase_add_test(tc, cursors_are_bound_to_their_query);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_loop_test(tc, errors_are_problems, 0, (int)N_ERRORS);
    tcase_add_test(tc, long_uris_and_many_parameters);
    tcase_add_test(tc, other_methods_are_405);
    suite_add_tcase(s, tc);
    tc = tcase_create("http");
    tcase_add_test(tc, etags_and_conditional_requests);
    tcase_add_test(tc, gzip_for_clients_that_accept_it);
    tcase_add_test(tc, recent_answers_gzipped_when_asked_again);
    tcase_add_test(tc, metrics_count_requests);
    tcase_add_test(tc, metrics_count_open_connections);
    tcase_add_test(tc, filtered_responses_are_cached);
    tcase_add_test(tc, not_modified_says_the_length_of_the_200);
    tcase_add_test(tc, if_modified_since_and_unknown_paths);
    tcase_add_test(tc, request_fields_are_read_as_rfc_9110_says);
    tcase_add_test(tc, cors_everywhere);
    tcase_add_test(tc, head_is_get_without_a_body);
    tcase_add_test(tc, body_on_get_is_ignored);
    suite_add_tcase(s, tc);
    tc = tcase_create("connections");
    tcase_add_test(tc, concurrent_keepalive_128_then_256);
    tcase_add_test(tc, thousand_requests_on_one_connection);
    suite_add_tcase(s, tc);
    tc = tcase_create("one-thread");
    tcase_add_checked_fixture(tc, use_single, drop_other);
    tcase_add_test(tc, concurrent_keepalive_on_one_thread);
    suite_add_tcase(s, tc);
    tc = tcase_create("small-cache");
    tcase_add_checked_fixture(tc, use_small_cache, drop_other);
    tcase_add_test(tc, a_full_cache_keeps_taking_new_answers);
    suite_add_tcase(s, tc);
    tc = tcase_create("shutdown");
    tcase_add_test(tc, sigterm_exits_zero);
    suite_add_tcase(s, tc);

    int rc = check_run(s, 1);
    harness_stop_hard(&server); /* only if the shutdown test did not reap it */
    curl_global_cleanup();
    return rc;
}
