/* GET /health, GET /openapi.yaml */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"

void route_health(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{NULL, 0}};
    if (params_check(req, spec, resp) != 0)
        return;
    const struct model_snapshot *s = req->snap;
    char loaded[32];
    struct tm tm;
    gmtime_r(&s->loaded_at, &tm);
    strftime(loaded, sizeof(loaded), "%Y-%m-%dT%H:%M:%SZ", &tm);
    const char *err = req->ctx->last_reload_error;
    const char *at = req->ctx->last_reload_at;
    respond_json(resp, 200, json_pack(
        "{s:s, s:s, s:{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:o, s:o}",
        "status", "ok", "server_version", req->ctx->version,
        "corpus", "version", s->version, "loaded_at", loaded,
        "files", (json_int_t)s->n_files, "sources", (json_int_t)s->n_sources,
        "actors", (json_int_t)s->n_actors, "events", (json_int_t)s->n_events,
        "quotes", (json_int_t)s->n_quotes, "citations", (json_int_t)s->n_citations,
        "proven_citations", (json_int_t)s->n_proven,
        "last_reload_error", err ? json_string(err) : json_null(),
        "last_reload_at", at ? json_string(at) : json_null()));
    resp->uncacheable = 1; /* loaded_at and the reload error change on their own */
}

void route_openapi(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{NULL, 0}};
    if (params_check(req, spec, resp) != 0)
        return;
    resp->status = 200;
    resp->content_type = "application/yaml";
    resp->body = malloc(req->ctx->openapi_len + 1);
    memcpy(resp->body, req->ctx->openapi, req->ctx->openapi_len);
    resp->body[req->ctx->openapi_len] = '\0';
    resp->body_len = req->ctx->openapi_len;
}
