/* Counters the server keeps and GET /metrics reports (Prometheus text
 * format). Updated with relaxed atomics from every worker thread. */
#ifndef ROUTES_METRICS_H
#define ROUTES_METRICS_H

#include <stdatomic.h>
#include <stddef.h>

#define METRICS_ROUTES 32 /* room for the route table's entries and "none" */
#define METRICS_STATUSES 13
#define METRICS_BUCKETS 12

/* The statuses counted one by one; anything else is "other". */
extern const int metrics_statuses[METRICS_STATUSES - 1];
/* Upper bounds of the latency histogram, in microseconds. */
extern const unsigned long metrics_bucket_us[METRICS_BUCKETS];

struct route_metrics {
    atomic_ulong requests[METRICS_ROUTES][METRICS_STATUSES];
    atomic_ulong latency[METRICS_BUCKETS + 1]; /* last: +Inf */
    atomic_ulong latency_sum_us;
    atomic_ulong prebuilt_hits;  /* served from a response built at load */
    atomic_ulong fragment_hits;  /* assembled from prebuilt fragments */
    atomic_ulong recent_hits;    /* a recent response, cached */
    atomic_ulong recent_gzipped; /* recent responses gzipped for a repeat */
    atomic_ulong sent_gzipped;   /* answers too large to cache, gzipped as sent */
    atomic_ulong not_modified;
    atomic_ulong reloads;
    atomic_ulong reload_failures;
    /* connections shut down to make room at the limit: one that waited for
     * a request, one that waited for its client to read its response */
    atomic_ulong evicted_waiting;
    atomic_ulong evicted_reading;
    atomic_ulong large_answer_bytes;    /* large answers built and not yet sent */
    atomic_ulong large_answers_refused; /* 503s: that memory was full */
    atomic_ulong corpora_replaced;  /* replaced by a reload, still held by answers */
    atomic_ulong connections_open;  /* accepted and not yet closed */
    atomic_ulong connections_limit; /* served at once (--max-connections, or fewer) */
};

/* Counts one request: route index (route_table_size for none), status and
 * microseconds taken. */
void metrics_count(struct route_metrics *m, size_t route, int status, unsigned long us);

#endif
