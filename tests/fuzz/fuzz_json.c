/* Fuzz target "json": arbitrary bytes through the corpus JSON reader,
 * model/json.c, with three oracles:
 *
 *  - jansson (strict: duplicate keys rejected, \u0000 refused) must agree:
 *    what jv_parse accepts jansson accepts with the same values, and what
 *    jansson accepts jv_parse accepts unless it hits one of its documented
 *    limits (nesting deeper than JV_MAX_DEPTH, a number of 64 or more
 *    characters) or the input has a raw NUL byte, which jansson takes as
 *    the end; jansson refuses integers beyond 64 bits, jv_parse reads them
 *    as reals;
 *  - every decoded string is valid UTF-8 without NUL, as json.h promises;
 *  - jv_locate, which turns the loader's JSON pointers into line:column,
 *    finds each value at the position of the offset jv_parse recorded.
 * An error must carry an offset inside the input and a message. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "text.h"

#define MAX_LOCATES 24

struct walk {
    const char *text;
    size_t n;
    int locates;
};

static void check_string(const char *s, uint32_t len, const char *what)
{
    FUZZ_CHECK(strlen(s) == len, "%s: decoded length %u but strlen %zu", what, len, strlen(s));
    FUZZ_CHECK(model_utf8_valid(s, len), "%s: decoded string is not valid UTF-8", what);
}

/* Same value in jansson's tree? */
static void compare(const struct jv *v, const json_t *j, const char *pointer)
{
    switch (v->type) {
    case JV_NULL:
        FUZZ_CHECK(json_is_null(j), "%s: jv null, jansson type %d", pointer, json_typeof(j));
        break;
    case JV_TRUE:
        FUZZ_CHECK(json_is_true(j), "%s: jv true, jansson type %d", pointer, json_typeof(j));
        break;
    case JV_FALSE:
        FUZZ_CHECK(json_is_false(j), "%s: jv false, jansson type %d", pointer, json_typeof(j));
        break;
    case JV_INTEGER:
        FUZZ_CHECK(json_is_integer(j) && json_integer_value(j) == v->u.integer,
                   "%s: jv integer %lld, jansson type %d", pointer,
                   (long long)v->u.integer, json_typeof(j));
        break;
    case JV_REAL:
        /* jansson refuses integers beyond 64 bits, so an integer literal
         * read as a real by jv_parse never gets here; a real is a real. */
        FUZZ_CHECK(json_is_real(j) && json_real_value(j) == v->u.real,
                   "%s: jv real %.17g, jansson type %d", pointer, v->u.real, json_typeof(j));
        break;
    case JV_STRING:
        FUZZ_CHECK(json_is_string(j) && json_string_length(j) == v->len &&
                       memcmp(json_string_value(j), v->u.string, v->len) == 0,
                   "%s: strings differ", pointer);
        break;
    case JV_ARRAY:
        FUZZ_CHECK(json_is_array(j) && json_array_size(j) == v->len,
                   "%s: arrays differ in size", pointer);
        for (uint32_t i = 0; i < v->len; i++)
            compare(jv_item(v, i), json_array_get(j, i), pointer);
        break;
    case JV_OBJECT:
        FUZZ_CHECK(json_is_object(j) && json_object_size(j) == v->len,
                   "%s: objects differ in size", pointer);
        for (uint32_t i = 0; i < v->len; i++) {
            const struct jv_member *m = &v->u.members[i];
            compare(&m->value, json_object_getn(j, m->key, m->key_len), pointer);
        }
        break;
    default:
        FUZZ_CHECK(0, "%s: jv type %d is not a JSON type", pointer, (int)v->type);
    }
}

/* Checks the tree below v, and locates values by their pointers. */
static void walk(struct walk *w, const struct jv *v, char *pointer, size_t plen)
{
    FUZZ_CHECK(v->offset < w->n, "value at offset %u of a %zu-byte input", v->offset, w->n);
    if (w->locates < MAX_LOCATES) {
        w->locates++;
        int line, column, want_line, want_column;
        jv_locate(w->text, w->n, pointer, &line, &column);
        jv_position(w->text, w->n, v->offset, &want_line, &want_column);
        FUZZ_CHECK(line == want_line && column == want_column,
                   "jv_locate(\"%s\") gives %d:%d, the value is at %d:%d", pointer, line,
                   column, want_line, want_column);
    }
    if (v->type == JV_STRING) {
        check_string(v->u.string, v->len, pointer);
    } else if (v->type == JV_ARRAY) {
        for (uint32_t i = 0; i < v->len; i++) {
            int k = snprintf(pointer + plen, 256 - plen, "/%u", i);
            if (k > 0 && plen + (size_t)k < 256)
                walk(w, jv_item(v, i), pointer, plen + (size_t)k);
            pointer[plen] = '\0';
        }
    } else if (v->type == JV_OBJECT) {
        for (uint32_t i = 0; i < v->len; i++) {
            const struct jv_member *m = &v->u.members[i];
            check_string(m->key, m->key_len, "a key");
            FUZZ_CHECK(jv_get(v, m->key) == &m->value, "jv_get(\"%s\") misses", m->key);
            /* A pointer cannot name a key with '/' (json.h does not escape). */
            if (strchr(m->key, '/') == NULL && plen + 1 + m->key_len < 256) {
                pointer[plen] = '/';
                memcpy(pointer + plen + 1, m->key, m->key_len + 1);
                walk(w, &m->value, pointer, plen + 1 + m->key_len);
            }
            pointer[plen] = '\0';
        }
    }
}

/* What jv_parse refuses on purpose where jansson is lenient: its limits,
 * and a raw NUL byte (jansson takes one as the end of the input). */
static int is_limit(const char *err)
{
    return strstr(err, "nested more than") != NULL || strstr(err, "number too long") != NULL ||
           strstr(err, "NUL byte in the file") != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct model_arena *arena = model_arena_new();
    char err[300] = "";
    size_t at = (size_t)-1;
    const struct jv *root = jv_parse(text, size, arena, &at, err, sizeof(err));

    json_error_t jerr;
    json_t *j = json_loadb(text, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        FUZZ_CHECK(at <= size, "error offset %zu past the %zu-byte input", at, size);
        FUZZ_CHECK(err[0] != '\0', "an error without a message at %zu", at);
        FUZZ_CHECK(model_utf8_valid(err, strlen(err)),
                   "the error message is not valid UTF-8: %s", err);
        int line, column;
        jv_position(text, size, at, &line, &column);
        FUZZ_CHECK(line >= 1 && column >= 1, "position %d:%d", line, column);
        FUZZ_CHECK(j == NULL || is_limit(err),
                   "jv_parse refuses what jansson accepts: %s (at byte %zu)", err, at);
    } else {
        /* jansson refuses integers that do not fit 64 bits; jv_parse reads
         * them as reals, on purpose. */
        FUZZ_CHECK(j != NULL || strstr(jerr.text, "too big") != NULL,
                   "jv_parse accepts what jansson refuses: %s (line %d column %d)",
                   jerr.text, jerr.line, jerr.column);
        if (j != NULL)
            compare(root, j, "the document");
        struct walk w = {text, size, 0};
        char pointer[256] = "";
        walk(&w, root, pointer, 0);
    }
    json_decref(j);
    model_arena_free(arena);

    /* The input itself as a pointer into itself: arbitrary pointers must
     * not upset jv_locate either. */
    if (size > 0 && data[0] == '/') {
        char *pointer = fuzz_cstring(data, size < 256 ? size : 256);
        int line = 0, column = 0;
        jv_locate(text, size, pointer, &line, &column);
        FUZZ_CHECK(line >= 1 && column >= 1, "jv_locate(\"%s\") gives %d:%d", pointer, line,
                   column);
        free(pointer);
    }
    return 0;
}
