/* The corpus loader: reads every *.json file below a directory, validates
 * every rule of docs/annotation-format.md, resolves references, proves
 * citations against the originals when asked, and builds a snapshot.
 *
 * Errors are collected, never fatal one by one: each records the file and a
 * JSON pointer, and the pointers are turned into line:column at the end by
 * scanning again only the files that have errors. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "internal.h"
#include "json.h"
#include "sha256.h"
#include "strmap.h"
#include "text.h"

enum kind { K_SOURCE, K_ACTOR, K_EVENT, K_QUOTE, K_COUNT };
static const char *const kind_arrays[K_COUNT] = {"source", "actors", "events", "quotes"};
static const char *const kind_nouns[K_COUNT] = {"source", "actor", "event", "quote"};

struct lerror {
    uint32_t file;
    int line, column; /* 0 until resolved */
    char *pointer;    /* NULL when line/column are known (parse errors) */
    char *message;
};

/* An entity's place: which file, which top-level array, which index. */
struct origin {
    uint32_t file;
    uint32_t index;
};

/* A reference written as an id, resolved once every file is read. */
struct fixup {
    const void **slot;
    const char *id;
    const char *path; /* pointer of the field below the item; may hold %d */
    int sub;
    struct origin at;
    uint8_t item_kind;
    uint8_t target_kind;
    uint8_t is_citation; /* slot is the source of a struct model_citation */
    uint8_t needs_text;  /* a quote citation: its text must fit the span */
};

struct vec {
    void **items;
    size_t n, cap;
};

struct loader {
    const char *dir;
    const struct model_load_options *opts;
    struct model_arena *arena; /* the snapshot's */
    struct model_arena *tmp;   /* freed when loading ends */
    char **paths;
    size_t n_paths;
    struct lerror *errors;
    size_t n_errors, cap_errors;
    struct vec entities[K_COUNT];
    struct origin *origins[K_COUNT];
    size_t cap_origins[K_COUNT];
    struct fixup *fixups;
    size_t n_fixups, cap_fixups;
    struct model_idtable ids[K_COUNT]; /* in the snapshot arena: kept */
    size_t n_citations;
    size_t n_proven;
    int unreadable; /* a file could not be parsed: its ids are unknown */
    struct model_diagnostics dir_errors; /* of the walk: no file position */
    uint64_t (*file_meta)[2]; /* per file: size and content hash */
};

/* Where a value sits inside an item: path is a pointer below the item that
 * may contain one %d (filled with sub); NULL means the item itself. */
struct where {
    struct loader *ld;
    struct origin at;
    uint8_t kind;
    const char *path;
    int sub;
};

static void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size);
    if (q == NULL) {
        fputs("timeline: out of memory\n", stderr);
        abort();
    }
    return q;
}

static void vec_push(struct vec *v, void *item)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 64;
        v->items = xrealloc(v->items, v->cap * sizeof(*v->items));
    }
    v->items[v->n++] = item;
}

/* ---- Errors ---- */

static void diag_push(struct model_diagnostics *diag, char *message)
{
    if (diag->count == diag->capacity) {
        diag->capacity = diag->capacity ? diag->capacity * 2 : 16;
        diag->messages = xrealloc(diag->messages,
                                  diag->capacity * sizeof(*diag->messages));
    }
    diag->messages[diag->count++] = message;
}

/* Takes message, with each byte that is not part of valid UTF-8 made '?'.
 * Messages quote values cut to a length (which can split a character) and
 * file names, and their readers need UTF-8: timeline-check --json dropped
 * such a message. */
static void diag_push_utf8(struct model_diagnostics *diag, char *message)
{
    char *fixed = model_utf8_repair(message, "?");
    if (fixed != NULL) {
        free(message);
        message = fixed;
    }
    diag_push(diag, message);
}

static void add_error(struct loader *ld, uint32_t file, int line, int column,
                      char *pointer, char *message)
{
    if (ld->n_errors == ld->cap_errors) {
        ld->cap_errors = ld->cap_errors ? ld->cap_errors * 2 : 16;
        ld->errors = xrealloc(ld->errors, ld->cap_errors * sizeof(*ld->errors));
    }
    ld->errors[ld->n_errors++] =
        (struct lerror){file, line, column, pointer, message};
}

static void build_pointer(const struct where *w, const char *key, char *buf,
                          size_t size)
{
    int n;
    if (w->kind == K_SOURCE)
        n = snprintf(buf, size, "/source");
    else
        n = snprintf(buf, size, "/%s/%u", kind_arrays[w->kind], w->at.index);
    if (w->path != NULL && (size_t)n < size) {
        char sub[128];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(sub, sizeof(sub), w->path, w->sub);
#pragma GCC diagnostic pop
        n += snprintf(buf + n, size - (size_t)n, "/%s", sub);
    }
    if (key != NULL && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "/%s", key);
}

/* "/events/3/participants/0/actor" -> "events[3].participants[0].actor" */
static void display_path(const char *pointer, char *buf, size_t size)
{
    size_t o = 0;
    const char *p = pointer;
    while (*p == '/' && o + 1 < size) {
        p++;
        size_t len = strcspn(p, "/");
        int numeric = len > 0 && strspn(p, "0123456789") >= len;
        int n = numeric ? snprintf(buf + o, size - o, "[%.*s]", (int)len, p)
                        : snprintf(buf + o, size - o, "%s%.*s", o ? "." : "",
                                   (int)len, p);
        if (n < 0 || (size_t)n >= size - o)
            break;
        o += (size_t)n;
        p += len;
    }
    buf[o < size ? o : size - 1] = '\0';
}

__attribute__((format(printf, 3, 4))) static void
werr(const struct where *w, const char *key, const char *fmt, ...)
{
    char pointer[256], shown[256], msg[768];
    build_pointer(w, key, pointer, sizeof(pointer));
    display_path(pointer, shown, sizeof(shown));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char *full;
    if (asprintf(&full, "%s: %s", shown, msg) < 0)
        abort();
    add_error(w->ld, w->at.file, 0, 0, strdup(pointer), full);
}

__attribute__((format(printf, 4, 5))) static void
file_err(struct loader *ld, uint32_t file, const char *pointer,
         const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    add_error(ld, file, pointer ? 0 : 1, pointer ? 0 : 1,
              pointer ? strdup(pointer) : NULL, strdup(msg));
}

/* ---- Field readers: each reports its own errors and returns a safe value ---- */

static const char *type_name(const struct jv *v)
{
    switch (v->type) {
    case JV_OBJECT: return "an object";
    case JV_ARRAY: return "an array";
    case JV_STRING: return "a string";
    case JV_INTEGER: return "an integer";
    case JV_REAL: return "a number";
    case JV_TRUE: case JV_FALSE: return "a boolean";
    default: return "null";
    }
}

/* Rejects keys of obj that are not in allowed (NULL-terminated). */
static void check_keys(const struct where *w, const struct jv *obj,
                       const char *const *allowed)
{
    for (uint32_t m = 0; m < obj->len; m++) {
        const char *key = obj->u.members[m].key;
        int ok = 0;
        for (const char *const *a = allowed; *a != NULL && !ok; a++)
            ok = strcmp(*a, key) == 0;
        if (ok)
            continue;
        char list[512];
        size_t o = 0;
        for (const char *const *a = allowed; *a != NULL && o < sizeof(list); a++)
            o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
                                  a == allowed ? "" : ", ", *a);
        werr(w, key, "unknown field \"%s\"; allowed fields are %s", key, list);
    }
}

/* Returns obj[key], or NULL when it is absent (or null and optional); a
 * missing required field is reported at the object. */
static const struct jv *field(const struct where *w, const struct jv *obj, const char *key,
                     int required)
{
    const struct jv *v = jv_get(obj, key);
    if (v != NULL && !(jv_is_null(v) && !required))
        return v;
    if (required)
        werr(w, NULL, "missing required field \"%s\"", key);
    return NULL;
}

/* Returns an arena copy of the string at obj[key], or NULL. A missing
 * required field is reported at the object. */
static const char *str_field(const struct where *w, const struct jv *obj,
                             const char *key, int required)
{
    const struct jv *v = field(w, obj, key, required);
    if (v == NULL)
        return NULL;
    if (!jv_is_string(v)) {
        werr(w, key, "must be a string, not %s", type_name(v));
        return NULL;
    }
    size_t len = (v)->len;
    if (len == 0) {
        werr(w, key, "must not be empty; remove the field or give it a value");
        return NULL;
    }
    return model_arena_strndup(w->ld->arena, (v)->u.string, len);
}

static const char SLUG_RULE[] =
    "use lowercase letters, digits and single hyphens (at most 80 characters), "
    "e.g. \"steve-witkoff\"";

/* A reference id: a slug, copied to the temporary arena. */
static const char *ref_field(const struct where *w, const struct jv *obj,
                             const char *key, int required)
{
    const struct jv *v = field(w, obj, key, required);
    if (v == NULL)
        return NULL;
    if (!jv_is_string(v)) {
        werr(w, key, "must be an id string, not %s", type_name(v));
        return NULL;
    }
    if (!model_is_id((v)->u.string)) {
        werr(w, key, "\"%.80s\" is not a valid id; %s", (v)->u.string,
             SLUG_RULE);
        return NULL;
    }
    return model_arena_strdup(w->ld->tmp, (v)->u.string);
}

static int enum_field(const struct where *w, const struct jv *obj, const char *key,
                      const char *const *names, int count, int required,
                      int fallback)
{
    const struct jv *v = field(w, obj, key, required);
    if (v == NULL)
        return fallback;
    int found = jv_is_string(v)
                    ? model_enum_lookup(names, count, (v)->u.string)
                    : -1;
    if (found >= 0)
        return found;
    char list[512];
    size_t o = 0;
    for (int i = 0; i < count && o < sizeof(list); i++)
        o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "",
                              names[i]);
    if (jv_is_string(v))
        werr(w, key, "\"%.60s\" is not allowed here; use one of %s",
             (v)->u.string, list);
    else
        werr(w, key, "must be a string, one of %s", list);
    return fallback;
}

/* Returns the array at obj[key] (NULL when absent or wrong). */
static const struct jv *array_field(const struct where *w, const struct jv *obj, const char *key,
                           int required)
{
    const struct jv *v = field(w, obj, key, required);
    if (v == NULL)
        return NULL;
    if (!jv_is_array(v)) {
        werr(w, key, "must be an array, not %s", type_name(v));
        return NULL;
    }
    if (required && (v)->len == 0) {
        werr(w, key, "must not be empty; give at least one");
        return NULL;
    }
    return v;
}

static int object_value(const struct where *w, const char *key, const struct jv *v)
{
    if (jv_is_object(v))
        return 1;
    werr(w, key, "must be an object, not %s", type_name(v));
    return 0;
}

/* Reads a non-negative integer that fits 32 bits. */
static int u32_field(const struct where *w, const struct jv *obj, const char *key,
                     uint32_t *out)
{
    const struct jv *v = field(w, obj, key, 1);
    if (v == NULL)
        return 0;
    if (!jv_is_integer(v) || (v)->u.integer < 0 ||
        (v)->u.integer > UINT32_MAX) {
        werr(w, key, "must be a whole number from 0 to 4294967295");
        return 0;
    }
    *out = (uint32_t)(v)->u.integer;
    return 1;
}

static void add_fixup(const struct where *w, const char *key, const void **slot,
                      const char *id, enum kind target)
{
    struct loader *ld = w->ld;
    if (id == NULL)
        return;
    if (ld->n_fixups == ld->cap_fixups) {
        ld->cap_fixups = ld->cap_fixups ? ld->cap_fixups * 2 : 256;
        ld->fixups = xrealloc(ld->fixups, ld->cap_fixups * sizeof(*ld->fixups));
    }
    const char *path = key;
    if (w->path != NULL) {
        size_t n = strlen(w->path) + strlen(key) + 2;
        char *joined = model_arena_alloc(ld->tmp, n);
        snprintf(joined, n, "%s/%s", w->path, key);
        path = joined;
    }
    ld->fixups[ld->n_fixups++] = (struct fixup){
        .slot = slot, .id = id, .path = path, .sub = w->sub, .at = w->at,
        .item_kind = w->kind, .target_kind = (uint8_t)target};
}

/* A date, string or object form; w points at the date value itself. */
static int parse_date(const struct where *w, const struct jv *v, struct model_date *out)
{
    static const char *const keys[] = {"date", "basis", "phrase", "source",
                                       "note", NULL};
    const char *key = NULL; /* where the date string itself is */
    const struct jv *date = v;
    out->basis = MODEL_BASIS_REPORTED;
    if (jv_is_object(v)) {
        check_keys(w, v, keys);
        date = jv_get(v, "date");
        if (date == NULL) {
            werr(w, NULL, "missing required field \"date\"");
            return 0;
        }
        out->basis = enum_field(w, v, "basis", model_basis_names,
                                MODEL_BASIS_COUNT, 0, MODEL_BASIS_REPORTED);
        out->phrase = str_field(w, v, "phrase", out->basis == MODEL_BASIS_RESOLVED);
        out->note = str_field(w, v, "note", out->basis == MODEL_BASIS_INFERRED);
        const char *anchor = ref_field(w, v, "source",
                                       out->basis == MODEL_BASIS_RESOLVED);
        add_fixup(w, "source", (const void **)&out->anchor, anchor, K_SOURCE);
        key = "date";
    } else if (!jv_is_string(v)) {
        werr(w, NULL, "must be a date string such as \"2025-08-15\" or an "
             "object {\"date\", \"basis\", ...}, not %s", type_name(v));
        return 0;
    }
    if (!jv_is_string(date)) {
        werr(w, key, "must be a date string such as \"2025-08-15\"");
        return 0;
    }
    char err[200];
    if (model_date_parse((date)->u.string, 0, &out->time, err,
                         sizeof(err)) != 0) {
        werr(w, key, "%s", err);
        return 0;
    }
    out->text = model_arena_strdup(w->ld->arena, (date)->u.string);
    return 1;
}

static int date_field(const struct where *item, const struct jv *obj, const char *key,
                      int required, struct model_date *out)
{
    const struct jv *v = field(item, obj, key, required);
    if (v == NULL)
        return 0;
    struct where w = *item;
    if (item->path == NULL) {
        w.path = key;
        w.sub = -1;
    } else {
        size_t n = strlen(item->path) + strlen(key) + 2;
        char *joined = model_arena_alloc(item->ld->tmp, n);
        snprintf(joined, n, "%s/%s", item->path, key);
        w.path = joined;
    }
    return parse_date(&w, v, out);
}

/* Citations: [{source, start, end, text?}]. with_text: quote citations. */
static void parse_citations(const struct where *item, const struct jv *obj,
                            int required, const char *quote_text,
                            const struct model_citation **out, size_t *n_out)
{
    static const char *const plain[] = {"source", "start", "end", NULL};
    static const char *const quoted[] = {"source", "start", "end", "text", NULL};
    const struct jv *arr = array_field(item, obj, "citations", required);
    *n_out = 0;
    if (arr == NULL)
        return;
    size_t n = (arr)->len;
    struct model_citation *cits =
        model_arena_alloc(item->ld->arena, n * sizeof(*cits));
    for (size_t i = 0; i < n; i++) {
        struct where w = *item;
        w.path = "citations/%d";
        w.sub = (int)i;
        const struct jv *c = jv_item(arr, i);
        if (!object_value(&w, NULL, c))
            continue;
        check_keys(&w, c, quote_text ? quoted : plain);
        struct model_citation *cit = &cits[i];
        const char *src = ref_field(&w, c, "source", 1);
        int ok = u32_field(&w, c, "start", &cit->start);
        ok &= u32_field(&w, c, "end", &cit->end);
        if (ok && cit->end <= cit->start)
            werr(&w, "end", "end (%u) must be greater than start (%u)",
                 cit->end, cit->start);
        if (quote_text != NULL) {
            cit->text = jv_get(c, "text") != NULL
                            ? str_field(&w, c, "text", 0)
                            : quote_text;
        }
        add_fixup(&w, "source", (const void **)&cit->source, src, K_SOURCE);
        if (src != NULL) {
            struct fixup *f = &item->ld->fixups[item->ld->n_fixups - 1];
            f->is_citation = 1;
            f->needs_text = quote_text != NULL && ok && cit->text != NULL;
        }
        item->ld->n_citations++;
    }
    *out = cits;
    *n_out = n;
}

/* An array of strings; slugs when slug is set. */
static const char **string_list(const struct where *item, const struct jv *obj,
                                const char *key, const char *noun, int slug,
                                size_t *n_out)
{
    const struct jv *arr = array_field(item, obj, key, 0);
    *n_out = 0;
    if (arr == NULL)
        return NULL;
    size_t n = (arr)->len;
    const char **list = model_arena_alloc(item->ld->arena, n * sizeof(*list));
    for (size_t i = 0; i < n; i++) {
        const struct jv *v = jv_item(arr, i);
        char idx[24];
        snprintf(idx, sizeof(idx), "%zu", i);
        struct where w = *item;
        if (!jv_is_string(v) || (v)->len == 0) {
            w.path = key;
            w.sub = 0;
            werr(&w, idx, "must be a non-empty string");
            continue;
        }
        if (slug && !model_is_id((v)->u.string)) {
            w.path = key;
            werr(&w, idx, "\"%.80s\" is not a valid %s; %s",
                 (v)->u.string, noun, SLUG_RULE);
            continue;
        }
        list[(*n_out)++] = model_arena_strdup(item->ld->arena, (v)->u.string);
    }
    return list;
}

/* Records an entity and where it was written. Its id is registered later,
 * in file order, by register_ids(): files are read by several threads. */
static void add_entity(const struct where *w, enum kind kind, void *entity)
{
    struct loader *ld = w->ld;
    size_t idx = ld->entities[kind].n;
    vec_push(&ld->entities[kind], entity);
    if (idx == ld->cap_origins[kind]) {
        ld->cap_origins[kind] = ld->cap_origins[kind] ? ld->cap_origins[kind] * 2 : 64;
        ld->origins[kind] = xrealloc(ld->origins[kind],
                                     ld->cap_origins[kind] * sizeof(struct origin));
    }
    ld->origins[kind][idx] = w->at;
}

/* Registers every id in the order the files were read; a duplicate is
 * reported at its second definition, naming the first. Every entity struct
 * starts with its id (NULL when the id was invalid). */
static void register_ids(struct loader *ld)
{
    for (int k = 0; k < K_COUNT; k++) {
        struct vec *v = &ld->entities[k];
        model_idtable_init(&ld->ids[k], v->n, ld->arena);
        for (size_t i = 0; i < v->n; i++) {
            const char *id = *(const char *const *)v->items[i];
            if (id == NULL)
                continue;
            const void *prev = model_idtable_put(&ld->ids[k], v->items[i]);
            if (prev == v->items[i])
                continue;
            size_t first = 0;
            while (first < i && v->items[first] != prev)
                first++;
            struct origin o = ld->origins[k][first];
            char first_at[64];
            if (k == K_SOURCE)
                snprintf(first_at, sizeof(first_at), "/source");
            else
                snprintf(first_at, sizeof(first_at), "/%s/%u", kind_arrays[k], o.index);
            struct where w = {ld, ld->origins[k][i], (uint8_t)k, NULL, -1};
            werr(&w, "id", "duplicate %s id \"%s\": already defined in %s at %s; "
                 "ids must be unique, rename one", kind_nouns[k], id,
                 ld->paths[o.file], first_at);
        }
    }
}

static const char *id_field(const struct where *w, const struct jv *obj)
{
    const char *id = ref_field(w, obj, "id", 1);
    return id ? model_arena_strdup(w->ld->arena, id) : NULL;
}

/* ---- Entities ---- */

static void parse_source(struct where *w, const struct jv *o)
{
    static const char *const keys[] = {"id", "publisher", "syndication", "title",
        "author", "published", "language", "url", "dateline", "original", NULL};
    static const char *const synd_keys[] = {"via", "note", NULL};
    static const char *const orig_keys[] = {"file", "sha256", "length", NULL};
    struct model_source *s = model_arena_alloc(w->ld->arena, sizeof(*s));
    check_keys(w, o, keys);
    s->id = id_field(w, o);
    add_fixup(w, "publisher", (const void **)&s->publisher,
              ref_field(w, o, "publisher", 1), K_ACTOR);
    const struct jv *synd = jv_get(o, "syndication");
    if (synd != NULL && object_value(w, "syndication", synd)) {
        struct where ws = *w;
        ws.path = "syndication";
        check_keys(&ws, synd, synd_keys);
        add_fixup(&ws, "via", (const void **)&s->via, ref_field(&ws, synd, "via", 1),
                  K_ACTOR);
        s->syndication_note = str_field(&ws, synd, "note", 0);
    }
    s->title = str_field(w, o, "title", 1);
    s->author = str_field(w, o, "author", 0);
    date_field(w, o, "published", 1, &s->published);
    s->language = str_field(w, o, "language", 1);
    s->url = str_field(w, o, "url", 0);
    if (s->url != NULL && strncmp(s->url, "http://", 7) != 0 &&
        strncmp(s->url, "https://", 8) != 0)
        werr(w, "url", "must be an absolute http:// or https:// URL");
    s->dateline = str_field(w, o, "dateline", 0);
    const struct jv *orig = jv_get(o, "original");
    if (orig == NULL) {
        werr(w, NULL, "missing required field \"original\"");
    } else if (object_value(w, "original", orig)) {
        struct where wo = *w;
        wo.path = "original";
        check_keys(&wo, orig, orig_keys);
        s->original_file = str_field(&wo, orig, "file", 1);
        if (s->original_file != NULL &&
            (strchr(s->original_file, '/') != NULL || s->original_file[0] == '.'))
            werr(&wo, "file", "must be a plain file name, without directories");
        const char *sha = str_field(&wo, orig, "sha256", 1);
        if (sha != NULL) {
            if (strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64)
                werr(&wo, "sha256", "must be 64 lowercase hex digits (sha256sum FILE)");
            else
                memcpy(s->sha256, sha, 65);
        }
        u32_field(&wo, orig, "length", &s->length);
    }
    add_entity(w, K_SOURCE, s);
}

static void parse_actor(struct where *w, const struct jv *o)
{
    static const char *const keys[] = {"id", "name", "kind", "aliases", "roles",
                                       "wikidata", "citations", NULL};
    static const char *const role_keys[] = {"title", "organization", "from",
                                            "to", NULL};
    struct model_actor *a = model_arena_alloc(w->ld->arena, sizeof(*a));
    check_keys(w, o, keys);
    a->id = id_field(w, o);
    a->name = str_field(w, o, "name", 1);
    a->kind = enum_field(w, o, "kind", model_actor_kind_names,
                         MODEL_ACTOR_KIND_COUNT, 1, 0);
    a->aliases = string_list(w, o, "aliases", "alias", 0, &a->n_aliases);
    const struct jv *roles = array_field(w, o, "roles", 0);
    size_t nr = roles ? (roles)->len : 0;
    struct model_role *rs = model_arena_alloc(w->ld->arena, nr * sizeof(*rs));
    for (size_t i = 0; i < nr; i++) {
        struct where wr = *w;
        wr.path = "roles/%d";
        wr.sub = (int)i;
        const struct jv *r = jv_item(roles, i);
        if (!object_value(&wr, NULL, r))
            continue;
        check_keys(&wr, r, role_keys);
        rs[i].title = str_field(&wr, r, "title", 1);
        add_fixup(&wr, "organization", (const void **)&rs[i].organization,
                  ref_field(&wr, r, "organization", 0), K_ACTOR);
        struct model_date *d = model_arena_alloc(w->ld->arena, 2 * sizeof(*d));
        if (date_field(&wr, r, "from", 0, &d[0]))
            rs[i].from = &d[0];
        if (date_field(&wr, r, "to", 0, &d[1]))
            rs[i].to = &d[1];
        if (rs[i].from != NULL && rs[i].to != NULL &&
            rs[i].to->time.lo < rs[i].from->time.lo)
            werr(&wr, "to", "the role ends (%s) before it begins (%s)",
                 rs[i].to->text, rs[i].from->text);
    }
    a->roles = rs;
    a->n_roles = nr;
    a->wikidata = str_field(w, o, "wikidata", 0);
    if (a->wikidata != NULL &&
        (a->wikidata[0] != 'Q' || a->wikidata[1] == '\0' ||
         strspn(a->wikidata + 1, "0123456789") != strlen(a->wikidata + 1)))
        werr(w, "wikidata", "\"%s\" is not a Wikidata item id; write Q followed "
             "by digits, e.g. \"Q22686\"", a->wikidata);
    parse_citations(w, o, 0, NULL, &a->citations, &a->n_citations);
    add_entity(w, K_ACTOR, a);
}

static void parse_location(const struct where *w, const struct jv *o,
                           struct model_event *e)
{
    static const char *const keys[] = {"name", "country", "coordinates", NULL};
    static const char *const coord_keys[] = {"lat", "lon", "basis", NULL};
    const struct jv *v = jv_get(o, "location");
    if (v == NULL || jv_is_null(v) || !object_value(w, "location", v))
        return;
    struct where wl = *w;
    wl.path = "location";
    check_keys(&wl, v, keys);
    struct model_location *loc = model_arena_alloc(w->ld->arena, sizeof(*loc));
    loc->name = str_field(&wl, v, "name", 1);
    loc->country = str_field(&wl, v, "country", 0);
    if (loc->country != NULL &&
        (strlen(loc->country) != 2 || strspn(loc->country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 2))
        werr(&wl, "country", "\"%s\" is not an ISO 3166-1 alpha-2 code; write "
             "two capital letters, e.g. \"US\"", loc->country);
    const struct jv *c = jv_get(v, "coordinates");
    if (c != NULL && object_value(&wl, "coordinates", c)) {
        struct where wc = wl;
        wc.path = "location/coordinates";
        check_keys(&wc, c, coord_keys);
        const struct jv *lat = jv_get(c, "lat"), *lon = jv_get(c, "lon");
        const struct jv *basis = jv_get(c, "basis");
        int ok = 1;
        if (!jv_is_number(lat) || fabs(jv_number(lat)) > 90) {
            werr(&wc, "lat", "must be a number from -90 to 90");
            ok = 0;
        }
        if (!jv_is_number(lon) || fabs(jv_number(lon)) > 180) {
            werr(&wc, "lon", "must be a number from -180 to 180");
            ok = 0;
        }
        if (!jv_is_string(basis) || strcmp((basis)->u.string, "external") != 0) {
            werr(&wc, basis ? "basis" : NULL, "coordinates are never printed in "
                 "the articles: mark them \"basis\": \"external\"");
            ok = 0;
        }
        if (ok) {
            loc->has_coordinates = 1;
            loc->lat = jv_number(lat);
            loc->lon = jv_number(lon);
        }
    }
    e->location = loc;
}

static void parse_event(struct where *w, const struct jv *o)
{
    static const char *const keys[] = {"id", "type", "title", "summary", "status",
        "start", "end", "timezone", "location", "participants", "parent",
        "related", "citations", NULL};
    static const char *const part_keys[] = {"actor", "role", NULL};
    struct loader *ld = w->ld;
    struct model_event *e = model_arena_alloc(ld->arena, sizeof(*e));
    check_keys(w, o, keys);
    e->id = id_field(w, o);
    e->type = enum_field(w, o, "type", model_event_type_names,
                         MODEL_EVENT_TYPE_COUNT, 1, 0);
    e->title = str_field(w, o, "title", 1);
    e->summary = str_field(w, o, "summary", 1);
    e->status = enum_field(w, o, "status", model_event_status_names,
                           MODEL_STATUS_COUNT, 1, 0);
    date_field(w, o, "start", 1, &e->start);
    struct model_date *end = model_arena_alloc(ld->arena, sizeof(*end));
    if (date_field(w, o, "end", 0, end)) {
        e->end = end;
        if (end->time.lo < e->start.time.lo)
            werr(w, "end", "the end (%s) is before the start (%s)", end->text,
                 e->start.text ? e->start.text : "?");
    }
    e->timezone = str_field(w, o, "timezone", 0);
    if (e->timezone != NULL && (strchr(e->timezone, '/') == NULL ||
                                strchr(e->timezone, ' ') != NULL) &&
        strcmp(e->timezone, "UTC") != 0)
        werr(w, "timezone", "\"%s\" is not an IANA time zone name; write "
             "Area/City, e.g. \"America/Anchorage\"", e->timezone);
    parse_location(w, o, e);
    const struct jv *parts = array_field(w, o, "participants", 0);
    size_t np = parts ? (parts)->len : 0;
    struct model_participant *ps = model_arena_alloc(ld->arena, np * sizeof(*ps));
    for (size_t i = 0; i < np; i++) {
        struct where wp = *w;
        wp.path = "participants/%d";
        wp.sub = (int)i;
        const struct jv *p = jv_item(parts, i);
        if (!object_value(&wp, NULL, p))
            continue;
        check_keys(&wp, p, part_keys);
        add_fixup(&wp, "actor", (const void **)&ps[i].actor,
                  ref_field(&wp, p, "actor", 1), K_ACTOR);
        ps[i].role = enum_field(&wp, p, "role", model_role_names,
                                MODEL_ROLE_COUNT, 1, 0);
    }
    e->participants = ps;
    e->n_participants = np;
    add_fixup(w, "parent", (const void **)&e->parent,
              ref_field(w, o, "parent", 0), K_EVENT);
    const struct jv *rel = array_field(w, o, "related", 0);
    size_t nrel = rel ? (rel)->len : 0;
    const struct model_event **rs = model_arena_alloc(ld->arena, nrel * sizeof(*rs));
    for (size_t i = 0; i < nrel; i++) {
        struct where wr = *w;
        wr.path = "related";
        const struct jv *v = jv_item(rel, i);
        char idx[24];
        snprintf(idx, sizeof(idx), "%zu", i);
        if (!jv_is_string(v) || !model_is_id((v)->u.string)) {
            werr(&wr, idx, "must be an event id; %s", SLUG_RULE);
            continue;
        }
        add_fixup(&wr, idx, (const void **)&rs[i],
                  model_arena_strdup(ld->tmp, (v)->u.string), K_EVENT);
    }
    e->related = rs;
    e->n_related = nrel;
    parse_citations(w, o, 1, NULL, &e->citations, &e->n_citations);
    add_entity(w, K_EVENT, e);
}

static void parse_quote(struct where *w, const struct jv *o)
{
    static const char *const keys[] = {"id", "text", "speaker", "event", "said",
        "kind", "topics", "citations", NULL};
    struct model_quote *q = model_arena_alloc(w->ld->arena, sizeof(*q));
    check_keys(w, o, keys);
    q->id = id_field(w, o);
    q->text = str_field(w, o, "text", 1);
    add_fixup(w, "speaker", (const void **)&q->speaker,
              ref_field(w, o, "speaker", 1), K_ACTOR);
    add_fixup(w, "event", (const void **)&q->event,
              ref_field(w, o, "event", 0), K_EVENT);
    date_field(w, o, "said", 1, &q->said);
    q->kind = enum_field(w, o, "kind", model_quote_kind_names,
                         MODEL_QUOTE_KIND_COUNT, 1, 0);
    q->topics = string_list(w, o, "topics", "topic", 1, &q->n_topics);
    parse_citations(w, o, 1, q->text ? q->text : "", &q->citations,
                    &q->n_citations);
    add_entity(w, K_QUOTE, q);
}

/* ---- Files ---- */

static void parse_array(struct loader *ld, uint32_t file, const struct jv *root,
                        enum kind kind,
                        void (*parse)(struct where *, const struct jv *))
{
    const struct jv *arr = jv_get(root, kind_arrays[kind]);
    if (arr == NULL)
        return;
    char pointer[32];
    snprintf(pointer, sizeof(pointer), "/%s", kind_arrays[kind]);
    if (!jv_is_array(arr)) {
        file_err(ld, file, pointer, "%s: must be an array of %s objects",
                 kind_arrays[kind], kind_nouns[kind]);
        return;
    }
    for (size_t i = 0; i < (arr)->len; i++) {
        struct where w = {ld, {file, (uint32_t)i}, (uint8_t)kind, NULL, -1};
        const struct jv *o = jv_item(arr, i);
        if (object_value(&w, NULL, o))
            parse(&w, o);
    }
}

static const char *file_type(mode_t mode)
{
    return S_ISFIFO(mode) ? "a FIFO (named pipe)" :
           S_ISCHR(mode) ? "a character device" :
           S_ISBLK(mode) ? "a block device" :
           S_ISSOCK(mode) ? "a socket" :
           S_ISDIR(mode) ? "a directory" : "not a regular file";
}

/* Reads a whole regular file into a new buffer (*data, the caller frees it)
 * of at most MODEL_MAX_FILE_BYTES. Anything else is refused before a byte is
 * read: a FIFO would block the load (and a reload, and with it SIGTERM,
 * which the same thread waits for) until a writer came, and a device such
 * as /dev/zero never ends. On failure returns -1 with the reason in why. */
static int read_file(const char *path, char **data, size_t *len, char *why,
                     size_t why_size)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(why, why_size, "%s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, why_size, "it is %s; a corpus file must be a regular file",
                 file_type(st.st_mode));
        close(fd);
        return -1;
    }
    /* Reads one byte past the limit, so that a file that grew after fstat
     * is caught too. */
    size_t cap = st.st_size < MODEL_MAX_FILE_BYTES ? (size_t)st.st_size + 1
                                                   : (size_t)MODEL_MAX_FILE_BYTES + 1;
    size_t n = 0;
    char *buf = xrealloc(NULL, cap);
    int err = 0;
    while (n <= MODEL_MAX_FILE_BYTES) {
        if (n == cap) {
            cap = cap * 2 > (size_t)MODEL_MAX_FILE_BYTES + 1 ? (size_t)MODEL_MAX_FILE_BYTES + 1
                                                             : cap * 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            err = got < 0 ? errno : 0;
            break;
        }
        n += (size_t)got;
    }
    close(fd);
    if (err != 0 || n > MODEL_MAX_FILE_BYTES) {
        if (err != 0)
            snprintf(why, why_size, "%s", strerror(err));
        else
            snprintf(why, why_size, "it holds more than %u MiB, the most a corpus "
                     "file may; split it into several files", MODEL_MAX_FILE_BYTES >> 20);
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

static void load_file(struct loader *ld, uint32_t file)
{
    static const char *const top_keys[] = {"source", "actors", "events", "quotes", NULL};
    char *text;
    size_t len;
    char why[200];
    if (read_file(ld->paths[file], &text, &len, why, sizeof(why)) != 0) {
        file_err(ld, file, NULL, "cannot read the file: %s", why);
        ld->unreadable = 1;
        return;
    }
    /* The corpus version hashes each file's path, size and a fast 64-bit
     * hash of its content: SHA-256 over all the bytes took 1.4 s of an 8 s
     * load of the benchmark corpus, and the version identifies content, it
     * does not defend against forgery. */
    ld->file_meta[file][0] = len;
    ld->file_meta[file][1] = model_hash_seeded(text, len, 0x5bd1e995u);
    /* The document's values live in their own arena, dropped with it. */
    struct model_arena *doc = model_arena_new();
    char msg[300];
    size_t at;
    const struct jv *root = jv_parse(text, len, doc, &at, msg, sizeof(msg));
    if (root == NULL) {
        int line, column;
        jv_position(text, len, at, &line, &column);
        char *full;
        if (asprintf(&full, "invalid JSON: %s", msg) < 0)
            abort();
        add_error(ld, file, line, column, NULL, full);
        ld->unreadable = 1;
    }
    free(text);
    if (root == NULL) {
        model_arena_free(doc);
        return;
    }
    if (!jv_is_object(root)) {
        file_err(ld, file, "", "the file must hold one JSON object with any of "
                 "the keys source, actors, events, quotes");
        model_arena_free(doc);
        return;
    }
    for (uint32_t m = 0; m < root->len; m++) {
        const char *key = root->u.members[m].key;
        int ok = 0;
        for (const char *const *k = top_keys; *k != NULL && !ok; k++)
            ok = strcmp(*k, key) == 0;
        if (!ok) {
            char pointer[300];
            snprintf(pointer, sizeof(pointer), "/%s", key);
            file_err(ld, file, pointer, "unknown top-level key \"%.200s\"; a "
                     "corpus file holds source, actors, events or quotes", key);
        }
    }
    const struct jv *src = jv_get(root, "source");
    if (src != NULL) {
        struct where w = {ld, {file, 0}, K_SOURCE, NULL, -1};
        if (object_value(&w, NULL, src))
            parse_source(&w, src);
    }
    parse_array(ld, file, root, K_ACTOR, parse_actor);
    parse_array(ld, file, root, K_EVENT, parse_event);
    parse_array(ld, file, root, K_QUOTE, parse_quote);
    model_arena_free(doc);
}

static int path_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory being walked, and the ones above it: a link back to one of
 * them is a cycle, which would otherwise be walked until paths grew past
 * PATH_MAX, loading every file hundreds of times. */
struct walk {
    dev_t dev;
    ino_t ino;
    const char *path;
    const struct walk *up;
};

__attribute__((format(printf, 2, 3))) static void
dir_err(struct loader *ld, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg;
    if (vasprintf(&msg, fmt, ap) < 0)
        abort();
    va_end(ap);
    diag_push_utf8(&ld->dir_errors, msg);
}

static void add_path(struct loader *ld, char *path, size_t *cap)
{
    if (ld->n_paths == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        ld->paths = xrealloc(ld->paths, *cap * sizeof(*ld->paths));
    }
    ld->paths[ld->n_paths++] = path;
}

/* Collects *.json paths below here->path (recursively, through links);
 * hidden entries skipped. A subdirectory that cannot be read or that leads
 * back up is a directory error; returns -1 (errno set) only when here
 * itself cannot be read. */
static int collect_files(struct loader *ld, const struct walk *here, size_t *cap)
{
    DIR *d = opendir(here->path);
    if (d == NULL)
        return -1;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char *path;
        if (asprintf(&path, "%s/%s", here->path, de->d_name) < 0)
            abort();
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            const struct walk *w = here;
            while (w != NULL && (w->dev != st.st_dev || w->ino != st.st_ino))
                w = w->up;
            struct walk sub = {st.st_dev, st.st_ino, path, here};
            if (w != NULL)
                dir_err(ld, "%s: a link back to %s, which holds it (a directory "
                        "cycle); not followed: remove the link", path, w->path);
            else if (collect_files(ld, &sub, cap) != 0)
                dir_err(ld, "%s: cannot read the directory: %s", path, strerror(errno));
            free(path);
        } else {
            size_t n = strlen(de->d_name);
            if (n >= 5 && strcmp(de->d_name + n - 5, ".json") == 0)
                add_path(ld, path, cap);
            else
                free(path);
        }
        errno = 0;
    }
    int err = errno;
    closedir(d);
    errno = err;
    return err != 0 ? -1 : 0;
}

/* ---- Cross-file checks ---- */

static struct where fixup_where(struct loader *ld, const struct fixup *f,
                                const char **key)
{
    /* The fixup's path is the whole pointer below the item. */
    struct where w = {ld, f->at, f->item_kind, f->path, f->sub};
    *key = NULL;
    return w;
}

static void resolve_fixups(struct loader *ld)
{
    for (size_t i = 0; i < ld->n_fixups; i++) {
        struct fixup *f = &ld->fixups[i];
        const void *target = model_idtable_get(&ld->ids[f->target_kind], f->id);
        const char *key;
        struct where w = fixup_where(ld, f, &key);
        if (target == NULL && ld->unreadable)
            continue; /* the id may well be in the file that did not parse */
        if (target == NULL) {
            werr(&w, key, "no %s has id \"%s\"; add it to %s file or fix the id",
                 kind_nouns[f->target_kind], f->id,
                 f->target_kind == K_SOURCE ? "a sources" :
                 f->target_kind == K_ACTOR ? "an actors" : "an events");
            continue;
        }
        *f->slot = target;
        if (f->target_kind == K_ACTOR && f->item_kind == K_SOURCE &&
            ((const struct model_actor *)target)->kind != MODEL_ACTOR_MEDIA_OUTLET)
            werr(&w, key, "\"%s\" is not a media-outlet actor; a publisher or "
                 "syndicator must be one", f->id);
        if (!f->is_citation)
            continue;
        const struct model_citation *c = (const struct model_citation *)f->slot;
        const struct model_source *s = target;
        w.path = "citations/%d"; /* report at the citation, not its source */
        if (c->end > s->length)
            werr(&w, NULL, "span [%u, %u) ends past the end of source \"%s\", "
                 "which is %u code points long", c->start, c->end, s->id, s->length);
        if (f->needs_text) {
            size_t cps = model_utf8_length(c->text, strlen(c->text));
            if (cps != (size_t)(c->end - c->start))
                werr(&w, NULL, "span [%u, %u) is %u code points long but its "
                     "text is %zu; fix start/end or the text",
                     c->start, c->end, c->end - c->start, cps);
        }
    }
}

static void check_parents(struct loader *ld)
{
    struct vec *events = &ld->entities[K_EVENT];
    for (size_t i = 0; i < events->n; i++) {
        const struct model_event *e = events->items[i];
        const struct model_event *slow = e, *fast = e;
        int cycle = 0;
        while (fast != NULL && fast->parent != NULL) {
            fast = fast->parent->parent;
            slow = slow->parent;
            if (fast == slow) {
                cycle = 1;
                break;
            }
        }
        struct where w = {ld, ld->origins[K_EVENT][i], K_EVENT, NULL, -1};
        if (cycle && e->parent != NULL)
            werr(&w, "parent", "the parent chain of \"%s\" loops back on "
                 "itself; an event cannot contain its own ancestor", e->id);
        for (size_t r = 0; r < e->n_related; r++)
            if (e->related[r] == e)
                werr(&w, "related", "\"%s\" lists itself as related", e->id);
    }
}

struct proof_item {
    const struct model_source *source;
    const struct model_citation *cit;
    struct where w;
};

static int proof_cmp(const void *a, const void *b)
{
    const struct proof_item *x = a, *y = b;
    if (x->source != y->source)
        return strcmp(x->source->id, y->source->id);
    return x->cit->start < y->cit->start ? -1 : x->cit->start > y->cit->start;
}

/* Proves one source's original and every quote citation into it. */
static void prove_source(struct loader *ld, const struct model_source *s,
                         struct origin o, const struct proof_item *items,
                         size_t n)
{
    struct where w = {ld, o, K_SOURCE, "original", -1};
    char *path, *text;
    size_t len;
    char why[200];
    if (asprintf(&path, "%s/%s", ld->opts->originals_dir, s->original_file) < 0)
        abort();
    if (read_file(path, &text, &len, why, sizeof(why)) != 0) {
        werr(&w, "file", "cannot read the original %s: %s", path, why);
        free(path);
        return;
    }
    char hex[65];
    model_sha256_hex(text, len, hex);
    size_t cps = model_utf8_length(text, len);
    if (strcmp(hex, s->sha256) != 0)
        werr(&w, "sha256", "the original %s has sha256 %s, not the one written "
             "here; the annotation was made against another text", path, hex);
    else if (!model_utf8_valid(text, len))
        werr(&w, "file", "the original %s is not valid UTF-8", path);
    else if (cps != s->length)
        werr(&w, "length", "the original %s is %zu code points long, not %u",
             path, cps, s->length);
    else {
        for (size_t i = 0; i < n; i++) {
            const struct model_citation *c = items[i].cit;
            size_t b0 = model_utf8_offset(text, len, c->start);
            size_t b1 = model_utf8_offset(text, len, c->end);
            size_t tl = strlen(c->text);
            if (b0 != (size_t)-1 && b1 != (size_t)-1 && b1 - b0 == tl &&
                memcmp(text + b0, c->text, tl) == 0) {
                ld->n_proven++;
                continue;
            }
            char found[160] = "", hint[96] = "";
            if (b0 != (size_t)-1 && b1 != (size_t)-1 && b1 >= b0)
                snprintf(found, sizeof(found), "%.*s",
                         (int)(b1 - b0 < 120 ? b1 - b0 : 120), text + b0);
            const char *at = tl > 0 ? memmem(text, len, c->text, tl) : NULL;
            if (at != NULL) {
                size_t cp = model_utf8_length(text, (size_t)(at - text));
                snprintf(hint, sizeof(hint), " (the quoted text is at [%zu, %zu))",
                         cp, cp + model_utf8_length(c->text, tl));
            }
            werr(&items[i].w, NULL, "the original of \"%s\" has \"%s\" at "
                 "[%u, %u), not the quoted text; fix the span or the text%s",
                 s->id, found, c->start, c->end, hint);
        }
    }
    free(text);
    free(path);
}

static void prove_originals(struct loader *ld)
{
    size_t n = 0, cap = 0;
    struct proof_item *items = NULL;
    struct vec *quotes = &ld->entities[K_QUOTE];
    for (size_t i = 0; i < quotes->n; i++) {
        const struct model_quote *q = quotes->items[i];
        for (size_t c = 0; c < q->n_citations; c++) {
            const struct model_citation *cit = &q->citations[c];
            if (cit->source == NULL || cit->text == NULL)
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                items = xrealloc(items, cap * sizeof(*items));
            }
            items[n++] = (struct proof_item){cit->source, cit,
                {ld, ld->origins[K_QUOTE][i], K_QUOTE, "citations/%d", (int)c}};
        }
    }
    qsort(items, n, sizeof(*items), proof_cmp);
    struct vec *sources = &ld->entities[K_SOURCE];
    for (size_t i = 0; i < sources->n; i++) {
        const struct model_source *s = sources->items[i];
        if (s->original_file == NULL || s->sha256[0] == '\0')
            continue;
        /* A source whose id is invalid (reported) is cited by nothing; its
         * original is still checked. */
        size_t lo = 0, hi = s->id != NULL ? n : 0;
        while (lo < hi) { /* first item of this source */
            size_t mid = (lo + hi) / 2;
            if (strcmp(items[mid].source->id, s->id) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t end = lo;
        while (end < n && items[end].source == s)
            end++;
        prove_source(ld, s, ld->origins[K_SOURCE][i], items + lo, end - lo);
    }
    free(items);
}

/* ---- Reporting ---- */

static int error_cmp(const void *a, const void *b)
{
    const struct lerror *x = a, *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return (x->column > y->column) - (x->column < y->column);
}

static void report_errors(struct loader *ld, struct model_diagnostics *diag)
{
    /* Resolve pointers to positions, one file read per file with errors. */
    for (size_t i = 0; i < ld->n_errors; i++) {
        struct lerror *e = &ld->errors[i];
        if (e->pointer == NULL || e->line > 0)
            continue;
        char *text = NULL;
        size_t len = 0;
        char why[200];
        int readable = read_file(ld->paths[e->file], &text, &len, why, sizeof(why)) == 0;
        for (size_t j = i; j < ld->n_errors; j++) {
            struct lerror *f = &ld->errors[j];
            if (f->file != e->file || f->pointer == NULL || f->line > 0)
                continue;
            if (readable) {
                jv_locate(text, len, f->pointer, &f->line, &f->column);
            } else {
                f->line = 1;
                f->column = 1;
            }
        }
        free(text);
    }
    qsort(ld->errors, ld->n_errors, sizeof(*ld->errors), error_cmp);
    for (size_t i = 0; i < ld->n_errors; i++) {
        struct lerror *e = &ld->errors[i];
        char *line;
        if (asprintf(&line, "%s:%d:%d: %s", ld->paths[e->file], e->line,
                     e->column, e->message) < 0)
            abort();
        diag_push_utf8(diag, line);
    }
}

void model_diagnostics_free(struct model_diagnostics *diag)
{
    for (size_t i = 0; i < diag->count; i++)
        free(diag->messages[i]);
    free(diag->messages);
    memset(diag, 0, sizeof(*diag));
}

/* Frees what only the checks needed (references, origins, id maps), so
 * that it is gone before the indexes are built: it was a third of the
 * benchmark corpus's peak memory. Safe to call twice. */
static void loader_free_scratch(struct loader *ld)
{
    for (int k = 0; k < K_COUNT; k++) {
        free(ld->origins[k]);
        ld->origins[k] = NULL;
    }
    free(ld->fixups);
    ld->fixups = NULL;
    free(ld->file_meta);
    ld->file_meta = NULL;
    model_arena_free(ld->tmp);
    ld->tmp = NULL;
}

static void loader_free(struct loader *ld)
{
    loader_free_scratch(ld);
    for (size_t i = 0; i < ld->n_paths; i++)
        free(ld->paths[i]);
    free(ld->paths);
    for (size_t i = 0; i < ld->n_errors; i++) {
        free(ld->errors[i].pointer);
        free(ld->errors[i].message);
    }
    free(ld->errors);
    for (int k = 0; k < K_COUNT; k++)
        free(ld->entities[k].items);
    model_diagnostics_free(&ld->dir_errors);
}

/* ---- Phase timing, printed to stderr when TIMELINE_LOAD_TRACE is set ---- */

static double trace_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void trace(const char *phase, double *since)
{
    static int enabled = -1;
    if (enabled < 0)
        enabled = getenv("TIMELINE_LOAD_TRACE") != NULL;
    double now = trace_clock();
    if (enabled)
        fprintf(stderr, "timeline: load: %-16s %8.1f ms\n", phase, now - *since);
    *since = now;
}

/* ---- Reading files in parallel ---- */

struct shard {
    struct loader ld;
    size_t begin, end; /* files [begin, end) */
    pthread_t thread;
};

static void *shard_run(void *arg)
{
    struct shard *sh = arg;
    for (size_t f = sh->begin; f < sh->end; f++)
        load_file(&sh->ld, (uint32_t)f);
    return NULL;
}

static void *append(void *dst, size_t n, const void *src, size_t m, size_t size)
{
    dst = xrealloc(dst, (n + m) * size + 1);
    if (m > 0)
        memcpy((char *)dst + n * size, src, m * size);
    return dst;
}

/* Moves a shard's results behind what ld has, keeping file order. */
static void merge_shard(struct loader *ld, struct loader *sh)
{
    model_arena_adopt(ld->arena, sh->arena);
    model_arena_adopt(ld->tmp, sh->tmp);
    for (int k = 0; k < K_COUNT; k++) {
        struct vec *v = &ld->entities[k], *w = &sh->entities[k];
        v->items = append(v->items, v->n, w->items, w->n, sizeof(void *));
        ld->origins[k] = append(ld->origins[k], v->n, sh->origins[k], w->n,
                                sizeof(struct origin));
        v->n += w->n;
        v->cap = ld->cap_origins[k] = v->n;
        free(w->items);
        free(sh->origins[k]);
    }
    ld->fixups = append(ld->fixups, ld->n_fixups, sh->fixups, sh->n_fixups,
                        sizeof(*ld->fixups));
    ld->n_fixups += sh->n_fixups;
    ld->cap_fixups = ld->n_fixups;
    free(sh->fixups);
    ld->errors = append(ld->errors, ld->n_errors, sh->errors, sh->n_errors,
                        sizeof(*ld->errors));
    ld->n_errors += sh->n_errors;
    ld->cap_errors = ld->n_errors;
    free(sh->errors);
    ld->n_citations += sh->n_citations;
    ld->unreadable |= sh->unreadable;
}

/* Reads every file, on up to one thread per core, each thread taking a
 * contiguous run of files of about equal total size. */
static void load_files(struct loader *ld)
{
    enum { MAX_THREADS = 8, MIN_BYTES_PER_THREAD = 4 << 20 };
    uint64_t total = 0;
    uint64_t *sizes = xrealloc(NULL, (ld->n_paths + 1) * sizeof(*sizes));
    for (size_t i = 0; i < ld->n_paths; i++) {
        struct stat st;
        sizes[i] = stat(ld->paths[i], &st) == 0 ? (uint64_t)st.st_size : 0;
        total += sizes[i];
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : (size_t)cores;
    if (total / MIN_BYTES_PER_THREAD < n)
        n = total / MIN_BYTES_PER_THREAD > 0 ? (size_t)(total / MIN_BYTES_PER_THREAD) : 1;
    struct shard shards[MAX_THREADS];
    size_t f = 0;
    uint64_t done = 0;
    for (size_t t = 0; t < n; t++) {
        struct shard *sh = &shards[t];
        memset(sh, 0, sizeof(*sh));
        sh->ld.dir = ld->dir;
        sh->ld.opts = ld->opts;
        sh->ld.paths = ld->paths;
        sh->ld.n_paths = ld->n_paths;
        sh->ld.file_meta = ld->file_meta;
        sh->ld.arena = model_arena_new();
        sh->ld.tmp = model_arena_new();
        sh->begin = f;
        uint64_t target = total * (t + 1) / n;
        while (f < ld->n_paths && (done < target || t + 1 == n)) {
            done += sizes[f];
            f++;
        }
        sh->end = f;
    }
    free(sizes);
    size_t started = 1;
    for (size_t t = 1; t < n; t++) {
        if (pthread_create(&shards[t].thread, NULL, shard_run, &shards[t]) != 0)
            break; /* run the rest on this thread */
        started++;
    }
    shard_run(&shards[0]);
    for (size_t t = 1; t < n; t++) {
        if (t < started)
            pthread_join(shards[t].thread, NULL);
        else
            shard_run(&shards[t]);
    }
    for (size_t t = 0; t < n; t++)
        merge_shard(ld, &shards[t].ld);
}

int model_load(const char *dir, const struct model_load_options *opts,
               struct model_snapshot **out, struct model_diagnostics *diag)
{
    static const struct model_load_options no_options = {NULL};
    struct loader ld;
    memset(&ld, 0, sizeof(ld));
    ld.dir = dir;
    ld.opts = opts ? opts : &no_options;
    ld.arena = model_arena_new();
    ld.tmp = model_arena_new();
    *out = NULL;

    size_t cap = 0;
    struct stat st;
    int rc = stat(dir, &st);
    if (rc == 0 && !S_ISDIR(st.st_mode)) {
        rc = -1;
        errno = ENOTDIR;
    }
    if (rc == 0) {
        struct walk top = {st.st_dev, st.st_ino, dir, NULL};
        rc = collect_files(&ld, &top, &cap);
    }
    if (rc != 0) {
        char *msg;
        if (asprintf(&msg, "%s: not a readable corpus directory: %s", dir,
                     strerror(errno)) < 0)
            abort();
        diag_push_utf8(diag, msg);
        loader_free(&ld);
        model_arena_free(ld.arena);
        return -1;
    }
    if (ld.n_paths == 0)
        dir_err(&ld, "%s: holds no corpus file (no *.json below it, hidden names "
                "skipped); an empty corpus is refused, so that an empty or "
                "unmounted directory never replaces the corpus being served", dir);
    else
        qsort(ld.paths, ld.n_paths, sizeof(*ld.paths), path_cmp);

    double t = trace_clock();
    ld.file_meta = xrealloc(NULL, (ld.n_paths + 1) * sizeof(*ld.file_meta));
    load_files(&ld);
    trace("read and parse", &t);
    struct model_sha256 version;
    model_sha256_init(&version);
    for (size_t i = 0; i < ld.n_paths; i++) {
        const char *rel = ld.paths[i] + strlen(dir);
        model_sha256_update(&version, rel, strlen(rel) + 1);
        model_sha256_update(&version, ld.file_meta[i], sizeof(ld.file_meta[i]));
    }
    register_ids(&ld);
    trace("register ids", &t);
    resolve_fixups(&ld);
    check_parents(&ld);
    trace("resolve refs", &t);
    if (ld.opts->originals_dir != NULL) {
        prove_originals(&ld);
        trace("prove originals", &t);
    }

    if (ld.n_errors > 0 || ld.dir_errors.count > 0) {
        /* The directory's errors first: they name no file position. */
        for (size_t i = 0; i < ld.dir_errors.count; i++)
            diag_push(diag, ld.dir_errors.messages[i]);
        ld.dir_errors.count = 0;
        report_errors(&ld, diag);
        loader_free(&ld);
        model_arena_free(ld.arena);
        return -1;
    }

    struct model_snapshot *snap = model_arena_alloc(ld.arena, sizeof(*snap));
    unsigned char digest[32];
    model_sha256_final(&version, digest);
    model_hex_encode(digest, 32, snap->version);
    snap->loaded_at = time(NULL);
    snap->arena = ld.arena;
    snap->n_files = ld.n_paths;
    snap->n_citations = ld.n_citations;
    snap->n_proven = ld.n_proven;
    struct model_build_input in = {
        (const struct model_source **)ld.entities[K_SOURCE].items, ld.entities[K_SOURCE].n,
        (const struct model_actor **)ld.entities[K_ACTOR].items, ld.entities[K_ACTOR].n,
        (struct model_event **)ld.entities[K_EVENT].items, ld.entities[K_EVENT].n,
        (struct model_quote **)ld.entities[K_QUOTE].items, ld.entities[K_QUOTE].n,
        {ld.ids[K_SOURCE], ld.ids[K_ACTOR], ld.ids[K_EVENT], ld.ids[K_QUOTE]}};
    loader_free_scratch(&ld);
    trace("free scratch", &t);
    model_index_build(snap, &in);
    trace("build indexes", &t);
    loader_free(&ld);
    *out = snap;
    return 0;
}
