/* Helpers of every fuzz target; see fuzz.h. */
#define _GNU_SOURCE
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TIMELINE_FUZZ_FIXTURE
#error "TIMELINE_FUZZ_FIXTURE must name the fixture corpus directory"
#endif

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    fprintf(stderr, "\n%s:%d: fuzz oracle failed: %s\n  ", file, line, cond);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

const char *fuzz_fixture_dir(void)
{
    const char *env = getenv("TIMELINE_FUZZ_FIXTURE");
    return env != NULL && env[0] != '\0' ? env : TIMELINE_FUZZ_FIXTURE;
}

static struct model_snapshot *snapshot;

static void free_snapshot(void)
{
    model_snapshot_free(snapshot);
    snapshot = NULL;
}

const struct model_snapshot *fuzz_snapshot(void)
{
    if (snapshot != NULL)
        return snapshot;
    char *originals;
    if (asprintf(&originals, "%s/originals", fuzz_fixture_dir()) < 0)
        abort();
    struct model_load_options opts = {originals};
    struct model_diagnostics diag = {0};
    if (model_load(fuzz_fixture_dir(), &opts, &snapshot, &diag) != 0) {
        fprintf(stderr, "fuzz: the fixture corpus %s does not load:\n", fuzz_fixture_dir());
        for (size_t i = 0; i < diag.count; i++)
            fprintf(stderr, "  %s\n", diag.messages[i]);
        abort();
    }
    free(originals);
    atexit(free_snapshot);
    return snapshot;
}

char *fuzz_cstring(const uint8_t *data, size_t size)
{
    const uint8_t *nul = size > 0 ? memchr(data, '\0', size) : NULL;
    size_t n = nul != NULL ? (size_t)(nul - data) : size;
    char *s = malloc(n + 1);
    if (s == NULL)
        abort();
    if (n > 0)
        memcpy(s, data, n);
    s[n] = '\0';
    return s;
}
