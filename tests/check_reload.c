/* Hot reload under load: the real timeline-server, reloaded with SIGHUP over
 * and over while wrk and libcurl threads keep it busy, must lose nothing.
 *
 * Usage: check_reload SERVER_BINARY CORPUS_DIR
 *
 * CORPUS_DIR is a valid corpus with the event "harbour-talks" (the loader's
 * tests/fixtures/loader/valid/minimal). In a temporary directory the test
 * makes three corpora from it: A (a copy), B (the same with that event's
 * title and summary changed) and C (A with a JSON syntax error in two files),
 * and a symlink "current" that the server's --data names. Before each SIGHUP
 * the symlink is pointed at A, B or C by renaming a new symlink over it, so
 * the server never sees a half-switched directory.
 *
 * The server is started as SERVER_BINARY --bind 127.0.0.1 --port 0 --data
 * DIR/current --threads 4, with its standard error in a file; the port is
 * read from its listening line within a time limit. Then:
 *
 *   1. warm-up: the (ETag, body) of /events/harbour-talks and of /events on
 *      A, then on B after one reload, are learnt (and checked against the
 *      titles written into the files); the corpus versions of A and B are
 *      computed here with model_load(), independently of the server;
 *   2. the storm: wrk (2 threads, 48 keep-alive connections, a generated Lua
 *      script that counts non-200s and unknown ETags; from 300 ms before the
 *      first SIGHUP to 300 ms after the last, about 9 s, then stopped with
 *      SIGINT, on which it reports as at the end of its -d) and libcurl checker
 *      threads (keep-alive, a new connection per request, and gzip) fetch
 *      /events/harbour-talks, /events and /health the whole time, while the
 *      test sends 30 SIGHUPs about 260 ms apart: A and B alternately, and C
 *      one time in six (never the last). After each one it waits until /metrics counts it, then
 *      checks /health (C: last_reload_error set, the previous corpus still
 *      served; valid: last_reload_error null, the new corpus served) and that
 *      a new request gets the served corpus. Every checker response must be
 *      a 200 whose (ETag, body) is exactly A's or exactly B's, and /health's
 *      corpus.version A's or B's: nothing may mix two versions;
 *   3. an editor's mistakes, each a reload that must fail within the same
 *      time limit, with its error in /health, the served corpus kept: a FIFO
 *      (which blocked the reload thread, and so SIGTERM, until a writer
 *      came), a link to /dev/zero, a link back up (a cycle), and an empty
 *      directory (an unmounted volume);
 *   4. the end: zero failed requests (wrk: no socket errors, no non-2xx, no
 *      unknown ETag; checkers: none), both versions seen by the checkers,
 *      timeline_reloads_total and timeline_reload_failures_total equal to
 *      the reloads sent (26 and 5 with the warm-up's, 9 failed after step
 *      3), every error of every failed reload of the storm logged, SIGTERM
 *      answered with exit status 0, and no
 *      sanitizer report (ThreadSanitizer, AddressSanitizer, LeakSanitizer,
 *      UBSan, valgrind) in the server's standard error.
 *
 * Without wrk on the PATH the load comes from the checker threads alone (more
 * of them), with a line on stderr; TIMELINE_RELOAD_REQUIRE_WRK=1 makes a
 * missing wrk a failure instead (CI sets it).
 *
 * The server runs with TSAN_OPTIONS=halt_on_error=1:exitcode=66 (plus
 * suppressions=tests/tsan.supp when that file exists, and then whatever
 * TSAN_OPTIONS the environment already has), which only matters in a
 * -DTIMELINE_TSAN=ON build: there the first data race stops it with status 66.
 *
 * Environment:
 *   TIMELINE_TEST_VALGRIND=1
 *       Run the server under valgrind --error-exitcode=1 --leak-check=full,
 *       as check_api does. Time limits are multiplied by 20; the storm is the
 *       same. Use a normal build, not TIMELINE_SANITIZE or TIMELINE_TSAN.
 *   TIMELINE_RELOAD_KEEP=1
 *       Keep the temporary directory (corpora, the server's stderr, wrk's
 *       script and report); it is always kept when a test fails.
 *
 * Only 127.0.0.1 is contacted, every request has a time limit, and only the
 * processes started here (the server and wrk, by PID) are ever signalled;
 * they die with this program (PR_SET_PDEATHSIG). Check runs in CK_NOFORK
 * mode; the threads never call ck_assert: they record failures, which the
 * main thread asserts on once they have been joined. */
#define _GNU_SOURCE
#include <check.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_run.h"
#include "harness.h"
#include "model.h"

#define EVENT_PATH "/events/harbour-talks"
#define TITLE_A "Mayor meets the fishing union"
#define TITLE_B "Mayor meets the fishing union again (reloaded)"
#define SUMMARY_A "Talks on fishing quotas between the mayor and the union."
#define SUMMARY_B "Second round of talks on fishing quotas, after a reload."

#define RELOADS 30          /* SIGHUPs in the storm */
#define INVALID_EVERY 6     /* every sixth one is C */
#define RELOAD_PERIOD_MS 260
#define WRK_MAX_SECONDS 60 /* its -d: it is stopped with SIGINT after the storm */
#define WRK_CONNECTIONS 48
#define MAX_CHECKERS 8

/* Is the i-th reload of the storm one of C (never the last one)? */
static int is_invalid(int i)
{
    return i % INVALID_EVERY == INVALID_EVERY - 2;
}

static int n_invalid(void)
{
    int n = 0;
    for (int i = 0; i < RELOADS; i++)
        n += is_invalid(i);
    return n;
}

static const char *server_bin;
static const char *corpus_src;
static int valgrind;   /* TIMELINE_TEST_VALGRIND=1 */
static int slow = 1;   /* time limits are multiplied by this */
static char tmp[256];  /* the temporary directory */
static char wrk_bin[512]; /* "" when wrk is not on the PATH */

/* The server this program started. */
static struct harness_server server = HARNESS_SERVER_INIT; /* log: its stderr */
static pid_t wrk_pid = -1;

/* ---- Failures, recorded from any thread ---- */

static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_ulong n_failures;
static char first_failures[8][600];

__attribute__((format(printf, 1, 2))) static void failure(const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&fail_lock);
    unsigned long n = atomic_fetch_add(&n_failures, 1);
    if (n < 8)
        memcpy(first_failures[n], msg, sizeof(msg));
    pthread_mutex_unlock(&fail_lock);
    if (n < 20)
        fprintf(stderr, "check_reload: FAIL: %s\n", msg);
}

/* ---- Files ---- */

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[n] = '\0';
    if (len != NULL)
        *len = n;
    return buf;
}

static void write_all(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
    ck_assert(fwrite(text, 1, len, f) == len);
    ck_assert(fclose(f) == 0);
}

/* Copies the corpus files of src (the *.json files and sources/, not
 * originals/) to dst. */
static void copy_corpus(const char *src, const char *dst)
{
    static const char *const files[] = {"actors.json", "events.json", "quotes.json"};
    char from[512], to[512];
    ck_assert_msg(mkdir(dst, 0700) == 0, "mkdir %s: %s", dst, strerror(errno));
    for (size_t i = 0; i < 3; i++) {
        snprintf(from, sizeof(from), "%s/%s", src, files[i]);
        snprintf(to, sizeof(to), "%s/%s", dst, files[i]);
        size_t len;
        char *text = read_all(from, &len);
        ck_assert_msg(text != NULL, "cannot read %s", from);
        write_all(to, text, len);
        free(text);
    }
    snprintf(from, sizeof(from), "%s/sources", src);
    snprintf(to, sizeof(to), "%s/sources", dst);
    ck_assert(mkdir(to, 0700) == 0);
    DIR *d = opendir(from);
    ck_assert_msg(d != NULL, "cannot open %s", from);
    struct dirent *e;
    int copied = 0;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char f1[800], f2[800];
        snprintf(f1, sizeof(f1), "%s/%s", from, e->d_name);
        snprintf(f2, sizeof(f2), "%s/%s", to, e->d_name);
        size_t len;
        char *text = read_all(f1, &len);
        ck_assert_msg(text != NULL, "cannot read %s", f1);
        write_all(f2, text, len);
        free(text);
        copied++;
    }
    closedir(d);
    ck_assert_msg(copied > 0, "no sources in %s", from);
}

/* Replaces the first occurrence of from in dir/file with to. */
static void edit(const char *dir, const char *file, const char *from, const char *to)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    size_t len;
    char *text = read_all(path, &len);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    char *at = strstr(text, from);
    ck_assert_msg(at != NULL, "%s has no \"%s\"", path, from);
    size_t flen = strlen(from), tlen = strlen(to);
    char *out = malloc(len - flen + tlen + 1);
    size_t pre = (size_t)(at - text);
    memcpy(out, text, pre);
    memcpy(out + pre, to, tlen);
    memcpy(out + pre + tlen, at + flen, len - pre - flen);
    write_all(path, out, len - flen + tlen);
    free(out);
    free(text);
}

/* Points DIR/current at name (A, B or C) atomically: a new symlink renamed
 * over the old one. */
static void switch_data(const char *name)
{
    char link[300], next[300];
    snprintf(link, sizeof(link), "%s/current", tmp);
    snprintf(next, sizeof(next), "%s/current.next", tmp);
    unlink(next);
    ck_assert_msg(symlink(name, next) == 0, "symlink: %s", strerror(errno));
    ck_assert_msg(rename(next, link) == 0, "rename: %s", strerror(errno));
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_tmp(void)
{
    if (tmp[0] != '\0' && getenv("TIMELINE_RELOAD_KEEP") == NULL)
        nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- Processes ---- */

static void kill_hard(pid_t *pid)
{
    if (*pid > 0) {
        kill(*pid, SIGKILL);
        waitpid(*pid, NULL, 0);
        *pid = -1;
    }
}

static void stop_server_hard(void)
{
    harness_stop_hard(&server);
}

/* The TSAN_OPTIONS the server runs with (see the top of the file). */
static void set_tsan_options(void)
{
    char opts[1500];
    int n = snprintf(opts, sizeof(opts), "halt_on_error=1:exitcode=66");
#ifdef TIMELINE_TSAN_SUPPRESSIONS
    if (access(TIMELINE_TSAN_SUPPRESSIONS, R_OK) == 0)
        n += snprintf(opts + n, sizeof(opts) - (size_t)n, ":suppressions=%s",
                      TIMELINE_TSAN_SUPPRESSIONS);
#endif
    const char *env = getenv("TSAN_OPTIONS");
    if (env != NULL && *env != '\0')
        snprintf(opts + n, sizeof(opts) - (size_t)n, ":%.1000s", env);
    setenv("TSAN_OPTIONS", opts, 1);
}

/* Starts the server on DIR/current and reads its port and corpus version
 * prefix from the listening line. */
static int start_server(char *corpus)
{
    char data[300];
    snprintf(data, sizeof(data), "%s/current", tmp);
    snprintf(server.log, sizeof(server.log), "%s/server.stderr", tmp);
    set_tsan_options(); /* here, not after fork(): setenv() allocates */
    char *args[] = {"valgrind", "--error-exitcode=1", "--leak-check=full",
                    (char *)server_bin, "--bind", "127.0.0.1", "--port", "0",
                    "--data", data, "--threads", "4", NULL};
    if (harness_start(&server, valgrind ? args : args + 3, 30 * slow, "check_reload") != 0)
        return -1;
    if (server.corpus[0] == '\0') {
        fprintf(stderr, "check_reload: no corpus version in the listening line\n");
        stop_server_hard();
        return -1;
    }
    memcpy(corpus, server.corpus, sizeof(server.corpus));
    return 0;
}

/* Waits for pid up to seconds; returns 1 and its status when it exited. */
static int wait_for(pid_t pid, double seconds, int *status)
{
    double deadline = harness_now() + seconds;
    for (;;) {
        pid_t done = waitpid(pid, status, WNOHANG);
        if (done == pid)
            return 1;
        if (done < 0 || harness_now() > deadline)
            return 0;
        harness_sleep_ms(20);
    }
}

/* The sanitizer or valgrind reports in the server's stderr, if any (the
 * start of the first one, malloc'd), or NULL. */
static char *sanitizer_report(void)
{
    static const char *const marks[] = {"WARNING: ThreadSanitizer", "ERROR: ThreadSanitizer",
                                        "ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                        "runtime error:", "== Invalid ", "definitely lost: "};
    char *log = read_all(server.log, NULL);
    if (log == NULL)
        return NULL;
    const char *first = NULL;
    for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
        const char *m = strstr(log, marks[i]);
        if (m != NULL && i == 6 && strncmp(m + 17, "0 bytes", 7) == 0)
            m = NULL;
        if (m != NULL && (first == NULL || m < first))
            first = m;
    }
    char *out = NULL;
    if (first != NULL) {
        while (first > log && first[-1] != '\n')
            first--;
        out = strndup(first, 3000);
    }
    free(log);
    return out;
}

/* ---- HTTP ---- */

struct fetch {
    CURLcode rc;
    long status;
    char etag[64];
    int n_etags;
    char *body;
    size_t len;
};

static atomic_int stop_checkers;

static void fetch_free(struct fetch *f)
{
    free(f->body);
    f->body = NULL;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct fetch *f = arg;
    char *b = realloc(f->body, f->len + size * n + 1);
    if (b == NULL)
        return 0;
    memcpy(b + f->len, p, size * n);
    f->len += size * n;
    b[f->len] = '\0';
    f->body = b;
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct fetch *f = arg;
    size_t len = size * n;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        f->etag[0] = '\0';
        f->n_etags = 0;
    } else if (len > 5 && strncasecmp(p, "ETag:", 5) == 0) {
        const char *v = p + 5;
        size_t vlen = len - 5;
        while (vlen > 0 && (*v == ' ' || *v == '\t'))
            v++, vlen--;
        while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
            vlen--;
        snprintf(f->etag, sizeof(f->etag), "%.*s", (int)vlen, v);
        f->n_etags++;
    }
    return len;
}

enum conn { KEEP_ALIVE, FRESH, GZIP };

/* GET path on handle h. Never asserts: the result is in f. */
static void fetch(CURL *h, const char *path, enum conn how, struct fetch *f)
{
    char url[1024];
    snprintf(url, sizeof(url), "%s%s", server.base, path);
    memset(f, 0, sizeof(*f));
    curl_easy_reset(h); /* keeps the connection cache */
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L * slow);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L * slow);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, f);
    if (how == FRESH) {
        curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    } else if (how == GZIP) {
        curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip"); /* decoded by libcurl */
    }
    f->rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &f->status);
}

/* ---- What the two corpora look like ---- */

/* The resources whose (ETag, body) is checked, and their known pairs. */
static const char *const resources[] = {EVENT_PATH, "/events"};
#define N_RESOURCES 2
struct pair {
    char etag[64];
    char *body;
    size_t len;
};
static struct pair known[N_RESOURCES][2]; /* [resource][A = 0, B = 1] */
static char version[2][65];               /* corpus versions of A and B */

/* Is tag the known tag, or its gzip twin (the known tag with -gz: a gzipped
 * representation has a strong tag of its own)? */
static int same_tag(const char *tag, const char *known_tag)
{
    size_t n = strlen(known_tag);
    if (strcmp(tag, known_tag) == 0)
        return 1;
    return n > 1 && strlen(tag) == n + 3 && strncmp(tag, known_tag, n - 1) == 0 &&
           strcmp(tag + n - 1, "-gz\"") == 0;
}

/* Which version (0: A, 1: B) the response f to resources[r] is, or -1. The
 * body compared is the decoded one. */
static int which(size_t r, const struct fetch *f)
{
    for (int v = 0; v < 2; v++)
        if (same_tag(f->etag, known[r][v].etag) && f->len == known[r][v].len &&
            memcmp(f->body, known[r][v].body, f->len) == 0)
            return v;
    return -1;
}

static int which_version(const char *s)
{
    for (int v = 0; v < 2; v++)
        if (s != NULL && strcmp(s, version[v]) == 0)
            return v;
    return -1;
}

/* The version of a corpus directory, by the model's own loader. */
static void corpus_version(const char *dir, char *out)
{
    struct model_load_options opts = {NULL};
    struct model_diagnostics diag = {0};
    struct model_snapshot *snap = NULL;
    int rc = model_load(dir, &opts, &snap, &diag);
    ck_assert_msg(rc == 0, "%s is not a valid corpus: %s", dir,
                  diag.count ? diag.messages[0] : "?");
    memcpy(out, snap->version, 65);
    model_snapshot_free(snap);
    model_diagnostics_free(&diag);
}

/* ---- The checker threads ---- */

struct checker {
    pthread_t thread;
    size_t index;
    enum conn how;
    unsigned long requests, failed;
    unsigned long seen[N_RESOURCES + 1][2]; /* [resource or /health][version] */
};

/* One request and its verdict; returns 0 when it is one of the known ones. */
static int check_once(CURL *h, struct checker *c, size_t r)
{
    struct fetch f;
    const char *path = r < N_RESOURCES ? resources[r] : "/health";
    fetch(h, path, c->how, &f);
    c->requests++;
    int ok = 0;
    if (f.rc != CURLE_OK) {
        failure("%s: %s", path, curl_easy_strerror(f.rc));
    } else if (f.status != 200) {
        failure("%s: status %ld, body %.200s", path, f.status, f.body ? f.body : "");
    } else if (r < N_RESOURCES) {
        int v = which(r, &f);
        if (v < 0 || f.n_etags != 1)
            failure("%s: a response that is neither A's nor B's: %d ETag(s), ETag %s, "
                    "%zu bytes: %.200s", path, f.n_etags, f.etag, f.len, f.body ? f.body : "");
        else
            c->seen[r][v]++, ok = 1;
    } else {
        json_t *j = json_loadb(f.body ? f.body : "", f.len, 0, NULL);
        const char *ver = json_string_value(json_object_get(json_object_get(j, "corpus"),
                                                            "version"));
        const char *status = json_string_value(json_object_get(j, "status"));
        int v = which_version(ver);
        if (v < 0 || status == NULL || strcmp(status, "ok") != 0)
            failure("/health: corpus version %s, status %s: %.200s", ver ? ver : "(none)",
                    status ? status : "(none)", f.body ? f.body : "");
        else
            c->seen[N_RESOURCES][v]++, ok = 1;
        json_decref(j);
    }
    fetch_free(&f);
    if (!ok)
        c->failed++;
    return ok ? 0 : -1;
}

static void *checker_run(void *arg)
{
    struct checker *c = arg;
    CURL *h = curl_easy_init();
    if (h == NULL) {
        failure("curl_easy_init");
        return NULL;
    }
    size_t r = c->index % (N_RESOURCES + 1); /* spread the start */
    while (!atomic_load(&stop_checkers)) {
        check_once(h, c, r);
        r = (r + 1) % (N_RESOURCES + 1);
    }
    curl_easy_cleanup(h);
    return NULL;
}

/* ---- The main thread's requests ---- */

static CURL *main_h;

/* GET path, a 200 with a JSON body: the body, or NULL after a failure. */
static json_t *get_json(const char *path)
{
    struct fetch f;
    fetch(main_h, path, KEEP_ALIVE, &f);
    json_t *j = NULL;
    if (f.rc != CURLE_OK || f.status != 200)
        failure("%s: %s, status %ld", path, curl_easy_strerror(f.rc), f.status);
    else if ((j = json_loadb(f.body, f.len, 0, NULL)) == NULL)
        failure("%s: not JSON: %.200s", path, f.body);
    fetch_free(&f);
    return j;
}

/* Waits until /metrics counts ok successful and failed failed reloads;
 * returns the seconds it took from since, or -1 after a failure. */
static double wait_reloads(long ok, long failed, double since)
{
    double deadline = harness_now() + 10.0 * slow;
    long got_ok = -1, got_failed = -1;
    for (;;) {
        struct fetch f;
        fetch(main_h, "/metrics", KEEP_ALIVE, &f);
        if (f.rc != CURLE_OK || f.status != 200) {
            failure("/metrics: %s, status %ld", curl_easy_strerror(f.rc), f.status);
            fetch_free(&f);
            return -1;
        }
        got_ok = harness_metric(f.body, "timeline_reloads_total");
        got_failed = harness_metric(f.body, "timeline_reload_failures_total");
        fetch_free(&f);
        if (got_ok == ok && got_failed == failed)
            return harness_now() - since;
        if (got_ok > ok || got_failed > failed || harness_now() > deadline)
            break;
        harness_sleep_ms(5);
    }
    failure("/metrics: timeline_reloads_total %ld and timeline_reload_failures_total %ld, "
            "want %ld and %ld", got_ok, got_failed, ok, failed);
    return -1;
}

/* After a reload: /health and a new request agree that version v is
 * served, and that the last reload failed with an error that contains
 * failed_with, or (NULL) did not fail. */
static void check_served(int v, const char *failed_with)
{
    int reload_failed = failed_with != NULL;
    json_t *h = get_json("/health");
    if (h == NULL)
        return;
    const char *ver = json_string_value(json_object_get(json_object_get(h, "corpus"),
                                                        "version"));
    json_t *err = json_object_get(h, "last_reload_error");
    json_t *at = json_object_get(h, "last_reload_at");
    if (which_version(ver) != v)
        failure("/health after a %s reload: corpus %s, want %s's %s",
                reload_failed ? "failed" : "valid", ver ? ver : "(none)", v ? "B" : "A",
                version[v]);
    if (reload_failed && (!json_is_string(err) ||
                          strstr(json_string_value(err), failed_with) == NULL))
        failure("/health after a failed reload: last_reload_error is not the failure: %.200s",
                json_is_string(err) ? json_string_value(err) : "(not a string)");
    if (!reload_failed && !json_is_null(err))
        failure("/health after a valid reload: last_reload_error is not null: %.200s",
                json_is_string(err) ? json_string_value(err) : "(not a string)");
    if (!json_is_string(at) || strlen(json_string_value(at)) != 20)
        failure("/health after a reload: last_reload_at is not a time");
    json_decref(h);
    for (size_t r = 0; r < N_RESOURCES; r++) {
        struct fetch f;
        fetch(main_h, resources[r], FRESH, &f);
        int got = f.rc == CURLE_OK && f.status == 200 ? which(r, &f) : -2;
        if (got != v)
            failure("%s after a reload: %s, want %s's", resources[r],
                    got == -2 ? "failed" : got < 0 ? "unknown" : got ? "B's" : "A's",
                    v ? "B" : "A");
        fetch_free(&f);
    }
}

/* Learns resources' (ETag, body) on version v, which is being served. */
static void learn(int v)
{
    static const char *const title[2] = {TITLE_A, TITLE_B};
    for (size_t r = 0; r < N_RESOURCES; r++) {
        struct fetch f;
        fetch(main_h, resources[r], KEEP_ALIVE, &f);
        ck_assert_msg(f.rc == CURLE_OK && f.status == 200, "%s: %s, status %ld",
                      resources[r], curl_easy_strerror(f.rc), f.status);
        ck_assert_msg(f.n_etags == 1 && f.etag[0] == '"', "%s: ETag %s", resources[r], f.etag);
        char want[200];
        snprintf(want, sizeof(want), "\"title\":\"%s\"", title[v]);
        ck_assert_msg(strstr(f.body, want) != NULL, "%s on %s: no %s in %.300s",
                      resources[r], v ? "B" : "A", want, f.body);
        snprintf(want, sizeof(want), "\"title\":\"%s\"", title[!v]);
        ck_assert_msg(strstr(f.body, want) == NULL, "%s on %s has %s", resources[r],
                      v ? "B" : "A", want);
        snprintf(known[r][v].etag, sizeof(known[r][v].etag), "%s", f.etag);
        known[r][v].body = f.body;
        known[r][v].len = f.len;
    }
}

/* ---- wrk ---- */

static int find_wrk(void)
{
    const char *path = getenv("PATH");
    char *copy = strdup(path ? path : "/usr/bin:/bin"), *save = NULL;
    wrk_bin[0] = '\0';
    for (char *d = strtok_r(copy, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save)) {
        snprintf(wrk_bin, sizeof(wrk_bin), "%s/wrk", d);
        if (access(wrk_bin, X_OK) == 0)
            break;
        wrk_bin[0] = '\0';
    }
    free(copy);
    return wrk_bin[0] != '\0';
}

/* Starts wrk on both resources with a script that counts non-200s and
 * ETags that are neither A's nor B's. */
static void start_wrk(void)
{
    char script[300], out[300], url[600];
    snprintf(script, sizeof(script), "%s/reload.lua", tmp);
    snprintf(out, sizeof(out), "%s/wrk.out", tmp);
    /* The ETags are quoted ("..."): in Lua they are written in '...'. */
    FILE *f = fopen(script, "w");
    ck_assert(f != NULL);
    fprintf(f, "-- generated by check_reload\n"
               "local paths = {\"%s\", \"%s\"}\n"
               "local known = {['%s'] = true, ['%s'] = true, ['%s'] = true, ['%s'] = true}\n"
               "local threads = {}\n"
               "function setup(thread) table.insert(threads, thread) end\n"
               "function init(args) n = 0; bad = 0; unknown = 0; first = \"\" end\n"
               "function request()\n"
               "  n = n + 1\n"
               "  return wrk.format(\"GET\", paths[n %% 2 + 1])\n"
               "end\n"
               "function response(status, headers, body)\n"
               "  if status ~= 200 then\n"
               "    bad = bad + 1\n"
               "    if first == \"\" then first = \"status \" .. status end\n"
               "  elseif not known[headers[\"ETag\"]] then\n"
               "    unknown = unknown + 1\n"
               "    if first == \"\" then first = \"ETag \" .. tostring(headers[\"ETag\"]) end\n"
               "  end\n"
               "end\n"
               "function done(summary, latency, requests)\n"
               "  local b, u, first_seen = 0, 0, \"\"\n"
               "  for _, t in ipairs(threads) do\n"
               "    b = b + t:get(\"bad\"); u = u + t:get(\"unknown\")\n"
               "    if first_seen == \"\" then first_seen = t:get(\"first\") end\n"
               "  end\n"
               "  io.write(string.format(\"check_reload: non-200 %%d, unknown ETag %%d %%s\\n\",\n"
               "                         b, u, first_seen))\n"
               "end\n",
            resources[0], resources[1], known[0][0].etag, known[0][1].etag, known[1][0].etag,
            known[1][1].etag);
    ck_assert(fclose(f) == 0);
    snprintf(url, sizeof(url), "%s/", server.base);
    char duration[16], conns[16], timeout[16];
    snprintf(duration, sizeof(duration), "%ds", WRK_MAX_SECONDS * slow);
    snprintf(conns, sizeof(conns), "%d", WRK_CONNECTIONS);
    snprintf(timeout, sizeof(timeout), "%ds", 5 * slow);
    pid_t parent = getpid();
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            _exit(127);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
        execl(wrk_bin, "wrk", "-t2", "-c", conns, "-d", duration, "--timeout", timeout,
              "--latency", "-s", script, url, (char *)NULL);
        _exit(127);
    }
    wrk_pid = pid;
}

struct wrk_result {
    int ran;
    unsigned long requests;
    double rps;
    char summary[4096];
};

/* Stops wrk (SIGINT: it stops its threads and reports, as at the end of its
 * duration) and checks its report: its requests, and nothing failed. */
static void finish_wrk(struct wrk_result *w)
{
    memset(w, 0, sizeof(*w));
    if (wrk_pid < 0)
        return;
    int status = 0;
    kill(wrk_pid, SIGINT);
    if (!wait_for(wrk_pid, 10.0 * slow, &status)) {
        kill_hard(&wrk_pid);
        failure("wrk did not finish in time");
        return;
    }
    wrk_pid = -1;
    w->ran = 1;
    char out[300];
    snprintf(out, sizeof(out), "%s/wrk.out", tmp);
    char *text = read_all(out, NULL);
    snprintf(w->summary, sizeof(w->summary), "%s", text ? text : "");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        failure("wrk exited with status %d: %.500s",
                WIFEXITED(status) ? WEXITSTATUS(status) : -1, w->summary);
    const char *p = text ? strstr(text, " requests in ") : NULL;
    if (p != NULL) {
        while (p > text && p[-1] != ' ' && p[-1] != '\n')
            p--;
        w->requests = strtoul(p, NULL, 10);
    }
    p = text ? strstr(text, "Requests/sec:") : NULL;
    w->rps = p ? strtod(p + 13, NULL) : 0;
    if (w->requests == 0)
        failure("wrk served no requests: %.500s", w->summary);
    if (text != NULL && strstr(text, "Socket errors") != NULL)
        failure("wrk: %.300s", strstr(text, "Socket errors"));
    if (text != NULL && strstr(text, "Non-2xx or 3xx responses") != NULL)
        failure("wrk: %.300s", strstr(text, "Non-2xx or 3xx responses"));
    const char *report = text ? strstr(text, "check_reload: ") : NULL;
    if (report == NULL || strncmp(report, "check_reload: non-200 0, unknown ETag 0 ", 40) != 0)
        failure("wrk's script: %.300s", report ? report : "no report");
    free(text);
}

/* ---- The tests, run in order on one server ---- */

static long reloads_ok, reloads_failed; /* sent, so far */
static int served;                      /* A (0) or B (1) */

START_TEST(reload_storm_loses_nothing)
{
    /* The corpora and the versions the server must report for them. */
    char dir[2][300], cdir[300];
    snprintf(dir[0], sizeof(dir[0]), "%s/A", tmp);
    snprintf(dir[1], sizeof(dir[1]), "%s/B", tmp);
    snprintf(cdir, sizeof(cdir), "%s/C", tmp);
    copy_corpus(corpus_src, dir[0]);
    copy_corpus(corpus_src, dir[1]);
    copy_corpus(corpus_src, cdir);
    edit(dir[1], "events.json", "\"title\": \"" TITLE_A "\"", "\"title\": \"" TITLE_B "\"");
    edit(dir[1], "events.json", "\"summary\": \"" SUMMARY_A "\"",
         "\"summary\": \"" SUMMARY_B "\"");
    /* Two syntax errors, in two files: both must be logged. */
    edit(cdir, "events.json", "\"title\": ", "\"title\" ");
    edit(cdir, "actors.json", "\"name\": ", "\"name\" ");
    corpus_version(dir[0], version[0]);
    corpus_version(dir[1], version[1]);
    ck_assert_str_ne(version[0], version[1]);
    switch_data("A");

    char corpus[16] = "";
    ck_assert_msg(start_server(corpus) == 0, "cannot start the server");
    ck_assert_msg(strncmp(corpus, version[0], 12) == 0, "the server started on %s, not A %.12s",
                  corpus, version[0]);
    main_h = curl_easy_init();
    ck_assert_ptr_nonnull(main_h);

    /* Warm-up: learn A, reload B, learn B. */
    learn(0);
    switch_data("B");
    ck_assert_int_eq(kill(server.pid, SIGHUP), 0);
    reloads_ok++;
    ck_assert_msg(wait_reloads(reloads_ok, reloads_failed, harness_now()) >= 0,
                  "the first reload was not counted");
    learn(1);
    for (size_t r = 0; r < N_RESOURCES; r++)
        ck_assert_msg(strcmp(known[r][0].etag, known[r][1].etag) != 0,
                      "%s: A and B have the same ETag %s", resources[r], known[r][0].etag);
    check_served(1, NULL);
    ck_assert_msg(atomic_load(&n_failures) == 0, "the warm-up failed: %s", first_failures[0]);

    /* The storm. */
    int use_wrk = find_wrk();
    const char *require = getenv("TIMELINE_RELOAD_REQUIRE_WRK");
    ck_assert_msg(use_wrk || require == NULL || strcmp(require, "1") != 0,
                  "wrk is not on the PATH (TIMELINE_RELOAD_REQUIRE_WRK=1)");
    if (!use_wrk)
        fprintf(stderr, "check_reload: wrk is not on the PATH: the load comes from libcurl "
                        "threads only (apt-get install wrk)\n");
    else
        start_wrk(); /* forked before any thread starts */
    static struct checker checkers[MAX_CHECKERS];
    size_t n_checkers = use_wrk ? 4 : MAX_CHECKERS;
    static const enum conn hows[] = {KEEP_ALIVE, FRESH, GZIP, KEEP_ALIVE};
    atomic_store(&stop_checkers, 0);
    for (size_t i = 0; i < n_checkers; i++) {
        memset(&checkers[i], 0, sizeof(checkers[i]));
        checkers[i].index = i;
        checkers[i].how = hows[i % 4];
        ck_assert_int_eq(pthread_create(&checkers[i].thread, NULL, checker_run, &checkers[i]),
                         0);
    }
    double t_start = harness_now();
    harness_sleep_ms(300); /* the load is on before the first SIGHUP */

    served = 1; /* B, since the warm-up */
    int sent_invalid = 0;
    double max_reload = 0, sum_reload = 0;
    int done = 0;
    for (int i = 0; i < RELOADS && atomic_load(&n_failures) == 0; i++) {
        int invalid = is_invalid(i);
        int target = invalid ? served : !served;
        switch_data(invalid ? "C" : target ? "B" : "A");
        double t0 = harness_now();
        if (kill(server.pid, SIGHUP) != 0) {
            failure("SIGHUP: %s", strerror(errno));
            break;
        }
        if (invalid)
            reloads_failed++, sent_invalid++;
        else
            reloads_ok++;
        double took = wait_reloads(reloads_ok, reloads_failed, t0);
        if (took < 0)
            break;
        max_reload = took > max_reload ? took : max_reload;
        sum_reload += took;
        served = target;
        check_served(served, invalid ? "2 errors" : NULL);
        done++;
        long left = RELOAD_PERIOD_MS - (long)((harness_now() - t0) * 1000);
        if (left > 0)
            harness_sleep_ms(left);
    }
    double t_storm = harness_now() - t_start;
    struct wrk_result w;
    harness_sleep_ms(300); /* and after the last one */
    finish_wrk(&w);
    atomic_store(&stop_checkers, 1);
    unsigned long requests = 0, failed = 0, seen[N_RESOURCES + 1][2] = {{0}};
    for (size_t i = 0; i < n_checkers; i++) {
        pthread_join(checkers[i].thread, NULL);
        requests += checkers[i].requests;
        failed += checkers[i].failed;
        for (size_t r = 0; r <= N_RESOURCES; r++)
            for (int v = 0; v < 2; v++)
                seen[r][v] += checkers[i].seen[r][v];
    }
    double t_load = harness_now() - t_start;

    fprintf(stderr,
            "check_reload: %d reloads in %.1f s (%d of them invalid; SIGHUP to counted: "
            "mean %.1f ms, max %.1f ms)\n"
            "check_reload: checkers (%zu threads): %lu requests in %.1f s, %lu failed; "
            "%s A/B %lu/%lu, /events A/B %lu/%lu, /health A/B %lu/%lu\n",
            done, t_storm, sent_invalid, done ? sum_reload * 1000 / done : 0.0,
            max_reload * 1000, n_checkers, requests, t_load, failed, EVENT_PATH, seen[0][0],
            seen[0][1], seen[1][0], seen[1][1], seen[2][0], seen[2][1]);
    if (w.ran)
        fprintf(stderr, "check_reload: wrk (2 threads, %d connections): %lu requests, "
                        "%.0f requests/s\n%s", WRK_CONNECTIONS, w.requests, w.rps, w.summary);

    ck_assert_msg(atomic_load(&n_failures) == 0, "%lu failure(s); the first: %s",
                  atomic_load(&n_failures), first_failures[0]);
    ck_assert_int_eq(done, RELOADS);
    ck_assert_int_eq(sent_invalid, n_invalid());
    for (size_t r = 0; r <= N_RESOURCES; r++)
        ck_assert_msg(seen[r][0] > 0 && seen[r][1] > 0,
                      "%s: the checkers did not see both versions (A %lu, B %lu)",
                      r < N_RESOURCES ? resources[r] : "/health", seen[r][0], seen[r][1]);
    /* The counters once more, after the storm. */
    ck_assert_msg(wait_reloads(reloads_ok, reloads_failed, harness_now()) >= 0, "%s",
                  first_failures[0]);
}
END_TEST

/* An editor's mistakes in the corpus directory, each a reload that fails at
 * once (counted within the usual time limit) with its own error in /health,
 * while the corpus that was served still is: a FIFO, which blocked the
 * reload (and SIGTERM, taken by the same thread) until a writer came; a
 * device, read without end; a link back up (a directory cycle); and an
 * empty directory, as an unmounted volume is. */
#define MISTAKES 4

START_TEST(editor_mistakes_keep_the_corpus)
{
    /* entry: what is added to a copy of the corpus, a FIFO when link is
     * NULL, else a link to it; NULL: the directory is left empty. */
    static const struct { const char *name, *entry, *link, *error; } mistakes[MISTAKES] = {
        {"D-fifo", "late.json", NULL,
         "/late.json:1:1: cannot read the file: it is a FIFO (named pipe)"},
        {"D-device", "zero.json", "/dev/zero",
         "/zero.json:1:1: cannot read the file: it is a character device"},
        {"D-cycle", "again", ".", "/again: a link back to"},
        {"D-empty", NULL, NULL, ": holds no corpus file"}};
    ck_assert_msg(server.pid > 0 && main_h != NULL, "no server");
    for (int i = 0; i < MISTAKES; i++) {
        char dir[400], entry[500], want[600];
        snprintf(dir, sizeof(dir), "%s/%s", tmp, mistakes[i].name);
        if (mistakes[i].entry == NULL) {
            ck_assert_int_eq(mkdir(dir, 0700), 0);
        } else {
            copy_corpus(corpus_src, dir);
            snprintf(entry, sizeof(entry), "%s/%s", dir, mistakes[i].entry);
            if (mistakes[i].link == NULL)
                ck_assert_int_eq(mkfifo(entry, 0600), 0);
            else
                ck_assert_int_eq(symlink(mistakes[i].link, entry), 0);
        }
        switch_data(mistakes[i].name);
        double t0 = harness_now();
        ck_assert_int_eq(kill(server.pid, SIGHUP), 0);
        reloads_failed++;
        ck_assert_msg(wait_reloads(reloads_ok, reloads_failed, t0) >= 0, "%s: %s",
                      mistakes[i].name, first_failures[0]);
        /* The server reads the corpus through the link "current". */
        snprintf(want, sizeof(want), "1 error; still serving the previous corpus. "
                 "First: %s/current%s", tmp, mistakes[i].error);
        check_served(served, want);
        ck_assert_msg(atomic_load(&n_failures) == 0, "%s: %s", mistakes[i].name,
                      first_failures[0]);
    }
}
END_TEST

/* SIGTERM: exit status 0; then the log: every reload, every error of every
 * failed one, and no sanitizer report. */
START_TEST(sigterm_exits_zero_and_the_log_is_complete)
{
    ck_assert_msg(server.pid > 0, "no server");
    curl_easy_cleanup(main_h);
    main_h = NULL;
    ck_assert_int_eq(kill(server.pid, SIGTERM), 0);
    int status = 0;
    int exited = wait_for(server.pid, 20.0 * slow, &status);
    char *report = sanitizer_report();
    if (report != NULL)
        fprintf(stderr, "check_reload: the server's stderr has a report:\n%s\n", report);
    ck_assert_msg(exited, "the server did not exit within %d s of SIGTERM", 20 * slow);
    server.pid = -1;
    ck_assert_msg(WIFEXITED(status), "the server was killed by signal %d",
                  WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    ck_assert_msg(WEXITSTATUS(status) == 0, "the server exited with status %d%s",
                  WEXITSTATUS(status),
                  WEXITSTATUS(status) == 66 ? " (ThreadSanitizer)" :
                  valgrind ? " (valgrind found errors?)" : "");
    ck_assert_msg(report == NULL, "sanitizer report in the server's stderr: %.300s", report);

    char *log = read_all(server.log, NULL);
    ck_assert_ptr_nonnull(log);
    int sighups = 0, serving = 0, failed = 0, actors_err = 0, events_err = 0;
    for (char *line = strtok(log, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        sighups += strstr(line, "SIGHUP received") != NULL;
        serving += strstr(line, "now serving corpus") != NULL;
        failed += strstr(line, "reload failed: 2 errors") != NULL;
        /* Each error on a line of its own (the summary line quotes the first). */
        if (strncmp(line, tmp, strlen(tmp)) == 0) {
            actors_err += strstr(line, "/current/actors.json:5:14: invalid JSON") != NULL;
            events_err += strstr(line, "/current/events.json:6:15: invalid JSON") != NULL;
        }
    }
    free(log);
    int invalid = n_invalid();
    ck_assert_int_eq(sighups, RELOADS + 1 + MISTAKES);
    ck_assert_int_eq(serving, RELOADS + 1 - invalid);
    ck_assert_int_eq(failed, invalid);
    ck_assert_int_eq(actors_err, invalid);
    ck_assert_int_eq(events_err, invalid);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: check_reload SERVER_BINARY CORPUS_DIR\n");
        return 2;
    }
    server_bin = argv[1];
    corpus_src = argv[2];
    const char *vg = getenv("TIMELINE_TEST_VALGRIND");
    valgrind = vg != NULL && strcmp(vg, "1") == 0;
    slow = valgrind ? 20 : 1;
    signal(SIGPIPE, SIG_IGN);
    const char *t = getenv("TMPDIR");
    snprintf(tmp, sizeof(tmp), "%s/check_reload.XXXXXX", t && *t ? t : "/tmp");
    if (mkdtemp(tmp) == NULL) {
        perror("check_reload: mkdtemp");
        return EXIT_FAILURE;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return EXIT_FAILURE;

    Suite *s = suite_create("reload");
    TCase *tc = tcase_create("reload");
    tcase_add_test(tc, reload_storm_loses_nothing);
    tcase_add_test(tc, editor_mistakes_keep_the_corpus);
    tcase_add_test(tc, sigterm_exits_zero_and_the_log_is_complete);
    suite_add_tcase(s, tc);
    int rc = check_run(s, 1);

    /* Only if a test failed before reaping them. */
    atomic_store(&stop_checkers, 1);
    kill_hard(&wrk_pid);
    if (rc != EXIT_SUCCESS && server.pid > 0) {
        char *report = sanitizer_report();
        if (report != NULL)
            fprintf(stderr, "check_reload: the server's stderr has a report:\n%s\n", report);
        free(report);
    }
    stop_server_hard();
    if (main_h != NULL)
        curl_easy_cleanup(main_h);
    for (size_t r = 0; r < N_RESOURCES; r++)
        for (int v = 0; v < 2; v++)
            free(known[r][v].body);
    curl_global_cleanup();
    if (rc != EXIT_SUCCESS)
        fprintf(stderr, "check_reload: the files are kept in %s\n", tmp);
    else
        remove_tmp();
    return rc;
}
