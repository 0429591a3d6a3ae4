#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

struct parser {
    const char *s;
    size_t n;
    size_t i;
    struct model_arena *arena;
    /* Scratch stacks for the children of open arrays and objects; they are
     * copied into the arena when the container closes. */
    struct jv *vals;
    size_t n_vals, cap_vals;
    struct jv_member *mems;
    size_t n_mems, cap_mems;
    char *buf; /* string decoding */
    size_t cap_buf;
    size_t err_offset;
    char *err;
    size_t errlen;
    int failed;
};

__attribute__((format(printf, 3, 4))) static void fail(struct parser *p, size_t at,
                                                       const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = 1;
    p->err_offset = at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(p, c * size);
    if (q == NULL) {
        fputs("timeline: out of memory\n", stderr);
        abort();
    }
    *cap = c;
    return q;
}

static void skip_ws(struct parser *p)
{
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        p->i++;
    }
}

/* Fails at p->i, where something else was expected, naming the slips that
 * editors make most (a comment, single quotes) instead of the bare grammar. */
static void unexpected(struct parser *p, const char *expected)
{
    const char *c = p->s + p->i;
    if (p->i >= p->n)
        fail(p, p->i, "unexpected end of file; %s", expected);
    else if (c[0] == '/' && p->i + 1 < p->n && (c[1] == '/' || c[1] == '*'))
        fail(p, p->i, "a comment, which JSON does not have; remove it");
    else if (c[0] == '\'')
        fail(p, p->i, "a string in single quotes; JSON strings are in double quotes");
    else
        fail(p, p->i, "%s", expected);
}

/* After a ',' at comma: a ']' or '}' next is a trailing comma, which JSON
 * does not allow (JavaScript and many editors do). */
static int trailing_comma(struct parser *p, size_t comma, char close)
{
    skip_ws(p);
    if (p->i >= p->n || p->s[p->i] != close)
        return 0;
    fail(p, comma, "a comma before '%c' (a trailing comma); remove it", close);
    return 1;
}

static int hex4(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Parses a string at p->i (its opening quote); returns an arena copy. */
static const char *parse_string(struct parser *p, uint32_t *len_out)
{
    size_t start = p->i++;
    size_t o = 0;
    for (;;) {
        /* Copy the run of plain characters at once. */
        size_t run = p->i;
        while (run < p->n && p->s[run] != '"' && p->s[run] != '\\' &&
               (unsigned char)p->s[run] >= 0x20)
            run++;
        size_t k = run - p->i;
        p->buf = grow(p->buf, &p->cap_buf, o + k + 8, 1);
        memcpy(p->buf + o, p->s + p->i, k);
        o += k;
        p->i = run;
        if (p->i >= p->n) {
            fail(p, start, "unterminated string");
            return NULL;
        }
        char c = p->s[p->i];
        if (c == '"') {
            p->i++;
            break;
        }
        if (c != '\\') {
            fail(p, p->i, "control character in a string; write it as an escape such as \\n");
            return NULL;
        }
        if (p->i + 1 >= p->n) {
            fail(p, p->i, "unterminated string");
            return NULL;
        }
        char e = p->s[p->i + 1];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e != '\0' && simple != NULL && e != 'u') {
            static const char map[] = "\"\\/\b\f\n\r\t";
            p->buf[o++] = map[simple - "\"\\/bfnrt"];
            p->i += 2;
            continue;
        }
        uint32_t cp;
        if (e != 'u' || p->i + 6 > p->n || hex4(p->s + p->i + 2, &cp) != 0) {
            fail(p, p->i, "invalid escape in a string");
            return NULL;
        }
        size_t at = p->i;
        p->i += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (p->i + 6 > p->n || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u' ||
                hex4(p->s + p->i + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF) {
                fail(p, at, "unpaired UTF-16 surrogate in a \\u escape");
                return NULL;
            }
            p->i += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail(p, at, "unpaired UTF-16 surrogate in a \\u escape");
            return NULL;
        } else if (cp == 0) {
            fail(p, at, "\\u0000 (NUL) is not allowed in a string");
            return NULL;
        }
        o += put_utf8(p->buf + o, cp);
    }
    if (!model_utf8_valid(p->buf, o)) {
        fail(p, start, "string is not valid UTF-8");
        return NULL;
    }
    if (o > UINT32_MAX) {
        fail(p, start, "string too long");
        return NULL;
    }
    *len_out = (uint32_t)o;
    return model_arena_strndup(p->arena, p->buf, o);
}

static int literal(struct parser *p, const char *word)
{
    size_t n = strlen(word);
    return p->i + n <= p->n && memcmp(p->s + p->i, word, n) == 0;
}

static void parse_number(struct parser *p, struct jv *v)
{
    size_t start = p->i, i = p->i;
    int is_real = 0;
    if (i < p->n && p->s[i] == '-')
        i++;
    if (i < p->n && p->s[i] == '0') {
        i++;
    } else if (i < p->n && p->s[i] >= '1' && p->s[i] <= '9') {
        while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
            i++;
    } else {
        fail(p, start, "invalid number");
        return;
    }
    if (i < p->n && p->s[i] == '.') {
        is_real = 1;
        i++;
        if (i >= p->n || p->s[i] < '0' || p->s[i] > '9') {
            fail(p, start, "invalid number: digits must follow the decimal point");
            return;
        }
        while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
            i++;
    }
    if (i < p->n && (p->s[i] == 'e' || p->s[i] == 'E')) {
        is_real = 1;
        i++;
        if (i < p->n && (p->s[i] == '+' || p->s[i] == '-'))
            i++;
        if (i >= p->n || p->s[i] < '0' || p->s[i] > '9') {
            fail(p, start, "invalid number: digits must follow the exponent");
            return;
        }
        while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
            i++;
    }
    char tmp[64];
    size_t len = i - start;
    p->i = i;
    if (len >= sizeof(tmp)) {
        fail(p, start, "number too long");
        return;
    }
    memcpy(tmp, p->s + start, len);
    tmp[len] = '\0';
    errno = 0;
    if (!is_real) {
        long long x = strtoll(tmp, NULL, 10);
        if (errno == 0) {
            v->type = JV_INTEGER;
            v->u.integer = x;
            return;
        }
    }
    double d = strtod(tmp, NULL);
    if (!isfinite(d)) {
        fail(p, start, "number out of range");
        return;
    }
    v->type = JV_REAL;
    v->u.real = d;
}

static void parse_value(struct parser *p, struct jv *v, int depth);

static void parse_array(struct parser *p, struct jv *v, int depth)
{
    size_t base = p->n_vals;
    p->i++;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == ']') {
        p->i++;
    } else {
        for (;;) {
            p->vals = grow(p->vals, &p->cap_vals, p->n_vals + 1, sizeof(*p->vals));
            size_t slot = p->n_vals++;
            struct jv item;
            parse_value(p, &item, depth + 1);
            if (p->failed)
                return;
            p->vals[slot] = item;
            skip_ws(p);
            if (p->i < p->n && p->s[p->i] == ',') {
                size_t comma = p->i++;
                if (trailing_comma(p, comma, ']'))
                    return;
                continue;
            }
            if (p->i < p->n && p->s[p->i] == ']') {
                p->i++;
                break;
            }
            unexpected(p, p->i < p->n && strchr("{[\"-0123456789tfn", p->s[p->i]) ?
                       "expected ',' or ']' after an array item; is a comma missing?" :
                       "expected ',' or ']' after an array item");
            return;
        }
    }
    size_t count = p->n_vals - base;
    v->type = JV_ARRAY;
    v->len = (uint32_t)count;
    /* p->vals is still NULL when no array had items yet: no NULL + 0. */
    v->u.items = model_arena_memdup(p->arena, count ? p->vals + base : NULL,
                                    count * sizeof(*p->vals));
    p->n_vals = base;
}

static void parse_object(struct parser *p, struct jv *v, int depth)
{
    size_t base = p->n_mems;
    p->i++;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == '}') {
        p->i++;
    } else {
        for (;;) {
            skip_ws(p);
            if (p->i >= p->n || p->s[p->i] != '"') {
                char c = p->i < p->n ? p->s[p->i] : '\0';
                unexpected(p, (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ?
                           "a key without quotes; write it in double quotes" :
                           "expected a string key in an object");
                return;
            }
            size_t key_at = p->i;
            struct jv_member m;
            m.key = parse_string(p, &m.key_len);
            if (p->failed)
                return;
            for (size_t k = base; k < p->n_mems; k++) {
                if (p->mems[k].key_len == m.key_len &&
                    memcmp(p->mems[k].key, m.key, m.key_len) == 0) {
                    fail(p, key_at, "duplicate key \"%.*s\" in an object; a field "
                         "may appear only once, remove one", model_utf8_prefix(m.key, 100), m.key);
                    return;
                }
            }
            skip_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':') {
                unexpected(p, "expected ':' after an object key");
                return;
            }
            p->i++;
            p->mems = grow(p->mems, &p->cap_mems, p->n_mems + 1, sizeof(*p->mems));
            size_t slot = p->n_mems++;
            parse_value(p, &m.value, depth + 1);
            if (p->failed)
                return;
            p->mems[slot] = m;
            skip_ws(p);
            if (p->i < p->n && p->s[p->i] == ',') {
                size_t comma = p->i++;
                if (trailing_comma(p, comma, '}'))
                    return;
                continue;
            }
            if (p->i < p->n && p->s[p->i] == '}') {
                p->i++;
                break;
            }
            unexpected(p, p->i < p->n && p->s[p->i] == '"' ?
                       "expected ',' or '}' after an object member; is a comma missing?" :
                       "expected ',' or '}' after an object member");
            return;
        }
    }
    size_t count = p->n_mems - base;
    v->type = JV_OBJECT;
    v->len = (uint32_t)count;
    v->u.members = model_arena_memdup(p->arena, count ? p->mems + base : NULL,
                                      count * sizeof(*p->mems));
    p->n_mems = base;
}

static void parse_value(struct parser *p, struct jv *v, int depth)
{
    skip_ws(p);
    memset(v, 0, sizeof(*v));
    v->offset = (uint32_t)p->i;
    if (depth > JV_MAX_DEPTH) {
        fail(p, p->i, "nested more than %d levels deep", JV_MAX_DEPTH);
        return;
    }
    if (p->i >= p->n) {
        unexpected(p, "a value is missing");
        return;
    }
    char c = p->s[p->i];
    if (c == '{') {
        parse_object(p, v, depth);
    } else if (c == '[') {
        parse_array(p, v, depth);
    } else if (c == '"') {
        v->type = JV_STRING;
        v->u.string = parse_string(p, &v->len);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        parse_number(p, v);
    } else if (literal(p, "true")) {
        v->type = JV_TRUE;
        p->i += 4;
    } else if (literal(p, "false")) {
        v->type = JV_FALSE;
        p->i += 5;
    } else if (literal(p, "null")) {
        v->type = JV_NULL;
        p->i += 4;
    } else {
        unexpected(p, "unexpected character; expected a value (object, array, "
                   "string, number, true, false or null)");
    }
}

const struct jv *jv_parse(const char *text, size_t n, struct model_arena *arena,
                          size_t *err_offset, char *err, size_t errlen)
{
    struct parser p;
    memset(&p, 0, sizeof(p));
    p.s = text;
    p.n = n;
    p.arena = arena;
    p.err = err;
    p.errlen = errlen;
    struct jv *root = model_arena_alloc(arena, sizeof(*root));
    const unsigned char *u = (const unsigned char *)text;
    const char *nul = memchr(text, '\0', n);
    if (n > UINT32_MAX)
        fail(&p, 0, "file too large (over 4 GiB)");
    else if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        fail(&p, 0, "the file begins with a byte order mark (EF BB BF); save it "
             "as UTF-8 without one");
    else if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
        fail(&p, 0, "the file is UTF-16 (it begins with the byte order mark %02X %02X); "
             "save it as UTF-8", u[0], u[1]);
    else if (nul != NULL)
        /* UTF-16 of text that begins in ASCII: one of its first two bytes is 0. */
        fail(&p, (size_t)(nul - text), "NUL byte in the file%s",
             n >= 2 && (u[0] == 0) != (u[1] == 0) ? "; it looks like UTF-16: save it as UTF-8"
                                                   : "");
    else
        parse_value(&p, root, 0);
    if (!p.failed) {
        skip_ws(&p);
        if (p.i < n)
            fail(&p, p.i, "unexpected text after the end of the JSON value");
    }
    free(p.vals);
    free(p.mems);
    free(p.buf);
    if (p.failed) {
        *err_offset = p.err_offset;
        return NULL;
    }
    return root;
}

const struct jv *jv_get(const struct jv *obj, const char *key)
{
    if (obj == NULL || obj->type != JV_OBJECT)
        return NULL;
    size_t n = strlen(key);
    for (uint32_t i = 0; i < obj->len; i++) {
        const struct jv_member *m = &obj->u.members[i];
        if (m->key_len == n && m->key[0] == key[0] && memcmp(m->key, key, n) == 0)
            return &m->value;
    }
    return NULL;
}

void jv_position(const char *text, size_t n, size_t offset, int *line, int *column)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < offset && i < n; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *column = c;
}

void jv_locate(const char *text, size_t n, const char *pointer, int *line,
               int *column)
{
    struct model_arena *arena = model_arena_new();
    char err[160];
    size_t at = 0;
    const struct jv *v = jv_parse(text, n, arena, &at, err, sizeof(err));
    const char *p = pointer;
    while (v != NULL && *p == '/') {
        p++;
        size_t len = strcspn(p, "/");
        const struct jv *next = NULL;
        if (v->type == JV_OBJECT) {
            for (uint32_t i = 0; i < v->len && next == NULL; i++)
                if (v->u.members[i].key_len == len &&
                    memcmp(v->u.members[i].key, p, len) == 0)
                    next = &v->u.members[i].value;
        } else if (v->type == JV_ARRAY && len > 0 && strspn(p, "0123456789") >= len) {
            unsigned long idx = strtoul(p, NULL, 10);
            if (idx < v->len)
                next = &v->u.items[idx];
        }
        if (next == NULL)
            break;
        v = next;
        p += len;
    }
    jv_position(text, n, v != NULL ? v->offset : 0, line, column);
    model_arena_free(arena);
}
