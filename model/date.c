#include "date.h"

#include <stdio.h>
#include <string.h>

int64_t model_days_from_civil(int y, int m, int d)
{
    /* Howard Hinnant's days_from_civil. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

/* Reads exactly n digits at *p; returns -1 when they are not all digits. */
static int digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    return v;
}

#define FAIL(...)                                  \
    do {                                           \
        snprintf(err, errlen, __VA_ARGS__);        \
        return -1;                                 \
    } while (0)

static const char EXPECTED[] =
    "expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM with an optional "
    "offset (Z or +HH:MM)";

static int parse_offset(const char **p, struct model_time *out, char *err,
                        size_t errlen)
{
    if (**p == 'Z' || **p == 'z') {
        (*p)++;
        out->has_offset = 1;
        return 0;
    }
    if (**p != '+' && **p != '-')
        return 0;
    int sign = **p == '-' ? -1 : 1;
    (*p)++;
    int oh = digits(p, 2);
    if (oh < 0 || **p != ':')
        FAIL("bad UTC offset; %s", EXPECTED);
    (*p)++;
    int om = digits(p, 2);
    if (om < 0 || oh > 23 || om > 59)
        FAIL("bad UTC offset; offsets run from -23:59 to +23:59");
    out->has_offset = 1;
    out->offset = sign * (oh * 60 + om);
    return 0;
}

/* Parses the time part after 'T'; fills *hour, *minute and the precision. */
static int parse_clock(const char **p, int flags, int *hour, int *minute,
                       struct model_time *out, char *err, size_t errlen)
{
    *hour = digits(p, 2);
    if (*hour < 0 || *hour > 23)
        FAIL("bad hour; %s", EXPECTED);
    out->precision = MODEL_PRECISION_HOUR;
    if (**p != ':')
        return 0;
    (*p)++;
    *minute = digits(p, 2);
    if (*minute < 0 || *minute > 59)
        FAIL("bad minute; %s", EXPECTED);
    out->precision = MODEL_PRECISION_MINUTE;
    if (**p != ':')
        return 0;
    if (!(flags & MODEL_DATE_ALLOW_SECONDS))
        FAIL("seconds are not allowed; write the time as HH:MM");
    (*p)++;
    int sec = digits(p, 2);
    if (sec < 0 || sec > 60)
        FAIL("bad second; expected an RFC 3339 date-time");
    if (**p == '.') {
        (*p)++;
        if (**p < '0' || **p > '9')
            FAIL("bad fraction of a second; expected an RFC 3339 date-time");
        while (**p >= '0' && **p <= '9')
            (*p)++;
    }
    return 0;
}

int model_date_parse(const char *s, int flags, struct model_time *out,
                     char *err, size_t errlen)
{
    const char *p = s;
    int month = 1, day = 1, hour = 0, minute = 0;
    memset(out, 0, sizeof(*out));
    int year = digits(&p, 4);
    if (year < 1)
        FAIL("\"%.40s\" is not a date; %s", s, EXPECTED);
    out->precision = MODEL_PRECISION_YEAR;
    if (*p == '-') {
        p++;
        month = digits(&p, 2);
        if (month < 1 || month > 12)
            FAIL("\"%.40s\" has no valid month (01 to 12); %s", s, EXPECTED);
        out->precision = MODEL_PRECISION_MONTH;
        if (*p == '-') {
            p++;
            day = digits(&p, 2);
            if (day < 1 || day > days_in_month(year, month))
                FAIL("\"%.40s\" is not a day of that month; %s", s, EXPECTED);
            out->precision = MODEL_PRECISION_DAY;
            if (*p == 'T' || *p == 't') {
                p++;
                if (parse_clock(&p, flags, &hour, &minute, out, err, errlen))
                    return -1;
                if (parse_offset(&p, out, err, errlen))
                    return -1;
            }
        }
    }
    if (*p != '\0')
        FAIL("\"%.40s\" is not a date; %s", s, EXPECTED);

    int64_t days = model_days_from_civil(year, month, day);
    int64_t lo = days * 1440 + hour * 60 + minute;
    int64_t hi;
    switch (out->precision) {
    case MODEL_PRECISION_YEAR:
        hi = model_days_from_civil(year + 1, 1, 1) * 1440;
        break;
    case MODEL_PRECISION_MONTH:
        hi = (days + days_in_month(year, month)) * 1440;
        break;
    case MODEL_PRECISION_DAY:
        hi = lo + 1440;
        break;
    case MODEL_PRECISION_HOUR:
        hi = lo + 60;
        break;
    default:
        hi = lo + 1;
        break;
    }
    out->lo = lo - out->offset;
    out->hi = hi - out->offset;
    return 0;
}

void model_time_civil(const struct model_time *t, struct model_civil *out)
{
    int64_t local = t->lo + t->offset;
    int64_t days = local >= 0 ? local / 1440 : -((-local + 1439) / 1440);
    int64_t mins = local - days * 1440;
    civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (int)(mins / 60);
    out->minute = (int)(mins % 60);
}

const char *model_precision_name(enum model_precision p)
{
    static const char *const names[] = {"", "year", "month", "day", "hour",
                                        "minute"};
    return p >= MODEL_PRECISION_YEAR && p <= MODEL_PRECISION_MINUTE ? names[p]
                                                                     : "";
}
