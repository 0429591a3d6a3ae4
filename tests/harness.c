#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long harness_metric(const char *text, const char *sample)
{
    size_t n = strlen(sample);
    for (const char *p = text; p != NULL && *p != '\0';) {
        if (strncmp(p, sample, n) == 0 && p[n] == ' ')
            return strtol(p + n + 1, NULL, 10);
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    return -1;
}

double harness_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void harness_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void harness_stop_hard(struct harness_server *sp)
{
    if (sp->pid > 0) {
        kill(sp->pid, SIGKILL);
        waitpid(sp->pid, NULL, 0);
        sp->pid = -1;
    }
    if (sp->out >= 0) {
        close(sp->out);
        sp->out = -1;
    }
}

static void spawn(struct harness_server *sp, char *const argv[], int fds[2], pid_t parent,
                  const char *who)
{
    /* If the test program dies, the server goes with it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    if (sp->log[0] != '\0') {
        int fd = open(sp->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            _exit(127);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    execvp(argv[0], argv);
    fprintf(stderr, "%s: cannot run %s: %s\n", who, argv[0], strerror(errno));
    _exit(127);
}

/* Reads the server's stdout until the line that says where it listens. */
static int read_listening_line(struct harness_server *sp, char *buf, size_t size,
                               int timeout_s, const char *who, char **line)
{
    size_t n = 0;
    double deadline = harness_now() + timeout_s;
    *line = NULL;
    for (;;) {
        buf[n] = '\0';
        char *start = buf, *nl;
        while ((nl = strchr(start, '\n')) != NULL) {
            *nl = '\0';
            if (strstr(start, "listening on http://") != NULL) {
                *line = start;
                return 0;
            }
            start = nl + 1;
        }
        n = strlen(start);
        memmove(buf, start, n + 1);
        double left = deadline - harness_now();
        if (left <= 0) {
            fprintf(stderr, "%s: no listening line from the server within %d s\n", who,
                    timeout_s);
            return -1;
        }
        struct pollfd p = {sp->out, POLLIN, 0};
        if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
            continue; /* EINTR or the deadline: checked above */
        if (n + 1 >= size) {
            fprintf(stderr, "%s: unexpected output from the server\n", who);
            return -1;
        }
        ssize_t got = read(sp->out, buf + n, size - 1 - n);
        if (got <= 0) {
            fprintf(stderr, "%s: the server exited before it listened\n", who);
            return -1;
        }
        n += (size_t)got;
    }
}

int harness_start(struct harness_server *sp, char *const argv[], int timeout_s,
                  const char *who)
{
    int fds[2];
    if (pipe(fds) != 0) {
        fprintf(stderr, "%s: pipe: %s\n", who, strerror(errno));
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "%s: fork: %s\n", who, strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0)
        spawn(sp, argv, fds, parent, who);
    close(fds[1]);
    sp->pid = pid;
    sp->out = fds[0];
    char buf[2048], *line;
    if (read_listening_line(sp, buf, sizeof(buf), timeout_s, who, &line) != 0) {
        harness_stop_hard(sp);
        return -1;
    }
    const char *url = strstr(line, "http://");
    const char *corpus = strstr(line, "(corpus ");
    if (sscanf(url, "http://127.0.0.1:%u/", &sp->port) != 1 || sp->port == 0 ||
        sp->port > 65535) {
        fprintf(stderr, "%s: cannot read the port from \"%s\"\n", who, line);
        harness_stop_hard(sp);
        return -1;
    }
    if (corpus == NULL || sscanf(corpus, "(corpus %12[0-9a-f]", sp->corpus) != 1)
        sp->corpus[0] = '\0';
    snprintf(sp->base, sizeof(sp->base), "http://127.0.0.1:%u", sp->port);
    return 0;
}
