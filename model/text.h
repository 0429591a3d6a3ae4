/* UTF-8 and search-folding helpers. Offsets in the annotation format are in
 * Unicode code points; search is case- and accent-insensitive. */
#ifndef MODEL_TEXT_H
#define MODEL_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one code point at s (n bytes available). Returns its length in
 * bytes and stores it in *cp, or returns 0 for invalid UTF-8 (overlong forms,
 * surrogates, values above U+10FFFF and truncated sequences are invalid). */
size_t model_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Returns 1 when s[0..n) is valid UTF-8 without NUL bytes, else 0. */
int model_utf8_valid(const char *s, size_t n);
/* Number of code points in valid UTF-8 s[0..n). */
size_t model_utf8_length(const char *s, size_t n);
/* Byte offset of code point index cp in valid UTF-8 s[0..n), or (size_t)-1
 * when cp is past the end. cp == length returns n. */
size_t model_utf8_offset(const char *s, size_t n, size_t cp);

/* How many bytes of s, at most max, end on a character boundary: a message
 * that quotes the start of a long value must stay valid UTF-8. */
int model_utf8_prefix(const char *s, size_t max);

/* NULL when s is valid UTF-8; else a malloc'd copy in which each byte that
 * is not part of a valid character is replaced by rep (for messages that
 * quote what a client or a file gave, to readers that need UTF-8). Aborts
 * when out of memory. */
char *model_utf8_repair(const char *s, const char *rep);

/* Calls emit(token, len, arg) for each search token of s, in order. A token
 * is a maximal run of letters and digits, lowercased and with Latin accents
 * removed ("Zelenskyy's" gives "zelenskyy", "s"; "Öztürk" gives "ozturk").
 * Tokens longer than MODEL_TOKEN_MAX bytes are cut there. Invalid UTF-8
 * bytes separate tokens. */
#define MODEL_TOKEN_MAX 64
typedef void (*model_token_fn)(const char *token, size_t len, void *arg);
void model_tokenize(const char *s, size_t n, model_token_fn emit, void *arg);

#endif
