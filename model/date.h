/* Dates of any precision as one comparable representation: the half-open
 * interval [lo, hi) of minutes since 1970-01-01T00:00Z that the date covers.
 * "2025-08" is all of August and contains "2025-08-15"; a date without a UTC
 * offset is taken as UTC. */
#ifndef MODEL_DATE_H
#define MODEL_DATE_H

#include <stddef.h>
#include <stdint.h>

enum model_precision {
    MODEL_PRECISION_YEAR = 1,
    MODEL_PRECISION_MONTH,
    MODEL_PRECISION_DAY,
    MODEL_PRECISION_HOUR,
    MODEL_PRECISION_MINUTE
};

struct model_time {
    int64_t lo;
    int64_t hi;
    enum model_precision precision;
    int has_offset;
    int offset; /* minutes east of UTC, as written; 0 when !has_offset */
};

/* Also accept RFC 3339 seconds and fractions ("…T14:00:05.5Z"), as query
 * filters do; the corpus format stops at minutes. */
#define MODEL_DATE_ALLOW_SECONDS 1

/* Parses YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDTHH[:MM[:SS[.f]]][Z|±HH:MM].
 * Returns 0 on success; on failure returns -1 and writes a sentence saying
 * what is wrong and what is expected into err. */
int model_date_parse(const char *s, int flags, struct model_time *out,
                     char *err, size_t errlen);

/* Local civil fields of the date's start (lo shifted by its offset). */
struct model_civil {
    int year, month, day, hour, minute;
};
void model_time_civil(const struct model_time *t, struct model_civil *out);

/* "year", "month", "day", "hour", "minute". */
const char *model_precision_name(enum model_precision p);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t model_days_from_civil(int y, int m, int d);

#endif
