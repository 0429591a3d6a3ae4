#define _GNU_SOURCE
#include "common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "text.h"

#define PROBLEM_BASE "https://timeline.example/problems/"

void route_response_free(struct route_response *r)
{
    free(r->body);
    free(r->link);
    r->body = NULL;
    r->link = NULL;
}

/* s, or when it is not valid UTF-8 a malloc'd copy (in *copy) with each
 * invalid byte replaced by U+FFFD: jansson refuses invalid UTF-8, and a
 * problem may quote anything a client sent (a method of raw bytes, say). */
static const char *utf8_clean(const char *s, char **copy)
{
    *copy = s != NULL ? model_utf8_repair(s, "\xEF\xBF\xBD") : NULL;
    return *copy != NULL ? *copy : s;
}

void route_buf_put(struct route_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void route_buf_printf(struct route_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->p == NULL || (size_t)n >= b->cap - b->len) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        va_start(ap, fmt);
        vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void route_problem(struct route_response *resp, int status, const char *title,
                   const char *detail, const char *param, const char *allowed)
{
    const char *slug = status == 404 ? "not-found" : status == 405 ? "method-not-allowed"
                     : status == 414 ? "uri-too-long"
                     : status == 503 ? "service-unavailable"
                     : param != NULL ? "invalid-parameter" : "bad-request";
    char type[128];
    snprintf(type, sizeof(type), "%s%s", PROBLEM_BASE, slug);
    char *copies[4];
    title = utf8_clean(title, &copies[0]);
    detail = utf8_clean(detail, &copies[1]);
    param = utf8_clean(param, &copies[2]);
    allowed = utf8_clean(allowed, &copies[3]);
    json_t *p = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", title,
                          "status", status, "detail", detail);
    if (param != NULL)
        json_object_set_new(p, "parameter", json_string(param));
    if (allowed != NULL)
        json_object_set_new(p, "allowed", json_string(allowed));
    for (int i = 0; i < 4; i++)
        free(copies[i]);
    respond_json(resp, status, p);
    resp->content_type = "application/problem+json";
}

void route_not_found(const struct route_request *req, struct route_response *resp)
{
    char detail[300];
    snprintf(detail, sizeof(detail), "There is nothing at %.200s; see /openapi.yaml "
             "for the paths this API serves.", req->path);
    route_problem(resp, 404, "Not Found", detail, NULL, NULL);
}

void respond_json(struct route_response *resp, int status, json_t *v)
{
    resp->status = status;
    resp->content_type = "application/json";
    resp->body = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    resp->body_len = resp->body ? strlen(resp->body) : 0;
    json_decref(v);
}

/* ---- Parameters ---- */

const char *param_get(const struct route_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_params; i++)
        if (strcmp(req->params[i].name, name) == 0)
            return req->params[i].value;
    return NULL;
}

static void allowed_list(const struct param_spec *spec, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (const struct param_spec *p = spec; p->name != NULL && o < size; p++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? ", " : "", p->name);
    if (o == 0)
        snprintf(buf, size, "none");
}

int params_check(const struct route_request *req, const struct param_spec *spec,
                 struct route_response *resp)
{
    char allowed[256], detail[512];
    for (size_t i = 0; i < req->n_params; i++) {
        const struct param_spec *p = spec;
        while (p->name != NULL && strcmp(p->name, req->params[i].name) != 0)
            p++;
        if (p->name == NULL) {
            allowed_list(spec, allowed, sizeof(allowed));
            const char *name = req->params[i].name;
            snprintf(detail, sizeof(detail), "Unknown query parameter \"%.*s\"; "
                     "this resource accepts: %s.", model_utf8_prefix(name, 80), name, allowed);
            route_problem(resp, 400, "Unknown query parameter", detail,
                          req->params[i].name, allowed);
            return -1;
        }
        if (p->repeatable)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(req->params[j].name, p->name) == 0) {
                snprintf(detail, sizeof(detail), "The parameter \"%s\" was given "
                         "more than once; give it once.", p->name);
                route_problem(resp, 400, "Repeated query parameter", detail, p->name, NULL);
                return -1;
            }
        }
    }
    return 0;
}

static int bad_param(struct route_response *resp, const char *name, const char *value,
                     const char *allowed)
{
    char detail[1024];
    snprintf(detail, sizeof(detail), "The value \"%.*s\" of \"%.40s\" is not valid; "
             "expected %.600s.", model_utf8_prefix(value, 100), value, name, allowed);
    route_problem(resp, 400, "Invalid query parameter", detail, name, allowed);
    return -1;
}

int param_limit(const struct route_request *req, size_t *limit, struct route_response *resp)
{
    const char *v = param_get(req, "limit");
    *limit = 50;
    if (v == NULL)
        return 0;
    char *end;
    long n = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || v[0] == '+' || v[0] == ' ' || n < 1 ||
        n > MODEL_LIMIT_MAX || strlen(v) > 3)
        return bad_param(resp, "limit", v, "a whole number from 1 to 500");
    *limit = (size_t)n;
    return 0;
}

int param_sort(const struct route_request *req, int *descending, struct route_response *resp)
{
    const char *v = param_get(req, "sort");
    *descending = 0;
    if (v == NULL || strcmp(v, "start") == 0)
        return 0;
    if (strcmp(v, "-start") == 0) {
        *descending = 1;
        return 0;
    }
    return bad_param(resp, "sort", v, "start (oldest first) or -start (newest first)");
}

static const char DATE_FORMS[] =
    "a date: YYYY, YYYY-MM, YYYY-MM-DD, or an RFC 3339 date-time such as "
    "2025-08-17T14:00:00-04:00";

int param_time(const struct route_request *req, struct model_time_filter *w,
               struct route_response *resp)
{
    char err[200];
    const char *names[2] = {"from", "to"};
    memset(w, 0, sizeof(*w));
    for (int i = 0; i < 2; i++) {
        const char *v = param_get(req, names[i]);
        if (v == NULL)
            continue;
        struct model_time *t = i == 0 ? &w->from : &w->to;
        if (model_date_parse(v, MODEL_DATE_ALLOW_SECONDS, t, err, sizeof(err)) != 0)
            return bad_param(resp, names[i], v, DATE_FORMS);
        if (i == 0)
            w->has_from = 1;
        else
            w->has_to = 1;
    }
    if (w->has_from && w->has_to && w->to.hi <= w->from.lo) {
        route_problem(resp, 400, "Invalid date range",
                      "\"to\" is before \"from\"; give a range whose end is not "
                      "before its start (both are inclusive).", "to", DATE_FORMS);
        return -1;
    }
    return 0;
}

int param_enum(const struct route_request *req, const char *name,
               const char *const *names, int count, int *out, struct route_response *resp)
{
    const char *v = param_get(req, name);
    *out = -1;
    if (v == NULL)
        return 0;
    *out = model_enum_lookup(names, count, v);
    if (*out >= 0)
        return 0;
    char allowed[512];
    size_t o = 0;
    for (int i = 0; i < count && o < sizeof(allowed); i++)
        o += (size_t)snprintf(allowed + o, sizeof(allowed) - o, "%s%s", i ? ", " : "one of ",
                              names[i]);
    return bad_param(resp, name, v, allowed);
}

int param_id(const struct route_request *req, const char *name, const char **out,
             struct route_response *resp)
{
    *out = param_get(req, name);
    if (*out == NULL || model_is_id(*out))
        return 0;
    return bad_param(resp, name, *out, "an id: lowercase letters, digits and single hyphens");
}

static void count_word(const char *tok, size_t len, void *arg)
{
    (void)tok;
    (void)len;
    (*(size_t *)arg)++;
}

int param_text(const struct route_request *req, const char **out, struct route_response *resp)
{
    *out = param_get(req, "q");
    if (*out == NULL)
        return 0;
    size_t n = model_utf8_length(*out, strlen(*out)); /* characters, not bytes */
    size_t words = 0;
    model_tokenize(*out, strlen(*out), count_word, &words);
    if (n == 0 || n > 200 || words > 24)
        return bad_param(resp, "q", *out,
                         "1 to 200 characters of text to search for, at most 24 words");
    return 0;
}

int param_cursor(const struct route_request *req, const char **out, struct route_response *resp)
{
    *out = param_get(req, "cursor");
    if (*out == NULL || (strlen(*out) > 0 && strlen(*out) < MODEL_CURSOR_MAX))
        return 0;
    return bad_param(resp, "cursor", *out, "the next_cursor of a previous page");
}

void respond_bad_cursor(struct route_response *resp, const char *detail)
{
    route_problem(resp, 400, "Invalid cursor", detail, "cursor",
                  "the next_cursor of a previous page of the same query");
}

/* ---- Rendering ---- */

static json_t *str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

/* Where a date comes from: reported, resolved (phrase, source), ... */
static json_t *json_basis(const struct model_date *d)
{
    json_t *b = json_pack("{s:s}", "basis", model_basis_names[d->basis]);
    if (d->phrase != NULL)
        json_object_set_new(b, "phrase", json_string(d->phrase));
    if (d->anchor != NULL)
        json_object_set_new(b, "source", json_string(d->anchor->id));
    if (d->note != NULL)
        json_object_set_new(b, "note", json_string(d->note));
    return b;
}

static json_t *json_citations(const struct model_citation *c, size_t n, int quote)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s, s:I, s:I}", "source", c[i].source->id,
                              "start", (json_int_t)c[i].start, "end", (json_int_t)c[i].end);
        if (quote) {
            json_object_set_new(o, "publisher", json_string(c[i].source->publisher->name));
            json_object_set_new(o, "exact", json_string(c[i].text));
        }
        json_array_append_new(a, o);
    }
    return a;
}

json_t *json_event(const struct model_event *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(e->id));
    json_object_set_new(o, "type", json_string(model_event_type_names[e->type]));
    json_object_set_new(o, "title", json_string(e->title));
    json_object_set_new(o, "summary", json_string(e->summary));
    json_object_set_new(o, "status", json_string(model_event_status_names[e->status]));
    json_object_set_new(o, "start", json_string(e->start.text));
    json_object_set_new(o, "end", e->end ? json_string(e->end->text) : json_null());
    json_object_set_new(o, "precision",
                        json_string(model_precision_name(e->start.time.precision)));
    json_object_set_new(o, "timezone", str_or_null(e->timezone));
    json_t *dating = json_pack("{s:o}", "start", json_basis(&e->start));
    if (e->end != NULL)
        json_object_set_new(dating, "end", json_basis(e->end));
    json_object_set_new(o, "dating", dating);
    if (e->location != NULL) {
        const struct model_location *l = e->location;
        json_object_set_new(o, "location", json_pack("{s:s, s:o, s:o, s:o}",
            "name", l->name, "country", str_or_null(l->country),
            "lat", l->has_coordinates ? json_real(l->lat) : json_null(),
            "lon", l->has_coordinates ? json_real(l->lon) : json_null()));
    } else {
        json_object_set_new(o, "location", json_null());
    }
    json_t *parts = json_array();
    for (size_t i = 0; i < e->n_participants; i++)
        json_array_append_new(parts, json_pack("{s:s, s:s, s:s}",
            "id", e->participants[i].actor->id, "name", e->participants[i].actor->name,
            "role", model_role_names[e->participants[i].role]));
    json_object_set_new(o, "participants", parts);
    json_object_set_new(o, "citations", json_citations(e->citations, e->n_citations, 0));
    json_object_set_new(o, "parent", e->parent ? json_string(e->parent->id) : json_null());
    json_t *rel = json_array();
    for (size_t i = 0; i < e->n_related; i++)
        json_array_append_new(rel, json_string(e->related[i]->id));
    json_object_set_new(o, "related", rel);
    json_object_set_new(o, "quote_count", json_integer(e->quote_count));
    return o;
}

json_t *json_quote(const struct model_quote *q)
{
    json_t *topics = json_array();
    for (size_t i = 0; i < q->n_topics; i++)
        json_array_append_new(topics, json_string(q->topics[i]));
    return json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:o, s:s, s:s, s:o, s:o, s:o}",
        "id", q->id, "text", q->text, "kind", model_quote_kind_names[q->kind],
        "speaker", "id", q->speaker->id, "name", q->speaker->name,
        "event", q->event ? json_string(q->event->id) : json_null(),
        "date", q->said.text,
        "precision", model_precision_name(q->said.time.precision),
        "dating", json_basis(&q->said),
        "topics", topics,
        "citations", json_citations(q->citations, q->n_citations, 1));
}

json_t *json_actor(const struct model_actor *a)
{
    json_t *aliases = json_array(), *roles = json_array();
    for (size_t i = 0; i < a->n_aliases; i++)
        json_array_append_new(aliases, json_string(a->aliases[i]));
    for (size_t i = 0; i < a->n_roles; i++) {
        const struct model_role *r = &a->roles[i];
        json_array_append_new(roles, json_pack("{s:s, s:o, s:o, s:o}",
            "title", r->title,
            "organization", r->organization ? json_string(r->organization->id) : json_null(),
            "from", r->from ? json_string(r->from->text) : json_null(),
            "to", r->to ? json_string(r->to->text) : json_null()));
    }
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "id", a->id, "name", a->name,
                     "kind", model_actor_kind_names[a->kind], "aliases", aliases,
                     "roles", roles, "wikidata", str_or_null(a->wikidata));
}

static json_t *id_list(const void *const *items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(*(const char *const *)items[i]));
    return a;
}

json_t *json_source(const struct model_source *s, int with_supports)
{
    json_t *o = json_pack("{s:s, s:{s:s, s:s}, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:I}",
        "id", s->id, "publisher", "id", s->publisher->id, "name", s->publisher->name,
        "title", s->title, "author", str_or_null(s->author),
        "published", s->published.text,
        "precision", model_precision_name(s->published.time.precision),
        "language", s->language, "url", str_or_null(s->url),
        "dateline", str_or_null(s->dateline),
        "original", s->original_file, "sha256", s->sha256, "length", (json_int_t)s->length);
    json_object_set_new(o, "dating", json_basis(&s->published));
    json_object_set_new(o, "syndication", s->via == NULL ? json_null() :
        json_pack("{s:s, s:s, s:o}", "via", s->via->id, "name", s->via->name,
                  "note", str_or_null(s->syndication_note)));
    if (with_supports)
        json_object_set_new(o, "supports", json_pack("{s:o, s:o, s:o}",
            "events", id_list((const void *const *)s->events, s->n_events),
            "quotes", id_list((const void *const *)s->quotes, s->n_quotes),
            "actors", id_list((const void *const *)s->actors, s->n_actors)));
    else
        json_object_set_new(o, "counts", json_pack("{s:I, s:I, s:I}",
            "events", (json_int_t)s->n_events, "quotes", (json_int_t)s->n_quotes,
            "actors", (json_int_t)s->n_actors));
    return o;
}

/* ---- Collections ---- */

/* Appends s percent-encoded (all but RFC 3986's unreserved characters). */
static void buf_url_encoded(struct route_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            route_buf_put(b, s, 1);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            route_buf_put(b, esc, 3);
        }
    }
}

/* The request's path and parameters, with cursor replaced by new_cursor
 * (dropped when NULL), every value whole however long: a cut one would make
 * links.next another query (or invalid UTF-8) that its cursor does not fit.
 * Returns a malloc'd string. */
static char *page_url(const struct route_request *req, const char *new_cursor)
{
    struct route_buf b = {NULL, 0, 0};
    route_buf_printf(&b, "%s", req->path);
    int first = 1;
    for (size_t i = 0; i <= req->n_params; i++) {
        const char *name, *value;
        if (i < req->n_params) {
            name = req->params[i].name;
            value = req->params[i].value;
            if (strcmp(name, "cursor") == 0)
                continue;
        } else if (new_cursor != NULL) {
            name = "cursor";
            value = new_cursor;
        } else {
            break;
        }
        route_buf_put(&b, first ? "?" : "&", 1);
        buf_url_encoded(&b, name);
        route_buf_put(&b, "=", 1);
        buf_url_encoded(&b, value);
        first = 0;
    }
    return b.p;
}

static const struct route_fragment *fragment_of(const struct route_request *req,
                                                enum route_kind kind, const void *item)
{
    const struct route_render *r = req->ctx->render;
    if (r == NULL)
        return NULL;
    switch (kind) {
    case ROUTE_EVENTS: return &r->events[((const struct model_event *)item)->rank];
    case ROUTE_QUOTES: return &r->quotes[((const struct model_quote *)item)->rank];
    case ROUTE_ACTORS: return &r->actors[((const struct model_actor *)item)->rank];
    default: return &r->sources[((const struct model_source *)item)->rank];
    }
}

void respond_entity(const struct route_request *req, struct route_response *resp,
                    enum route_kind kind, const void *item, json_t *(*render)(const void *))
{
    const struct route_fragment *f = fragment_of(req, kind, item);
    if (f == NULL || f->json == NULL) {
        respond_json(resp, 200, render(item));
        return;
    }
    resp->status = 200;
    resp->content_type = "application/json";
    resp->borrowed = f->json;
    resp->body_len = f->len;
}

/* v (stolen) as compact JSON with sorted keys, or null. */
static void buf_json(struct route_buf *b, json_t *v)
{
    char *enc = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    route_buf_printf(b, "%s", enc ? enc : "null");
    free(enc);
    json_decref(v);
}

void respond_page(const struct route_request *req, struct route_response *resp,
                  const struct model_page *page, size_t limit, enum route_kind kind,
                  json_t *(*render)(const void *item))
{
    int more = page->next_cursor[0] != '\0';
    char *self = page_url(req, param_get(req, "cursor"));
    char *next = more ? page_url(req, page->next_cursor) : NULL;
    if (next != NULL && asprintf(&resp->link, "<%s>; rel=\"next\"", next) < 0)
        resp->link = NULL;
    /* The envelope is written by hand with its keys in sorted order, as
     * JSON_SORT_KEYS would: {"data":[…],"links":{"next","self"},"meta":{…}}. */
    struct route_buf b = {NULL, 0, 0};
    route_buf_printf(&b, "{\"data\":[");
    for (size_t i = 0; i < page->count; i++) {
        if (i > 0)
            route_buf_put(&b, ",", 1);
        const struct route_fragment *f = fragment_of(req, kind, page->items[i]);
        if (f != NULL && f->json != NULL)
            route_buf_put(&b, f->json, f->len);
        else
            buf_json(&b, render(page->items[i]));
    }
    route_buf_printf(&b, "],\"links\":{\"next\":");
    buf_json(&b, next ? json_string(next) : NULL);
    route_buf_printf(&b, ",\"self\":");
    buf_json(&b, json_string(self));
    route_buf_printf(&b, "},\"meta\":{\"limit\":%zu,\"next_cursor\":", limit);
    buf_json(&b, more ? json_string(page->next_cursor) : NULL);
    route_buf_printf(&b, ",\"total\":%zu}}", page->total);
    free(self);
    free(next);
    resp->status = 200;
    resp->content_type = "application/json";
    resp->body = b.p;
    resp->body_len = b.len;
}
