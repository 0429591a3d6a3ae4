/* timeline-server: serves an annotated corpus over HTTP.
 * Options are documented in USAGE; see README.md for a tour. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "model.h"
#include "text.h"

#ifndef TIMELINE_DATA_DIR
#define TIMELINE_DATA_DIR "data"
#endif
#ifndef TIMELINE_VERSION
#define TIMELINE_VERSION "0"
#endif

extern const char server_openapi_yaml[];
extern const size_t server_openapi_yaml_len;
extern const char server_build_id[];

static const char USAGE[] =
    "usage: timeline-server [--bind ADDR] [--port N] [--data DIR] [--originals DIR]\n"
    "                       [--threads N] [--cache-mb N] [--large-answers-mb N]\n"
    "                       [--max-connections N]\n"
    "                       [--max-connections-per-ip N] [--access-log] [--help] [--version]\n"
    "  --bind ADDR       address to listen on (default 127.0.0.1; 0.0.0.0 or :: for all)\n"
    "  --port N          port (default 8080; 0 picks a free one)\n"
    "  --data DIR        corpus directory (default " TIMELINE_DATA_DIR ")\n"
    "  --originals DIR   prove every quote against the original articles at start-up\n"
    "  --threads N       worker threads (default: one per core)\n"
    "  --cache-mb N      memory for recent answers (filtered lists, single\n"
    "                    resources), in MiB (default 32; 0: none)\n"
    "  --large-answers-mb N  memory held by answers built for their request\n"
    "                    that each hold over 256 KiB while they are sent, in\n"
    "                    MiB (default 256); one that would go over is answered\n"
    "                    503 (one alone always passes)\n"
    "  --max-connections N  open connections served (default 1000); one opened\n"
    "                    beyond them replaces the one waiting longest (1 s or\n"
    "                    more) on its client, for a request or to read an\n"
    "                    answer, or is answered 503 and closed; fewer when\n"
    "                    the open-file limit (ulimit -n) is below 2 N + 64\n"
    "  --max-connections-per-ip N  open connections served to one client address\n"
    "                    (default 0: no such limit, as behind a proxy); one\n"
    "                    opened beyond them is answered 503 and closed\n"
    "  --access-log      one line per request on stderr\n"
    "The address it listens on is printed on standard output once it serves.\n"
    "SIGHUP: load the corpus again; if it is valid, serve it (requests in flight\n"
    "finish on the old one; a client that leaves its answer unread for a second\n"
    "is shut down when the next reload starts); if not, keep serving the old one\n"
    "and log every error.\n"
    "SIGTERM or SIGINT: stop accepting, close idle connections, finish requests\n"
    "in flight (up to 5 s), exit 0.\n";

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == '\0' || *end != '\0' || s[0] == '-' || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "timeline-server: %s: %s\n%s", arg, what, USAGE);
    return 2;
}

/* Loads the corpus again beside the one being served (SIGHUP). */
static void reload(struct server *srv, const char *data, const struct model_load_options *opts)
{
    struct model_diagnostics diag = {0};
    struct model_snapshot *snap = NULL;
    fprintf(stderr, "timeline-server: SIGHUP received, loading %s\n", data);
    server_free_replaced(srv); /* room for the new corpus */
    if (model_load(data, opts, &snap, &diag) == 0) {
        char version[16];
        size_t events = snap->n_events, quotes = snap->n_quotes;
        snprintf(version, sizeof(version), "%.12s", snap->version);
        if (server_reload(srv, snap, NULL) == 0) /* snap taken */
            fprintf(stderr, "timeline-server: now serving corpus %s (%zu events, %zu "
                    "quotes)\n", version, events, quotes);
        else
            fprintf(stderr, "timeline-server: reload failed: out of memory for the new "
                    "corpus; still serving the previous one\n");
        return;
    }
    for (size_t i = 0; i < diag.count; i++)
        fprintf(stderr, "%s\n", diag.messages[i]);
    /* At most 400 bytes of the first error, without cutting a UTF-8
     * character in two: /health serves the summary as a JSON string, and
     * jansson refuses invalid UTF-8 (the body would be empty). */
    const char *first = diag.count ? diag.messages[0] : "";
    int n = model_utf8_prefix(first, 400);
    char summary[600];
    snprintf(summary, sizeof(summary), "%zu error%s; still serving the previous corpus. "
             "First: %.*s", diag.count, diag.count == 1 ? "" : "s", n, first);
    fprintf(stderr, "timeline-server: reload failed: %s\n", summary);
    server_reload(srv, NULL, summary);
    model_diagnostics_free(&diag);
}

int main(int argc, char **argv)
{
    /* A SIGHUP during the first load (which can take seconds) would end the
     * process; blocked from the start, it waits for sigwait() below. */
    sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &hup, NULL);
    struct server_config cfg = {.bind = "127.0.0.1", .port = 8080, .max_connections = 1000,
                                .timeout_s = 30, .cache_mb = 32, .large_mb = 256};
    const char *data = TIMELINE_DATA_DIR, *originals = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0) {
            fputs(USAGE, stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("timeline-server %s\n", server_build_id);
            return 0;
        } else if (strcmp(a, "--access-log") == 0) {
            cfg.access_log = 1;
        } else if (v == NULL && (strcmp(a, "--bind") == 0 || strcmp(a, "--port") == 0 ||
                                 strcmp(a, "--data") == 0 || strcmp(a, "--originals") == 0 ||
                                 strcmp(a, "--threads") == 0 || strcmp(a, "--cache-mb") == 0 ||
                                 strcmp(a, "--large-answers-mb") == 0 ||
                                 strcmp(a, "--max-connections") == 0 ||
                                 strcmp(a, "--max-connections-per-ip") == 0)) {
            return usage_error("needs a value", a);
        } else if (strcmp(a, "--bind") == 0) {
            cfg.bind = argv[++i];
        } else if (strcmp(a, "--port") == 0) {
            if (parse_uint(argv[++i], 65535, &cfg.port) != 0)
                return usage_error("--port takes a number from 0 to 65535", v);
        } else if (strcmp(a, "--threads") == 0) {
            if (parse_uint(argv[++i], 256, &cfg.threads) != 0 || cfg.threads == 0)
                return usage_error("--threads takes a number from 1 to 256", v);
        } else if (strcmp(a, "--cache-mb") == 0) {
            if (parse_uint(argv[++i], 65536, &cfg.cache_mb) != 0)
                return usage_error("--cache-mb takes a number from 0 to 65536", v);
        } else if (strcmp(a, "--large-answers-mb") == 0) {
            if (parse_uint(argv[++i], 65536, &cfg.large_mb) != 0 || cfg.large_mb == 0)
                return usage_error("--large-answers-mb takes a number from 1 to 65536", v);
        } else if (strcmp(a, "--max-connections") == 0) {
            if (parse_uint(argv[++i], 100000, &cfg.max_connections) != 0 ||
                cfg.max_connections == 0)
                return usage_error("--max-connections takes a number from 1 to 100000", v);
        } else if (strcmp(a, "--max-connections-per-ip") == 0) {
            if (parse_uint(argv[++i], 100000, &cfg.max_per_client) != 0)
                return usage_error("--max-connections-per-ip takes a number from 0 (no limit) "
                                   "to 100000", v);
        } else if (strcmp(a, "--data") == 0) {
            data = argv[++i];
        } else if (strcmp(a, "--originals") == 0) {
            originals = argv[++i];
        } else {
            return usage_error("unknown argument", a);
        }
    }

    struct model_load_options opts = {originals};
    struct model_diagnostics diag = {0};
    struct model_snapshot *snap = NULL;
    if (model_load(data, &opts, &snap, &diag) != 0) {
        for (size_t i = 0; i < diag.count; i++)
            fprintf(stderr, "%s\n", diag.messages[i]);
        fprintf(stderr, "timeline-server: the corpus in %s has %zu error%s; not starting\n",
                data, diag.count, diag.count == 1 ? "" : "s");
        model_diagnostics_free(&diag);
        return 1;
    }

    /* Signals are taken by sigwait() below, not by handlers: block them
     * before the daemon's threads start so that they inherit the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct route_context ctx = {server_openapi_yaml, server_openapi_yaml_len,
                                TIMELINE_VERSION, server_build_id, NULL, NULL, NULL, NULL};
    char err[256];
    struct server *srv = server_start(&cfg, snap, &ctx, err, sizeof(err));
    if (srv == NULL) {
        fprintf(stderr, "timeline-server: %s\n", err);
        return 1;
    }
    int v6 = strchr(cfg.bind, ':') != NULL;
    printf("timeline-server: listening on http://%s%s%s:%u/ (corpus %.12s: %zu events, "
           "%zu quotes)\n", v6 ? "[" : "", cfg.bind, v6 ? "]" : "", server_port(srv),
           snap->version, snap->n_events, snap->n_quotes);
    fflush(stdout);

    int sig = 0;
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
        reload(srv, data, &opts);
    fprintf(stderr, "timeline-server: %s received, finishing requests in flight\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    server_stop(srv, 5);
    return 0;
}
