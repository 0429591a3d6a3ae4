/* Fuzz target "uri": arbitrary bytes as the raw request target of a GET,
 * through what server/http.c does with it (server_parse_uri, then
 * route_split_path, route_match and the handler) against the fixture
 * snapshot, loaded once; and every parameter value through the date parser
 * (model_date_parse), as from= and to= are.
 *
 * Oracles:
 *  - parsing: names and values are NUL-free valid UTF-8, at most
 *    ROUTE_MAX_PARAMS; a refusal is a 400 problem;
 *  - responses: 200, 400 or 404; the body is JSON (problem+json with the
 *    same status for errors);
 *  - paging: a 200 with a Link header is followed to the end: each next
 *    link must parse and answer 200 with the same total, and the pages
 *    together hold exactly that many distinct items;
 *  - dates: an accepted date has lo < hi, spans what its precision says,
 *    and starts at the civil time it spells (checked with timegm);
 *  - request fields (server/head.c, the same bytes as a field value): a
 *    tag list names a tag only when it holds it, "*" only alone; an
 *    HTTP-date reads back from its IMF-fixdate as the same time. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "head.h"
#include "metrics.h"
#include "render.h"
#include "route.h"
#include "text.h"
#include "uri.h"

#define MAX_URI 8192 /* server/http.c answers 414 above this, before parsing */
#define MAX_PAGES 64

static const char OPENAPI[] = "openapi: 3.1.0\ninfo:\n  title: fuzz\n";

/* As server/http.c serves: with the snapshot's prebuilt fragments (and,
 * for comparison, the same without them, rendered per request). */
static struct route_context prebuilt, plain;
static struct route_metrics metrics;

static void free_render(void)
{
    route_render_free((struct route_render *)prebuilt.render);
}

static void setup(void)
{
    plain = (struct route_context){.openapi = OPENAPI, .openapi_len = sizeof(OPENAPI) - 1,
                                   .version = "0.0.0-fuzz", .build = "fuzz",
                                   .metrics = &metrics};
    prebuilt = plain;
    prebuilt.render = route_render_build(fuzz_snapshot());
    if (prebuilt.render == NULL)
        abort();
    atexit(free_render);
}

/* ---- Dates ---- */

/* Minutes since the epoch of a civil time, by the C library. */
static long long civil_minutes(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    return (long long)timegm(&tm) / 60;
}

static int digits_at(const char *s, size_t at, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[at + (size_t)i] - '0');
    return v;
}

static void check_date(const char *s, int flags)
{
    struct model_time t;
    char err[200] = "";
    if (model_date_parse(s, flags, &t, err, sizeof(err)) != 0) {
        FUZZ_CHECK(err[0] != '\0', "\"%s\" refused without a reason", s);
        return;
    }
    FUZZ_CHECK(t.lo < t.hi, "\"%s\" gives [%lld, %lld)", s, (long long)t.lo, (long long)t.hi);
    FUZZ_CHECK(t.precision >= MODEL_PRECISION_YEAR && t.precision <= MODEL_PRECISION_MINUTE,
               "\"%s\" has precision %d", s, (int)t.precision);
    FUZZ_CHECK(t.offset > -24 * 60 && t.offset < 24 * 60 && (t.has_offset || t.offset == 0),
               "\"%s\" has offset %d", s, t.offset);
    /* What the string spells, read positionally: YYYY-MM-DDTHH:MM. */
    int y = digits_at(s, 0, 4), mo = 1, d = 1, h = 0, mi = 0;
    if (t.precision >= MODEL_PRECISION_MONTH)
        mo = digits_at(s, 5, 2);
    if (t.precision >= MODEL_PRECISION_DAY)
        d = digits_at(s, 8, 2);
    if (t.precision >= MODEL_PRECISION_HOUR)
        h = digits_at(s, 11, 2);
    if (t.precision >= MODEL_PRECISION_MINUTE)
        mi = digits_at(s, 14, 2);
    long long lo = civil_minutes(y, mo, d, h, mi) - t.offset;
    FUZZ_CHECK(t.lo == lo, "\"%s\" starts at minute %lld, not %lld", s, (long long)t.lo, lo);
    long long len = t.hi - t.lo, want;
    switch (t.precision) {
    case MODEL_PRECISION_YEAR:
        want = civil_minutes(y + 1, 1, 1, 0, 0) - civil_minutes(y, 1, 1, 0, 0);
        break;
    case MODEL_PRECISION_MONTH:
        want = civil_minutes(mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1, 1, 0, 0) -
               civil_minutes(y, mo, 1, 0, 0);
        break;
    case MODEL_PRECISION_DAY:
        want = 1440;
        break;
    case MODEL_PRECISION_HOUR:
        want = 60;
        break;
    default:
        want = 1;
    }
    FUZZ_CHECK(len == want, "\"%s\" spans %lld minutes, not %lld", s, len, want);
    struct model_civil c;
    model_time_civil(&t, &c);
    FUZZ_CHECK(c.year == y && c.month == mo && c.day == d && c.hour == h && c.minute == mi,
               "\"%s\" gives civil %04d-%02d-%02dT%02d:%02d", s, c.year, c.month, c.day,
               c.hour, c.minute);
    /* The corpus form (no seconds) is a subset of the query form. */
    if (flags == 0) {
        struct model_time u;
        FUZZ_CHECK(model_date_parse(s, MODEL_DATE_ALLOW_SECONDS, &u, err, sizeof(err)) == 0 &&
                       u.lo == t.lo && u.hi == t.hi,
                   "\"%s\" is a corpus date but not a query date", s);
    }
}

/* ---- Requests ---- */

struct seen {
    char **ids;
    size_t n;
    long long total;
    int pages;
    int from_cursor; /* the walk starts at a later page: it holds fewer */
};

static void request(const char *uri, struct seen *seen);

/* Follows the Link header of a 200 list: <URL>; rel="next". */
static void follow(const struct route_response *resp, struct seen *seen, const char *uri)
{
    const char *link = resp->link;
    FUZZ_CHECK(link[0] == '<' && strstr(link, ">; rel=\"next\"") != NULL,
               "Link header %s", link);
    size_t n = strcspn(link + 1, ">");
    char *next = strndup(link + 1, n);
    FUZZ_CHECK(seen->pages < MAX_PAGES, "more than %d pages following %s", MAX_PAGES, uri);
    request(next, seen);
    free(next);
}

static const char *body_of(const struct route_response *resp)
{
    return resp->borrowed != NULL ? resp->borrowed : resp->body;
}

static void check_body(const char *uri, const struct route_response *resp,
                       const struct route_request *req, struct seen *seen)
{
    const char *text = body_of(resp);
    FUZZ_CHECK(text != NULL && resp->body_len == strlen(text) &&
                   (resp->body == NULL || resp->borrowed == NULL),
               "%s: %d without a body, or with two", uri, resp->status);
    FUZZ_CHECK(resp->content_type != NULL, "%s: no content type", uri);
    if (resp->status == 200 && strcmp(req->path, "/openapi.yaml") == 0) {
        FUZZ_CHECK(resp->body_len == sizeof(OPENAPI) - 1, "%s: the contract", uri);
        return;
    }
    if (resp->status == 200 && strcmp(req->path, "/metrics") == 0) {
        FUZZ_CHECK(strncmp(resp->content_type, "text/plain", 10) == 0, "%s: metrics", uri);
        return;
    }
    json_error_t jerr;
    json_t *body = json_loadb(text, resp->body_len, 0, &jerr);
    FUZZ_CHECK(body != NULL, "%s: the body is not JSON (%s): %.300s", uri, jerr.text, text);
    if (resp->status != 200) {
        FUZZ_CHECK(json_integer_value(json_object_get(body, "status")) == resp->status &&
                       json_is_string(json_object_get(body, "title")) &&
                       json_is_string(json_object_get(body, "detail")) &&
                       strcmp(resp->content_type, "application/problem+json") == 0,
                   "%s: a %d that is not a problem: %.300s", uri, resp->status, text);
        FUZZ_CHECK(seen == NULL, "%s: the next link of a page answers %d: %.300s", uri,
                   resp->status, text);
        json_decref(body);
        return;
    }
    json_t *meta = json_object_get(body, "meta");
    json_t *data = json_object_get(body, "data");
    if (meta != NULL) { /* a collection */
        FUZZ_CHECK(json_is_array(data), "%s: a collection without data", uri);
        long long total = json_integer_value(json_object_get(meta, "total"));
        const char *next = json_string_value(json_object_get(meta, "next_cursor"));
        FUZZ_CHECK((next != NULL) == (resp->link != NULL),
                   "%s: next_cursor and the Link header disagree", uri);
        if (seen != NULL)
            FUZZ_CHECK(total == seen->total, "%s: total %lld, the first page said %lld", uri,
                       total, seen->total);
        struct seen first = {NULL, 0, total, 0, 0};
        for (size_t i = 0; i < req->n_params; i++)
            first.from_cursor |= strcmp(req->params[i].name, "cursor") == 0;
        struct seen *s = seen ? seen : &first;
        s->pages++;
        for (size_t i = 0; i < json_array_size(data); i++) {
            const char *id = json_string_value(json_object_get(json_array_get(data, i), "id"));
            FUZZ_CHECK(id != NULL, "%s: an item without an id", uri);
            for (size_t k = 0; k < s->n; k++)
                FUZZ_CHECK(strcmp(s->ids[k], id) != 0, "%s: %s is on two pages", uri, id);
            s->ids = realloc(s->ids, (s->n + 1) * sizeof(*s->ids));
            s->ids[s->n++] = strdup(id);
        }
        if (resp->link != NULL)
            follow(resp, s, uri);
        if (s == &first) { /* the whole walk is done */
            FUZZ_CHECK((long long)first.n == total || (first.from_cursor &&
                                                       (long long)first.n < total),
                       "%s: the pages hold %zu items, the total is %lld", uri, first.n, total);
            for (size_t k = 0; k < first.n; k++)
                free(first.ids[k]);
            free(first.ids);
        }
    }
    json_decref(body);
}

/* Runs the handler of req as the server would, into resp. */
static void handle(struct route_request *req, const char *path, struct route_response *resp,
                   int count)
{
    char *pathbuf = strdup(path);
    size_t route = route_split_path(pathbuf, req) == 0 ? route_match_index(req)
                                                       : route_table_size;
    if (route == route_table_size)
        route_not_found(req, resp);
    else
        route_table[route].handler(req, resp);
    FUZZ_CHECK(route_response_flatten(resp) == 0, "%s: out of memory", path);
    if (count) /* once a request, so that /metrics answers alike both times */
        metrics_count(&metrics, route, resp->status, 1);
    free(pathbuf);
}

/* One request, as server/http.c handles a GET. seen: the walk this request
 * continues (a next link), or NULL. */
static void request(const char *uri, struct seen *seen)
{
    struct server_uri p;
    memset(&p, 0, sizeof(p));
    p.req.snap = fuzz_snapshot();
    p.req.ctx = &prebuilt;
    struct route_response resp = {0}, again = {0};
    if (server_parse_uri(uri, &p, &resp) != 0) {
        FUZZ_CHECK(resp.status == 400, "%s: refused with %d", uri, resp.status);
        check_body(uri, &resp, &p.req, seen);
        goto done;
    }
    FUZZ_CHECK(p.req.n_params <= ROUTE_MAX_PARAMS, "%s: %zu parameters", uri, p.req.n_params);
    FUZZ_CHECK(model_utf8_valid(p.req.path, strlen(p.req.path)), "%s: path not UTF-8", uri);
    FUZZ_CHECK(p.req.path[0] == '/', "%s: a path that does not begin with /", uri);
    for (size_t i = 0; i < p.req.n_params; i++) {
        const struct route_param *prm = &p.req.params[i];
        FUZZ_CHECK(model_utf8_valid(prm->name, strlen(prm->name)) &&
                       model_utf8_valid(prm->value, strlen(prm->value)),
                   "%s: parameter %zu is not UTF-8", uri, i);
        if (seen == NULL) {
            check_date(prm->value, 0);
            check_date(prm->value, MODEL_DATE_ALLOW_SECONDS);
        }
    }
    handle(&p.req, p.req.path, &resp, 0);
    FUZZ_CHECK(resp.status == 200 || resp.status == 400 || resp.status == 404,
               "%s: status %d", uri, resp.status);
    FUZZ_CHECK(resp.link == NULL || resp.status == 200, "%s: a Link on a %d", uri, resp.status);
    /* Without the prebuilt fragments: the same bytes, rendered anew. */
    p.req.ctx = &plain;
    handle(&p.req, p.req.path, &again, 1);
    p.req.ctx = &prebuilt;
    FUZZ_CHECK(again.status == resp.status && again.body_len == resp.body_len &&
                   memcmp(body_of(&again), body_of(&resp), resp.body_len) == 0 &&
                   (again.link == NULL) == (resp.link == NULL) &&
                   (resp.link == NULL || strcmp(again.link, resp.link) == 0),
               "%s: the prebuilt response differs from the rendered one:\n%.400s\n%.400s",
               uri, body_of(&resp), body_of(&again));
    check_body(uri, &resp, &p.req, seen);
done:
    route_response_free(&resp);
    route_response_free(&again);
    free(p.buf);
}

/* ---- Request fields ---- */

/* The field-value parsers of server/head.c on the same bytes, as If-None-
 * Match, If-Match, Accept-Encoding and the date fields: a list that names
 * a tag holds it ("*" only alone); a date read back from its IMF-fixdate is
 * the same time. */
static void check_fields(const char *v)
{
    static const char tag[] = "\"0123456789abcdef\"";
    (void)server_accepts_gzip(v);
    enum server_tag named = server_tag_in(v, tag);
    size_t lead = strspn(v, " \t");
    FUZZ_CHECK(named == SERVER_TAG_NONE ||
                   (named == SERVER_TAG_ANY ? v[lead] == '*' && v[lead + 1 + strspn(v + lead + 1,
                                                                                   " \t")] == '\0'
                                            : strstr(v, tag) != NULL),
               "%s: names %s (%d)", v, tag, (int)named);
    time_t when, again;
    struct tm tm;
    if (server_http_date(v, &when) != 0 || gmtime_r(&when, &tm) == NULL ||
        tm.tm_year < 0 || tm.tm_year > 8099)
        return; /* not a date, or a year strftime and strptime need not agree on */
    char imf[64];
    strftime(imf, sizeof(imf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    FUZZ_CHECK(server_http_date(imf, &again) == 0 && again == when,
               "%s: %lld, read back from %s as %lld", v, (long long)when, imf, (long long)again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_URI)
        return 0;
    if (prebuilt.metrics == NULL)
        setup();
    char *uri = fuzz_cstring(data, size);
    check_date(uri, 0);
    check_date(uri, MODEL_DATE_ALLOW_SECONDS);
    check_fields(uri);
    request(uri, NULL);
    free(uri);
    return 0;
}
