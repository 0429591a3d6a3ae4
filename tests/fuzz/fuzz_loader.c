/* Fuzz target "loader": arbitrary bytes as one more file of a valid corpus,
 * through the whole of model_load: the JSON reader, every validation rule,
 * cross-file references, the proof of quotes against the originals, error
 * positions (jv_locate) and, when the result is valid, the index build.
 *
 * At start-up the fixture corpus (tests/fixtures/loader/valid/minimal) is
 * copied to a temporary directory (in /dev/shm when there is one); each
 * input is written there as zz-fuzz.json, the last file in load order, so
 * it can add entities that refer to the fixture's, or collide with them.
 *
 * Oracles: a failed load lists at least one error, each "path:line:col:
 * message" with a position inside its file, valid UTF-8, sorted by file,
 * line and column as model.h promises; a successful one has no errors, and
 * its snapshot answers lookups and queries consistently: every entity is
 * found by its id, found again by a text search for its own title or name
 * and by a date filter on its own date, and paging visits each item once. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "text.h"

#define FUZZ_FILE "zz-fuzz.json"

static char *workdir;   /* the copy of the fixture */
static char *fuzz_path; /* workdir/zz-fuzz.json */
static char *originals; /* the fixture's originals, read in place */
static size_t n_files;  /* files of the corpus, with zz-fuzz.json */

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || (n > 0 && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
        fprintf(stderr, "fuzz: cannot write %s: %s\n", path, strerror(errno));
        abort();
    }
}

/* Copies the *.json files below src to dst, keeping subdirectories. */
static void copy_json_tree(const char *src, const char *dst)
{
    DIR *d = opendir(src);
    if (d == NULL) {
        fprintf(stderr, "fuzz: cannot open %s: %s\n", src, strerror(errno));
        abort();
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char *from, *to;
        if (asprintf(&from, "%s/%s", src, de->d_name) < 0 ||
            asprintf(&to, "%s/%s", dst, de->d_name) < 0)
            abort();
        struct stat st;
        size_t n = strlen(de->d_name);
        if (stat(from, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (strcmp(de->d_name, "originals") != 0) {
                mkdir(to, 0700);
                copy_json_tree(from, to);
            }
        } else if (n > 5 && strcmp(de->d_name + n - 5, ".json") == 0) {
            FILE *f = fopen(from, "rb");
            char buf[1 << 16];
            size_t got = f ? fread(buf, 1, sizeof(buf), f) : 0;
            if (f == NULL || !feof(f)) {
                fprintf(stderr, "fuzz: cannot read %s (or over 64 KiB)\n", from);
                abort();
            }
            fclose(f);
            write_file(to, buf, got);
            n_files++;
        }
        free(from);
        free(to);
    }
    closedir(d);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void cleanup(void)
{
    if (workdir != NULL)
        nftw(workdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(workdir);
    free(fuzz_path);
    free(originals);
}

static void setup(void)
{
    const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    if (asprintf(&workdir, "%s/timeline-fuzz-loader-XXXXXX", tmp) < 0 || mkdtemp(workdir) == NULL) {
        fprintf(stderr, "fuzz: cannot create a directory in %s\n", tmp);
        abort();
    }
    atexit(cleanup);
    copy_json_tree(fuzz_fixture_dir(), workdir);
    n_files++; /* zz-fuzz.json */
    if (asprintf(&fuzz_path, "%s/" FUZZ_FILE, workdir) < 0 ||
        asprintf(&originals, "%s/originals", fuzz_fixture_dir()) < 0)
        abort();
}

/* ---- A failed load ---- */

static int lines_of(const uint8_t *data, size_t size)
{
    int n = 1;
    for (size_t i = 0; i < size; i++)
        n += data[i] == '\n';
    return n;
}

static void check_diagnostics(const struct model_diagnostics *diag, const uint8_t *data,
                              size_t size)
{
    size_t prefix = strlen(workdir);
    char prev_file[256] = "";
    int prev_line = 0, prev_column = 0;
    FUZZ_CHECK(diag->count > 0, "model_load failed without an error");
    for (size_t i = 0; i < diag->count; i++) {
        const char *m = diag->messages[i];
        FUZZ_CHECK(model_utf8_valid(m, strlen(m)), "error %zu is not valid UTF-8: %s", i, m);
        FUZZ_CHECK(strncmp(m, workdir, prefix) == 0 && m[prefix] == '/',
                   "error %zu does not start with its file: %s", i, m);
        const char *file = m + prefix + 1;
        size_t flen = strcspn(file, ":");
        int line = 0, column = 0, used = 0;
        FUZZ_CHECK(flen < sizeof(prev_file) &&
                       sscanf(file + flen, ":%d:%d: %n", &line, &column, &used) == 2 &&
                       used > 0 && file[flen + (size_t)used] != '\0',
                   "error %zu is not path:line:column: message: %s", i, m);
        FUZZ_CHECK(line >= 1 && column >= 1, "error %zu at %d:%d: %s", i, line, column, m);
        if (flen == strlen(FUZZ_FILE) && memcmp(file, FUZZ_FILE, flen) == 0)
            FUZZ_CHECK(line <= lines_of(data, size),
                       "error %zu at line %d of a %d-line file: %s", i, line,
                       lines_of(data, size), m);
        char cur[256];
        memcpy(cur, file, flen);
        cur[flen] = '\0';
        int order = strcmp(prev_file, cur);
        FUZZ_CHECK(order < 0 || (order == 0 && (prev_line < line ||
                                                (prev_line == line && prev_column <= column))),
                   "errors are not sorted by file, line, column: %s:%d:%d before %s",
                   prev_file, prev_line, prev_column, m);
        memcpy(prev_file, cur, flen + 1);
        prev_line = line;
        prev_column = column;
    }
}

/* ---- A successful load ---- */

enum kind { EVENTS, QUOTES, ACTORS, SOURCES };

/* Runs a query to its end, 7 items a page; returns whether want was among
 * the items, and checks that paging visits each item once, in order. */
static int query_all(const struct model_snapshot *s, enum kind kind, const void *filter,
                     int desc, const void *want, size_t *count)
{
    struct model_page *page = malloc(sizeof(*page));
    char cursor[MODEL_CURSOR_MAX], err[256];
    struct model_page_request req = {desc, 7, NULL};
    size_t n = 0, total = 0;
    long last = -1;
    int found = 0;
    for (int pages = 0;; pages++) {
        int rc = kind == EVENTS   ? model_query_events(s, filter, &req, page, err, sizeof(err))
                 : kind == QUOTES ? model_query_quotes(s, filter, &req, page, err, sizeof(err))
                 : kind == ACTORS ? model_query_actors(s, filter, &req, page, err, sizeof(err))
                                  : model_query_sources(s, &req, page, err, sizeof(err));
        FUZZ_CHECK(rc == 0, "query of kind %d refuses its own cursor: %s", (int)kind, err);
        if (req.cursor == NULL)
            total = page->total;
        FUZZ_CHECK(page->total == total, "total changes from %zu to %zu while paging", total,
                   page->total);
        FUZZ_CHECK(page->count <= 7 && pages <= 100000, "page of %zu items", page->count);
        for (size_t i = 0; i < page->count; i++) {
            const void *item = page->items[i];
            long rank = kind == EVENTS   ? (long)((const struct model_event *)item)->rank
                        : kind == QUOTES ? (long)((const struct model_quote *)item)->rank
                        : kind == ACTORS ? (long)((const struct model_actor *)item)->rank
                                         : (long)((const struct model_source *)item)->rank;
            FUZZ_CHECK(last < 0 || (desc ? rank < last : rank > last),
                       "paging goes from rank %ld to %ld (descending: %d)", last, rank, desc);
            last = rank;
            found |= item == want;
            n++;
        }
        if (page->next_cursor[0] == '\0')
            break;
        FUZZ_CHECK(page->count == 7, "a page of %zu items before the last", page->count);
        memcpy(cursor, page->next_cursor, sizeof(cursor));
        req.cursor = cursor;
    }
    FUZZ_CHECK(n == total, "paging visits %zu items of a total of %zu", n, total);
    free(page);
    if (count != NULL)
        *count = n;
    return found;
}

static void count_token(const char *token, size_t len, void *arg)
{
    (void)token;
    (void)len;
    ++*(int *)arg;
}

/* Is s a text search that must find what it was taken from? It needs a
 * searchable word (a search without one matches nothing), and not too many:
 * each word is one of the 32 streams a query has (model/query.c,
 * MAX_STREAMS), and a query with more filters than that matches nothing. */
static int has_token(const char *s)
{
    int n = 0;
    model_tokenize(s, strlen(s), count_token, &n);
    return n > 0 && n <= 24;
}

static void check_snapshot(const struct model_snapshot *s)
{
    size_t n;
    const struct model_event_filter all_events = {.type = -1, .status = -1};
    const struct model_quote_filter all_quotes = {0};
    const struct model_actor_filter all_actors = {.kind = -1};
    for (int desc = 0; desc < 2; desc++) {
        query_all(s, EVENTS, &all_events, desc, NULL, &n);
        FUZZ_CHECK(n == s->n_events, "all events: %zu of %zu", n, s->n_events);
        query_all(s, QUOTES, &all_quotes, desc, NULL, &n);
        FUZZ_CHECK(n == s->n_quotes, "all quotes: %zu of %zu", n, s->n_quotes);
    }
    query_all(s, ACTORS, &all_actors, 0, NULL, &n);
    FUZZ_CHECK(n == s->n_actors, "all actors: %zu of %zu", n, s->n_actors);
    query_all(s, SOURCES, NULL, 0, NULL, &n);
    FUZZ_CHECK(n == s->n_sources, "all sources: %zu of %zu", n, s->n_sources);

    for (size_t i = 0; i < s->n_sources; i++)
        FUZZ_CHECK(model_find_source(s, s->sources[i]->id) == s->sources[i] &&
                       s->sources[i]->rank == i,
                   "source %s", s->sources[i]->id);
    for (size_t i = 0; i < s->n_actors; i++) {
        const struct model_actor *a = s->actors[i];
        FUZZ_CHECK(model_find_actor(s, a->id) == a && a->rank == i, "actor %s", a->id);
        if (i < 32 && has_token(a->name)) {
            struct model_actor_filter f = {.kind = (int)a->kind, .text = a->name};
            FUZZ_CHECK(query_all(s, ACTORS, &f, 0, a, NULL),
                       "actor %s is not found by its name \"%s\"", a->id, a->name);
        }
    }
    for (size_t i = 0; i < s->n_events; i++) {
        const struct model_event *e = s->events[i];
        FUZZ_CHECK(model_find_event(s, e->id) == e && e->rank == i, "event %s", e->id);
        FUZZ_CHECK(e->lo < e->hi, "event %s covers [%lld, %lld)", e->id, (long long)e->lo,
                   (long long)e->hi);
        if (i > 0) {
            const struct model_event *p = s->events[i - 1];
            FUZZ_CHECK(p->lo < e->lo || (p->lo == e->lo && (p->hi < e->hi ||
                       (p->hi == e->hi && strcmp(p->id, e->id) < 0))),
                       "events %s and %s are out of order", p->id, e->id);
        }
        if (i >= 32)
            continue;
        struct model_event_filter f = {.type = (int)e->type, .status = (int)e->status};
        f.when = (struct model_time_filter){1, e->start.time, 1, e->start.time};
        if (has_token(e->title))
            f.text = e->title;
        for (int desc = 0; desc < 2; desc++)
            FUZZ_CHECK(query_all(s, EVENTS, &f, desc, e, NULL),
                       "event %s is not found by its type, status, date %s and title \"%s\"",
                       e->id, e->start.text, e->title);
        for (size_t p = 0; p < e->n_participants && p < 4; p++) {
            const char *actor = e->participants[p].actor->id;
            struct model_event_filter fa = {.type = -1, .status = -1, .actors = &actor,
                                            .n_actors = 1};
            FUZZ_CHECK(query_all(s, EVENTS, &fa, 0, e, NULL),
                       "event %s is not found by its participant %s", e->id, actor);
        }
    }
    for (size_t i = 0; i < s->n_quotes; i++) {
        const struct model_quote *q = s->quotes[i];
        FUZZ_CHECK(model_find_quote(s, q->id) == q && q->rank == i, "quote %s", q->id);
        if (i >= 32)
            continue;
        struct model_quote_filter f = {.speaker = q->speaker->id,
                                       .event = q->event ? q->event->id : NULL,
                                       .topic = q->n_topics ? q->topics[0] : NULL};
        f.when = (struct model_time_filter){1, q->said.time, 1, q->said.time};
        if (has_token(q->text))
            f.text = q->text;
        if (q->n_citations > 0)
            f.source = q->citations[0].source->id;
        for (int desc = 0; desc < 2; desc++)
            FUZZ_CHECK(query_all(s, QUOTES, &f, desc, q, NULL),
                       "quote %s is not found by its own speaker, event, topic, source, "
                       "date and text", q->id);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (workdir == NULL)
        setup();
    write_file(fuzz_path, data, size);
    struct model_load_options opts = {originals};
    struct model_diagnostics diag = {0};
    struct model_snapshot *s = (struct model_snapshot *)&diag; /* must be overwritten */
    int rc = model_load(workdir, &opts, &s, &diag);
    if (rc == 0) {
        FUZZ_CHECK(s != NULL && s != (void *)&diag && diag.count == 0,
                   "a successful load with %zu errors", diag.count);
        FUZZ_CHECK(s->n_files == n_files && strlen(s->version) == 64, "files %zu, version %s",
                   s->n_files, s->version);
        check_snapshot(s);
        model_snapshot_free(s);
    } else {
        FUZZ_CHECK(rc == -1 && s == NULL, "a failed load returns %d and a snapshot", rc);
        check_diagnostics(&diag, data, size);
    }
    model_diagnostics_free(&diag);
    return 0;
}
