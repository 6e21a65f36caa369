/*
 * ts: epoch numbers and RFC 3339 strings.  Expected epoch values come
 * from Python's calendar.timegm and datetime.fromisoformat (printed once
 * and copied here), and by hand: 1685577600 = 19509 days * 86400.
 */
#include <string.h>

#include "ts.h"
#include "unit.h"

static int64_t
sec_of(const char *s)
{
	struct ts t;

	if (ts_parse_rfc3339(s, strlen(s), &t, NULL, 0) != 0)
		return INT64_MIN;
	return t.sec;
}

static int
bad(const char *s)
{
	struct ts t;
	char err[128];

	return ts_parse_rfc3339(s, strlen(s), &t, err, sizeof(err)) == -1 &&
	    strstr(err, "ts \"") == err;
}

int
main(void)
{
	struct ts t, u;
	json_t *v;
	char err[128];

	CHECK(sec_of("2023-06-01T00:00:00Z") == 1685577600);
	CHECK(sec_of("1970-01-01T00:00:00Z") == 0);
	CHECK(sec_of("2000-02-29T12:34:56Z") == 951827696);
	CHECK(sec_of("1969-12-31T23:59:59Z") == -1);
	CHECK(sec_of("2024-12-31T23:59:59Z") == 1735689599);
	CHECK(sec_of("0001-01-01T00:00:00Z") == -62135596800LL);
	CHECK(sec_of("9999-12-31T23:59:59Z") == 253402300799LL);
	CHECK(sec_of("1900-03-01T00:00:00Z") == -2203891200LL);
	/* offsets, lower case, a space, fractions */
	CHECK(sec_of("2023-06-01T02:00:00+02:00") == 1685577600);
	CHECK(sec_of("2023-05-31T19:30:00-04:30") == 1685577600);
	CHECK(sec_of("2023-06-01t00:00:00z") == 1685577600);
	CHECK(sec_of("2023-06-01 00:00:00Z") == 1685577600);
	CHECK(ts_parse_rfc3339("2023-06-01T02:00:00.25+02:00", 28, &t, NULL,
	    0) == 0 && t.sec == 1685577600 && t.nsec == 250000000);
	CHECK(ts_parse_rfc3339("2023-06-01T00:00:00.1234567891Z", 31, &t,
	    NULL, 0) == 0 && t.nsec == 123456789);
	/* a leap second reads as the next second */
	CHECK(sec_of("2016-12-31T23:59:60Z") == 1483228800);
	/* not NUL-terminated: len decides */
	CHECK(ts_parse_rfc3339("2023-06-01T00:00:00Zxyz", 20, &t, NULL, 0) ==
	    0 && t.sec == 1685577600);

	CHECK(bad("2023-06-01"));
	CHECK(bad("2023-06-01T00:00:00"));		/* no offset */
	CHECK(bad("2023-06-01T00:00Z"));
	CHECK(bad("2023-6-01T00:00:00Z"));
	CHECK(bad("2023-06-01T00:00:00.Z"));
	CHECK(bad("2023-06-01T00:00:00Z "));
	CHECK(bad("2023-06-01T00:00:00+0200"));
	CHECK(bad("2023-02-29T00:00:00Z"));		/* not a leap year */
	CHECK(bad("2023-13-01T00:00:00Z"));
	CHECK(bad("2023-06-31T00:00:00Z"));
	CHECK(bad("2023-06-01T24:00:00Z"));
	CHECK(bad(""));
	CHECK(sec_of("1900-02-29T00:00:00Z") == INT64_MIN);
	CHECK(sec_of("2000-02-29T00:00:00Z") == 951782400);

	/* JSON values */
	v = json_integer(1685577600);
	CHECK(ts_from_json(v, &t, NULL, 0) == 0 && t.sec == 1685577600 &&
	    t.nsec == 0);
	json_decref(v);
	v = json_real(1000.75);
	CHECK(ts_from_json(v, &t, NULL, 0) == 0 && t.sec == 1000 &&
	    t.nsec == 750000000);
	json_decref(v);
	v = json_real(-0.5);			/* floor: -1 s + 0.5 s */
	CHECK(ts_from_json(v, &t, NULL, 0) == 0 && t.sec == -1 &&
	    t.nsec == 500000000);
	CHECK(ts_millis(&t) == -500);
	json_decref(v);
	v = json_string("2023-06-01T00:00:01.5Z");
	CHECK(ts_from_json(v, &t, NULL, 0) == 0 && t.sec == 1685577601 &&
	    ts_millis(&t) == 1685577601500LL);
	json_decref(v);
	v = json_true();
	CHECK(ts_from_json(v, &t, err, sizeof(err)) == -1);
	CHECK_STR(err, "ts is not a number or an RFC 3339 string");
	v = json_integer(TS_MAX_SEC);
	CHECK(ts_from_json(v, &t, err, sizeof(err)) == -1);
	json_decref(v);

	t.sec = 5;
	t.nsec = 1;
	u.sec = 5;
	u.nsec = 2;
	CHECK(ts_cmp(&t, &u) < 0 && ts_cmp(&u, &t) > 0 && ts_cmp(&t, &t) == 0);
	u.sec = 4;
	CHECK(ts_cmp(&t, &u) > 0);
	return unit_report();
}
