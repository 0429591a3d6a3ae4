/*
 * gen_corpus.c - synthetic corpus generator for the annotation format
 * described in docs/annotation-format.md.
 *
 *   gen_corpus OUT_DIR [--sources N] [--events N] [--quotes N] [--actors N]
 *                      [--seed S] [--originals DIR]
 *
 * Writes OUT_DIR/actors.json and OUT_DIR/sources/src-NNNNN.json (each
 * article's metadata plus its share of the events and quotes).  The original
 * text of every source is synthesised in memory so that its sha256, its length
 * in code points and every quote citation span are exact; the texts are
 * written to DIR/src-NNNNN.txt only when --originals DIR is given.
 *
 * The output is a pure function of the options (own PRNG, no rand(), no
 * clock), so two runs with the same seed produce byte-identical files.
 *
 * Build:  gcc -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L \
 *             -o gen_corpus bench/gen_corpus.c
 * Only libc is used (no libm).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "sha256.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------ */
/* utilities                                                                 */

__attribute__((format(printf, 1, 2))) static void die(const char *fmt, ...)
{
    va_list ap;
    fputs("gen_corpus: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (!p)
        die("out of memory");
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

/* ------------------------------------------------------------------------ */
/* PRNG: xoshiro256** seeded through splitmix64                              */

typedef struct {
    uint64_t s[4];
} Rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(Rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(Rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* Independent stream for entity `idx` of purpose `kind`, so that texts can be
 * regenerated at any time without disturbing the main stream. */
enum { K_MAIN = 1, K_QTEXT, K_ORIG, K_STITLE, K_ETEXT, K_AUTHOR };

static void rng_derive(Rng *r, uint64_t seed, uint64_t kind, uint64_t idx)
{
    uint64_t x = seed ^ (kind * 0xd1b54a32d192ed03ULL);
    uint64_t a = splitmix64(&x);
    x = a ^ (idx * 0x9e3779b97f4a7c15ULL) ^ 0x5851f42d4c957f2dULL;
    rng_seed(r, splitmix64(&x));
}

static uint32_t rng_below(Rng *r, uint32_t n)
{
    if (n <= 1)
        return 0;
    uint64_t lim = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = rng_next(r);
    while (x >= lim);
    return (uint32_t)(x % n);
}

static int rng_range(Rng *r, int lo, int hi) /* inclusive */
{
    if (hi <= lo)
        return lo;
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

static double rng_unit(Rng *r) { return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }

static int chance(Rng *r, double p) { return rng_unit(r) < p; }

static int pick_weighted(Rng *r, const int *w, int n)
{
    int tot = 0;
    for (int i = 0; i < n; i++)
        tot += w[i];
    int x = (int)rng_below(r, (uint32_t)tot);
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

#define PICK(r, arr) ((arr)[rng_below((r), (uint32_t)NELEM(arr))])

/* Zipf-like popularity: weight of rank i is 1/(i+1). */
static double *zipf_cdf(uint32_t n)
{
    double *c = xmalloc(sizeof(double) * (n ? n : 1));
    double acc = 0;
    for (uint32_t i = 0; i < n; i++) {
        acc += 1.0 / (double)(i + 1);
        c[i] = acc;
    }
    return c;
}

static uint32_t cdf_pick(Rng *r, const double *cdf, uint32_t n)
{
    double u = rng_unit(r) * cdf[n - 1];
    uint32_t lo = 0, hi = n - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (cdf[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* SHA-256 comes from the model (model/sha256.c), tested there. */

/* ------------------------------------------------------------------------ */
/* growable byte buffer that also counts code points                         */

typedef struct {
    char *p;
    size_t len, cap;
    uint64_t cp;
} Buf;

static size_t utf8_cps(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

static void buf_grow(Buf *b, size_t need)
{
    if (b->len + need + 1 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 256;
        while (nc < b->len + need + 1)
            nc *= 2;
        b->p = xrealloc(b->p, nc);
        b->cap = nc;
    }
}

static void buf_put(Buf *b, const char *s, size_t n)
{
    buf_grow(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
    b->cp += utf8_cps(s, n);
}

static void buf_puts(Buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static void buf_clear(Buf *b)
{
    buf_grow(b, 0);
    b->len = 0;
    b->cp = 0;
    b->p[0] = 0;
}

__attribute__((format(printf, 2, 3))) static void buf_printf(Buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp)
        die("internal: buf_printf overflow");
    buf_put(b, tmp, (size_t)n);
}

/* Upper-case the first byte at offset `at` if it is an ASCII letter. */
static void buf_cap_at(Buf *b, size_t at)
{
    if (at < b->len && b->p[at] >= 'a' && b->p[at] <= 'z')
        b->p[at] = (char)(b->p[at] - 'a' + 'A');
}

/* ------------------------------------------------------------------------ */
/* UTF-8 decoding and accent folding (for ids and ASCII aliases)             */

static uint32_t utf8_next(const char *s, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t c = u[*i];
    if (c < 0x80) {
        (*i)++;
        return c;
    }
    int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
    c &= n == 3 ? 0x07 : n == 2 ? 0x0F : 0x1F;
    (*i)++;
    for (int k = 0; k < n && u[*i]; k++)
        c = (c << 6) | (u[(*i)++] & 0x3F);
    return c;
}

static const char *const FOLD_LATIN1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e",  "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u",  "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e",  "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u",  "u", "u", "u", "y", "th", "y",
};
/* U+0100..U+017F, one base letter each */
static const char FOLD_EXTA[] = "aaaaaa"
                                "cccccccc"
                                "dddd"
                                "eeeeeeeeee"
                                "gggggggg"
                                "hhhh"
                                "iiiiiiiiii"
                                "ii"
                                "jj"
                                "kkk"
                                "llllllllll"
                                "nnnnnnnnn"
                                "oooooo"
                                "oo"
                                "rrrrrr"
                                "ssssssss"
                                "tttttt"
                                "uuuuuuuuuuuu"
                                "ww"
                                "yyy"
                                "zzzzzz"
                                "s";

/* Lower-case ASCII folding of one code point; NULL if it has none. */
static const char *fold_cp(uint32_t c, char tmp[2])
{
    if (c >= 0xC0 && c <= 0xFF)
        return FOLD_LATIN1[c - 0xC0][0] ? FOLD_LATIN1[c - 0xC0] : NULL;
    if (c >= 0x100 && c <= 0x17F) {
        tmp[0] = FOLD_EXTA[c - 0x100];
        tmp[1] = 0;
        return tmp;
    }
    if (c == 0x218 || c == 0x219)
        return "s";
    if (c == 0x21A || c == 0x21B)
        return "t";
    return NULL;
}

static int cp_is_upper(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return 1;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return 1;
    if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177) || c == 0x218 || c == 0x21A)
        return (c & 1) == 0;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return (c & 1) == 1;
    return c == 0x178;
}

/* slug: lower-case ASCII letters and digits separated by single hyphens. */
static void slugify(const char *in, char *out, size_t outsz, size_t maxlen)
{
    size_t o = 0, i = 0;
    int pend = 0;
    if (maxlen > outsz - 1)
        maxlen = outsz - 1;
    while (in[i]) {
        uint32_t c = utf8_next(in, &i);
        char tmp[2];
        const char *f = NULL;
        char one[2] = {0, 0};
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            one[0] = (char)c;
            f = one;
        } else if (c >= 'A' && c <= 'Z') {
            one[0] = (char)(c - 'A' + 'a');
            f = one;
        } else if (c >= 0x80) {
            f = fold_cp(c, tmp);
        }
        if (!f) {
            if (o > 0)
                pend = 1;
            continue;
        }
        size_t fl = strlen(f);
        if (o + (size_t)pend + fl > maxlen)
            break;
        if (pend) {
            out[o++] = '-';
            pend = 0;
        }
        memcpy(out + o, f, fl);
        o += fl;
    }
    while (o > 0 && out[o - 1] == '-')
        o--;
    out[o] = 0;
}

/* ASCII transliteration keeping case ("Gökhan Öztürk" -> "Gokhan Ozturk");
 * returns 0 if some character has no folding. */
static int ascii_fold(const char *in, char *out, size_t outsz)
{
    size_t o = 0, i = 0;
    while (in[i]) {
        uint32_t c = utf8_next(in, &i);
        char tmp[2];
        const char *f;
        char one[2] = {0, 0};
        if (c < 0x80) {
            one[0] = (char)c;
            f = one;
        } else if (c == 0x2019 || c == 0x2018) {
            f = "'";
        } else {
            f = fold_cp(c, tmp);
            if (!f)
                return 0;
        }
        size_t fl = strlen(f);
        if (o + fl + 1 > outsz)
            return 0;
        memcpy(out + o, f, fl);
        if (c >= 0x80 && cp_is_upper(c) && out[o] >= 'a' && out[o] <= 'z')
            out[o] = (char)(out[o] - 'a' + 'A');
        o += fl;
    }
    out[o] = 0;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* string set for id uniqueness                                              */

typedef struct {
    char **slot;
    size_t cap, n;
} StrSet;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static int strset_has(const StrSet *t, const char *s)
{
    if (!t->cap)
        return 0;
    for (size_t i = fnv1a(s) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        if (!t->slot[i])
            return 0;
        if (strcmp(t->slot[i], s) == 0)
            return 1;
    }
}

static void strset_add(StrSet *t, char *s)
{
    if ((t->n + 1) * 2 > t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 1024;
        char **ns = xcalloc(nc, sizeof *ns);
        for (size_t k = 0; k < t->cap; k++) {
            if (!t->slot[k])
                continue;
            size_t i = fnv1a(t->slot[k]) & (nc - 1);
            while (ns[i])
                i = (i + 1) & (nc - 1);
            ns[i] = t->slot[k];
        }
        free(t->slot);
        t->slot = ns;
        t->cap = nc;
    }
    size_t i = fnv1a(s) & (t->cap - 1);
    while (t->slot[i])
        i = (i + 1) & (t->cap - 1);
    t->slot[i] = s;
    t->n++;
}

/* A unique id derived from a display name. */
static char *unique_id(StrSet *ids, const char *name)
{
    char base[96], cand[112];
    slugify(name, base, sizeof base, 70);
    if (!base[0])
        strcpy(base, "actor");
    if (!strset_has(ids, base)) {
        char *s = xstrdup(base);
        strset_add(ids, s);
        return s;
    }
    for (unsigned k = 2;; k++) {
        snprintf(cand, sizeof cand, "%s-%u", base, k);
        if (!strset_has(ids, cand)) {
            char *s = xstrdup(cand);
            strset_add(ids, s);
            return s;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* calendar                                                                  */

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int yoe = (int)(y - era * 400);
    int mp = m > 2 ? m - 3 : m + 9;
    int doy = (153 * mp + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = (int)(z - era * 146097);
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400) + (*m <= 2);
}

static int weekday(int64_t days) /* 0 = Sunday */
{
    int64_t w = (days + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

static const char *const WEEKDAYS[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};
static const char *const MONTHS[12] = {"January", "February", "March",     "April",   "May",      "June",
                                       "July",    "August",   "September", "October", "November", "December"};

enum { P_YEAR, P_MONTH, P_DAY, P_HOUR, P_MIN };
enum { B_BARE, B_REPORTED, B_RESOLVED, B_INFERRED, B_EXTERNAL };
enum { OFF_NONE, OFF_Z, OFF_NUM };

typedef struct {
    int32_t day;     /* days since 1970-01-01 of the local date (first day for M/Y) */
    int16_t minute;  /* minute of day (local) for P_HOUR / P_MIN */
    int16_t offmin;  /* UTC offset in minutes for OFF_NUM */
    uint8_t prec, offk, basis;
    uint8_t phrase_style; /* resolved: 0 "on X", 1 "last/next X" */
    uint8_t note;         /* inferred / external note index; external: 0 = none */
    uint32_t src;         /* resolved: source whose dateline */
} DateV;

static const char *const INFERRED_NOTES[] = {
    "from the article’s reference to the previous day’s talks",
    "deduced from the order of events in the report",
    "the report says “earlier this week”; the dateline fixes the week",
    "inferred from the time stamps of the live blog",
    "from the sequence of posts quoted in the article",
};
static const char *const EXTERNAL_NOTES[] = {
    NULL,
    "general knowledge",
    "from the official programme published beforehand",
    "widely reported; not stated in this article",
    "historical record",
};

static void fmt_date(char *out, size_t n, const DateV *d)
{
    int y, m, dd;
    civil_from_days(d->day, &y, &m, &dd);
    int k;
    switch (d->prec) {
    case P_YEAR: k = snprintf(out, n, "%04d", y); break;
    case P_MONTH: k = snprintf(out, n, "%04d-%02d", y, m); break;
    case P_DAY: k = snprintf(out, n, "%04d-%02d-%02d", y, m, dd); break;
    case P_HOUR: k = snprintf(out, n, "%04d-%02d-%02dT%02d", y, m, dd, d->minute / 60); break;
    default: k = snprintf(out, n, "%04d-%02d-%02dT%02d:%02d", y, m, dd, d->minute / 60, d->minute % 60); break;
    }
    if (k < 0 || (size_t)k >= n)
        die("internal: date format");
    if (d->prec >= P_HOUR) {
        if (d->offk == OFF_Z)
            snprintf(out + k, n - (size_t)k, "Z");
        else if (d->offk == OFF_NUM) {
            int o = d->offmin < 0 ? -d->offmin : d->offmin;
            snprintf(out + k, n - (size_t)k, "%c%02d:%02d", d->offmin < 0 ? '-' : '+', o / 60, o % 60);
        }
    }
}

static DateV date_day(int64_t day)
{
    DateV d;
    memset(&d, 0, sizeof d);
    d.day = (int32_t)day;
    d.prec = P_DAY;
    return d;
}

/* Add `delta` minutes to an hour/minute precision date (offset unchanged). */
static void date_add_minutes(DateV *d, int64_t delta)
{
    int64_t t = (int64_t)d->day * 1440 + d->minute + delta;
    int64_t day = t >= 0 ? t / 1440 : -((-t + 1439) / 1440);
    d->day = (int32_t)day;
    d->minute = (int16_t)(t - day * 1440);
}

static int64_t month_index(int64_t day) /* y*12 + m-1 */
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    return (int64_t)y * 12 + (m - 1);
}

static int64_t month_first_day(int64_t mi)
{
    int y = (int)(mi / 12), m = (int)(mi % 12) + 1;
    return days_from_civil(y, m, 1);
}

/* ------------------------------------------------------------------------ */
/* static data                                                               */

static const char *const KINDS[] = {"person", "organization", "country", "region", "media-outlet", "platform"};
enum { A_PERSON, A_ORG, A_COUNTRY, A_REGION, A_OUTLET, A_PLATFORM };

enum { T_SUMMIT, T_MEETING, T_INTERVIEW, T_PRESSCONF, T_CALL, T_POST, T_STATEMENT,
       T_SPEECH, T_AGREEMENT, T_MILITARY, T_ANNEX, T_BACKGROUND, NTYPES };
static const char *const EVENT_TYPES[NTYPES] = {
    "summit",    "meeting", "interview", "press-conference", "call",       "social-media-post",
    "statement", "speech",  "agreement", "military-action",  "annexation", "background"};
static const int EVENT_TYPE_W[NTYPES] = {2, 22, 14, 8, 8, 10, 18, 7, 3, 5, 1, 2};
static const char *const EVENT_NOUN[NTYPES] = {
    "summit", "talks", "interview", "press conference", "phone call", "post",
    "statement", "speech", "agreement", "strikes", "annexation", "crisis"};

static const char *const STATUSES[] = {"occurred", "scheduled", "proposed", "cancelled"};
static const int STATUS_W[] = {80, 9, 6, 5};
enum { S_OCCURRED, S_SCHEDULED, S_PROPOSED, S_CANCELLED };

enum { R_HOST, R_GUEST, R_ATTENDEE, R_INTERVIEWER, R_INTERVIEWEE, R_SPEAKER,
       R_AUTHOR, R_INVITEE, R_PARTY, R_SUBJECT, R_ORGANIZER };
static const char *const ROLES[] = {"host",    "guest",  "attendee", "interviewer", "interviewee", "speaker",
                                    "author",  "invitee", "party",   "subject",     "organizer"};
/* allowed roles per event type, first is the principal role, -1 terminated */
static const int8_t TYPE_ROLES[NTYPES][6] = {
    {R_HOST, R_GUEST, R_ATTENDEE, R_PARTY, -1},
    {R_HOST, R_GUEST, R_ATTENDEE, R_PARTY, R_INVITEE, -1},
    {R_INTERVIEWEE, R_INTERVIEWER, R_SUBJECT, -1},
    {R_SPEAKER, R_ATTENDEE, R_ORGANIZER, R_SUBJECT, -1},
    {R_PARTY, -1},
    {R_AUTHOR, R_SUBJECT, -1},
    {R_SPEAKER, R_AUTHOR, R_SUBJECT, -1},
    {R_SPEAKER, R_ATTENDEE, R_ORGANIZER, -1},
    {R_PARTY, R_SUBJECT, R_ORGANIZER, -1},
    {R_PARTY, R_SUBJECT, -1},
    {R_PARTY, R_SUBJECT, -1},
    {R_SUBJECT, R_PARTY, -1},
};

static const char *const TOPICS[] = {
    "security-guarantees", "territory",        "concessions",       "ceasefire",         "sanctions",
    "energy",              "gas-transit",      "grain-exports",     "nato-membership",   "eu-accession",
    "prisoner-exchange",   "reconstruction",   "air-defence",       "drones",            "nuclear-safety",
    "elections",           "migration",        "trade",             "tariffs",           "inflation",
    "climate",             "humanitarian-aid", "war-crimes",        "peace-talks",       "frozen-assets",
    "military-aid",        "mobilisation",     "black-sea-shipping", "cyber-security",   "disinformation",
    "corruption",          "minority-rights",  "refugees",          "critical-minerals", "defence-spending",
    "arms-control",        "border-security",  "food-security",     "media-freedom",     "human-rights",
    "diplomacy",           "ukraine-war",      "middle-east",       "gaza",              "iran-nuclear",
    "taiwan",              "arctic",           "space",             "ai-regulation",     "public-health",
};

typedef struct {
    const char *name, *iso, *tz;
    double lat, lon;
    int stdoff; /* minutes */
    int dst;    /* 0 none, 1 northern-hemisphere summer time */
} City;

static const City CITIES[] = {
    {"Kyiv", "UA", "Europe/Kyiv", 50.4501, 30.5234, 120, 1},
    {"Lviv", "UA", "Europe/Kyiv", 49.8397, 24.0297, 120, 1},
    {"Odesa", "UA", "Europe/Kyiv", 46.4825, 30.7233, 120, 1},
    {"Kharkiv", "UA", "Europe/Kyiv", 49.9935, 36.2304, 120, 1},
    {"Zaporizhzhia", "UA", "Europe/Kyiv", 47.8388, 35.1396, 120, 1},
    {"Dnipro", "UA", "Europe/Kyiv", 48.4647, 35.0462, 120, 1},
    {"Anchorage, Alaska", "US", "America/Anchorage", 61.2181, -149.9003, -540, 1},
    {"Washington", "US", "America/New_York", 38.9072, -77.0369, -300, 1},
    {"New York", "US", "America/New_York", 40.7128, -74.0060, -300, 1},
    {"Palm Beach, Florida", "US", "America/New_York", 26.7056, -80.0364, -300, 1},
    {"Brussels", "BE", "Europe/Brussels", 50.8503, 4.3517, 60, 1},
    {"Istanbul", "TR", "Europe/Istanbul", 41.0082, 28.9784, 180, 0},
    {"Ankara", "TR", "Europe/Istanbul", 39.9334, 32.8597, 180, 0},
    {"Paris", "FR", "Europe/Paris", 48.8566, 2.3522, 60, 1},
    {"Berlin", "DE", "Europe/Berlin", 52.5200, 13.4050, 60, 1},
    {"Munich", "DE", "Europe/Berlin", 48.1351, 11.5820, 60, 1},
    {"London", "GB", "Europe/London", 51.5074, -0.1278, 0, 1},
    {"Moscow", "RU", "Europe/Moscow", 55.7558, 37.6173, 180, 0},
    {"Saint Petersburg", "RU", "Europe/Moscow", 59.9311, 30.3609, 180, 0},
    {"Geneva", "CH", "Europe/Zurich", 46.2044, 6.1432, 60, 1},
    {"Zürich", "CH", "Europe/Zurich", 47.3769, 8.5417, 60, 1},
    {"Davos", "CH", "Europe/Zurich", 46.8027, 9.8360, 60, 1},
    {"Riyadh", "SA", "Asia/Riyadh", 24.7136, 46.6753, 180, 0},
    {"Jeddah", "SA", "Asia/Riyadh", 21.4858, 39.1925, 180, 0},
    {"Doha", "QA", "Asia/Qatar", 25.2854, 51.5310, 180, 0},
    {"Abu Dhabi", "AE", "Asia/Dubai", 24.4539, 54.3773, 240, 0},
    {"Warsaw", "PL", "Europe/Warsaw", 52.2297, 21.0122, 60, 1},
    {"Kraków", "PL", "Europe/Warsaw", 50.0647, 19.9450, 60, 1},
    {"Rome", "IT", "Europe/Rome", 41.9028, 12.4964, 60, 1},
    {"Vatican City", "VA", "Europe/Vatican", 41.9029, 12.4534, 60, 1},
    {"Madrid", "ES", "Europe/Madrid", 40.4168, -3.7038, 60, 1},
    {"Vienna", "AT", "Europe/Vienna", 48.2082, 16.3738, 60, 1},
    {"Helsinki", "FI", "Europe/Helsinki", 60.1699, 24.9384, 120, 1},
    {"Stockholm", "SE", "Europe/Stockholm", 59.3293, 18.0686, 60, 1},
    {"Oslo", "NO", "Europe/Oslo", 59.9139, 10.7522, 60, 1},
    {"Copenhagen", "DK", "Europe/Copenhagen", 55.6761, 12.5683, 60, 1},
    {"Tallinn", "EE", "Europe/Tallinn", 59.4370, 24.7536, 120, 1},
    {"Rīga", "LV", "Europe/Riga", 56.9496, 24.1052, 120, 1},
    {"Vilnius", "LT", "Europe/Vilnius", 54.6872, 25.2797, 120, 1},
    {"Chișinău", "MD", "Europe/Chisinau", 47.0105, 28.8638, 120, 1},
    {"Bucharest", "RO", "Europe/Bucharest", 44.4268, 26.1025, 120, 1},
    {"Budapest", "HU", "Europe/Budapest", 47.4979, 19.0402, 60, 1},
    {"Bratislava", "SK", "Europe/Bratislava", 48.1486, 17.1077, 60, 1},
    {"Prague", "CZ", "Europe/Prague", 50.0755, 14.4378, 60, 1},
    {"The Hague", "NL", "Europe/Amsterdam", 52.0705, 4.3007, 60, 1},
    {"Reykjavík", "IS", "Atlantic/Reykjavik", 64.1466, -21.9426, 0, 0},
    {"Tbilisi", "GE", "Asia/Tbilisi", 41.7151, 44.8271, 240, 0},
    {"Yerevan", "AM", "Asia/Yerevan", 40.1792, 44.4991, 240, 0},
    {"Baku", "AZ", "Asia/Baku", 40.4093, 49.8671, 240, 0},
    {"Astana", "KZ", "Asia/Almaty", 51.1694, 71.4491, 300, 0},
    {"Beijing", "CN", "Asia/Shanghai", 39.9042, 116.4074, 480, 0},
    {"New Delhi", "IN", "Asia/Kolkata", 28.6139, 77.2090, 330, 0},
    {"Tokyo", "JP", "Asia/Tokyo", 35.6762, 139.6503, 540, 0},
    {"Seoul", "KR", "Asia/Seoul", 37.5665, 126.9780, 540, 0},
    {"Brasília", "BR", "America/Sao_Paulo", -15.7939, -47.8828, -180, 0},
    {"São Paulo", "BR", "America/Sao_Paulo", -23.5505, -46.6333, -180, 0},
    {"Cairo", "EG", "Africa/Cairo", 30.0444, 31.2357, 120, 1},
    {"Jerusalem", "IL", "Asia/Jerusalem", 31.7683, 35.2137, 120, 1},
    {"Tehran", "IR", "Asia/Tehran", 35.6892, 51.3890, 210, 0},
    {"Ottawa", "CA", "America/Toronto", 45.4215, -75.6972, -300, 1},
    {"Mexico City", "MX", "America/Mexico_City", 19.4326, -99.1332, -360, 0},
    {"Abidjan", "CI", "Africa/Abidjan", 5.3600, -4.0083, 0, 0},
    {"Athens", "GR", "Europe/Athens", 37.9838, 23.7275, 120, 1},
    {"Belgrade", "RS", "Europe/Belgrade", 44.7866, 20.4489, 60, 1},
    {"Minsk", "BY", "Europe/Minsk", 53.9006, 27.5590, 180, 0},
};

static const char *const NAMED_PLACES[] = {
    "Air Force One", "aboard a night train to Kyiv", "an undisclosed location", "by video link",
    "the sidelines of the UN General Assembly", "a military base near the front line",
};

/* offsets used for dates with no known place */
static const int LOOSE_OFFSETS[] = {0, 60, 120, 180, -240, -300, -420, -480, 330, 540, -540, 345};

typedef struct {
    const char *name;
    const char *aliases[4];
    const char *wikidata;
    const char *iso; /* countries */
} Named;

/* first ten are always present (referenced by the famous people's roles) */
static const Named COUNTRIES[] = {
    {"Ukraine", {"Ukraina", "Україна"}, "Q212", "UA"},
    {"United States", {"US", "USA", "United States of America"}, "Q30", "US"},
    {"Russia", {"Russian Federation", "Россия"}, "Q159", "RU"},
    {"Turkey", {"Türkiye", "Turkiye"}, "Q43", "TR"},
    {"United Kingdom", {"UK", "Britain"}, "Q145", "GB"},
    {"France", {0}, "Q142", "FR"},
    {"Germany", {"Deutschland"}, "Q183", "DE"},
    {"Poland", {"Polska"}, "Q36", "PL"},
    {"Spain", {"España"}, "Q29", "ES"},
    {"Italy", {"Italia"}, "Q38", "IT"},
    {"China", {"People’s Republic of China", "PRC"}, "Q148", "CN"},
    {"India", {0}, "Q668", "IN"},
    {"Brazil", {"Brasil"}, "Q155", "BR"},
    {"Saudi Arabia", {0}, "Q851", "SA"},
    {"Qatar", {0}, "Q846", "QA"},
    {"United Arab Emirates", {"UAE"}, "Q878", "AE"},
    {"Switzerland", {"Schweiz", "Suisse"}, "Q39", "CH"},
    {"Finland", {"Suomi"}, "Q33", "FI"},
    {"Sweden", {"Sverige"}, "Q34", "SE"},
    {"Norway", {"Norge"}, "Q20", "NO"},
    {"Denmark", {"Danmark"}, "Q35", "DK"},
    {"Estonia", {"Eesti"}, "Q191", "EE"},
    {"Latvia", {"Latvija"}, "Q211", "LV"},
    {"Lithuania", {"Lietuva"}, "Q37", "LT"},
    {"Belarus", {0}, "Q184", "BY"},
    {"Moldova", {0}, "Q217", "MD"},
    {"Romania", {"România"}, "Q218", "RO"},
    {"Slovakia", {0}, "Q214", "SK"},
    {"Czechia", {"Czech Republic", "Česko"}, "Q213", "CZ"},
    {"Austria", {"Österreich"}, "Q40", "AT"},
    {"Netherlands", {"the Netherlands", "Holland"}, "Q55", "NL"},
    {"Belgium", {0}, "Q31", "BE"},
    {"Hungary", {"Magyarország"}, "Q28", "HU"},
    {"Japan", {0}, "Q17", "JP"},
    {"South Korea", {"Republic of Korea"}, "Q884", "KR"},
    {"Israel", {0}, "Q801", "IL"},
    {"Iran", {0}, "Q794", "IR"},
    {"Egypt", {0}, "Q79", "EG"},
    {"Canada", {0}, "Q16", "CA"},
    {"Mexico", {"México"}, "Q96", "MX"},
    {"Georgia", {"Sakartvelo"}, "Q230", "GE"},
    {"Armenia", {0}, "Q399", "AM"},
    {"Azerbaijan", {0}, "Q227", "AZ"},
    {"Kazakhstan", {0}, "Q232", "KZ"},
    {"Côte d’Ivoire", {"Ivory Coast", "Cote d'Ivoire"}, "Q1008", "CI"},
    {"Iceland", {"Ísland"}, "Q189", "IS"},
    {"Greece", {"Ελλάδα", "Hellas"}, "Q41", "GR"},
    {"Serbia", {"Србија", "Srbija"}, "Q403", "RS"},
};

static const Named REGIONS[] = {
    {"Crimea", {"Krym", "Crimean Peninsula"}, NULL, NULL},
    {"Donbas", {"Donbass"}, NULL, NULL},
    {"Donetsk Oblast", {"Donetsk region"}, NULL, NULL},
    {"Luhansk Oblast", {"Luhansk region"}, NULL, NULL},
    {"Zaporizhzhia Oblast", {"Zaporozhye"}, NULL, NULL},
    {"Kherson Oblast", {0}, NULL, NULL},
    {"Kursk Oblast", {"Kursk region"}, NULL, NULL},
    {"Kharkiv Oblast", {"Kharkov region"}, NULL, NULL},
    {"Middle East", {0}, NULL, NULL},
    {"Black Sea region", {0}, NULL, NULL},
    {"Baltic States", {"the Baltics"}, NULL, NULL},
    {"Western Balkans", {0}, NULL, NULL},
    {"Sahel", {0}, NULL, NULL},
    {"Gaza Strip", {"Gaza"}, NULL, NULL},
    {"West Bank", {0}, NULL, NULL},
    {"Arctic", {0}, NULL, NULL},
    {"Transnistria", {0}, NULL, NULL},
    {"Nagorno-Karabakh", {"Karabakh"}, NULL, NULL},
    {"Alaska", {0}, NULL, NULL},
    {"Île-de-France", {"Ile-de-France"}, NULL, NULL},
    {"Catalonia", {"Catalunya"}, NULL, NULL},
    {"Greenland", {"Kalaallit Nunaat"}, NULL, NULL},
    {"Kaliningrad Oblast", {"Kaliningrad"}, NULL, NULL},
    {"Svalbard", {0}, NULL, NULL},
};

/* first eight are always present */
static const Named CORE_ORGS[] = {
    {"European Commission", {"the Commission"}, "Q8880", NULL},
    {"NATO", {"North Atlantic Treaty Organization", "OTAN", "the alliance"}, "Q7184", NULL},
    {"United Nations", {"UN"}, "Q1065", NULL},
    {"European Union", {"EU"}, "Q458", NULL},
    {"Kremlin", {"the Kremlin"}, NULL, NULL},
    {"White House", {"the White House"}, NULL, NULL},
    {"Downing Street", {"No 10", "Number 10"}, NULL, NULL},
    {"Élysée Palace", {"Élysée", "Elysee"}, NULL, NULL},
    {"International Atomic Energy Agency", {"IAEA"}, NULL, NULL},
    {"Armed Forces of Ukraine", {"Ukrainian army", "ZSU"}, NULL, NULL},
    {"Russian Ministry of Defence", {"Russian MoD"}, NULL, NULL},
    {"US State Department", {"State Department"}, NULL, NULL},
    {"Pentagon", {"US Department of Defense"}, NULL, NULL},
    {"Council of the European Union", {0}, NULL, NULL},
    {"European Parliament", {0}, NULL, NULL},
    {"Group of Seven", {"G7"}, NULL, NULL},
    {"Organization for Security and Co-operation in Europe", {"OSCE"}, NULL, NULL},
    {"International Committee of the Red Cross", {"ICRC", "Red Cross"}, NULL, NULL},
    {"International Monetary Fund", {"IMF"}, NULL, NULL},
    {"World Bank", {0}, NULL, NULL},
    {"Verkhovna Rada", {"Rada"}, NULL, NULL},
    {"Bundestag", {0}, NULL, NULL},
    {"State Duma", {"Duma"}, NULL, NULL},
    {"Office of the President of Ukraine", {"Bankova"}, NULL, NULL},
    {"Türkiye’s Ministry of Foreign Affairs", {"Turkish Foreign Ministry"}, NULL, NULL},
    {"Qatari Ministry of Foreign Affairs", {0}, NULL, NULL},
    {"Wagner Group", {"Wagner"}, NULL, NULL},
    {"Gazprom", {0}, NULL, NULL},
    {"Naftogaz", {0}, NULL, NULL},
    {"Médecins Sans Frontières", {"MSF", "Doctors Without Borders"}, NULL, NULL},
};

typedef struct {
    const char *name, *domain;
    const char *alias;
} Outlet;

static const Outlet OUTLETS[] = {
    {"Anadolu Agency", "aa", "AA"},
    {"This Is The Coast", "thisisthecoast", NULL},
    {"Reuters", "reuters", NULL},
    {"Associated Press", "apnews", "AP"},
    {"Agence France-Presse", "afp", "AFP"},
    {"BBC News", "bbc", "BBC"},
    {"Sky News", "skynews", NULL},
    {"CNN", "cnn", NULL},
    {"Fox News", "foxnews", NULL},
    {"NBC News", "nbcnews", NULL},
    {"The New York Times", "nytimes", "NYT"},
    {"The Washington Post", "washingtonpost", NULL},
    {"The Wall Street Journal", "wsj", "WSJ"},
    {"Financial Times", "ft", "FT"},
    {"The Guardian", "theguardian", NULL},
    {"The Times", "thetimes", NULL},
    {"The Telegraph", "telegraph", NULL},
    {"The Economist", "economist", NULL},
    {"Politico Europe", "politico-eu", "Politico"},
    {"Bloomberg", "bloomberg", NULL},
    {"Al Jazeera", "aljazeera", NULL},
    {"Deutsche Welle", "dw", "DW"},
    {"Der Spiegel", "spiegel", NULL},
    {"Süddeutsche Zeitung", "sueddeutsche", "SZ"},
    {"Frankfurter Allgemeine Zeitung", "faz", "FAZ"},
    {"Le Monde", "lemonde", NULL},
    {"Le Figaro", "lefigaro", NULL},
    {"Libération", "liberation", NULL},
    {"El País", "elpais", NULL},
    {"La Repubblica", "repubblica", NULL},
    {"Corriere della Sera", "corriere", NULL},
    {"Kyiv Independent", "kyivindependent", NULL},
    {"Ukrainska Pravda", "pravda-ua", NULL},
    {"Ukrinform", "ukrinform", NULL},
    {"TASS", "tass", NULL},
    {"RIA Novosti", "ria", NULL},
    {"Interfax", "interfax", NULL},
    {"Meduza", "meduza", NULL},
    {"Novaya Gazeta Europe", "novayagazeta-eu", NULL},
    {"Hürriyet Daily News", "hurriyetdailynews", "Hürriyet"},
    {"Daily Sabah", "dailysabah", NULL},
    {"Gazeta Wyborcza", "wyborcza", NULL},
    {"Neue Zürcher Zeitung", "nzz", "NZZ"},
    {"Euronews", "euronews", NULL},
    {"France 24", "france24", NULL},
    {"NHK World", "nhk", NULL},
    {"Yonhap", "yonhap", NULL},
    {"Xinhua", "xinhua", NULL},
    {"The Hindu", "thehindu", NULL},
    {"Dagens Nyheter", "dn", "DN"},
};

static const Named PLATFORMS[] = {
    {"X", {"Twitter"}, NULL, NULL},
    {"Truth Social", {0}, NULL, NULL},
    {"Telegram", {0}, NULL, NULL},
    {"Facebook", {0}, NULL, NULL},
    {"YouTube", {0}, NULL, NULL},
    {"Instagram", {0}, NULL, NULL},
};

typedef struct {
    const char *name;
    const char *aliases[4];
    const char *wikidata;
    const char *title, *org, *from, *to;
} Famous;

static const Famous FAMOUS[] = {
    {"Volodymyr Zelenskyy", {"Zelensky", "Zélensky", "Zelenskiy", "Selenskyj"}, "Q3874799",
     "President of Ukraine", "ukraine", "2019-05-20", NULL},
    {"Donald Trump", {"Trump", "President Trump"}, "Q22686", "President of the United States",
     "united-states", "2025-01-20", NULL},
    {"Vladimir Putin", {"Putin", "Poutine"}, "Q7747", "President of Russia", "russia", NULL, NULL},
    {"Ursula von der Leyen", {"von der Leyen", "Von der Leyen"}, "Q60772",
     "President of the European Commission", "european-commission", "2019-12-01", NULL},
    {"Steve Witkoff", {"Witkoff", "Mr Witkoff"}, "Q7613614",
     "US Special Presidential Envoy for Peace Missions", "united-states", "2025", NULL},
    {"Gökhan Öztürk", {"Gokhan Ozturk", "Öztürk", "Ozturk"}, NULL, "Foreign Ministry Spokesperson",
     "turkey", NULL, NULL},
    {"Emmanuel Macron", {"Macron"}, "Q3052772", "President of France", "france", "2017-05-14", NULL},
    {"Recep Tayyip Erdoğan", {"Erdogan", "Erdoğan", "Tayyip Erdogan"}, "Q39723", "President of Türkiye",
     "turkey", "2014-08-28", NULL},
    {"Keir Starmer", {"Starmer", "Sir Keir"}, NULL, "Prime Minister of the United Kingdom",
     "united-kingdom", "2024-07-05", NULL},
    {"Friedrich Merz", {"Merz"}, NULL, "Chancellor of Germany", "germany", "2025-05-06", NULL},
    {"José Manuel Albares", {"Albares", "Jose Manuel Albares"}, NULL, "Minister of Foreign Affairs",
     "spain", NULL, NULL},
    {"Sergei Lavrov", {"Lavrov", "Sergey Lavrov"}, NULL, "Minister of Foreign Affairs", "russia", NULL,
     NULL},
    {"Marco Rubio", {"Rubio"}, NULL, "Secretary of State", "united-states", "2025-01-21", NULL},
    {"Andriy Yermak", {"Yermak", "Andrii Yermak"}, NULL, "Head of the Office of the President",
     "ukraine", "2020-02", "2025-11"},
    {"Kaja Kallas", {"Kallas"}, NULL, "High Representative for Foreign Affairs", "european-union",
     "2024-12-01", NULL},
    {"Mark Rutte", {"Rutte"}, NULL, "Secretary General", "nato", "2024-10-01", NULL},
    {"António Guterres", {"Guterres", "Antonio Guterres"}, NULL, "Secretary-General", "united-nations",
     "2017-01-01", NULL},
    {"Dmitry Peskov", {"Peskov", "Dmitri Peskov"}, NULL, "Kremlin spokesman", "kremlin", NULL, NULL},
    {"Karoline Leavitt", {"Leavitt"}, NULL, "White House Press Secretary", "white-house", "2025-01-20",
     NULL},
    {"Giorgia Meloni", {"Meloni"}, NULL, "Prime Minister of Italy", "italy", "2022-10-22", NULL},
    {"Donald Tusk", {"Tusk"}, NULL, "Prime Minister of Poland", "poland", "2023-12-13", NULL},
    {"Hakan Fidan", {"Fidan"}, NULL, "Minister of Foreign Affairs", "turkey", "2023-06-04", NULL},
    {"Jens Stoltenberg", {"Stoltenberg"}, NULL, "Secretary General", "nato", "2014-10-01", "2024-10-01"},
    {"Lars Løkke Rasmussen", {"Løkke", "Lars Lokke Rasmussen"}, NULL, "Minister of Foreign Affairs",
     NULL, NULL, NULL},
    {"Zoë Łukasiewicz-Šimić", {"Zoe Lukasiewicz-Simic"}, NULL, "Special Rapporteur", "united-nations",
     NULL, NULL},
};

static const char *const FIRST_NAMES[] = {
    "Anna",    "Olena",   "Oleksandr", "Andriy",   "Mykola",   "Iryna",    "Dmytro",  "Yulia",    "Serhiy",
    "Kateryna", "Ivan",   "Maria",     "John",     "Michael",  "Sarah",    "David",   "Emma",     "James",
    "Laura",   "Robert",  "Thomas",    "Julia",    "Peter",    "Elena",    "Sergei",  "Natalia",  "Alexei",
    "Mehmet",  "Ayşe",    "Gökhan",    "Emine",    "Çağlar",   "Şebnem",   "Zeynep",  "Hakan",    "José",
    "María",   "Ramón",   "Inés",      "Begoña",   "François", "Hélène",   "Amélie",  "Jérôme",   "Zoë",
    "Noël",    "Søren",   "Bjørn",     "Åsa",      "Jürgen",   "Günter",   "Łukasz",  "Małgorzata", "Wojciech",
    "Zbigniew", "Agnieszka", "Tomáš",  "Jiří",     "Mihai",    "Ștefan",   "Ioana",   "Ferenc",   "Zsófia",
    "Ágnes",   "Giulia",  "Niccolò",   "Luca",     "Chiara",   "Aoife",    "Siobhán", "Seán",     "Kwame",
    "Amara",   "Priya",   "Arjun",     "Wei",      "Li",       "Yuki",     "Hiroshi", "Fatima",   "Omar",
    "Leila",   "Yusuf",   "Dana",      "Chris",    "Alex",     "Sam",      "Ingrid",  "Mette",    "Kaja",
    "Ülle",    "Kārlis",  "Rūta",      "Žygimantas", "Aurelija", "Nikoloz", "Tamar",  "Armen",    "Ilham",
    "Yasin",   "Elif",    "Mustafa",   "Katarzyna", "Paweł",   "Dorota",   "Henrik",  "Astrid",   "Matteo",
};

static const char *const LAST_NAMES[] = {
    "Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Melnyk",    "Kravchuk", "Petrenko", "Smith",
    "Johnson",   "Williams",   "Brown",      "Miller",    "Davis",     "Wilson",   "Anderson", "Taylor",
    "Ivanov",    "Petrov",     "Sokolov",    "Volkov",    "Kuznetsov", "Yılmaz",   "Kaya",     "Demir",
    "Şahin",     "Çelik",      "Öztürk",     "Aydın",     "Arslan",    "Güngör",   "García",   "Fernández",
    "López",     "Martínez",   "Núñez",      "Muñoz",     "Dubois",    "Lefèvre",  "Moreau",   "Girard",
    "Müller",    "Schröder",   "Weiß",       "Fischer",   "Köhler",    "Nowak",    "Kowalski", "Wiśniewski",
    "Wójcik",    "Zieliński",  "Dvořák",     "Novák",     "Horváth",   "Kovács",   "Szabó",    "Popescu",
    "Ionescu",   "Rossi",      "Russo",      "Bianchi",   "Ricci",     "Ó Briain", "O’Connor", "Murphy",
    "Nielsen",   "Jørgensen",  "Hansen",     "Ødegaard",  "Lindqvist", "Åberg",    "Virtanen", "Mäkinen",
    "Tamm",      "Ozoliņš",    "Kazlauskas", "Beridze",   "Sargsyan",  "Aliyev",   "Nakamura", "Tanaka",
    "Kim",       "Park",       "Chen",       "Wang",      "Singh",     "Sharma",   "Okafor",   "Mensah",
    "Haddad",    "Khalil",     "Cohen",      "Levi",      "van der Berg", "von Braun", "de la Cruz", "MacLeod",
    "Gungor",    "Hoffmann",   "Kuczyński",  "Sørensen",  "Papadopoulos", "Vasquez", "Ahmadi",  "Rahimi",
};

static const char *const ROLE_TITLES[] = {
    "Foreign Minister", "Defence Minister",  "Prime Minister",     "Spokesperson",     "Press Secretary",
    "Ambassador",       "Chief of Staff",    "Special Envoy",      "Member of Parliament", "Mayor",
    "Governor",         "Secretary General", "Commander-in-Chief", "Head of Delegation", "Senior Adviser",
    "Analyst",          "Correspondent",     "Chair",              "Director",         "Deputy Foreign Minister",
    "Energy Minister",  "Chief Negotiator",  "National Security Adviser",
};

static const char *const ORG_MINISTRIES[] = {
    "Ministry of Foreign Affairs", "Ministry of Defence", "Ministry of Energy", "Ministry of Finance",
    "Ministry of Justice",         "Ministry of the Interior", "Ministry of Economy", "Ministry of Health",
    "Ministry of Agriculture",     "Ministry of Culture",
};
static const char *const ORG_BODIES[] = {
    "Parliament", "Armed Forces", "Central Bank", "Coast Guard", "Border Guard Service",
    "Security Service", "Constitutional Court", "Election Commission", "Chamber of Commerce",
};
static const char *const ORG_FIELDS[] = {
    "Strategic", "Security", "Energy", "Economic", "Democracy", "Eastern European", "Black Sea", "Arctic",
    "Peace", "Conflict",
};
static const char *const ORG_PARTIES[] = {
    "Social Democratic Party", "Green Party", "Liberal Party", "Conservative Party", "People’s Party",
    "Labour Party", "Freedom Party",
};

/* word soup vocabularies */
static const char *const WORDS[] = {
    "the", "government", "said", "would", "talks", "peace", "security", "minister", "president",
    "officials", "week", "agreement", "border", "forces", "region", "support", "military", "economic",
    "sanctions", "energy", "deal", "meeting", "negotiations", "country", "leaders", "alliance", "future",
    "people", "plan", "proposal", "ceasefire", "territory", "troops", "aid", "reporters", "statement",
    "capital", "decision", "pressure", "conflict", "war", "diplomatic", "envoy", "delegation", "summit",
    "vote", "parliament", "budget", "tariffs", "trade", "markets", "concerns", "analysts", "sources",
    "reports", "process", "framework", "guarantees", "partners", "allies", "commitment", "response",
    "strategy", "situation", "question", "answer", "position", "priority", "issue", "solution", "crisis",
    "control", "front", "line", "attack", "defence", "drones", "missiles", "infrastructure", "power",
    "grid", "winter", "prices", "gas", "oil", "grain", "ports", "shipping", "exports", "sea", "north",
    "south", "east", "west", "new", "long", "strong", "clear", "important", "difficult", "possible",
    "serious", "direct", "full", "final", "first", "next", "last", "several", "many", "few", "other",
    "major", "key", "senior", "foreign", "domestic", "public", "private", "local", "national",
    "international", "regional", "global", "and", "or", "but", "with", "without", "for", "from", "to",
    "in", "on", "at", "by", "about", "after", "before", "during", "under", "over", "against", "between",
    "into", "through", "not", "also", "still", "already", "now", "today", "again", "only", "very", "more",
    "less", "we", "they", "it", "this", "that", "these", "those", "our", "their", "will", "can", "must",
    "should", "could", "may", "is", "are", "was", "were", "has", "have", "had", "be", "been", "make",
    "take", "give", "keep", "need", "want", "continue", "agree", "discuss", "expect", "believe", "hope",
    "ensure", "reach", "build", "protect", "stop", "end", "begin", "return", "meet", "call", "ask", "warn",
    "reject", "accept", "propose", "demand", "announce", "confirm", "deny", "one", "two", "three", "four",
    "five", "six", "seven", "eight", "nine", "ten", "hundred", "thousand", "million", "percent", "days",
    "months", "years", "hours", "morning", "evening", "night", "Kyiv", "Moscow", "Washington", "Brussels",
    "Ankara", "London", "Paris", "Berlin", "Europe", "Ukraine", "Russia", "NATO", "EU", "Kremlin",
    "the", "the", "of", "of", "a", "a", "to", "and", "in", "is",
};
static const char *const ACCENTED[] = {
    "café",      "naïve",  "résumé",  "façade",     "rôle",     "élite",  "coöperation", "Zürich",
    "Kraków",    "Brasília", "Reykjavík", "Gdańsk",  "Łódź",     "Malmö",  "Düsseldorf",  "Besançon",
    "Curaçao",   "Bogotá", "Türkiye", "Élysée",     "détente",  "entrepôt", "protégé",    "exposé",
    "communiqué", "attaché", "über",   "señor",      "fiancée",  "soupçon", "Chișinău",   "Zélensky",
    "Öztürk",    "Erdoğan", "São",     "Dnipró",     "Nürnberg", "Göteborg", "Tiraspol",  "Ålesund",
};
static const char *const APOS_WORDS[] = {
    "it’s",    "we’re",     "don’t",        "can’t",        "won’t",       "isn’t",   "they’re",
    "country’s", "government’s", "president’s", "Ukraine’s", "Europe’s",   "that’s",  "there’s",
    "we’ve",   "I’m",       "let’s",        "people’s",     "Kremlin’s",   "alliance’s", "doesn’t",
};
static const char *const UNITS[] = {"km", "kilometres", "%", "tonnes", "billion", "million", "euros", "MW"};
static const char *const EMOJI[] = {"🇺🇦", "👍", "🙏", "🔥", "🕊️", "📍"};
static const char *const NONLATIN[] = {"Україна", "Слава", "Ελλάδα", "Киев", "Türkiye", "ქართული"};

/* ------------------------------------------------------------------------ */
/* model                                                                     */

typedef struct {
    const char *title;
    int32_t org;
    char from[24], to[24];
} Role;

typedef struct {
    uint32_t src, start, end;
} Span;

typedef struct {
    char *id, *name;
    uint8_t kind, naliases, nroles, ncit;
    char *aliases[5];
    Role roles[2];
    char wikidata[24];
    Span cit[2];
    const char *domain; /* outlets */
} Actor;

typedef struct {
    DateV pub;
    uint32_t publisher;
    int32_t via;
    int16_t dateline; /* city index or -1 */
    uint8_t via_note, has_author, has_url, crlf;
    uint32_t ev0, nev, q0, nq;
    uint8_t sha[32];
    uint64_t length;
} Source;

typedef struct {
    uint32_t src;
    int32_t src2;
    int32_t parent;
    uint32_t rel[3];
    uint32_t part[8];
    DateV start, end;
    int16_t city; /* -1 none */
    uint8_t type, status, npart, nrel, has_end, tz, loc, coords, country, parent_null, named_place;
    uint8_t role[8];
} Event;

typedef struct {
    uint32_t src;
    int32_t src2;
    uint32_t speaker;
    int32_t event;
    uint32_t start1, start2, len1, len2;
    DateV said;
    uint8_t kind, ntopics, variant, esc;
    uint8_t topics[3];
} Quote;

typedef struct {
    uint64_t seed;
    uint32_t nact, nsrc, nev, nq;
    Actor *act;
    uint32_t *persons, npersons;
    double *pcdf;
    uint32_t *orgs, norgs;
    double *ocdf;
    uint32_t *countries, ncountries;
    double *ccdf;
    uint32_t *regions, nregions;
    uint32_t *outlets, noutlets;
    double *outcdf;
    Source *src;
    Event *ev;
    Quote *q;
    uint32_t *cite_off, *cite; /* per-source quote citations: q << 1 | second */
    const char *outdir, *origdir;
} G;

/* ------------------------------------------------------------------------ */
/* word soup                                                                 */

static void put_word(Rng *r, Buf *b, double p_accent, double p_apos)
{
    double u = rng_unit(r);
    if (u < p_accent)
        buf_puts(b, PICK(r, ACCENTED));
    else if (u < p_accent + p_apos)
        buf_puts(b, PICK(r, APOS_WORDS));
    else
        buf_puts(b, PICK(r, WORDS));
}

static void put_number_unit(Rng *r, Buf *b)
{
    int k = rng_range(r, 0, 2);
    if (k == 0)
        buf_printf(b, "%d", rng_range(r, 2, 950));
    else if (k == 1)
        buf_printf(b, "%d.%d", rng_range(r, 1, 99), rng_range(r, 1, 9));
    else
        buf_printf(b, "%d\u00a0%03d", rng_range(r, 1, 99), rng_range(r, 0, 999)); /* 40 000 */
    buf_puts(b, "\u00a0");                                                      /* no-break space */
    buf_puts(b, PICK(r, UNITS));
}

/* One filler sentence of article prose. */
static void filler_sentence(Rng *r, Buf *b)
{
    int n = rng_range(r, 7, 22);
    int dash_at = chance(r, 0.08) ? rng_range(r, 2, n - 2) : -1;
    int num_at = chance(r, 0.06) ? rng_range(r, 1, n - 1) : -1;
    int range_at = chance(r, 0.03) ? rng_range(r, 1, n - 1) : -1;
    int scare_at = chance(r, 0.03) ? rng_range(r, 1, n - 2) : -1;
    for (int i = 0; i < n; i++) {
        if (i > 0)
            buf_puts(b, i == dash_at ? (chance(r, 0.5) ? " — " : " – ") : " ");
        size_t at = b->len;
        if (i == scare_at)
            buf_puts(b, "“");
        if (i == num_at)
            put_number_unit(r, b);
        else if (i == range_at)
            buf_printf(b, "%d–%d", rng_range(r, 2014, 2024), rng_range(r, 2025, 2030));
        else if (chance(r, 0.002))
            buf_puts(b, PICK(r, NONLATIN));
        else
            put_word(r, b, 0.03, 0.03);
        if (i == scare_at)
            buf_puts(b, "”");
        if (i == 0)
            buf_cap_at(b, at);
        if (i + 1 < n && i + 1 != dash_at && chance(r, 0.07))
            buf_puts(b, ",");
    }
    double u = rng_unit(r);
    buf_puts(b, u < 0.9 ? "." : u < 0.95 ? "…" : u < 0.98 ? "?" : ";");
    if (chance(r, 0.004)) {
        buf_puts(b, " ");
        buf_puts(b, PICK(r, EMOJI));
    }
}

/* Quote text: 3..40 words (whitespace separated tokens). */
static void gen_quote_text(const G *g, uint32_t qi, Buf *b)
{
    Rng r;
    rng_derive(&r, g->seed, K_QTEXT, qi);
    const Quote *q = &g->q[qi];
    int frag = q->kind == 1;
    buf_clear(b);
    int n = frag ? rng_range(&r, 3, 10) : (chance(&r, 0.7) ? rng_range(&r, 5, 20) : rng_range(&r, 21, 36));
    /* a number with unit ("40 000 km", no-break spaces) and an emoji may add up to 3
     * whitespace-separated tokens: at most 39 */
    int inner_at = (!frag && n >= 6 && chance(&r, 0.08)) ? rng_range(&r, 1, n - 3) : -1;
    int inner_end = inner_at >= 0 ? inner_at + rng_range(&r, 0, 2) : -1;
    int dash_at = chance(&r, 0.12) ? rng_range(&r, 1, n - 1) : -1;
    int split_at = (!frag && n >= 14 && chance(&r, 0.4)) ? rng_range(&r, 6, n - 5) : -1;
    int num_at = chance(&r, 0.04) ? rng_range(&r, 0, n - 1) : -1;
    int emoji = chance(&r, 0.006);
    for (int i = 0; i < n; i++) {
        int cap = (i == 0 && !frag) || i == split_at;
        if (i > 0) {
            if (i == split_at)
                buf_puts(b, chance(&r, 0.8) ? ". " : "? ");
            else if (i == dash_at)
                buf_puts(b, (n < 4 || chance(&r, 0.6)) ? " — " : chance(&r, 0.5) ? " – " : "—");
            else
                buf_puts(b, " ");
        }
        if (i == inner_at)
            buf_puts(b, chance(&r, 0.7) ? "‘" : "“");
        size_t at = b->len;
        if (i == num_at)
            put_number_unit(&r, b);
        else
            put_word(&r, b, 0.05, 0.06);
        if (cap)
            buf_cap_at(b, at);
        if (i == inner_end) {
            /* close with the matching mark */
            size_t k = at;
            while (k > 0 && (unsigned char)b->p[k - 1] != 0x98 && (unsigned char)b->p[k - 1] != 0x9C)
                k--;
            buf_puts(b, (k > 0 && (unsigned char)b->p[k - 1] == 0x9C) ? "”" : "’");
        }
        if (i + 1 < n && i + 1 != split_at && i + 1 != dash_at && chance(&r, 0.06))
            buf_puts(b, ",");
    }
    if (!frag) {
        double u = rng_unit(&r);
        buf_puts(b, u < 0.85 ? "." : u < 0.93 ? "?" : u < 0.98 ? "!" : "…");
    }
    if (emoji) {
        buf_puts(b, " ");
        buf_puts(b, PICK(&r, EMOJI));
    }
}

/* The same words as transcribed by another outlet: straight quotes and
 * hyphens, digits for number words; if nothing changes, the first letter's
 * case flips.  Always differs from the input. */
static void make_variant(const char *s, size_t n, Buf *out)
{
    static const char *const NUMW[] = {"one", "two", "three", "four", "five",
                                       "six", "seven", "eight", "nine", "ten"};
    buf_clear(out);
    size_t i = 0;
    while (i < n) {
        const unsigned char *u = (const unsigned char *)s + i;
        if (u[0] == 0xE2 && u[1] == 0x80) {
            const char *rep = NULL;
            switch (u[2]) {
            case 0x98: case 0x99: rep = "'"; break;
            case 0x9C: case 0x9D: rep = "\""; break;
            case 0x93: rep = "-"; break;
            case 0x94: rep = "--"; break;
            case 0xA6: rep = "..."; break;
            }
            if (rep) {
                buf_puts(out, rep);
                i += 3;
                continue;
            }
        }
        if ((s[i] >= 'a' && s[i] <= 'z') && (i == 0 || !((s[i - 1] >= 'a' && s[i - 1] <= 'z') ||
                                                          (s[i - 1] >= 'A' && s[i - 1] <= 'Z')))) {
            size_t j = i;
            while (j < n && s[j] >= 'a' && s[j] <= 'z')
                j++;
            int done = 0;
            if (j == n || !((unsigned char)s[j] >= 0x80 || (s[j] >= 'A' && s[j] <= 'Z'))) {
                for (size_t k = 0; k < NELEM(NUMW); k++) {
                    if (strlen(NUMW[k]) == j - i && memcmp(NUMW[k], s + i, j - i) == 0) {
                        buf_printf(out, "%zu", k + 1);
                        done = 1;
                        break;
                    }
                }
            }
            if (!done)
                buf_put(out, s + i, j - i);
            i = j;
            continue;
        }
        buf_put(out, s + i, 1);
        i++;
    }
    if (out->len == n && memcmp(out->p, s, n) == 0) {
        for (size_t k = 0; k < out->len; k++) {
            char c = out->p[k];
            if (c >= 'a' && c <= 'z') {
                out->p[k] = (char)(c - 'a' + 'A');
                break;
            }
            if (c >= 'A' && c <= 'Z') {
                out->p[k] = (char)(c - 'A' + 'a');
                break;
            }
        }
    }
    if (out->len == n && memcmp(out->p, s, n) == 0)
        buf_puts(out, " [sic]"); /* no ASCII letter at all: still differ */
}

static void title_case_words(Rng *r, Buf *b, int n, double p_accent)
{
    for (int i = 0; i < n; i++) {
        if (i)
            buf_puts(b, " ");
        size_t at = b->len;
        put_word(r, b, p_accent, 0.04);
        if (i == 0 || chance(r, 0.6))
            buf_cap_at(b, at);
    }
}

static const char *actor_display(Rng *r, const Actor *a, double p_alias)
{
    if (a->naliases && chance(r, p_alias))
        return a->aliases[rng_below(r, a->naliases)];
    return a->name;
}

static void gen_source_title(const G *g, uint32_t s, Buf *b)
{
    Rng r;
    rng_derive(&r, g->seed, K_STITLE, s);
    buf_clear(b);
    const Actor *who = &g->act[g->persons[cdf_pick(&r, g->pcdf, g->npersons)]];
    switch (rng_below(&r, 6)) {
    case 0:
    case 1:
        buf_puts(b, actor_display(&r, who, 0.5));
        buf_puts(b, chance(&r, 0.5) ? " says " : " warns ");
        for (int i = 0, n = rng_range(&r, 3, 8); i < n; i++) {
            if (i)
                buf_puts(b, " ");
            put_word(&r, b, 0.04, 0.05);
        }
        break;
    case 2:
        title_case_words(&r, b, rng_range(&r, 2, 5), 0.05);
        buf_puts(b, ": ");
        buf_puts(b, actor_display(&r, who, 0.3));
        buf_puts(b, " calls plan ");
        if (chance(&r, 0.15)) { /* straight quotes occasionally: exercises JSON escaping */
            buf_puts(b, "\"");
            title_case_words(&r, b, rng_range(&r, 1, 3), 0.0);
            buf_puts(b, "\"");
        } else {
            buf_puts(b, "‘");
            title_case_words(&r, b, rng_range(&r, 1, 3), 0.0);
            buf_puts(b, "’");
        }
        break;
    case 3:
        title_case_words(&r, b, rng_range(&r, 4, 9), 0.05);
        buf_puts(b, " — ");
        buf_puts(b, PICK(&r, CITIES).name);
        break;
    default:
        title_case_words(&r, b, rng_range(&r, 5, 12), 0.05);
        break;
    }
}

static void gen_author(const G *g, uint32_t s, Buf *b)
{
    Rng r;
    rng_derive(&r, g->seed, K_AUTHOR, s);
    buf_clear(b);
    int n = chance(&r, 0.15) ? 2 : 1;
    for (int i = 0; i < n; i++) {
        if (i)
            buf_puts(b, " and ");
        buf_puts(b, PICK(&r, FIRST_NAMES));
        buf_puts(b, " ");
        buf_puts(b, PICK(&r, LAST_NAMES));
    }
    if (chance(&r, 0.05)) {
        buf_clear(b);
        buf_puts(b, chance(&r, 0.5) ? "Staff reporter" : "Our correspondent in Kyiv");
    }
}

/* ------------------------------------------------------------------------ */
/* actors                                                                    */

typedef struct {
    G *g;
    StrSet ids;
    uint32_t n;
} ActorBuilder;

static Actor *new_actor(ActorBuilder *ab, const char *name, int kind)
{
    if (ab->n >= ab->g->nact)
        die("internal: too many actors");
    Actor *a = &ab->g->act[ab->n++];
    memset(a, 0, sizeof *a);
    a->name = xstrdup(name);
    a->id = unique_id(&ab->ids, name);
    a->kind = (uint8_t)kind;
    return a;
}

static void add_alias(Actor *a, const char *alias)
{
    if (!alias || !alias[0] || a->naliases >= NELEM(a->aliases) || strcmp(alias, a->name) == 0)
        return;
    for (int i = 0; i < a->naliases; i++)
        if (strcmp(a->aliases[i], alias) == 0)
            return;
    a->aliases[a->naliases++] = xstrdup(alias);
}

static int32_t find_actor(const G *g, uint32_t n, const char *id)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(g->act[i].id, id) == 0)
            return (int32_t)i;
    return -1;
}

static void random_role_date(Rng *r, char *out, size_t n, int64_t lo, int64_t hi)
{
    DateV d = date_day(lo + rng_below(r, (uint32_t)(hi - lo + 1)));
    if (chance(r, 0.3))
        d.prec = chance(r, 0.7) ? P_MONTH : P_YEAR;
    if (d.prec == P_MONTH)
        d.day = (int32_t)month_first_day(month_index(d.day));
    fmt_date(out, n, &d);
}

static void build_actors(G *g, Rng *r)
{
    uint32_t N = g->nact;
    uint32_t n_out = N * 50 / 2000;
    n_out = n_out < 5 ? 5 : n_out > NELEM(OUTLETS) ? (uint32_t)NELEM(OUTLETS) : n_out;
    uint32_t n_plat = N >= 600 ? 6 : N >= 200 ? 3 : 2;
    uint32_t n_cty = N * 45 / 2000;
    n_cty = n_cty < 10 ? 10 : n_cty > NELEM(COUNTRIES) ? (uint32_t)NELEM(COUNTRIES) : n_cty;
    uint32_t n_reg = N * 20 / 2000;
    n_reg = n_reg < 5 ? 5 : n_reg > NELEM(REGIONS) ? (uint32_t)NELEM(REGIONS) : n_reg;
    uint32_t n_per = N * 70 / 100;
    uint32_t fixed = n_out + n_plat + n_cty + n_reg + n_per;
    if (fixed + 8 > N)
        die("--actors %u is too small (need at least 100)", N);
    uint32_t n_org = N - fixed;

    ActorBuilder ab = {g, {0}, 0};
    g->act = xcalloc(N, sizeof(Actor));
    g->countries = xmalloc(sizeof(uint32_t) * n_cty);
    g->regions = xmalloc(sizeof(uint32_t) * n_reg);
    g->orgs = xmalloc(sizeof(uint32_t) * n_org);
    g->outlets = xmalloc(sizeof(uint32_t) * n_out);
    g->persons = xmalloc(sizeof(uint32_t) * n_per);

    for (uint32_t i = 0; i < n_cty; i++) {
        const Named *c = &COUNTRIES[i];
        Actor *a = new_actor(&ab, c->name, A_COUNTRY);
        for (int k = 0; k < 4 && c->aliases[k]; k++)
            add_alias(a, c->aliases[k]);
        if (c->wikidata)
            snprintf(a->wikidata, sizeof a->wikidata, "%s", c->wikidata);
        a->domain = c->iso;
        g->countries[g->ncountries++] = (uint32_t)(a - g->act);
    }
    for (uint32_t i = 0; i < n_reg; i++) {
        const Named *c = &REGIONS[i];
        Actor *a = new_actor(&ab, c->name, A_REGION);
        for (int k = 0; k < 4 && c->aliases[k]; k++)
            add_alias(a, c->aliases[k]);
        g->regions[g->nregions++] = (uint32_t)(a - g->act);
    }
    /* organizations: the core list first, then synthetic ones */
    char name[256];
    for (uint32_t i = 0; i < n_org; i++) {
        Actor *a;
        if (i < NELEM(CORE_ORGS)) {
            const Named *c = &CORE_ORGS[i];
            a = new_actor(&ab, c->name, A_ORG);
            for (int k = 0; k < 4 && c->aliases[k]; k++)
                add_alias(a, c->aliases[k]);
            if (c->wikidata)
                snprintf(a->wikidata, sizeof a->wikidata, "%s", c->wikidata);
        } else {
            const char *cty = COUNTRIES[rng_below(r, (uint32_t)NELEM(COUNTRIES))].name;
            switch (rng_below(r, 6)) {
            case 0:
            case 1:
                snprintf(name, sizeof name, "%s of %s", PICK(r, ORG_MINISTRIES), cty);
                break;
            case 2:
                snprintf(name, sizeof name, "%s of %s", PICK(r, ORG_BODIES), cty);
                break;
            case 3:
                snprintf(name, sizeof name, "%s Institute for %s Studies", PICK(r, LAST_NAMES),
                         PICK(r, ORG_FIELDS));
                break;
            case 4:
                snprintf(name, sizeof name, "%s of %s", PICK(r, ORG_PARTIES), cty);
                break;
            default:
                snprintf(name, sizeof name, "%s %s Foundation", PICK(r, FIRST_NAMES), PICK(r, LAST_NAMES));
                break;
            }
            a = new_actor(&ab, name, A_ORG);
            if (chance(r, 0.25)) { /* acronym of the capitalised words */
                char acr[16];
                size_t k = 0;
                for (const char *p = name; *p && k + 1 < sizeof acr; p++)
                    if ((p == name || p[-1] == ' ') && *p >= 'A' && *p <= 'Z')
                        acr[k++] = *p;
                acr[k] = 0;
                if (k >= 2)
                    add_alias(a, acr);
            }
            if (chance(r, 0.05))
                snprintf(a->wikidata, sizeof a->wikidata, "Q%u", 900000000u + rng_below(r, 99999999u));
        }
        g->orgs[g->norgs++] = (uint32_t)(a - g->act);
    }
    for (uint32_t i = 0; i < n_out; i++) {
        const Outlet *o = &OUTLETS[i];
        Actor *a = new_actor(&ab, o->name, A_OUTLET);
        add_alias(a, o->alias);
        char folded[128];
        if (ascii_fold(o->name, folded, sizeof folded) && strcmp(folded, o->name) != 0)
            add_alias(a, folded);
        a->domain = o->domain;
        g->outlets[g->noutlets++] = (uint32_t)(a - g->act);
    }
    for (uint32_t i = 0; i < n_plat; i++) {
        const Named *c = &PLATFORMS[i];
        Actor *a = new_actor(&ab, c->name, A_PLATFORM);
        for (int k = 0; k < 4 && c->aliases[k]; k++)
            add_alias(a, c->aliases[k]);
    }
    /* persons: the famous first (most popular), then synthetic */
    uint32_t before_persons = ab.n;
    int64_t d2000 = days_from_civil(2000, 1, 1), d2025 = days_from_civil(2025, 12, 31);
    for (uint32_t i = 0; i < n_per; i++) {
        Actor *a;
        if (i < NELEM(FAMOUS)) {
            const Famous *f = &FAMOUS[i];
            a = new_actor(&ab, f->name, A_PERSON);
            for (int k = 0; k < 4 && f->aliases[k]; k++)
                add_alias(a, f->aliases[k]);
            if (f->wikidata)
                snprintf(a->wikidata, sizeof a->wikidata, "%s", f->wikidata);
            if (f->title) {
                Role *ro = &a->roles[a->nroles++];
                ro->title = f->title;
                ro->org = f->org ? find_actor(g, before_persons, f->org) : -1;
                if (f->org && ro->org < 0)
                    die("internal: famous role organization %s missing", f->org);
                if (f->from)
                    snprintf(ro->from, sizeof ro->from, "%s", f->from);
                if (f->to)
                    snprintf(ro->to, sizeof ro->to, "%s", f->to);
            }
        } else {
            const char *first = PICK(r, FIRST_NAMES), *last = PICK(r, LAST_NAMES);
            if (chance(r, 0.08))
                snprintf(name, sizeof name, "%s %c. %s", first, 'A' + (int)rng_below(r, 26), last);
            else
                snprintf(name, sizeof name, "%s %s", first, last);
            a = new_actor(&ab, name, A_PERSON);
            if (chance(r, 0.3))
                add_alias(a, last);
            if (chance(r, 0.08)) {
                char t[160];
                snprintf(t, sizeof t, "%s %s", chance(r, 0.5) ? "Dr" : "Minister", last);
                add_alias(a, t);
            }
            char folded[256];
            if (chance(r, 0.6) && ascii_fold(name, folded, sizeof folded) && strcmp(folded, name) != 0)
                add_alias(a, folded);
            if (chance(r, 0.4)) {
                int nr = chance(r, 0.15) ? 2 : 1;
                for (int k = 0; k < nr; k++) {
                    Role *ro = &a->roles[a->nroles++];
                    ro->title = PICK(r, ROLE_TITLES);
                    ro->org = -1;
                    if (chance(r, 0.8)) {
                        if (chance(r, 0.5))
                            ro->org = (int32_t)g->countries[rng_below(r, g->ncountries)];
                        else
                            ro->org = (int32_t)g->orgs[rng_below(r, g->norgs)];
                    }
                    if (chance(r, 0.3)) {
                        random_role_date(r, ro->from, sizeof ro->from, d2000, d2025 - 400);
                        if (chance(r, 0.35)) {
                            /* "to" strictly after "from": a later year */
                            int y = atoi(ro->from);
                            snprintf(ro->to, sizeof ro->to, "%04d", y + 1 + (int)rng_below(r, 3));
                        }
                    }
                }
            }
            if (chance(r, 0.05))
                snprintf(a->wikidata, sizeof a->wikidata, "Q%u", 900000000u + rng_below(r, 99999999u));
        }
        g->persons[g->npersons++] = (uint32_t)(a - g->act);
    }
    if (ab.n != N)
        die("internal: built %u actors, wanted %u", ab.n, N);
    g->pcdf = zipf_cdf(g->npersons);
    g->ocdf = zipf_cdf(g->norgs);
    g->ccdf = zipf_cdf(g->ncountries);
    g->outcdf = zipf_cdf(g->noutlets);
    /* the id strings stay referenced by the actors; only the table goes */
    free(ab.ids.slot);
}

/* ------------------------------------------------------------------------ */
/* dates for events, quotes and sources                                      */

static int dst_delta(const City *c, int64_t day)
{
    if (!c->dst)
        return 0;
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    return (m >= 4 && m <= 10) ? 60 : 0;
}

/* Make `d` (day precision) a minute or hour precision time with an offset. */
static void with_time(Rng *r, DateV *d, int prec, int city)
{
    d->prec = (uint8_t)prec;
    d->minute = (int16_t)(rng_range(r, 6, 22) * 60 + (prec == P_MIN ? rng_range(r, 0, 59) : 0));
    if (prec == P_HOUR && chance(r, 0.3)) {
        d->offk = OFF_NONE; /* bare hour: compared as UTC */
        return;
    }
    int off = city >= 0 ? CITIES[city].stdoff + dst_delta(&CITIES[city], d->day) : PICK(r, LOOSE_OFFSETS);
    if (off == 0 && chance(r, 0.6))
        d->offk = OFF_Z;
    else {
        d->offk = OFF_NUM;
        d->offmin = (int16_t)off;
    }
}

/* Turn a bare date into an object form; `s` is the source whose dateline
 * resolves relative phrases. */
static void maybe_object_form(Rng *r, const G *g, DateV *d, uint32_t s, double p_resolved,
                              double p_inferred, double p_external)
{
    double u = rng_unit(r);
    if (u < p_resolved) {
        if (d->prec != P_DAY && d->prec != P_MIN && d->prec != P_HOUR)
            return;
        int64_t rel = (int64_t)d->day - g->src[s].pub.day;
        if (rel < -6 || rel > 6)
            return;
        d->basis = B_RESOLVED;
        d->src = s;
        d->phrase_style = (uint8_t)rng_below(r, 2);
    } else if (u < p_resolved + p_inferred) {
        d->basis = B_INFERRED;
        d->note = (uint8_t)rng_below(r, (uint32_t)NELEM(INFERRED_NOTES));
    } else if (u < p_resolved + p_inferred + p_external) {
        d->basis = B_EXTERNAL;
        d->note = (uint8_t)rng_below(r, (uint32_t)NELEM(EXTERNAL_NOTES));
    } else if (chance(r, 0.03)) {
        d->basis = B_REPORTED; /* explicit object form of the default */
    }
}

static void phrase_for(const G *g, const DateV *d, char *out, size_t n)
{
    int64_t rel = (int64_t)d->day - g->src[d->src].pub.day;
    const char *wd = WEEKDAYS[weekday(d->day)];
    if (rel == 0)
        snprintf(out, n, "%s", d->phrase_style ? "today" : "on the same day");
    else if (rel == -1)
        snprintf(out, n, "%s", d->phrase_style ? "yesterday" : "the day before");
    else if (rel == 1)
        snprintf(out, n, "%s", "tomorrow");
    else if (rel < 0)
        snprintf(out, n, d->phrase_style ? "last %s" : "on %s", wd);
    else
        snprintf(out, n, d->phrase_style ? "next %s" : "on %s", wd);
}

/* ------------------------------------------------------------------------ */
/* generation of sources, events and quotes                                  */

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static uint32_t earlier_source(Rng *r, uint32_t s)
{
    uint32_t span = s < 200 ? s : 200;
    return s - 1 - rng_below(r, span);
}

static void build_sources(G *g, Rng *r)
{
    uint32_t ns = g->nsrc;
    g->src = xcalloc(ns, sizeof(Source));
    int32_t *days = xmalloc(sizeof(int32_t) * ns);
    int64_t d0 = days_from_civil(2024, 1, 1), d1 = days_from_civil(2025, 12, 31);
    for (uint32_t s = 0; s < ns; s++)
        days[s] = (int32_t)(d0 + rng_below(r, (uint32_t)(d1 - d0 + 1)));
    qsort(days, ns, sizeof *days, cmp_i32); /* source order = publication order */
    for (uint32_t s = 0; s < ns; s++) {
        Source *src = &g->src[s];
        src->pub = date_day(days[s]);
        src->dateline = chance(r, 0.5) ? (int16_t)rng_below(r, (uint32_t)NELEM(CITIES)) : -1;
        if (chance(r, 0.15))
            with_time(r, &src->pub, P_MIN, src->dateline);
        src->publisher = g->outlets[cdf_pick(r, g->outcdf, g->noutlets)];
        src->via = -1;
        if (chance(r, 0.1)) {
            uint32_t v = g->outlets[rng_below(r, g->noutlets)];
            if (v != src->publisher) {
                src->via = (int32_t)v;
                src->via_note = (uint8_t)(chance(r, 0.6) ? 1 + rng_below(r, 4) : 0);
            }
        }
        src->has_author = (uint8_t)chance(r, 0.6);
        src->has_url = (uint8_t)chance(r, 0.75);
        src->crlf = (uint8_t)chance(r, 0.05);
    }
    free(days);
}

/* Split `total` items over the sources with uneven weights; fills the
 * per-source counts and first indices (items of a source are contiguous). */
static void distribute(G *g, Rng *r, uint32_t total, const double *cdf, int events)
{
    uint32_t ns = g->nsrc;
    uint32_t *cnt = xcalloc(ns, sizeof(uint32_t));
    for (uint32_t i = 0; i < total; i++)
        cnt[cdf_pick(r, cdf, ns)]++;
    uint32_t acc = 0;
    for (uint32_t s = 0; s < ns; s++) {
        if (events) {
            g->src[s].ev0 = acc;
            g->src[s].nev = cnt[s];
        } else {
            g->src[s].q0 = acc;
            g->src[s].nq = cnt[s];
        }
        acc += cnt[s];
    }
    free(cnt);
}

static uint32_t pick_participant(const G *g, Rng *r, int type)
{
    double u = rng_unit(r);
    if ((type == T_ANNEX || type == T_MILITARY || type == T_BACKGROUND) && u < 0.25)
        return g->regions[rng_below(r, g->nregions)];
    if (u < 0.72)
        return g->persons[cdf_pick(r, g->pcdf, g->npersons)];
    if (u < 0.9)
        return g->orgs[cdf_pick(r, g->ocdf, g->norgs)];
    return g->countries[cdf_pick(r, g->ccdf, g->ncountries)];
}

static void build_events(G *g, Rng *r)
{
    uint32_t ne = g->nev;
    g->ev = xcalloc(ne ? ne : 1, sizeof(Event));
    int64_t lo2024 = days_from_civil(2024, 1, 1);
    static const int PART_W[8] = {25, 35, 18, 10, 5, 3, 2, 2};
    for (uint32_t s = 0; s < g->nsrc; s++) {
        for (uint32_t e = g->src[s].ev0; e < g->src[s].ev0 + g->src[s].nev; e++) {
            Event *ev = &g->ev[e];
            ev->src = s;
            ev->src2 = (s > 0 && chance(r, 0.1)) ? (int32_t)earlier_source(r, s) : -1;
            ev->type = (uint8_t)pick_weighted(r, EVENT_TYPE_W, NTYPES);
            ev->status = ev->type == T_BACKGROUND ? S_OCCURRED : (uint8_t)pick_weighted(r, STATUS_W, 4);
            /* location first: a minute-precision start uses its offset */
            ev->city = -1;
            double lu = rng_unit(r);
            if (ev->type == T_POST || ev->type == T_STATEMENT ? lu < 0.2 : lu < 0.7) {
                ev->loc = 1;
                ev->city = (int16_t)rng_below(r, (uint32_t)NELEM(CITIES));
                ev->country = (uint8_t)chance(r, 0.9);
                ev->coords = (uint8_t)chance(r, 0.5);
                ev->named_place = (uint8_t)chance(r, 0.4); /* "City, Country" style name */
                ev->tz = (uint8_t)chance(r, 0.45);
            } else if (lu < 0.78) {
                ev->loc = 2;
                ev->named_place = (uint8_t)rng_below(r, (uint32_t)NELEM(NAMED_PLACES));
            }
            if (!ev->tz && chance(r, 0.02))
                ev->tz = 2; /* zone without a location */
            /* start date */
            uint32_t base_src = ev->src2 >= 0 ? (uint32_t)ev->src2 : s;
            int64_t base = g->src[base_src].pub.day;
            if (ev->type == T_BACKGROUND) {
                int y = rng_range(r, 1945, 2023);
                if (chance(r, 0.6)) {
                    ev->start = date_day(days_from_civil(y, 1, 1));
                    ev->start.prec = P_YEAR;
                } else {
                    ev->start = date_day(days_from_civil(y, rng_range(r, 1, 12), 1));
                    ev->start.prec = P_MONTH;
                }
                if (chance(r, 0.5)) {
                    ev->start.basis = B_EXTERNAL;
                    ev->start.note = (uint8_t)rng_below(r, (uint32_t)NELEM(EXTERNAL_NOTES));
                }
            } else {
                int64_t day;
                if (ev->status == S_SCHEDULED || ev->status == S_PROPOSED)
                    day = base + rng_range(r, 1, 60);
                else if (ev->status == S_CANCELLED)
                    day = base + rng_range(r, -20, 30);
                else
                    day = base - (chance(r, 0.7) ? rng_range(r, 0, 3) : rng_range(r, 4, 40));
                if (day < lo2024 - 60)
                    day = lo2024 - 60;
                ev->start = date_day(day);
                double pu = rng_unit(r);
                int city = ev->city;
                if (pu < 0.14)
                    with_time(r, &ev->start, P_MIN, city);
                else if (pu < 0.15)
                    with_time(r, &ev->start, P_HOUR, city);
                else if (pu < 0.17) {
                    ev->start.prec = P_MONTH;
                    ev->start.day = (int32_t)month_first_day(month_index(day));
                } else if (pu < 0.175) {
                    int y, m, d;
                    civil_from_days(day, &y, &m, &d);
                    ev->start.prec = P_YEAR;
                    ev->start.day = (int32_t)days_from_civil(y, 1, 1);
                }
                maybe_object_form(r, g, &ev->start, s, 0.12, 0.03, 0.02);
            }
            /* end: same form as start, strictly later */
            if (chance(r, 0.2)) {
                ev->has_end = 1;
                ev->end = ev->start;
                ev->end.basis = B_BARE;
                switch (ev->start.prec) {
                case P_YEAR: {
                    int y, m, d;
                    civil_from_days(ev->start.day, &y, &m, &d);
                    int ye = y + rng_range(r, 1, 30);
                    if (ye > 2025)
                        ye = y < 2025 ? 2025 : y;
                    ev->end.day = (int32_t)days_from_civil(ye, 1, 1);
                    break;
                }
                case P_MONTH:
                    ev->end.day = (int32_t)month_first_day(month_index(ev->start.day) + rng_range(r, 1, 24));
                    break;
                case P_DAY:
                    ev->end.day = ev->start.day + rng_range(r, 1, 14);
                    break;
                case P_HOUR:
                    date_add_minutes(&ev->end, 60 * rng_range(r, 1, 48));
                    break;
                default:
                    date_add_minutes(&ev->end, rng_range(r, 15, 3 * 1440));
                    break;
                }
                if (chance(r, 0.05)) {
                    ev->end.basis = B_INFERRED;
                    ev->end.note = (uint8_t)rng_below(r, (uint32_t)NELEM(INFERRED_NOTES));
                }
            }
            /* participants */
            ev->npart = (uint8_t)(1 + pick_weighted(r, PART_W, 8));
            if (chance(r, 0.03))
                ev->npart = 0;
            const int8_t *roles = TYPE_ROLES[ev->type];
            int nroles = 0;
            while (nroles < 6 && roles[nroles] >= 0)
                nroles++;
            for (int k = 0; k < ev->npart; k++) {
                uint32_t a = 0;
                for (int tries = 0; tries < 30; tries++) {
                    a = pick_participant(g, r, ev->type);
                    int dup = 0;
                    for (int j = 0; j < k; j++)
                        dup |= ev->part[j] == a;
                    if (!dup)
                        break;
                    a = UINT32_MAX;
                }
                if (a == UINT32_MAX) {
                    ev->npart = (uint8_t)k;
                    break;
                }
                ev->part[k] = a;
                ev->role[k] = (uint8_t)(k == 0 ? roles[0] : roles[rng_below(r, (uint32_t)nroles)]);
            }
            /* parent (an earlier event) and related events */
            ev->parent = -1;
            if (e > 0 && chance(r, 0.1))
                ev->parent = (int32_t)(e - 1 - rng_below(r, e < 300 ? e : 300));
            else
                ev->parent_null = (uint8_t)chance(r, 0.1);
            if (ne > 2 && chance(r, 0.12)) {
                int want = rng_range(r, 1, 3);
                for (int k = 0; k < want; k++) {
                    int64_t x = (int64_t)e + rng_range(r, -500, 500);
                    if (x < 0)
                        x = 0;
                    if (x >= ne)
                        x = ne - 1;
                    uint32_t xi = (uint32_t)x;
                    int bad = xi == e || (ev->parent >= 0 && xi == (uint32_t)ev->parent);
                    for (int j = 0; j < ev->nrel; j++)
                        bad |= ev->rel[j] == xi;
                    if (!bad)
                        ev->rel[ev->nrel++] = xi;
                }
            }
        }
    }
}

static void build_quotes(G *g, Rng *r)
{
    uint32_t nq = g->nq;
    g->q = xcalloc(nq ? nq : 1, sizeof(Quote));
    for (uint32_t s = 0; s < g->nsrc; s++) {
        const Source *src = &g->src[s];
        for (uint32_t qi = src->q0; qi < src->q0 + src->nq; qi++) {
            Quote *q = &g->q[qi];
            q->src = s;
            q->src2 = (s > 0 && chance(r, 0.1)) ? (int32_t)earlier_source(r, s) : -1;
            q->variant = (uint8_t)(q->src2 >= 0 && chance(r, 0.25));
            q->kind = (uint8_t)chance(r, 0.3); /* 1 = fragment */
            q->esc = (uint8_t)chance(r, 0.01); /* write non-ASCII as \u escapes */
            q->speaker = chance(r, 0.9) ? g->persons[cdf_pick(r, g->pcdf, g->npersons)]
                                        : g->orgs[cdf_pick(r, g->ocdf, g->norgs)];
            q->event = -1;
            if (src->nev && chance(r, 0.75))
                q->event = (int32_t)(src->ev0 + rng_below(r, src->nev));
            else if (g->nev && chance(r, 0.1))
                q->event = (int32_t)rng_below(r, src->ev0 + src->nev > 0 ? src->ev0 + src->nev : g->nev);
            /* said: the event's time if it is from this source and precise, else shortly before the
             * earliest citing source's dateline */
            const Event *ev = q->event >= 0 ? &g->ev[q->event] : NULL;
            if (ev && ev->src == s && ev->status == S_OCCURRED && q->src2 < 0 &&
                (ev->start.prec == P_DAY || ev->start.prec == P_MIN) && ev->start.day <= src->pub.day) {
                q->said = ev->start;
                if (q->said.basis != B_RESOLVED)
                    q->said.basis = B_BARE;
            } else {
                uint32_t base_src = q->src2 >= 0 ? (uint32_t)q->src2 : s;
                q->said = date_day(g->src[base_src].pub.day - (chance(r, 0.6) ? 0 : rng_range(r, 1, 4)));
                if (chance(r, 0.08))
                    with_time(r, &q->said, P_MIN, -1);
                maybe_object_form(r, g, &q->said, s, 0.15, 0.03, 0.01);
            }
            int nt = pick_weighted(r, (const int[]){25, 40, 25, 10}, 4);
            for (int k = 0; k < nt; k++) {
                uint8_t t = (uint8_t)rng_below(r, (uint32_t)NELEM(TOPICS));
                int dup = 0;
                for (int j = 0; j < q->ntopics; j++)
                    dup |= q->topics[j] == t;
                if (!dup)
                    q->topics[q->ntopics++] = t;
            }
        }
    }
}

/* per-source lists of quote citations, in quote order */
static void build_cite_lists(G *g)
{
    uint32_t ns = g->nsrc;
    g->cite_off = xcalloc(ns + 1, sizeof(uint32_t));
    for (uint32_t i = 0; i < g->nq; i++) {
        g->cite_off[g->q[i].src + 1]++;
        if (g->q[i].src2 >= 0)
            g->cite_off[g->q[i].src2 + 1]++;
    }
    for (uint32_t s = 0; s < ns; s++)
        g->cite_off[s + 1] += g->cite_off[s];
    g->cite = xmalloc(sizeof(uint32_t) * (g->cite_off[ns] ? g->cite_off[ns] : 1));
    uint32_t *fill = xmalloc(sizeof(uint32_t) * ns);
    memcpy(fill, g->cite_off, sizeof(uint32_t) * ns);
    for (uint32_t i = 0; i < g->nq; i++) {
        g->cite[fill[g->q[i].src]++] = i << 1;
        if (g->q[i].src2 >= 0)
            g->cite[fill[g->q[i].src2]++] = i << 1 | 1;
    }
    free(fill);
}

/* ------------------------------------------------------------------------ */
/* originals                                                                 */

static void human_date(const DateV *d, char *out, size_t n)
{
    int y, m, dd;
    civil_from_days(d->day, &y, &m, &dd);
    int k = snprintf(out, n, "%s %d %s %d", WEEKDAYS[weekday(d->day)], dd, MONTHS[m - 1], y);
    if (d->prec == P_MIN && k > 0 && (size_t)k < n)
        snprintf(out + k, n - (size_t)k, ", %02d:%02d", d->minute / 60, d->minute % 60);
}

static void record_actor_citation(G *g, Rng *r, uint32_t a, uint32_t s, uint64_t start, uint64_t end)
{
    Actor *ac = &g->act[a];
    if (ac->ncit < 2 && chance(r, 0.08)) {
        ac->cit[ac->ncit].src = s;
        ac->cit[ac->ncit].start = (uint32_t)start;
        ac->cit[ac->ncit].end = (uint32_t)end;
        ac->ncit++;
    }
}

/* Build the original text of source s in `b`, recording the code point
 * offsets of every quote citation it carries. */
static void build_original(G *g, uint32_t s, Buf *b, Buf *t1, Buf *t2)
{
    Source *src = &g->src[s];
    Rng r;
    rng_derive(&r, g->seed, K_ORIG, s);
    const char *nl = src->crlf ? "\r\n" : "\n";
    const Actor *pub = &g->act[src->publisher];
    buf_clear(b);
    /* page boilerplate */
    if (src->via >= 0) {
        buf_puts(b, g->act[src->via].name);
        buf_puts(b, " | republished from ");
        buf_puts(b, pub->name);
    } else {
        buf_puts(b, pub->name);
    }
    buf_puts(b, nl);
    if (chance(&r, 0.3)) {
        buf_puts(b, "Home › World › Europe");
        buf_puts(b, nl);
    }
    buf_puts(b, nl);
    gen_source_title(g, s, t1);
    buf_put(b, t1->p, t1->len);
    buf_puts(b, nl);
    if (src->has_author) {
        gen_author(g, s, t1);
        buf_puts(b, "By ");
        buf_put(b, t1->p, t1->len);
        buf_puts(b, nl);
    }
    char hd[96];
    human_date(&src->pub, hd, sizeof hd);
    buf_puts(b, hd);
    buf_puts(b, nl);
    buf_puts(b, nl);
    if (src->dateline >= 0) {
        buf_puts(b, CITIES[src->dateline].name);
        buf_puts(b, " (");
        buf_puts(b, pub->name);
        buf_puts(b, ") – ");
    }
    int para_len = 0;
    for (uint32_t k = g->cite_off[s]; k < g->cite_off[s + 1]; k++) {
        uint32_t qi = g->cite[k] >> 1, second = g->cite[k] & 1;
        Quote *q = &g->q[qi];
        int nf = rng_range(&r, 0, 3);
        for (int i = 0; i < nf; i++) {
            filler_sentence(&r, b);
            buf_puts(b, " ");
        }
        gen_quote_text(g, qi, t1);
        const char *text = t1->p;
        size_t tlen = t1->len;
        uint64_t tcp = t1->cp;
        int straight = 0;
        if (second && q->variant) {
            make_variant(t1->p, t1->len, t2);
            text = t2->p;
            tlen = t2->len;
            tcp = t2->cp;
            straight = 1;
        }
        const char *open = straight ? "\"" : "“", *close = straight ? "\"" : "”";
        const Actor *sp = &g->act[q->speaker];
        const char *spname = actor_display(&r, sp, 0.3);
        uint64_t name_start = 0, name_end = 0, start;
        int pat = (int)rng_below(&r, 3);
        if (q->kind == 0) { /* full */
            if (pat == 0) {
                name_start = b->cp;
                buf_puts(b, spname);
                name_end = b->cp;
                buf_puts(b, chance(&r, 0.5) ? " said: " : " told reporters: ");
                buf_puts(b, open);
                start = b->cp;
                buf_put(b, text, tlen);
                buf_puts(b, close);
            } else if (pat == 1) {
                buf_puts(b, open);
                start = b->cp;
                buf_put(b, text, tlen);
                buf_puts(b, close);
                buf_puts(b, " — ");
                name_start = b->cp;
                buf_puts(b, spname);
                name_end = b->cp;
                buf_puts(b, ".");
            } else {
                buf_puts(b, "In a statement, ");
                name_start = b->cp;
                buf_puts(b, spname);
                name_end = b->cp;
                buf_puts(b, " wrote: ");
                buf_puts(b, open);
                start = b->cp;
                buf_put(b, text, tlen);
                buf_puts(b, close);
            }
        } else { /* fragment worked into the prose */
            if (pat == 0) {
                name_start = b->cp;
                buf_puts(b, spname);
                name_end = b->cp;
                buf_puts(b, " described the proposal as ");
                buf_puts(b, open);
                start = b->cp;
                buf_put(b, text, tlen);
                buf_puts(b, close);
                buf_puts(b, ".");
            } else if (pat == 1) {
                buf_puts(b, "According to ");
                name_start = b->cp;
                buf_puts(b, spname);
                name_end = b->cp;
                buf_puts(b, ", the talks were ");
                buf_puts(b, open);
                start = b->cp;
                buf_put(b, text, tlen);
                buf_puts(b, close);
                buf_puts(b, ", officials said.");
            } else {
                buf_puts(b, "The plan, in the words of ");
                name_start = b->cp;
                buf_puts(b, spname);
                name_end = b->cp;
                buf_puts(b, ", was ");
                buf_puts(b, open);
                start = b->cp;
                buf_put(b, text, tlen);
                buf_puts(b, close);
                buf_puts(b, ".");
            }
        }
        if (start > UINT32_MAX - tcp)
            die("original of source %u is too large", s);
        if (second) {
            q->start2 = (uint32_t)start;
            q->len2 = (uint32_t)tcp;
        } else {
            q->start1 = (uint32_t)start;
            q->len1 = (uint32_t)tcp;
        }
        record_actor_citation(g, &r, q->speaker, s, name_start, name_end);
        para_len++;
        if (para_len >= 2 && chance(&r, 0.4)) {
            buf_puts(b, nl);
            buf_puts(b, nl);
            para_len = 0;
            if (chance(&r, 0.05)) {
                buf_puts(b, "Advertisement");
                buf_puts(b, nl);
                buf_puts(b, nl);
            }
        } else {
            buf_puts(b, " ");
        }
    }
    int nf = rng_range(&r, 1, 4);
    for (int i = 0; i < nf; i++) {
        if (i)
            buf_puts(b, " ");
        filler_sentence(&r, b);
    }
    buf_puts(b, nl);
    buf_puts(b, nl);
    int y, m, d;
    civil_from_days(src->pub.day, &y, &m, &d);
    buf_printf(b, "© %d ", y);
    buf_puts(b, pub->name);
    buf_puts(b, ". All rights reserved.");
    buf_puts(b, nl);
}

/* ------------------------------------------------------------------------ */
/* JSON output                                                               */

typedef struct {
    FILE *f;
    char *vbuf;
} Out;

static void out_open(Out *o, const char *path)
{
    o->f = fopen(path, "wb");
    if (!o->f)
        die("cannot create %s: %s", path, strerror(errno));
    o->vbuf = xmalloc(1 << 20);
    setvbuf(o->f, o->vbuf, _IOFBF, 1 << 20);
}

static uint64_t out_close(Out *o, const char *path)
{
    long pos = ftell(o->f);
    if (ferror(o->f) || fclose(o->f) != 0)
        die("error writing %s: %s", path, strerror(errno));
    free(o->vbuf);
    return pos < 0 ? 0 : (uint64_t)pos;
}

/* JSON string; with `ascii` every non-ASCII code point is written as a
 * \uXXXX escape (surrogate pairs above U+FFFF). */
static void jstr_n(FILE *f, const char *s, size_t n, int ascii)
{
    putc('"', f);
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            putc('\\', f);
            putc(c, f);
            i++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n': fputs("\\n", f); break;
            case '\r': fputs("\\r", f); break;
            case '\t': fputs("\\t", f); break;
            default: fprintf(f, "\\u%04x", c); break;
            }
            i++;
        } else if (c >= 0x80 && ascii) {
            uint32_t cp = utf8_next(s, &i);
            if (cp >= 0x10000) {
                cp -= 0x10000;
                fprintf(f, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
            } else {
                fprintf(f, "\\u%04x", cp);
            }
        } else {
            putc(c, f);
            i++;
        }
    }
    putc('"', f);
}

static void jstr(FILE *f, const char *s) { jstr_n(f, s, strlen(s), 0); }

static void jkey(FILE *f, const char *k)
{
    jstr(f, k);
    fputs(": ", f);
}

static void put_date(FILE *f, const G *g, const DateV *d)
{
    char s[48];
    fmt_date(s, sizeof s, d);
    if (d->basis == B_BARE) {
        jstr(f, s);
        return;
    }
    fputs("{\"date\": ", f);
    jstr(f, s);
    switch (d->basis) {
    case B_REPORTED: fputs(", \"basis\": \"reported\"", f); break;
    case B_RESOLVED: {
        char ph[64];
        phrase_for(g, d, ph, sizeof ph);
        fputs(", \"basis\": \"resolved\", \"phrase\": ", f);
        jstr(f, ph);
        fputs(", \"source\": ", f);
        fprintf(f, "\"src-%05u\"", d->src + 1);
        break;
    }
    case B_INFERRED:
        fputs(", \"basis\": \"inferred\", \"note\": ", f);
        jstr(f, INFERRED_NOTES[d->note]);
        break;
    default:
        fputs(", \"basis\": \"external\"", f);
        if (EXTERNAL_NOTES[d->note]) {
            fputs(", \"note\": ", f);
            jstr(f, EXTERNAL_NOTES[d->note]);
        }
        break;
    }
    putc('}', f);
}

static void put_span(FILE *f, uint32_t s, uint32_t start, uint32_t end)
{
    fprintf(f, "{\"source\": \"src-%05u\", \"start\": %u, \"end\": %u}", s + 1, start, end);
}

static void random_span(Rng *r, const G *g, uint32_t s, uint32_t *a, uint32_t *b)
{
    uint64_t L = g->src[s].length;
    uint32_t len = (uint32_t)rng_range(r, 20, 400);
    if (len > L)
        len = (uint32_t)L;
    *a = (uint32_t)rng_below(r, (uint32_t)(L - len + 1));
    *b = *a + len;
}

static uint64_t write_actors(const G *g)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/actors.json", g->outdir);
    Out o;
    out_open(&o, path);
    FILE *f = o.f;
    fputs("{\"actors\": [\n", f);
    for (uint32_t i = 0; i < g->nact; i++) {
        const Actor *a = &g->act[i];
        fputs("  {\"id\": ", f);
        jstr(f, a->id);
        fputs(", \"name\": ", f);
        jstr(f, a->name);
        fputs(", \"kind\": ", f);
        jstr(f, KINDS[a->kind]);
        if (a->naliases) {
            fputs(", \"aliases\": [", f);
            for (int k = 0; k < a->naliases; k++) {
                if (k)
                    fputs(", ", f);
                jstr(f, a->aliases[k]);
            }
            putc(']', f);
        }
        if (a->nroles) {
            fputs(", \"roles\": [", f);
            for (int k = 0; k < a->nroles; k++) {
                const Role *ro = &a->roles[k];
                fputs(k ? ", {" : "{", f);
                jkey(f, "title");
                jstr(f, ro->title);
                if (ro->org >= 0) {
                    fputs(", ", f);
                    jkey(f, "organization");
                    jstr(f, g->act[ro->org].id);
                }
                if (ro->from[0]) {
                    fputs(", ", f);
                    jkey(f, "from");
                    jstr(f, ro->from);
                }
                if (ro->to[0]) {
                    fputs(", ", f);
                    jkey(f, "to");
                    jstr(f, ro->to);
                }
                putc('}', f);
            }
            putc(']', f);
        }
        if (a->wikidata[0]) {
            fputs(", \"wikidata\": ", f);
            jstr(f, a->wikidata);
        }
        if (a->ncit) {
            fputs(", \"citations\": [", f);
            for (int k = 0; k < a->ncit; k++) {
                if (k)
                    fputs(", ", f);
                put_span(f, a->cit[k].src, a->cit[k].start, a->cit[k].end);
            }
            putc(']', f);
        }
        fputs(i + 1 < g->nact ? "},\n" : "}\n", f);
    }
    fputs("]}\n", f);
    return out_close(&o, path);
}

static void write_event(FILE *f, const G *g, uint32_t e, Buf *t)
{
    const Event *ev = &g->ev[e];
    Rng r;
    rng_derive(&r, g->seed, K_ETEXT, e);
    fprintf(f, "  {\"id\": \"%s-%06u\", \"type\": \"%s\", \"title\": ", EVENT_TYPES[ev->type], e + 1,
            EVENT_TYPES[ev->type]);
    /* title */
    buf_clear(t);
    const char *place = ev->city >= 0 ? CITIES[ev->city].name : NULL;
    if (ev->npart >= 2 && g->act[ev->part[0]].kind == A_PERSON && g->act[ev->part[1]].kind == A_PERSON &&
        chance(&r, 0.6)) {
        buf_puts(t, g->act[ev->part[0]].name);
        buf_puts(t, "–");
        buf_puts(t, g->act[ev->part[1]].name);
        buf_puts(t, " ");
        buf_puts(t, EVENT_NOUN[ev->type]);
        if (place) {
            buf_puts(t, " in ");
            buf_puts(t, place);
        }
    } else if (ev->npart >= 1 && chance(&r, 0.5)) {
        buf_puts(t, actor_display(&r, &g->act[ev->part[0]], 0.2));
        buf_puts(t, "’s ");
        buf_puts(t, EVENT_NOUN[ev->type]);
        buf_puts(t, " on ");
        put_word(&r, t, 0.05, 0.0);
        buf_puts(t, " ");
        put_word(&r, t, 0.05, 0.0);
    } else {
        title_case_words(&r, t, rng_range(&r, 3, 8), 0.06);
    }
    jstr_n(f, t->p, t->len, 0);
    /* summary: one or two sentences in our words */
    buf_clear(t);
    int ns = rng_range(&r, 1, 2);
    for (int i = 0; i < ns; i++) {
        if (i)
            buf_puts(t, " ");
        filler_sentence(&r, t);
    }
    fputs(", \"summary\": ", f);
    jstr_n(f, t->p, t->len, 0);
    fprintf(f, ", \"status\": \"%s\", \"start\": ", STATUSES[ev->status]);
    put_date(f, g, &ev->start);
    if (ev->has_end) {
        fputs(", \"end\": ", f);
        put_date(f, g, &ev->end);
    }
    if (ev->tz == 1 && ev->city >= 0) {
        fputs(", \"timezone\": ", f);
        jstr(f, CITIES[ev->city].tz);
    } else if (ev->tz) {
        fputs(", \"timezone\": ", f);
        jstr(f, PICK(&r, CITIES).tz);
    }
    if (ev->loc == 1) {
        const City *c = &CITIES[ev->city];
        fputs(", \"location\": {\"name\": ", f);
        if (ev->named_place) {
            /* "City, Country" unless the name already carries a qualifier */
            const char *cn = NULL;
            for (size_t k = 0; k < NELEM(COUNTRIES); k++)
                if (strcmp(COUNTRIES[k].iso, c->iso) == 0)
                    cn = COUNTRIES[k].name;
            buf_clear(t);
            buf_puts(t, c->name);
            if (cn && !strchr(c->name, ',')) {
                buf_puts(t, ", ");
                buf_puts(t, cn);
            }
            jstr_n(f, t->p, t->len, 0);
        } else {
            jstr(f, c->name);
        }
        if (ev->country) {
            fputs(", \"country\": ", f);
            jstr(f, c->iso);
        }
        if (ev->coords)
            fprintf(f, ", \"coordinates\": {\"lat\": %.4f, \"lon\": %.4f, \"basis\": \"external\"}", c->lat,
                    c->lon);
        putc('}', f);
    } else if (ev->loc == 2) {
        fputs(", \"location\": {\"name\": ", f);
        jstr(f, NAMED_PLACES[ev->named_place]);
        putc('}', f);
    }
    if (ev->npart) {
        fputs(", \"participants\": [", f);
        for (int k = 0; k < ev->npart; k++) {
            fputs(k ? ", {\"actor\": " : "{\"actor\": ", f);
            jstr(f, g->act[ev->part[k]].id);
            fprintf(f, ", \"role\": \"%s\"}", ROLES[ev->role[k]]);
        }
        putc(']', f);
    }
    if (ev->parent >= 0)
        fprintf(f, ", \"parent\": \"%s-%06u\"", EVENT_TYPES[g->ev[ev->parent].type], (unsigned)ev->parent + 1);
    else if (ev->parent_null)
        fputs(", \"parent\": null", f);
    if (ev->nrel) {
        fputs(", \"related\": [", f);
        for (int k = 0; k < ev->nrel; k++)
            fprintf(f, "%s\"%s-%06u\"", k ? ", " : "", EVENT_TYPES[g->ev[ev->rel[k]].type], ev->rel[k] + 1);
        putc(']', f);
    }
    fputs(", \"citations\": [", f);
    uint32_t a, b;
    random_span(&r, g, ev->src, &a, &b);
    put_span(f, ev->src, a, b);
    if (ev->src2 >= 0) {
        random_span(&r, g, (uint32_t)ev->src2, &a, &b);
        fputs(", ", f);
        put_span(f, (uint32_t)ev->src2, a, b);
    }
    fputs("]}", f);
}

static void quote_id(const G *g, uint32_t qi, char *out, size_t n)
{
    const char *sid = g->act[g->q[qi].speaker].id;
    size_t l = strlen(sid);
    if (l > 40)
        l = 40;
    while (l > 0 && sid[l - 1] == '-')
        l--;
    snprintf(out, n, "%.*s-q%07u", (int)l, sid, qi + 1);
}

static void write_quote(FILE *f, const G *g, uint32_t qi, Buf *t1, Buf *t2)
{
    const Quote *q = &g->q[qi];
    char id[96];
    quote_id(g, qi, id, sizeof id);
    gen_quote_text(g, qi, t1);
    if ((uint64_t)q->len1 != t1->cp)
        die("internal: quote %u length mismatch", qi);
    fputs("  {\"id\": ", f);
    jstr(f, id);
    fputs(", \"text\": ", f);
    jstr_n(f, t1->p, t1->len, q->esc);
    fputs(", \"speaker\": ", f);
    jstr(f, g->act[q->speaker].id);
    if (q->event >= 0)
        fprintf(f, ", \"event\": \"%s-%06u\"", EVENT_TYPES[g->ev[q->event].type], (unsigned)q->event + 1);
    fputs(", \"said\": ", f);
    put_date(f, g, &q->said);
    fprintf(f, ", \"kind\": \"%s\"", q->kind ? "fragment" : "full");
    if (q->ntopics) {
        fputs(", \"topics\": [", f);
        for (int k = 0; k < q->ntopics; k++) {
            if (k)
                fputs(", ", f);
            jstr(f, TOPICS[q->topics[k]]);
        }
        putc(']', f);
    }
    fputs(", \"citations\": [", f);
    put_span(f, q->src, q->start1, q->start1 + q->len1);
    if (q->src2 >= 0) {
        fprintf(f, ", {\"source\": \"src-%05u\", \"start\": %u, \"end\": %u", (unsigned)q->src2 + 1, q->start2,
                q->start2 + q->len2);
        if (q->variant) {
            make_variant(t1->p, t1->len, t2);
            if ((uint64_t)q->len2 != t2->cp)
                die("internal: variant %u length mismatch", qi);
            fputs(", \"text\": ", f);
            jstr_n(f, t2->p, t2->len, q->esc);
        }
        putc('}', f);
    }
    fputs("]}", f);
}

static const char *const SYND_NOTES[] = {
    NULL, "Sky News report republished in full", "republished with permission",
    "abridged version of the original report", "translated from the Ukrainian original",
};

static uint64_t write_source(const G *g, uint32_t s, Buf *t1, Buf *t2)
{
    const Source *src = &g->src[s];
    char path[4096];
    snprintf(path, sizeof path, "%s/sources/src-%05u.json", g->outdir, s + 1);
    Out o;
    out_open(&o, path);
    FILE *f = o.f;
    fprintf(f, "{\"source\": {\"id\": \"src-%05u\", \"publisher\": ", s + 1);
    jstr(f, g->act[src->publisher].id);
    if (src->via >= 0) {
        fputs(", \"syndication\": {\"via\": ", f);
        jstr(f, g->act[src->via].id);
        if (src->via_note) {
            fputs(", \"note\": ", f);
            jstr(f, SYND_NOTES[src->via_note]);
        }
        putc('}', f);
    }
    gen_source_title(g, s, t1);
    fputs(",\n  \"title\": ", f);
    jstr_n(f, t1->p, t1->len, 0);
    if (src->has_author) {
        gen_author(g, s, t1);
        fputs(", \"author\": ", f);
        jstr_n(f, t1->p, t1->len, 0);
    }
    fputs(",\n  \"published\": ", f);
    put_date(f, g, &src->pub);
    fputs(", \"language\": \"en\"", f);
    if (src->has_url) {
        char ds[16], slug[96];
        int y, m, d;
        civil_from_days(src->pub.day, &y, &m, &d);
        gen_source_title(g, s, t1);
        slugify(t1->p, slug, sizeof slug, 60);
        snprintf(ds, sizeof ds, "%04d/%02d/%02d", y, m, d);
        fprintf(f, ", \"url\": \"https://%s.example/%s/%s-%u\"", g->act[src->publisher].domain, ds,
                slug[0] ? slug : "story", s + 1);
    }
    if (src->dateline >= 0) {
        fputs(", \"dateline\": ", f);
        jstr(f, CITIES[src->dateline].name);
    }
    char hx[65];
    model_hex_encode(src->sha, 32, hx);
    fprintf(f, ",\n  \"original\": {\"file\": \"src-%05u.txt\", \"sha256\": \"%s\", \"length\": %llu}},\n", s + 1,
            hx, (unsigned long long)src->length);
    fputs(" \"events\": [", f);
    for (uint32_t e = src->ev0; e < src->ev0 + src->nev; e++) {
        fputs(e == src->ev0 ? "\n" : ",\n", f);
        write_event(f, g, e, t1);
    }
    fputs(src->nev ? "\n ],\n" : "],\n", f);
    fputs(" \"quotes\": [", f);
    for (uint32_t qi = src->q0; qi < src->q0 + src->nq; qi++) {
        fputs(qi == src->q0 ? "\n" : ",\n", f);
        write_quote(f, g, qi, t1, t2);
    }
    fputs(src->nq ? "\n ]}\n" : "]}\n", f);
    return out_close(&o, path);
}

/* ------------------------------------------------------------------------ */
/* main                                                                      */

static void make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        die("cannot create directory %s: %s", path, strerror(errno));
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        die("%s exists and is not a directory", path);
}

/* Files left over from an earlier, larger run would still be loaded. */
static void warn_stale(const char *dir, uint32_t n, const char *ext)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    unsigned long stale = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *nm = de->d_name;
        if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
            continue;
        unsigned v;
        char tail[16];
        int ok = sscanf(nm, "src-%u%15s", &v, tail) == 2 && strcmp(tail, ext) == 0 && v >= 1 && v <= n;
        if (!ok)
            stale++;
    }
    closedir(d);
    if (stale)
        fprintf(stderr, "gen_corpus: warning: %lu file(s) in %s were not written by this run\n", stale, dir);
}

static uint32_t parse_u32(const char *opt, const char *v, uint32_t lo, uint32_t hi)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (!*v || *end || errno || v[0] == '-' || x < lo || x > hi)
        die("%s: expected an integer from %u to %u, got \"%s\"", opt, lo, hi, v);
    return (uint32_t)x;
}

static void usage(FILE *f)
{
    fputs("usage: gen_corpus OUT_DIR [--sources N] [--events N] [--quotes N] [--actors N]\n"
          "                  [--seed S] [--originals DIR]\n"
          "defaults: 10000 sources, 100000 events, 500000 quotes, 2000 actors, seed 1\n",
          f);
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    double t0 = now_sec();
    static G g; /* static: the model stays reachable until exit (no leak reports) */
    g.nsrc = 10000;
    g.nev = 100000;
    g.nq = 500000;
    g.nact = 2000;
    g.seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (a[0] == '-' && a[1] == '-') {
            if (i + 1 >= argc)
                die("%s needs a value", a);
            const char *v = argv[++i];
            if (strcmp(a, "--sources") == 0)
                g.nsrc = parse_u32(a, v, 1, 9999999);
            else if (strcmp(a, "--events") == 0)
                g.nev = parse_u32(a, v, 0, 99999999);
            else if (strcmp(a, "--quotes") == 0)
                g.nq = parse_u32(a, v, 0, 999999999);
            else if (strcmp(a, "--actors") == 0)
                g.nact = parse_u32(a, v, 100, 10000000);
            else if (strcmp(a, "--seed") == 0) {
                char *end;
                errno = 0;
                g.seed = strtoull(v, &end, 0);
                if (!*v || *end || errno)
                    die("--seed: expected an unsigned integer, got \"%s\"", v);
            } else if (strcmp(a, "--originals") == 0)
                g.origdir = v;
            else {
                usage(stderr);
                die("unknown option %s", a);
            }
        } else if (!g.outdir) {
            g.outdir = a;
        } else {
            usage(stderr);
            die("unexpected argument %s", a);
        }
    }
    if (!g.outdir) {
        usage(stderr);
        return 2;
    }
    if (strlen(FOLD_EXTA) != 128)
        die("internal: fold table has %zu entries", strlen(FOLD_EXTA));

    char path[4096];
    make_dir(g.outdir);
    snprintf(path, sizeof path, "%s/sources", g.outdir);
    make_dir(path);
    warn_stale(path, g.nsrc, ".json");
    if (g.origdir) {
        make_dir(g.origdir);
        warn_stale(g.origdir, g.nsrc, ".txt");
    }

    /* 1. assignments (main stream) */
    Rng r;
    rng_derive(&r, g.seed, K_MAIN, 0);
    build_actors(&g, &r);
    build_sources(&g, &r);
    double *scdf = xmalloc(sizeof(double) * g.nsrc);
    double acc = 0;
    for (uint32_t s = 0; s < g.nsrc; s++) {
        double u = rng_unit(&r);
        acc += 0.2 + 3.0 * u * u; /* uneven article sizes */
        scdf[s] = acc;
    }
    distribute(&g, &r, g.nev, scdf, 1);
    distribute(&g, &r, g.nq, scdf, 0);
    free(scdf);
    build_events(&g, &r);
    build_quotes(&g, &r);
    build_cite_lists(&g);

    /* 2. originals: offsets, sha256, length */
    Buf ob = {0}, t1 = {0}, t2 = {0};
    uint64_t orig_bytes = 0, orig_cps = 0;
    for (uint32_t s = 0; s < g.nsrc; s++) {
        build_original(&g, s, &ob, &t1, &t2);
        struct model_sha256 c;
        model_sha256_init(&c);
        model_sha256_update(&c, ob.p, ob.len);
        model_sha256_final(&c, g.src[s].sha);
        g.src[s].length = ob.cp;
        orig_bytes += ob.len;
        orig_cps += ob.cp;
        if (g.origdir) {
            snprintf(path, sizeof path, "%s/src-%05u.txt", g.origdir, s + 1);
            FILE *f = fopen(path, "wb");
            if (!f)
                die("cannot create %s: %s", path, strerror(errno));
            if (fwrite(ob.p, 1, ob.len, f) != ob.len || fclose(f) != 0)
                die("error writing %s: %s", path, strerror(errno));
        }
    }

    /* 3. JSON */
    uint64_t json_bytes = write_actors(&g);
    for (uint32_t s = 0; s < g.nsrc; s++)
        json_bytes += write_source(&g, s, &t1, &t2);

    uint64_t ncites = g.cite_off[g.nsrc];
    printf("gen_corpus: seed %llu: %u actors, %u sources, %u events, %u quotes (%llu quote citations); "
           "%u JSON files, %llu bytes; originals %llu bytes, %llu code points (%s); %.2f s\n",
           (unsigned long long)g.seed, g.nact, g.nsrc, g.nev, g.nq, (unsigned long long)ncites, g.nsrc + 1,
           (unsigned long long)json_bytes, (unsigned long long)orig_bytes, (unsigned long long)orig_cps,
           g.origdir ? "written" : "not written", now_sec() - t0);
    free(ob.p);
    free(t1.p);
    free(t2.p);
    return 0;
}
