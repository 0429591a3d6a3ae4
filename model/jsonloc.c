#include "jsonloc.h"

#include <stdlib.h>
#include <string.h>

struct scan {
    const char *s;
    size_t n;
    size_t i;
};

static void skip_ws(struct scan *sc)
{
    while (sc->i < sc->n && strchr(" \t\r\n", sc->s[sc->i]) != NULL &&
           sc->s[sc->i] != '\0')
        sc->i++;
}

/* Skips a string starting at its opening quote. */
static void skip_string(struct scan *sc)
{
    sc->i++;
    while (sc->i < sc->n && sc->s[sc->i] != '"') {
        if (sc->s[sc->i] == '\\')
            sc->i++;
        sc->i++;
    }
    sc->i++;
}

/* Skips any value; the text is known to be valid JSON. */
static void skip_value(struct scan *sc)
{
    skip_ws(sc);
    if (sc->i >= sc->n)
        return;
    char c = sc->s[sc->i];
    if (c == '"') {
        skip_string(sc);
        return;
    }
    if (c != '{' && c != '[') {
        while (sc->i < sc->n && strchr(",]} \t\r\n", sc->s[sc->i]) == NULL)
            sc->i++;
        return;
    }
    int depth = 0;
    while (sc->i < sc->n) {
        c = sc->s[sc->i];
        if (c == '"') {
            skip_string(sc);
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']')
            depth--;
        sc->i++;
        if (depth == 0)
            return;
    }
}

/* Compares the JSON string at sc (at its opening quote) with the pointer
 * token tok[0..len), and leaves sc after the string. Keys with escapes are
 * compared escaped, which is enough for the corpus's plain ASCII keys. */
static int key_equals(struct scan *sc, const char *tok, size_t len)
{
    size_t start = sc->i + 1;
    skip_string(sc);
    size_t klen = sc->i - 1 - start;
    return klen == len && memcmp(sc->s + start, tok, len) == 0;
}

/* Moves sc onto the member or element named by tok inside the container at
 * sc; returns 0 (sc unchanged) when there is none. */
static int descend(struct scan *sc, const char *tok, size_t len)
{
    size_t saved = sc->i;
    char open = sc->s[sc->i];
    sc->i++;
    long want = -1;
    if (open == '[') {
        char *end;
        want = strtol(tok, &end, 10);
        if (end != tok + len || want < 0)
            goto missing;
    }
    for (long index = 0;; index++) {
        skip_ws(sc);
        if (sc->i >= sc->n || sc->s[sc->i] == '}' || sc->s[sc->i] == ']')
            goto missing;
        int match;
        if (open == '{') {
            match = key_equals(sc, tok, len);
            skip_ws(sc);
            sc->i++; /* ':' */
        } else {
            match = index == want;
        }
        skip_ws(sc);
        if (match)
            return 1;
        skip_value(sc);
        skip_ws(sc);
        if (sc->i < sc->n && sc->s[sc->i] == ',')
            sc->i++;
    }
missing:
    sc->i = saved;
    return 0;
}

void model_json_locate(const char *text, size_t n, const char *pointer,
                       int *line, int *column)
{
    struct scan sc = {text, n, 0};
    skip_ws(&sc);
    const char *p = pointer;
    while (*p == '/' && sc.i < n && (text[sc.i] == '{' || text[sc.i] == '[')) {
        p++;
        size_t len = strcspn(p, "/");
        if (!descend(&sc, p, len))
            break;
        p += len;
    }
    int l = 1, c = 1;
    for (size_t i = 0; i < sc.i && i < n; i++) {
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
