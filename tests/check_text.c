/* Unit tests: SHA-256, UTF-8, search folding, JSON positions. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "json.h"
#include "sha256.h"
#include "text.h"
#include "check_run.h"

START_TEST(sha256_vectors)
{
    char hex[65];
    model_sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    model_sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    model_sha256_hex(two, strlen(two), hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* A million 'a's fed in uneven pieces exercises the block buffering. */
    struct model_sha256 ctx;
    unsigned char d[32];
    char block[997];
    memset(block, 'a', sizeof(block));
    model_sha256_init(&ctx);
    size_t left = 1000000;
    while (left > 0) {
        size_t n = left < sizeof(block) ? left : sizeof(block);
        model_sha256_update(&ctx, block, n);
        left -= n;
    }
    model_sha256_final(&ctx, d);
    model_hex_encode(d, 32, hex);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

START_TEST(utf8_decode_and_validate)
{
    uint32_t cp;
    ck_assert_uint_eq(model_utf8_decode("\xc3\xa9", 2, &cp), 2);
    ck_assert_uint_eq(cp, 0xE9);
    ck_assert_uint_eq(model_utf8_decode("\xe2\x80\x9c", 3, &cp), 3);
    ck_assert_uint_eq(cp, 0x201C);
    ck_assert_uint_eq(model_utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
    ck_assert_uint_eq(cp, 0x1F600);
    ck_assert_uint_eq(model_utf8_decode("\xc0\xaf", 2, &cp), 0);     /* overlong */
    ck_assert_uint_eq(model_utf8_decode("\xed\xa0\x80", 3, &cp), 0); /* surrogate */
    ck_assert_uint_eq(model_utf8_decode("\xe2\x80", 2, &cp), 0);     /* truncated */
    ck_assert_uint_eq(model_utf8_decode("\xf4\x90\x80\x80", 4, &cp), 0); /* > U+10FFFF */
    ck_assert_int_eq(model_utf8_valid("caf\xc3\xa9", 5), 1);
    ck_assert_int_eq(model_utf8_valid("caf\xc3", 4), 0);
    ck_assert_int_eq(model_utf8_valid("a\0b", 3), 0);
}
END_TEST

/* Messages that quote a client's or a file's bytes: cut on a character
 * boundary, and invalid bytes replaced. */
START_TEST(utf8_prefix_and_repair)
{
    const char *e = "a\xc3\xa9\xc3\xa9"; /* aéé: 5 bytes */
    ck_assert_int_eq(model_utf8_prefix(e, 10), 5);
    ck_assert_int_eq(model_utf8_prefix(e, 3), 3);
    ck_assert_int_eq(model_utf8_prefix(e, 2), 1); /* not into the first é */
    ck_assert_int_eq(model_utf8_prefix(e, 0), 0);
    ck_assert_ptr_null(model_utf8_repair(e, "?"));
    char *r = model_utf8_repair("a\xc3\xff\xe2\x80" "b\xc3\xa9", "?");
    ck_assert_str_eq(r, "a????b\xc3\xa9"); /* cut é, 0xff, and a cut “ (2 bytes) */
    free(r);
    r = model_utf8_repair("\xed\xa0\x80" "x", "\xef\xbf\xbd"); /* a surrogate: 3 bytes */
    ck_assert_str_eq(r, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "x");
    free(r);
}
END_TEST

START_TEST(utf8_offsets_count_code_points)
{
    const char *s = "\xe2\x80\x9cNo\xe2\x80\x9d \xc3\xa9t\xc3\xa9"; /* “No” été */
    size_t n = strlen(s);
    ck_assert_uint_eq(model_utf8_length(s, n), 8);
    ck_assert_uint_eq(model_utf8_offset(s, n, 0), 0);
    ck_assert_uint_eq(model_utf8_offset(s, n, 1), 3);
    ck_assert_uint_eq(model_utf8_offset(s, n, 4), 8);
    ck_assert_uint_eq(model_utf8_offset(s, n, 5), 9);
    ck_assert_uint_eq(model_utf8_offset(s, n, 8), n);
    ck_assert_uint_eq(model_utf8_offset(s, n, 9), (size_t)-1);
}
END_TEST

struct tokens {
    char buf[512];
    size_t len;
};

static void collect(const char *tok, size_t len, void *arg)
{
    struct tokens *t = arg;
    if (t->len > 0)
        t->buf[t->len++] = '|';
    memcpy(t->buf + t->len, tok, len);
    t->len += len;
    t->buf[t->len] = '\0';
}

static const char *tokens_of(const char *s, struct tokens *t)
{
    t->len = 0;
    t->buf[0] = '\0';
    model_tokenize(s, strlen(s), collect, t);
    return t->buf;
}

START_TEST(tokenize_folds_case_and_accents)
{
    struct tokens t;
    ck_assert_str_eq(tokens_of("Zelenskyy's \xe2\x80\x9cgame-changing\xe2\x80\x9d", &t),
                     "zelenskyy|s|game|changing");
    ck_assert_str_eq(tokens_of("G\xc3\xb6khan \xc3\x96zt\xc3\xbcrk", &t), "gokhan|ozturk");
    ck_assert_str_eq(tokens_of("Wa\xc5\x82\xc4\x99sa, N\xc3\xba\xc3\xb1" "ez", &t), "walesa|nunez");
    ck_assert_str_eq(tokens_of("STRA\xc3\x9f" "E \xc5\x92UVRE \xc3\x86THER", &t), "strasse|oeuvre|aether");
    /* Cyrillic is lowercased, not transliterated. */
    ck_assert_str_eq(tokens_of("\xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2", &t), "\xd0\xba\xd0\xb8\xd1\x97\xd0\xb2");
    ck_assert_str_eq(tokens_of("Article 5-style, 9/11", &t), "article|5|style|9|11");
    ck_assert_str_eq(tokens_of("  \xe2\x80\x94 !!! ", &t), "");
    /* Invalid bytes separate tokens instead of breaking the tokenizer. */
    ck_assert_str_eq(tokens_of("ab\xff" "cd", &t), "ab|cd");
}
END_TEST

START_TEST(tokenize_cuts_long_tokens)
{
    char s[200];
    memset(s, 'x', 150);
    s[150] = '\0';
    struct tokens t;
    tokens_of(s, &t);
    ck_assert_uint_eq(strlen(t.buf), MODEL_TOKEN_MAX);
}
END_TEST

START_TEST(json_locate_positions)
{
    const char *text = "{\n  \"events\": [\n    {\"id\": \"a\"},\n    {\"id\": \"b\",\n"
                       "     \"t\\u00e9\": 1, \"status\": \"done\"}\n  ]\n}\n";
    size_t n = strlen(text);
    int line, col;
    jv_locate(text, n, "/events/1/status", &line, &col);
    ck_assert_int_eq(line, 5);
    ck_assert_int_eq(col, 30);
    jv_locate(text, n, "/events/0", &line, &col);
    ck_assert_int_eq(line, 3);
    ck_assert_int_eq(col, 5);
    /* A missing step stops at the deepest value that exists. */
    jv_locate(text, n, "/events/1/title", &line, &col);
    ck_assert_int_eq(line, 4);
    ck_assert_int_eq(col, 5);
    jv_locate(text, n, "/events/7", &line, &col);
    ck_assert_int_eq(line, 2);
    ck_assert_int_eq(col, 13);
    jv_locate(text, n, "", &line, &col);
    ck_assert_int_eq(line, 1);
    ck_assert_int_eq(col, 1);
    /* Columns count code points, not bytes. */
    const char *wide = "{\"a\": \"\xc3\xa9\xc3\xa9\", \"b\": 2}";
    jv_locate(wide, strlen(wide), "/b", &line, &col);
    ck_assert_int_eq(col, 18); /* 20 if it counted bytes */
}
END_TEST

START_TEST(json_reader_decodes)
{
    struct model_arena *a = model_arena_new();
    const char *text = " {\"s\": \"a\\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00\", "
                       "\"i\": -42, \"r\": 6.5e1, \"big\": 99999999999999999999, "
                       "\"t\": true, \"f\": false, \"n\": null, \"a\": [1, [], {}]} ";
    size_t at;
    char err[160];
    const struct jv *v = jv_parse(text, strlen(text), a, &at, err, sizeof(err));
    ck_assert_msg(v != NULL, "%s at %zu", err, at);
    ck_assert_int_eq(v->type, JV_OBJECT);
    ck_assert_uint_eq(v->len, 8);
    ck_assert_str_eq(v->u.members[0].key, "s"); /* file order is kept */
    ck_assert_str_eq(jv_get(v, "s")->u.string, "a\"b\\c/\n\xc3\xa9\xf0\x9f\x98\x80");
    ck_assert_uint_eq(jv_get(v, "s")->len, strlen(jv_get(v, "s")->u.string));
    ck_assert_int_eq(jv_get(v, "i")->type, JV_INTEGER);
    ck_assert_int_eq(jv_get(v, "i")->u.integer, -42);
    ck_assert_int_eq(jv_get(v, "r")->type, JV_REAL);
    ck_assert_double_eq(jv_get(v, "r")->u.real, 65.0);
    ck_assert_int_eq(jv_get(v, "big")->type, JV_REAL); /* beyond int64 */
    ck_assert_int_eq(jv_get(v, "t")->type, JV_TRUE);
    ck_assert_int_eq(jv_get(v, "f")->type, JV_FALSE);
    ck_assert(jv_is_null(jv_get(v, "n")));
    ck_assert_ptr_null(jv_get(v, "missing"));
    const struct jv *arr = jv_get(v, "a");
    ck_assert_uint_eq(arr->len, 3);
    ck_assert_int_eq(jv_item(arr, 1)->type, JV_ARRAY);
    ck_assert_uint_eq(jv_item(arr, 1)->len, 0);
    ck_assert_uint_eq(jv_get(v, "i")->offset, (size_t)(strstr(text, "-42") - text));
    const char *bad[] = {"", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"\\x\"",
                         "\"\t\"", "{\"a\":1,\"a\":2}", "[1] 2", "\"\\udc00\""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(jv_parse(bad[i], strlen(bad[i]), a, &at, err, sizeof(err)) == NULL,
                      "accepted: %s", bad[i]);
    model_arena_free(a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, sha256_vectors);
    tcase_add_test(tc, utf8_decode_and_validate);
    tcase_add_test(tc, utf8_prefix_and_repair);
    tcase_add_test(tc, utf8_offsets_count_code_points);
    tcase_add_test(tc, tokenize_folds_case_and_accents);
    tcase_add_test(tc, tokenize_cuts_long_tokens);
    tcase_add_test(tc, json_locate_positions);
    tcase_add_test(tc, json_reader_decodes);
    suite_add_tcase(s, tc);
    return check_run(s, 0);
}
