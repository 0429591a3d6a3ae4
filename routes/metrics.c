/* GET /metrics: the server's counters in the Prometheus text format. */
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

const int metrics_statuses[METRICS_STATUSES - 1] = {200, 204, 304, 400, 404, 405, 413, 414, 431,
                                                 500, 501, 503};
const unsigned long metrics_bucket_us[METRICS_BUCKETS] = {
    50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 1000000};

void metrics_count(struct route_metrics *m, size_t route, int status, unsigned long us)
{
    if (m == NULL)
        return;
    size_t s = 0;
    while (s < METRICS_STATUSES - 1 && metrics_statuses[s] != status)
        s++;
    if (route > route_table_size)
        route = route_table_size; /* "none" */
    atomic_fetch_add_explicit(&m->requests[route][s], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < METRICS_BUCKETS && us > metrics_bucket_us[b])
        b++;
    atomic_fetch_add_explicit(&m->latency[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_sum_us, us, memory_order_relaxed);
}

static unsigned long get(atomic_ulong *a)
{
    return atomic_load_explicit(a, memory_order_relaxed);
}

void route_metrics(const struct route_request *req, struct route_response *resp)
{
    static const struct param_spec spec[] = {{NULL, 0}};
    if (params_check(req, spec, resp) != 0)
        return;
    struct route_metrics *m = req->ctx->metrics;
    const struct model_snapshot *s = req->snap;
    struct route_buf o = {NULL, 0, 0};
    route_buf_printf(&o, "# HELP timeline_requests_total Requests answered, by route and status.\n"
            "# TYPE timeline_requests_total counter\n");
    for (size_t r = 0; r <= route_table_size; r++) {
        const char *route = r < route_table_size ? route_table[r].pattern : "none";
        for (size_t st = 0; st < METRICS_STATUSES; st++) {
            unsigned long n = get(&m->requests[r][st]);
            if (n == 0)
                continue;
            char code[8];
            if (st < METRICS_STATUSES - 1)
                snprintf(code, sizeof(code), "%d", metrics_statuses[st]);
            else
                snprintf(code, sizeof(code), "other");
            route_buf_printf(&o, "timeline_requests_total{route=\"%s\",status=\"%s\"} %lu\n",
                             route, code, n);
        }
    }
    route_buf_printf(&o, "# HELP timeline_request_duration_seconds Time from the request line "
            "to the whole response written to the socket.\n"
            "# TYPE timeline_request_duration_seconds histogram\n");
    unsigned long cum = 0;
    for (size_t b = 0; b <= METRICS_BUCKETS; b++) {
        cum += get(&m->latency[b]);
        if (b < METRICS_BUCKETS)
            route_buf_printf(&o, "timeline_request_duration_seconds_bucket{le=\"%g\"} %lu\n",
                (double)metrics_bucket_us[b] / 1e6, cum);
        else
            route_buf_printf(&o, "timeline_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n",
                             cum);
    }
    route_buf_printf(&o, "timeline_request_duration_seconds_sum %.6f\n"
            "timeline_request_duration_seconds_count %lu\n",
        (double)get(&m->latency_sum_us) / 1e6, cum);
    route_buf_printf(&o, "# HELP timeline_cache_hits_total Responses served from what was "
            "built when the corpus was loaded, or for an earlier request.\n"
            "# TYPE timeline_cache_hits_total counter\n"
            "timeline_cache_hits_total{kind=\"prebuilt_response\"} %lu\n"
            "timeline_cache_hits_total{kind=\"prebuilt_fragments\"} %lu\n"
            "timeline_cache_hits_total{kind=\"recent_response\"} %lu\n"
            "timeline_cache_hits_total{kind=\"not_modified\"} %lu\n",
        get(&m->prebuilt_hits), get(&m->fragment_hits), get(&m->recent_hits),
        get(&m->not_modified));
    route_buf_printf(&o, "# HELP timeline_recent_responses_gzipped_total Cached recent "
            "answers gzipped (once each, then kept beside them) when a client that "
            "accepts gzip asked for one again.\n"
            "# TYPE timeline_recent_responses_gzipped_total counter\n"
            "timeline_recent_responses_gzipped_total %lu\n",
            get(&m->recent_gzipped));
    route_buf_printf(&o, "# HELP timeline_large_responses_gzipped_total Answers too large "
            "to cache (over 256 KiB, built for their request) gzipped as they were sent, "
            "to clients that accept gzip.\n"
            "# TYPE timeline_large_responses_gzipped_total counter\n"
            "timeline_large_responses_gzipped_total %lu\n",
            get(&m->sent_gzipped));
    route_buf_printf(&o, "# HELP timeline_reloads_total Corpus reloads (SIGHUP) that succeeded.\n"
            "# TYPE timeline_reloads_total counter\ntimeline_reloads_total %lu\n"
            "# HELP timeline_reload_failures_total Corpus reloads that failed (the old "
            "corpus kept serving).\n# TYPE timeline_reload_failures_total counter\n"
            "timeline_reload_failures_total %lu\n"
            "# HELP timeline_corpora_replaced Corpora that a reload has replaced, still "
            "held by answers being sent (a client that leaves such an answer unread for "
            "a second is shut down when the next reload starts).\n"
            "# TYPE timeline_corpora_replaced gauge\ntimeline_corpora_replaced %lu\n",
        get(&m->reloads), get(&m->reload_failures), get(&m->corpora_replaced));
    route_buf_printf(&o, "# HELP timeline_connections_evicted_total Connections shut down at "
            "the connection limit to make room for a new one, or (read) at "
            "--large-answers-mb for a large answer or at a reload to free a replaced "
            "corpus: each had waited at least a second on its client, for a request or "
            "to read a response.\n"
            "# TYPE timeline_connections_evicted_total counter\n"
            "timeline_connections_evicted_total{waiting_for=\"request\"} %lu\n"
            "timeline_connections_evicted_total{waiting_for=\"read\"} %lu\n",
            get(&m->evicted_waiting), get(&m->evicted_reading));
    route_buf_printf(&o, "# HELP timeline_large_answer_bytes Memory held by answers built "
            "for their request that each hold over 256 KiB and are still being sent "
            "(at most --large-answers-mb).\n# TYPE timeline_large_answer_bytes gauge\n"
            "timeline_large_answer_bytes %lu\n"
            "# HELP timeline_large_answers_refused_total Requests answered 503 because "
            "their large answer would have held more than --large-answers-mb.\n"
            "# TYPE timeline_large_answers_refused_total counter\n"
            "timeline_large_answers_refused_total %lu\n",
            get(&m->large_answer_bytes), get(&m->large_answers_refused));
    route_buf_printf(&o, "# HELP timeline_connections_open Connections open now, including "
            "those being refused at the limit.\n# TYPE timeline_connections_open gauge\n"
            "timeline_connections_open %lu\n"
            "# HELP timeline_connections_limit Connections served at once: --max-connections, "
            "or fewer when the open-file limit allows fewer.\n"
            "# TYPE timeline_connections_limit gauge\ntimeline_connections_limit %lu\n",
            get(&m->connections_open), get(&m->connections_limit));
    route_buf_printf(&o, "# HELP timeline_corpus_items Items in the corpus being served.\n"
            "# TYPE timeline_corpus_items gauge\n"
            "timeline_corpus_items{kind=\"sources\"} %zu\n"
            "timeline_corpus_items{kind=\"actors\"} %zu\n"
            "timeline_corpus_items{kind=\"events\"} %zu\n"
            "timeline_corpus_items{kind=\"quotes\"} %zu\n"
            "timeline_corpus_items{kind=\"citations\"} %zu\n"
            "# HELP timeline_corpus_loaded_timestamp_seconds When the corpus being served "
            "was loaded.\n# TYPE timeline_corpus_loaded_timestamp_seconds gauge\n"
            "timeline_corpus_loaded_timestamp_seconds %lld\n",
        s->n_sources, s->n_actors, s->n_events, s->n_quotes, s->n_citations,
        (long long)s->loaded_at);
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp->body = o.p;
    resp->body_len = o.len;
    resp->uncacheable = 1;
}
