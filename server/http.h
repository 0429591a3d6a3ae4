/* The HTTP server: libmicrohttpd in front of the route table. */
#ifndef SERVER_HTTP_H
#define SERVER_HTTP_H

#include <stddef.h>

#include "model.h"
#include "route.h"

struct server_config {
    const char *bind;      /* IPv4 or IPv6 address */
    unsigned port;         /* 0: any free port */
    unsigned threads;      /* thread pool size; 0: one per core */
    int access_log;        /* one line per request on stderr */
    unsigned max_connections;
    unsigned max_per_client; /* open connections from one address; 0: no limit */
    unsigned timeout_s;    /* idle connection timeout */
    unsigned cache_mb;     /* memory for recent responses, MiB; 0: no such cache */
    unsigned large_mb;     /* memory for large answers being sent, MiB (one always passes) */
};

struct server;

/* Starts serving snap, which the server takes (it frees it when it is no
 * longer served, or at once when the daemon cannot start). Raises the soft
 * open-file limit to what cfg->max_connections needs, or serves fewer
 * connections and says so on stderr. Returns NULL and a message in err when
 * the daemon cannot start. */
struct server *server_start(const struct server_config *cfg, struct model_snapshot *snap,
                            const struct route_context *ctx, char *err, size_t errlen);
/* After a reload: serve snap (taken) from now on; requests in flight finish
 * on the old one. With snap NULL, the reload failed: keep serving, and report
 * error (copied) in /health. Returns 0 when snap is served, -1 when it is
 * not (snap NULL, or no memory to serve it: then freed, and that reported). */
int server_reload(struct server *srv, struct model_snapshot *snap, const char *error);
/* Before a reload loads the corpus, from the thread that calls
 * server_reload: shuts down the connections still answering from a corpus
 * an earlier reload replaced whose clients have left their answer unread
 * for a second or more, so that it is freed. At most one replaced corpus
 * outlives a reload for clients that do not read. */
void server_free_replaced(struct server *srv);
/* The port actually bound. */
unsigned server_port(const struct server *srv);
/* Stops accepting, lets requests in flight finish (up to drain_s seconds),
 * then stops and frees everything. */
void server_stop(struct server *srv, unsigned drain_s);

#endif
