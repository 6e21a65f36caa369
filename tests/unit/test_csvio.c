/* csvio and line: the readers on a file with every awkward feature. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <zlib.h>

#include "csvio.h"
#include "line.h"
#include "unit.h"

static const char text[] =
    "\xEF\xBB\xBF" "id,name,note\r\n"		/* BOM, CRLF */
    "1,a,plain\r\n"
    "\r\n"					/* a blank line: skipped */
    "2,\"b, with comma\",\"two\nlines\"\n"	/* row on lines 4-5 */
    "3,,\"\"\n"					/* blank vs "" */
    "4,\"q\"\"uote\",x";			/* no final newline */

static void
check_csv(const char *path)
{
	struct csvin c;
	const char *why, *f;
	char msg[100];
	size_t n;

	CHECK(csvin_open(&c, path) == 0);
	CHECK(c.ncol == 3);
	CHECK_STR(c.hdr[0], "id");		/* the BOM is gone */
	CHECK(csvin_column(&c, "note") == 2);
	CHECK(csvin_column(&c, "nope") == -1);

	CHECK(csvin_next(&c, &why) == 1);
	CHECK(c.row_line == 2);
	CHECK_STR(csvin_field(&c, 2, &n), "plain");

	CHECK(csvin_next(&c, &why) == 1);
	CHECK(c.row_line == 4);
	CHECK_STR(csvin_field(&c, 1, &n), "b, with comma");
	CHECK_STR(csvin_field(&c, 2, &n), "two\nlines");
	CHECK_STR(c.raw.p, "2,\"b, with comma\",\"two\nlines\"");
	CHECK(csvin_check_width(&c, msg, sizeof(msg)) == NULL);

	CHECK(csvin_next(&c, &why) == 1);
	CHECK(c.row_line == 6);
	CHECK(csvin_field(&c, 1, &n) == NULL);	/* blank: missing */
	f = csvin_field(&c, 2, &n);
	CHECK(f != NULL && n == 0);		/* "": an empty string */

	CHECK(csvin_next(&c, &why) == 1);
	CHECK(c.row_line == 7);
	CHECK_STR(csvin_field(&c, 1, &n), "q\"uote");
	CHECK_STR(csvin_field(&c, 2, &n), "x");
	CHECK(csvin_next(&c, &why) == 0);
	csvin_close(&c);
}

int
main(void)
{
	char plain[] = "/tmp/test_csvioXXXXXX", gzp[] = "/tmp/test_csvgzXXXXXX";
	struct line_reader lr;
	struct csvin c;
	struct buf b = { 0 };
	const char *why;
	char *line;
	size_t len;
	gzFile gz;
	FILE *fp;
	int fd;

	fd = mkstemp(plain);
	fp = fdopen(fd, "w");
	fputs(text, fp);
	fclose(fp);
	check_csv(plain);

	fd = mkstemp(gzp);
	gz = gzdopen(fd, "wb");
	gzputs(gz, text);
	gzclose(gz);
	check_csv(gzp);				/* gzip by magic bytes */

	/* the line reader: numbering counts blank lines, CR LF stripped */
	CHECK(line_open(&lr, plain) == 0);
	CHECK(line_next(&lr, &line, &len) == 1 && lr.lineno == 1);
	CHECK_STR(line, "id,name,note");
	CHECK(line_next(&lr, &line, &len) == 1);
	CHECK(line_next(&lr, &line, &len) == 1 && len == 0 && lr.lineno == 3);
	line_close(&lr);

	/* a short row is returned, and csvin_check_width says why it is bad */
	fp = fopen(plain, "w");
	fputs("a,b\n1\n\"open\n", fp);
	fclose(fp);
	CHECK(csvin_open(&c, plain) == 0);
	CHECK(csvin_next(&c, &why) == 1);
	CHECK_STR(csvin_check_width(&c, (char[64]){ 0 }, 64),
	    "row has 1 fields, the header has 2");
	CHECK(csvin_next(&c, &why) == -1);	/* unterminated quote at EOF */
	csvin_close(&c);

	/* the writer quotes only where needed */
	csv_put_field(&b, "plain", 5);
	buf_addc(&b, ',');
	csv_put_field(&b, "a,b", 3);
	buf_addc(&b, ',');
	csv_put_field(&b, "say \"hi\"", 8);
	buf_addc(&b, ',');
	csv_put_field(&b, " pad", 4);
	CHECK_STR(b.p, "plain,\"a,b\",\"say \"\"hi\"\"\",\" pad\"");
	buf_free(&b);
	unlink(plain);
	unlink(gzp);
	return unit_report();
}
