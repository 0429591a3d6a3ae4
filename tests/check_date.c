/* Unit tests: dates of any precision as comparable intervals. */
#include <check.h>
#include <stdlib.h>

#include "date.h"
#include "check_run.h"

static struct model_time parse_ok(const char *s, int flags)
{
    struct model_time t;
    char err[200];
    int rc = model_date_parse(s, flags, &t, err, sizeof(err));
    ck_assert_msg(rc == 0, "%s: %s", s, err);
    return t;
}

static void parse_bad(const char *s, int flags)
{
    struct model_time t;
    char err[200] = "";
    ck_assert_msg(model_date_parse(s, flags, &t, err, sizeof(err)) == -1,
                  "%s was accepted", s);
    ck_assert_msg(err[0] != '\0', "%s: no message", s);
}

#define DAY 1440

START_TEST(precision_and_interval)
{
    struct model_time t = parse_ok("2025", 0);
    ck_assert_int_eq(t.precision, MODEL_PRECISION_YEAR);
    ck_assert_int_eq(t.lo, model_days_from_civil(2025, 1, 1) * DAY);
    ck_assert_int_eq(t.hi, model_days_from_civil(2026, 1, 1) * DAY);
    t = parse_ok("2024-02", 0);
    ck_assert_int_eq(t.precision, MODEL_PRECISION_MONTH);
    ck_assert_int_eq(t.hi - t.lo, 29 * DAY);
    t = parse_ok("2025-08-15", 0);
    ck_assert_int_eq(t.precision, MODEL_PRECISION_DAY);
    ck_assert_int_eq(t.hi - t.lo, DAY);
    t = parse_ok("2025-08-15T11", 0);
    ck_assert_int_eq(t.precision, MODEL_PRECISION_HOUR);
    ck_assert_int_eq(t.hi - t.lo, 60);
    t = parse_ok("2025-08-15T11:30", 0);
    ck_assert_int_eq(t.precision, MODEL_PRECISION_MINUTE);
    ck_assert_int_eq(t.hi - t.lo, 1);
    ck_assert_int_eq(t.lo, model_days_from_civil(2025, 8, 15) * DAY + 11 * 60 + 30);
    ck_assert_int_eq(model_days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(model_days_from_civil(2000, 3, 1), 11017);
}
END_TEST

START_TEST(offsets_shift_to_utc)
{
    struct model_time t = parse_ok("2025-08-17T14:00-04:00", 0);
    ck_assert_int_eq(t.has_offset, 1);
    ck_assert_int_eq(t.offset, -240);
    ck_assert_int_eq(t.lo, model_days_from_civil(2025, 8, 17) * DAY + 18 * 60);
    struct model_time z = parse_ok("2025-08-17T18:00Z", 0);
    ck_assert_int_eq(z.lo, t.lo);
    struct model_civil c;
    model_time_civil(&t, &c); /* civil fields stay local */
    ck_assert_int_eq(c.hour, 14);
    ck_assert_int_eq(c.day, 17);
    t = parse_ok("1994-12-05", 0);
    model_time_civil(&t, &c);
    ck_assert_int_eq(c.year, 1994);
    ck_assert_int_eq(c.month, 12);
    ck_assert_int_eq(c.day, 5);
    t = parse_ok("1949-04-04", 0); /* before the epoch */
    model_time_civil(&t, &c);
    ck_assert_int_eq(c.year, 1949);
    ck_assert_int_eq(c.month, 4);
    ck_assert_int_eq(c.day, 4);
}
END_TEST

START_TEST(containment_across_precisions)
{
    struct model_time month = parse_ok("2025-08", 0);
    struct model_time day = parse_ok("2025-08-15", 0);
    struct model_time minute = parse_ok("2025-08-17T14:00-04:00", 0);
    struct model_time filter = parse_ok("2025-08-17", 0);
    ck_assert(month.lo <= day.lo && day.hi <= month.hi);
    /* The example: a day filter finds an event at 14:00-04:00. */
    ck_assert(minute.lo < filter.hi && minute.hi > filter.lo);
    ck_assert(!(day.lo < filter.hi && day.hi > filter.lo));
}
END_TEST

START_TEST(rejects_impossible_dates)
{
    parse_bad("2025-02-29", 0);
    parse_bad("2025-13", 0);
    parse_bad("2025-00-10", 0);
    parse_bad("2025-04-31", 0);
    parse_bad("0000", 0);
    parse_bad("25", 0);
    parse_bad("2025-8-1", 0);
    parse_bad("2025-08-15T24:00", 0);
    parse_bad("2025-08-15T11:60", 0);
    parse_bad("2025-08-15T11:00+25:00", 0);
    parse_bad("2025-08-15T11:00+0400", 0);
    parse_bad("2025-08-15 11:00", 0);
    parse_bad("2025-08-15T11:00:00Z", 0); /* seconds only with the flag */
    parse_bad("", 0);
    parse_bad("2025-08-15T11:00:00.Z", MODEL_DATE_ALLOW_SECONDS);
    parse_ok("2024-02-29", 0);
    parse_ok("2025-08-15T11:00:59.123+02:00", MODEL_DATE_ALLOW_SECONDS);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("date");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, precision_and_interval);
    tcase_add_test(tc, offsets_shift_to_utc);
    tcase_add_test(tc, containment_across_precisions);
    tcase_add_test(tc, rejects_impossible_dates);
    suite_add_tcase(s, tc);
    return check_run(s, 0);
}
