#include "text.h"

#include <stdlib.h>
#include <string.h>

size_t model_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    uint32_t c, min;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        c = s[0] & 0x1F;
        min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        c = s[0] & 0x0F;
        min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        c = s[0] & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

int model_utf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* Most text is ASCII: skip it eight bytes at a time. */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            /* Any high bit, or any zero byte, needs the slow path. */
            if ((w & 0x8080808080808080ull) != 0 ||
                ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull) != 0)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        uint32_t cp;
        size_t len = model_utf8_decode(s + i, n - i, &cp);
        if (len == 0 || cp == 0)
            return 0;
        i += len;
    }
    return 1;
}

char *model_utf8_repair(const char *s, const char *rep)
{
    size_t n = strlen(s), rlen = strlen(rep);
    if (model_utf8_valid(s, n))
        return NULL;
    char *out = malloc(n * (rlen > 1 ? rlen : 1) + 1);
    if (out == NULL)
        abort(); /* as the loader does when a message cannot be made */
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = model_utf8_decode(s + i, n - i, &cp);
        if (len == 0) {
            memcpy(out + k, rep, rlen);
            k += rlen;
            i++;
        } else {
            memcpy(out + k, s + i, len);
            k += len;
            i += len;
        }
    }
    out[k] = '\0';
    return out;
}

int model_utf8_prefix(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return (int)n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return (int)max;
}

size_t model_utf8_length(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            count++;
    return count;
}

size_t model_utf8_offset(const char *s, size_t n, size_t cp)
{
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (seen == cp)
                return i;
            seen++;
        }
    }
    return seen == cp ? n : (size_t)-1;
}

/* Base letters of U+00C0..U+017F; '?' marks a code point that is not a
 * letter (multiplication and division signs) and '*' one that folds to two
 * letters (handled in fold_latin). */
static const char latin_fold[] =
    /* C0 */ "aaaaaa*ceeeeiiii"
    /* D0 */ "dnooooo?ouuuuyt*"
    /* E0 */ "aaaaaa*ceeeeiiii"
    /* F0 */ "dnooooo?ouuuuyty"
    /* 100 */ "aaaaaaccccccccdd"
    /* 110 */ "ddeeeeeeeeeegggg"
    /* 120 */ "gggghhhhiiiiiiii"
    /* 130 */ "ii**jjkkklllllll"
    /* 140 */ "lllnnnnnnnnnoooo"
    /* 150 */ "oo**rrrrrrssssss"
    /* 160 */ "ssttttttuuuuuuuu"
    /* 170 */ "uuuuwwyyyzzzzzzs";

/* Appends the folded form of cp to out (room for 4 bytes); returns the
 * number of bytes written, or 0 when cp is not part of a token. */
static size_t fold_cp(uint32_t cp, char *out)
{
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp >= 'A' && cp <= 'Z') {
        out[0] = (char)(cp + 32);
        return 1;
    }
    if (cp < 0xC0)
        return 0; /* ASCII punctuation, controls, Latin-1 symbols */
    if (cp <= 0x17F) {
        char c = latin_fold[cp - 0xC0];
        if (c == '?')
            return 0;
        if (c != '*') {
            out[0] = c;
            return 1;
        }
        switch (cp) {
        case 0xC6: case 0xE6: memcpy(out, "ae", 2); return 2;
        case 0xDF: memcpy(out, "ss", 2); return 2;
        case 0x132: case 0x133: memcpy(out, "ij", 2); return 2;
        default: memcpy(out, "oe", 2); return 2; /* U+0152, U+0153 */
        }
    }
    if (cp >= 0x218 && cp <= 0x21B) { /* Romanian comma-below s and t */
        out[0] = cp < 0x21A ? 's' : 't';
        return 1;
    }
    if (cp >= 0x410 && cp <= 0x42F)
        cp += 0x20; /* Cyrillic capitals */
    else if (cp >= 0x400 && cp <= 0x40F)
        cp += 0x50;
    else if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2)
        cp += 0x20; /* Greek capitals */
    int letter = (cp >= 0x370 && cp <= 0x3FF) || (cp >= 0x430 && cp <= 0x45F) ||
                 (cp >= 0x460 && cp <= 0x52F) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
                 (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
                 (cp >= 0x5D0 && cp <= 0x6FF) || (cp >= 0x180 && cp <= 0x24F);
    if (!letter)
        return 0;
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* ASCII folded in one table look-up: the letter or digit, lowercased, or 0
 * for a separator. */
static const char ascii_fold[128] = {
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
    ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e', ['f'] = 'f',
    ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j', ['k'] = 'k', ['l'] = 'l',
    ['m'] = 'm', ['n'] = 'n', ['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r',
    ['s'] = 's', ['t'] = 't', ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x',
    ['y'] = 'y', ['z'] = 'z',
    ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e', ['F'] = 'f',
    ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j', ['K'] = 'k', ['L'] = 'l',
    ['M'] = 'm', ['N'] = 'n', ['O'] = 'o', ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r',
    ['S'] = 's', ['T'] = 't', ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x',
    ['Y'] = 'y', ['Z'] = 'z'};

void model_tokenize(const char *s, size_t n, model_token_fn emit, void *arg)
{
    char token[MODEL_TOKEN_MAX + 4];
    size_t len = 0;
    size_t i = 0;
    while (i <= n) {
        if (i < n && (unsigned char)s[i] < 0x80) {
            char c = ascii_fold[(unsigned char)s[i++]];
            if (c != 0) {
                if (len < MODEL_TOKEN_MAX)
                    token[len++] = c;
            } else if (len > 0) {
                emit(token, len, arg);
                len = 0;
            }
            continue;
        }
        uint32_t cp = 0;
        size_t step = 1;
        size_t got = 0;
        char buf[4];
        if (i < n) {
            step = model_utf8_decode(s + i, n - i, &cp);
            if (step == 0)
                step = 1;
            else
                got = fold_cp(cp, buf);
        }
        if (got > 0) {
            if (len + got <= MODEL_TOKEN_MAX) {
                memcpy(token + len, buf, got);
                len += got;
            }
        } else if (len > 0) {
            emit(token, len, arg);
            len = 0;
        }
        i += step;
    }
}
