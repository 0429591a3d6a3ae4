#define _GNU_SOURCE
#include "common.h"

#include <stdarg.h>
#include <stdint.h>
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
    route_rope_delete(r->rope);
    r->body = NULL;
    r->link = NULL;
    r->rope = NULL;
}

int route_response_flatten(struct route_response *r)
{
    if (r->rope == NULL)
        return 0;
    char *body = malloc(r->body_len + 1);
    if (body == NULL)
        return -1;
    struct route_rope_at at = {0, 0};
    route_rope_read(r->rope, &at, 0, body, r->body_len);
    body[r->body_len] = '\0';
    route_rope_delete(r->rope);
    r->rope = NULL;
    r->body = body;
    return 0;
}

/* ---- Ropes ---- */

/* Span s of r (route_rope_at): its bytes, and their count in *len. */
static const char *rope_span(const struct route_rope *r, size_t s, size_t *len)
{
    size_t i = s / 2;
    if (s % 2 == 1) {
        *len = r->pieces[i].len;
        return r->pieces[i].p;
    }
    size_t from = i == 0 ? 0 : r->pieces[i - 1].own_at;
    size_t to = i < r->n ? r->pieces[i].own_at : r->own.len;
    *len = to - from;
    return *len > 0 ? r->own.p + from : "";
}

size_t route_rope_read(const struct route_rope *r, struct route_rope_at *at, size_t pos,
                       char *out, size_t max)
{
    if (pos < at->start) /* backwards: from the start again */
        *at = (struct route_rope_at){0, 0};
    size_t done = 0;
    while (done < max && at->span <= 2 * r->n) {
        size_t len;
        const char *p = rope_span(r, at->span, &len);
        size_t off = pos + done - at->start;
        if (off >= len) {
            at->start += len;
            at->span++;
            continue;
        }
        size_t k = len - off < max - done ? len - off : max - done;
        memcpy(out + done, p + off, k);
        done += k;
    }
    return done;
}

size_t route_rope_memory(const struct route_rope *r)
{
    return r->own.cap + r->cap * sizeof(*r->pieces);
}

void route_rope_free(struct route_rope *r)
{
    free(r->own.p);
    free(r->pieces);
    memset(r, 0, sizeof(*r));
}

void route_rope_delete(struct route_rope *r)
{
    if (r == NULL)
        return;
    route_rope_free(r);
    free(r);
}

/* Appends n bytes at p, which outlive r, without copying them. */
static void rope_borrow(struct route_rope *r, const char *p, size_t n)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->pieces = realloc(r->pieces, r->cap * sizeof(*r->pieces));
    }
    r->pieces[r->n++] = (struct route_piece){p, (uint32_t)n, (uint32_t)r->own.len};
    r->borrowed_len += n;
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
                     : status == 412 ? "precondition-failed"
                     : status == 413 ? "content-too-large"
                     : status == 414 ? "uri-too-long"
                     : status == 501 ? "not-implemented"
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

void respond_buf(struct route_response *resp, struct route_buf *b)
{
    resp->status = 200;
    resp->content_type = "application/json";
    resp->body = b->p;
    resp->body_len = b->len;
    memset(b, 0, sizeof(*b));
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

void put_item(struct route_rope *r, const struct route_request *req, enum route_kind kind,
              const void *item)
{
    const struct route_fragment *f = route_render_fragment(req->ctx->render, kind, item);
    if (f == NULL)
        render_item(&r->own, kind, item);
    else if (r->own.len + r->borrowed_len + f->len < ROUTE_ROPE_MIN ||
             r->own.len > UINT32_MAX || f->len > UINT32_MAX)
        route_buf_put(&r->own, f->json, f->len);
    else
        rope_borrow(r, f->json, f->len);
}

void respond_rope(struct route_response *resp, struct route_rope *r)
{
    if (r->n == 0) {
        respond_buf(resp, &r->own);
        return;
    }
    struct route_rope *kept = malloc(sizeof(*kept));
    if (kept == NULL) {
        route_rope_free(r);
        route_problem(resp, 503, "Service Unavailable", "The server is out of memory; "
                      "try again later.", NULL, NULL);
        return;
    }
    /* it is held until its client has read it: no slack */
    struct route_piece *exact = realloc(r->pieces, r->n * sizeof(*r->pieces));
    if (exact != NULL) {
        r->pieces = exact;
        r->cap = r->n;
    }
    char *own = realloc(r->own.p, r->own.len + 1);
    if (own != NULL) {
        r->own.p = own;
        r->own.cap = r->own.len + 1;
    }
    *kept = *r;
    memset(r, 0, sizeof(*r));
    resp->status = 200;
    resp->content_type = "application/json";
    resp->rope = kept;
    resp->body_len = kept->own.len + kept->borrowed_len;
}

void respond_entity(const struct route_request *req, struct route_response *resp,
                    enum route_kind kind, const void *item)
{
    const struct route_fragment *f = route_render_fragment(req->ctx->render, kind, item);
    if (f != NULL) {
        resp->status = 200;
        resp->content_type = "application/json";
        resp->borrowed = f->json;
        resp->body_len = f->len;
        return;
    }
    struct route_buf b = {NULL, 0, 0};
    render_item(&b, kind, item);
    respond_buf(resp, &b);
}

void respond_page(const struct route_request *req, struct route_response *resp,
                  const struct model_page *page, size_t limit, enum route_kind kind)
{
    int more = page->next_cursor[0] != '\0';
    char *self = page_url(req, param_get(req, "cursor"));
    char *next = more ? page_url(req, page->next_cursor) : NULL;
    if (next != NULL && asprintf(&resp->link, "<%s>; rel=\"next\"", next) < 0)
        resp->link = NULL;
    /* {"data":[…],"links":{"next","self"},"meta":{…}}, keys in sorted order
     * as everywhere (render.h). */
    struct route_rope r = {{NULL, 0, 0}, NULL, 0, 0, 0};
    struct route_buf *b = &r.own;
    RENDER_LIT(b, "{\"data\":[");
    for (size_t i = 0; i < page->count; i++) {
        if (i > 0)
            RENDER_LIT(b, ",");
        put_item(&r, req, kind, page->items[i]);
    }
    RENDER_LIT(b, "],\"links\":{\"next\":");
    render_string_or_null(b, next);
    RENDER_LIT(b, ",\"self\":");
    render_string(b, self);
    route_buf_printf(b, "},\"meta\":{\"limit\":%zu,\"next_cursor\":", limit);
    render_string_or_null(b, more ? page->next_cursor : NULL);
    route_buf_printf(b, ",\"total\":%zu}}", page->total);
    free(self);
    free(next);
    respond_rope(resp, &r);
}
