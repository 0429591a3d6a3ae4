/* Loader tests driven by folders of cases (as jansson's suites are):
 * fixtures/loader/valid/NAME must load (proving its originals/ when it has
 * them); fixtures/loader/invalid/NAME must fail with exactly the lines of
 * its expected-errors.txt, paths relative to the case folder. */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model.h"
#include "check_run.h"

static const char *fixtures;
static char *valid_cases[64], *invalid_cases[64];
static int n_valid, n_invalid;

static int list_cases(const char *kind, char **out)
{
    char *dir;
    if (asprintf(&dir, "%s/loader/%s", fixtures, kind) < 0)
        abort();
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "cannot open %s\n", dir);
        exit(EXIT_FAILURE);
    }
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < 64) {
        if (de->d_name[0] == '.')
            continue;
        if (asprintf(&out[n++], "%s/%s", dir, de->d_name) < 0)
            abort();
    }
    closedir(d);
    free(dir);
    return n;
}

static char *originals_of(const char *case_dir)
{
    char *o;
    struct stat st;
    if (asprintf(&o, "%s/originals", case_dir) < 0)
        abort();
    if (stat(o, &st) == 0)
        return o;
    free(o);
    return NULL;
}

/* Replaces every "CASE/" in s by nothing, into a new string. */
static char *relative(const char *s, const char *case_dir)
{
    char prefix[1024];
    snprintf(prefix, sizeof(prefix), "%s/", case_dir);
    size_t pl = strlen(prefix);
    char *out = malloc(strlen(s) + 1), *o = out;
    while (*s) {
        if (strncmp(s, prefix, pl) == 0) {
            s += pl;
            continue;
        }
        *o++ = *s++;
    }
    *o = '\0';
    return out;
}

START_TEST(valid_case_loads)
{
    const char *dir = valid_cases[_i];
    char *orig = originals_of(dir);
    struct model_load_options opts = {orig};
    struct model_diagnostics diag = {0};
    struct model_snapshot *s = NULL;
    int rc = model_load(dir, &opts, &s, &diag);
    ck_assert_msg(rc == 0, "%s: %s", dir, diag.count ? diag.messages[0] : "?");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(diag.count, 0);
    ck_assert_uint_eq(strlen(s->version), 64);
    if (orig != NULL) {
        size_t quote_citations = 0;
        for (size_t i = 0; i < s->n_quotes; i++)
            quote_citations += s->quotes[i]->n_citations;
        ck_assert_uint_eq(s->n_proven, quote_citations);
    }
    model_snapshot_free(s);
    free(orig);
}
END_TEST

START_TEST(invalid_case_reports_every_error)
{
    const char *dir = invalid_cases[_i];
    char *orig = originals_of(dir), *path;
    struct model_load_options opts = {orig};
    struct model_diagnostics diag = {0};
    struct model_snapshot *s = (struct model_snapshot *)1;
    ck_assert_int_eq(model_load(dir, &opts, &s, &diag), -1);
    ck_assert_ptr_null(s); /* nothing loaded partially */

    ck_assert_int_ge(asprintf(&path, "%s/expected-errors.txt", dir), 0);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s is missing", path);
    char *line = NULL;
    size_t cap = 0, i = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n')
            line[len - 1] = '\0';
        ck_assert_msg(i < diag.count, "%s: expected more errors: %s", dir, line);
        char *got = relative(diag.messages[i], dir);
        ck_assert_msg(strcmp(got, line) == 0, "%s:\n got: %s\nwant: %s", dir, got, line);
        free(got);
        i++;
    }
    ck_assert_msg(i == diag.count, "%s: unexpected extra error: %s", dir,
                  i < diag.count ? diag.messages[i] : "");
    ck_assert_uint_gt(i, 0);
    free(line);
    fclose(f);
    free(path);
    free(orig);
    model_diagnostics_free(&diag);
}
END_TEST

/* What an editor's file system can hold besides corpus files, each refused
 * with an error of its own, all of them reported together, and none of them
 * read: a FIFO (which blocked the load, and so a reload and SIGTERM, until
 * a writer came), a device (/dev/zero never ended), a file over the size
 * limit (sparse: no disk used), a link back up (walked until PATH_MAX, the
 * corpus loaded hundreds of times), and an empty directory (an unmounted
 * volume would have replaced the corpus being served with nothing). */
static char scratch[] = "/tmp/check_loader.XXXXXX";

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

/* A new directory scratch/name holding a link to the valid minimal case. */
static char *corpus_with_minimal(const char *name)
{
    char *dir, *link, *target;
    ck_assert_int_ge(asprintf(&dir, "%s/%s", scratch, name), 0);
    ck_assert_int_ge(asprintf(&link, "%s/minimal", dir), 0);
    ck_assert_int_ge(asprintf(&target, "%s/loader/valid/minimal", fixtures), 0);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    ck_assert_int_eq(symlink(target, link), 0);
    free(link);
    free(target);
    return dir;
}

static void make_sparse(const char *dir, const char *name, off_t size)
{
    char *path;
    ck_assert_int_ge(asprintf(&path, "%s/%s", dir, name), 0);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, size), 0);
    close(fd);
    free(path);
}

/* want with every "DIR" in it replaced by dir, in a new string. */
static char *with_dir(const char *want, const char *dir)
{
    size_t n = strlen(want) + 1, dl = strlen(dir);
    for (const char *p = strstr(want, "DIR"); p != NULL; p = strstr(p + 3, "DIR"))
        n += dl;
    char *out = malloc(n), *o = out;
    ck_assert_ptr_nonnull(out);
    while (*want) {
        if (strncmp(want, "DIR", 3) == 0) {
            memcpy(o, dir, dl);
            o += dl;
            want += 3;
        } else {
            *o++ = *want++;
        }
    }
    *o = '\0';
    return out;
}

/* model_load(dir) must fail with exactly the lines of want (NULL-ended). */
static void assert_errors(const char *dir, const char *const *want)
{
    struct model_diagnostics diag = {0};
    struct model_snapshot *s = (struct model_snapshot *)1;
    ck_assert_int_eq(model_load(dir, NULL, &s, &diag), -1);
    ck_assert_ptr_null(s);
    size_t i = 0;
    for (; want[i] != NULL; i++) {
        char *expect = with_dir(want[i], dir);
        ck_assert_msg(i < diag.count, "%s: expected more errors: %s", dir, expect);
        ck_assert_msg(strcmp(diag.messages[i], expect) == 0, "\n got: %s\nwant: %s",
                      diag.messages[i], expect);
        free(expect);
    }
    ck_assert_msg(i == diag.count, "%s: unexpected extra error: %s", dir,
                  i < diag.count ? diag.messages[i] : "");
    model_diagnostics_free(&diag);
}

START_TEST(what_is_not_a_corpus_file_is_refused)
{
    ck_assert_ptr_nonnull(mkdtemp(scratch));
    char *dir = corpus_with_minimal("mistakes"), *p;
    ck_assert_int_ge(asprintf(&p, "%s/late.json", dir), 0);
    ck_assert_int_eq(mkfifo(p, 0644), 0);
    free(p);
    ck_assert_int_ge(asprintf(&p, "%s/zero.json", dir), 0);
    ck_assert_int_eq(symlink("/dev/zero", p), 0);
    free(p);
    ck_assert_int_ge(asprintf(&p, "%s/again", dir), 0);
    ck_assert_int_eq(symlink(".", p), 0);
    free(p);
    make_sparse(dir, "huge.json", (off_t)MODEL_MAX_FILE_BYTES + 1);
    static const char *const mistakes[] = {
        "DIR/again: a link back to DIR, which holds it (a directory cycle); not "
        "followed: remove the link",
        "DIR/huge.json:1:1: cannot read the file: it holds more than 64 MiB, the most a "
        "corpus file may; split it into several files",
        "DIR/late.json:1:1: cannot read the file: it is a FIFO (named pipe); a corpus "
        "file must be a regular file",
        "DIR/zero.json:1:1: cannot read the file: it is a character device; a corpus "
        "file must be a regular file",
        NULL};
    assert_errors(dir, mistakes);
    free(dir);

    /* At the limit, the file is read: its error is about its content. */
    dir = corpus_with_minimal("at-the-limit");
    make_sparse(dir, "huge.json", (off_t)MODEL_MAX_FILE_BYTES);
    static const char *const at_limit[] = {
        "DIR/huge.json:1:1: invalid JSON: NUL byte in the file", NULL};
    assert_errors(dir, at_limit);
    free(dir);

    ck_assert_int_ge(asprintf(&dir, "%s/empty", scratch), 0);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    make_sparse(dir, ".hidden.json", 2);
    static const char *const empty[] = {
        "DIR: holds no corpus file (no *.json below it, hidden names skipped); an "
        "empty corpus is refused, so that an empty or unmounted directory never "
        "replaces the corpus being served",
        NULL};
    assert_errors(dir, empty);
    free(dir);
    ck_assert_int_eq(nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}
END_TEST

START_TEST(missing_directory_is_an_error)
{
    struct model_diagnostics diag = {0};
    struct model_snapshot *s = NULL;
    ck_assert_int_eq(model_load("/nonexistent/corpus", NULL, &s, &diag), -1);
    ck_assert_uint_eq(diag.count, 1);
    ck_assert_ptr_nonnull(strstr(diag.messages[0], "not a readable corpus directory"));
    model_diagnostics_free(&diag);
}
END_TEST

START_TEST(missing_original_is_reported_at_the_source)
{
    char *dir;
    ck_assert_int_ge(asprintf(&dir, "%s/loader/valid/minimal", fixtures), 0);
    struct model_load_options opts = {"/nonexistent/originals"};
    struct model_diagnostics diag = {0};
    struct model_snapshot *s = NULL;
    ck_assert_int_eq(model_load(dir, &opts, &s, &diag), -1);
    ck_assert_uint_eq(diag.count, 1);
    ck_assert_ptr_nonnull(strstr(diag.messages[0], "source.original.file: cannot read the original"));
    ck_assert_ptr_nonnull(strstr(diag.messages[0], "sources/gazette-2025-08-16.json:"));
    model_diagnostics_free(&diag);
    free(dir);
}
END_TEST

START_TEST(same_corpus_same_version)
{
    char *dir;
    ck_assert_int_ge(asprintf(&dir, "%s/loader/valid/minimal", fixtures), 0);
    struct model_diagnostics diag = {0};
    struct model_snapshot *a = NULL, *b = NULL;
    ck_assert_int_eq(model_load(dir, NULL, &a, &diag), 0);
    ck_assert_int_eq(model_load(dir, NULL, &b, &diag), 0);
    ck_assert_str_eq(a->version, b->version);
    ck_assert_uint_eq(a->n_proven, 0); /* no originals given: nothing proven */
    model_snapshot_free(a);
    model_snapshot_free(b);
    free(dir);
}
END_TEST

int main(int argc, char **argv)
{
    fixtures = argc > 1 ? argv[1] : "tests/fixtures";
    n_valid = list_cases("valid", valid_cases);
    n_invalid = list_cases("invalid", invalid_cases);
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("cases");
    tcase_add_loop_test(tc, valid_case_loads, 0, n_valid);
    tcase_add_loop_test(tc, invalid_case_reports_every_error, 0, n_invalid);
    tcase_add_test(tc, missing_directory_is_an_error);
    tcase_add_test(tc, what_is_not_a_corpus_file_is_refused);
    tcase_add_test(tc, missing_original_is_reported_at_the_source);
    tcase_add_test(tc, same_corpus_same_version);
    suite_add_tcase(s, tc);
    int rc = check_run(s, 0);
    for (int i = 0; i < n_valid; i++)
        free(valid_cases[i]);
    for (int i = 0; i < n_invalid; i++)
        free(invalid_cases[i]);
    return rc == EXIT_SUCCESS && n_valid > 0 && n_invalid > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
