/* fuzz-make-seeds DIR: writes the seeds only the model can make, against
 * the fixture snapshot the targets use (tests/fixtures/loader/valid/minimal):
 *
 *   DIR/uri/page-NAME-N     request targets of every page of a list,
 *                           following the next links (real cursors in them)
 *   DIR/cursor/NAME-N       the cursors alone
 *
 * Cursors are bound to the corpus version, so rerun this (into
 * tests/fuzz/corpus) when the fixture changes; stale ones are still valid
 * seeds, only refused. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "route.h"
#include "uri.h"

/* Lists whose cursors fuzz_cursor.c's queries take (the same filters). */
static const char *const lists[] = {
    "/events?limit=1",
    "/events?limit=2&sort=-start",
    "/events?status=occurred&limit=1",
    "/events?type=background&limit=1&sort=-start",
    "/events?actor=ana-nunez&limit=1",
    "/actors/ana-nunez/events?limit=2&sort=-start",
    "/events?actor=fishing-union&actor=radio-costa&limit=1",
    "/events?q=quota&limit=1",
    "/events?from=2025-08&limit=1&sort=-start",
    "/quotes?limit=1",
    "/quotes?limit=1&sort=-start",
    "/quotes?topic=talks&limit=1",
    "/quotes?source=gazette-2025-08-16&limit=1&sort=-start",
    "/quotes?to=2025-08-17&limit=1",
    "/actors?limit=3",
    "/actors?kind=media-outlet&limit=1",
    "/actors?q=portville&limit=1",
    "/actors/ana-nunez/quotes?limit=1",
    "/events/radio-costa-interview/quotes?limit=1",
};

static const struct route_context context = {.openapi = "", .version = "0.0.0-fuzz",
                                             .build = "fuzz"};

static void write_seed(const char *dir, const char *name, const char *text)
{
    char *path;
    if (asprintf(&path, "%s/%s", dir, name) < 0)
        abort();
    FILE *f = fopen(path, "wb");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
    printf("%s\n", path);
    free(path);
}

/* Runs one GET; returns the next link's target (malloc'd) or NULL. */
static char *next_of(const char *uri)
{
    struct server_uri p;
    memset(&p, 0, sizeof(p));
    p.req.snap = fuzz_snapshot();
    p.req.ctx = &context;
    struct route_response resp = {0};
    char *next = NULL;
    if (server_parse_uri(uri, &p, &resp) == 0) {
        char *pathbuf = strdup(p.req.path);
        route_handler h = route_split_path(pathbuf, &p.req) == 0 ? route_match(&p.req) : NULL;
        if (h != NULL)
            h(&p.req, &resp);
        free(pathbuf);
    }
    if (resp.status != 200) {
        fprintf(stderr, "%s: %d %s\n", uri, resp.status, resp.body ? resp.body : "");
        exit(1);
    }
    if (resp.link != NULL)
        next = strndup(resp.link + 1, strcspn(resp.link + 1, ">"));
    route_response_free(&resp);
    free(p.buf);
    return next;
}

/* "/events?actor=a&limit=1" -> "events-actor-a-limit-1" */
static void slug(const char *uri, char *out, size_t size)
{
    size_t o = 0;
    for (const char *s = uri + 1; *s != '\0' && o + 1 < size; s++) {
        char c = *s;
        int keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (keep)
            out[o++] = c;
        else if (o > 0 && out[o - 1] != '-')
            out[o++] = '-';
    }
    out[o] = '\0';
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR (tests/fuzz/corpus)\n", argv[0]);
        return 2;
    }
    char *uri_dir, *cursor_dir;
    if (asprintf(&uri_dir, "%s/uri", argv[1]) < 0 ||
        asprintf(&cursor_dir, "%s/cursor", argv[1]) < 0)
        abort();
    mkdir(argv[1], 0777);
    mkdir(uri_dir, 0777);
    mkdir(cursor_dir, 0777);
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        char name[96], file[128];
        slug(lists[i], name, sizeof(name));
        char *uri = strdup(lists[i]);
        for (int page = 1; uri != NULL; page++) {
            snprintf(file, sizeof(file), "page-%s-%d", name, page);
            write_seed(uri_dir, file, uri);
            const char *c = strstr(uri, "cursor=");
            if (c != NULL) {
                char cursor[MODEL_CURSOR_MAX];
                snprintf(cursor, sizeof(cursor), "%.*s", (int)strcspn(c + 7, "&"), c + 7);
                snprintf(file, sizeof(file), "%s-%d", name, page);
                write_seed(cursor_dir, file, cursor);
            }
            char *next = next_of(uri);
            free(uri);
            uri = next;
        }
    }
    free(uri_dir);
    free(cursor_dir);
    return 0;
}
