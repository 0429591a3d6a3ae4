/* timeline-check DATA_DIR [--originals DIR] [--json]
 * Validates a corpus the way the server loads it and prints a summary.
 * Exit status: 0 valid, 1 the corpus has errors, 2 usage errors. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

static const char USAGE[] =
    "usage: timeline-check DATA_DIR [--originals DIR] [--json]\n"
    "  Validates an annotated corpus and prints a summary.\n"
    "  --originals DIR  prove every citation against the original articles\n"
    "  --json           print the result as one JSON object\n"
    "Exit status: 0 valid, 1 the corpus has errors, 2 usage error.\n";

struct counts {
    size_t quote_citations;
};

static size_t quote_citations(const struct model_snapshot *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_quotes; i++)
        n += s->quotes[i]->n_citations;
    return n;
}

static int print_json(const char *dir, const char *originals,
                      const struct model_snapshot *s,
                      const struct model_diagnostics *diag)
{
    json_t *errors = json_array();
    for (size_t i = 0; i < diag->count; i++)
        json_array_append_new(errors, json_string(diag->messages[i]));
    json_t *out = json_pack("{s:s, s:b, s:o}", "corpus", dir, "valid", s != NULL,
                            "errors", errors);
    if (s != NULL) {
        json_object_set_new(out, "version", json_string(s->version));
        json_object_set_new(out, "counts", json_pack(
            "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
            "files", (json_int_t)s->n_files,
            "sources", (json_int_t)s->n_sources,
            "actors", (json_int_t)s->n_actors,
            "events", (json_int_t)s->n_events,
            "quotes", (json_int_t)s->n_quotes,
            "citations", (json_int_t)s->n_citations,
            "quote_citations", (json_int_t)quote_citations(s),
            "proven", (json_int_t)s->n_proven));
    }
    json_object_set_new(out, "originals", originals ? json_string(originals) : json_null());
    char *text = json_dumps(out, JSON_INDENT(2) | JSON_SORT_KEYS);
    puts(text);
    free(text);
    json_decref(out);
    return 0;
}

static void print_text(const char *dir, const char *originals,
                       const struct model_snapshot *s,
                       const struct model_diagnostics *diag)
{
    for (size_t i = 0; i < diag->count; i++)
        fprintf(stderr, "%s\n", diag->messages[i]);
    if (s == NULL) {
        fprintf(stderr, "%s: %zu error%s; nothing loaded\n", dir, diag->count,
                diag->count == 1 ? "" : "s");
        return;
    }
    printf("%s: valid corpus, version %.12s\n", dir, s->version);
    printf("  files      %zu\n  sources    %zu\n  actors     %zu\n"
           "  events     %zu\n  quotes     %zu\n  citations  %zu\n",
           s->n_files, s->n_sources, s->n_actors, s->n_events, s->n_quotes,
           s->n_citations);
    if (originals != NULL)
        printf("  proven     %zu of %zu quote citations match %s\n",
               s->n_proven, quote_citations(s), originals);
    else
        printf("  proven     not checked (give --originals DIR)\n");
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *originals = NULL;
    int as_json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            as_json = 1;
        } else if (strcmp(argv[i], "--originals") == 0 && i + 1 < argc) {
            originals = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
            return 0;
        } else if (argv[i][0] == '-' || dir != NULL) {
            fprintf(stderr, "timeline-check: unexpected argument \"%s\"\n%s",
                    argv[i], USAGE);
            return 2;
        } else {
            dir = argv[i];
        }
    }
    if (dir == NULL) {
        fprintf(stderr, "timeline-check: no DATA_DIR given\n%s", USAGE);
        return 2;
    }
    struct model_load_options opts = {originals};
    struct model_diagnostics diag = {0};
    struct model_snapshot *snap = NULL;
    int rc = model_load(dir, &opts, &snap, &diag);
    if (as_json)
        print_json(dir, originals, snap, &diag);
    else
        print_text(dir, originals, snap, &diag);
    model_diagnostics_free(&diag);
    model_snapshot_free(snap);
    return rc == 0 ? 0 : 1;
}
