/* A strict JSON reader (RFC 8259) for corpus files: values live in an arena,
 * objects keep their members in file order, and every value records its byte
 * offset. The loader uses it instead of jansson because jansson alone took
 * 5.4 s to parse the 246 MB synthetic benchmark corpus (one malloc per value,
 * a hash table per object), over the 3 s budget for the whole load.
 *
 * Rules enforced: UTF-8 only, no NUL characters (raw or \u0000), no
 * duplicate keys in an object, nesting at most JV_MAX_DEPTH deep, nothing
 * after the top-level value but whitespace. */
#ifndef MODEL_JSON_H
#define MODEL_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

#define JV_MAX_DEPTH 64

enum jv_type { JV_NULL, JV_FALSE, JV_TRUE, JV_INTEGER, JV_REAL, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jv_member;

struct jv {
    enum jv_type type;
    uint32_t offset; /* byte offset of the value's first character */
    uint32_t len;    /* bytes of a string, items of an array or object */
    union {
        int64_t integer;
        double real;
        const char *string; /* NUL-terminated, decoded */
        const struct jv *items;
        const struct jv_member *members;
    } u;
};

struct jv_member {
    const char *key; /* NUL-terminated, decoded */
    uint32_t key_len;
    struct jv value;
};

/* Parses text[0..n) into arena. Returns the root, or NULL with the byte
 * offset of the problem in *err_offset and a message in err. */
const struct jv *jv_parse(const char *text, size_t n, struct model_arena *arena,
                          size_t *err_offset, char *err, size_t errlen);

/* The member named key of an object, or NULL (also for non-objects). */
const struct jv *jv_get(const struct jv *obj, const char *key);

static inline int jv_is_string(const struct jv *v) { return v && v->type == JV_STRING; }
static inline int jv_is_object(const struct jv *v) { return v && v->type == JV_OBJECT; }
static inline int jv_is_array(const struct jv *v) { return v && v->type == JV_ARRAY; }
static inline int jv_is_null(const struct jv *v) { return v && v->type == JV_NULL; }
static inline int jv_is_integer(const struct jv *v) { return v && v->type == JV_INTEGER; }
static inline int jv_is_number(const struct jv *v)
{
    return v && (v->type == JV_INTEGER || v->type == JV_REAL);
}
static inline double jv_number(const struct jv *v)
{
    return v->type == JV_INTEGER ? (double)v->u.integer : v->u.real;
}
static inline const struct jv *jv_item(const struct jv *arr, size_t i)
{
    return &arr->u.items[i];
}

/* Locates the value named by a JSON pointer (RFC 6901, "/events/3/status")
 * in text[0..n), so that errors found after parsing can still be reported
 * as line:column. When a step does not exist, the deepest value that does is
 * located (a missing field points at its object); invalid JSON gives 1:1.
 * Writes the 1-based line and column (in code points). */
void jv_locate(const char *text, size_t n, const char *pointer, int *line,
               int *column);

/* 1-based line and column (in code points) of a byte offset. */
void jv_position(const char *text, size_t n, size_t offset, int *line, int *column);

#endif
