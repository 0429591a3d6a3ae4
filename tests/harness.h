/* Starting the real server for the HTTP test suites, as libmicrohttpd's own
 * tests do: on port 0, the port read back from what it prints. */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <sys/types.h>

struct harness_server {
    pid_t pid;
    int out;        /* read end of its stdout */
    unsigned port;
    char base[512]; /* http://127.0.0.1:PORT, no trailing slash */
    char corpus[16]; /* the corpus version prefix from the listening line */
    char log[300];  /* where its stderr goes, or "" for ours */
};
#define HARNESS_SERVER_INIT {-1, -1, 0, "", "", ""}

/* Runs argv (the server, or valgrind in front of it; found on PATH when it
 * has no slash) with stdout piped and stderr to sp->log when it is set; the
 * server dies with this process. Waits up to timeout_s for its "listening
 * on http://127.0.0.1:PORT/" line. Returns 0, or -1 after saying why on
 * stderr (prefixed by who) and killing it. */
int harness_start(struct harness_server *sp, char *const argv[], int timeout_s,
                  const char *who);
/* SIGKILL, reap, close: for failures. */
void harness_stop_hard(struct harness_server *sp);

/* The value of the sample (a name with its labels, as in
 * 'timeline_requests_total{route="none",status="404"}') on a line of its own
 * in /metrics text, or -1 when there is none. */
long harness_metric(const char *text, const char *sample);

double harness_now(void);
void harness_sleep_ms(long ms);

#endif
