/*
 * udf: the co-process protocol with small shell co-processes: a good
 * answer, answers judged by encoder.h (bad hex, non-zero status), a
 * timeout and the restart after it, a dead co-process (exit status,
 * signal), an answer too long (a flood), extra lines, a request larger
 * than a pipe buffer, a co-process that never reads.
 */
#include <stdlib.h>
#include <string.h>

#include "encoder.h"
#include "udf.h"
#include "unit.h"

static struct udf u;
static char err[256];

static int
call(const char *req, const char **ans)
{
	size_t n;

	return udf_call(&u, req, strlen(req), ans, &n, err, sizeof(err));
}

int
main(void)
{
	unsigned char pay[16];
	const char *ans;
	char *big;
	size_t n, plen;
	int rc;

	/* A good co-process: answers in order, line by line. */
	CHECK(udf_start(&u, "while read -r l; do echo \"got $l\"; done", 1000,
	    1024, err, sizeof(err)) == UDF_OK);
	CHECK(call("one", &ans) == UDF_OK);
	CHECK_STR(ans, "got one");
	CHECK(call("two", &ans) == UDF_OK);
	CHECK_STR(ans, "got two");
	CHECK(u.calls == 2 && u.failed == 0 && u.starts == 1);
	CHECK(udf_close(&u, err, sizeof(err)) == 0);

	/* encodeSignals answers through encoder_answer. */
	CHECK(udf_start(&u, "while read -r l; do case $l in "
	    "good) echo '{\"status\":0,\"results\":\"0aFF10\"}';; "
	    "badhex) echo '{\"status\":0,\"results\":\"0g\"}';; "
	    "odd) echo '{\"status\":0,\"results\":\"abc\"}';; "
	    "status) echo '{\"status\":2,\"results\":\"00\"}';; "
	    "big) echo '{\"status\":0,\"results\":\"000000000000000000\"}';; "
	    "*) echo 'nonsense';; esac; done", 1000, 1024, err,
	    sizeof(err)) == UDF_OK);
	CHECK(call("good", &ans) == UDF_OK);
	CHECK(encoder_answer(ans, strlen(ans), 8, pay, &plen, err,
	    sizeof(err)) == 0 && plen == 3 && memcmp(pay, "\x0a\xff\x10", 3)
	    == 0);
	CHECK(call("badhex", &ans) == UDF_OK);
	CHECK(encoder_answer(ans, strlen(ans), 8, pay, &plen, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "results are not hex (character 2)");
	CHECK(call("odd", &ans) == UDF_OK);
	CHECK(encoder_answer(ans, strlen(ans), 8, pay, &plen, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "results are not hex (odd length)");
	CHECK(call("status", &ans) == UDF_OK);
	CHECK(encoder_answer(ans, strlen(ans), 8, pay, &plen, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "status 2 (not 0)");
	CHECK(call("big", &ans) == UDF_OK);	/* 9 bytes, maxSize 8 */
	CHECK(encoder_answer(ans, strlen(ans), 8, pay, &plen, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "results of 9 bytes exceed maxSize 8");
	CHECK(call("x", &ans) == UDF_OK);
	CHECK(encoder_answer(ans, strlen(ans), 8, pay, &plen, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "answer is not a JSON object");
	CHECK(udf_close(&u, err, sizeof(err)) == 0);

	/* A late answer: killed, and a fresh co-process takes the next. */
	CHECK(udf_start(&u, "while read -r l; do [ \"$l\" = slow ] && "
	    "sleep 3; echo \"$l\"; done", 200, 1024, err, sizeof(err)) ==
	    UDF_OK);
	CHECK(call("slow", &ans) == UDF_ETIMEOUT);
	CHECK_STR(err, "co-process gave no answer within 200 ms (killed; "
	    "restarted for the next call)");
	CHECK(call("fast", &ans) == UDF_OK);
	CHECK_STR(ans, "fast");
	CHECK(u.starts == 2 && u.failed == 1);
	CHECK(udf_close(&u, err, sizeof(err)) == 0);

	/* A dead co-process: its exit status; then every call says so. */
	CHECK(udf_start(&u, "read -r l; exit 3", 1000, 1024, err,
	    sizeof(err)) == UDF_OK);
	CHECK(call("a", &ans) == UDF_EDEAD);
	CHECK_STR(err, "co-process exited with status 3");
	CHECK(call("b", &ans) == UDF_EDEAD);
	CHECK_STR(err, "co-process exited with status 3");
	CHECK(udf_close(&u, err, sizeof(err)) == -1);
	/* ... dead before the first request, and killed by a signal */
	CHECK(udf_start(&u, "exit 4", 1000, 1024, err, sizeof(err)) ==
	    UDF_OK);
	CHECK(call("a", &ans) == UDF_EDEAD);
	CHECK_STR(err, "co-process exited with status 4");
	udf_close(&u, NULL, 0);
	CHECK(udf_start(&u, "read -r l; kill -9 $$", 1000, 1024, err,
	    sizeof(err)) == UDF_OK);
	CHECK(call("a", &ans) == UDF_EDEAD);
	CHECK_STR(err, "co-process was killed by signal 9");
	udf_close(&u, NULL, 0);
	/* a command that does not exist: the shell exits 127 */
	CHECK(udf_start(&u, "exec 2>/dev/null; /nonexistent/encoder", 1000, 1024, err,
	    sizeof(err)) == UDF_OK);
	CHECK(call("a", &ans) == UDF_EDEAD);
	CHECK_STR(err, "co-process exited with status 127");
	udf_close(&u, NULL, 0);

	/* A flood without a newline stops at max_line. */
	CHECK(udf_start(&u, "read -r l; exec cat /dev/zero", 2000, 100000,
	    err, sizeof(err)) == UDF_OK);
	CHECK(call("a", &ans) == UDF_ETOOLONG);
	CHECK_STR(err, "co-process answer is longer than 100000 bytes "
	    "(killed; restarted for the next call)");
	CHECK(u.rcap < 100000 + 3 * 65536);
	udf_close(&u, NULL, 0);

	/* Two lines for one request: the next call fails. */
	CHECK(udf_start(&u, "while read -r l; do echo a; echo b; done", 1000,
	    1024, err, sizeof(err)) == UDF_OK);
	CHECK(call("1", &ans) == UDF_OK);
	CHECK_STR(ans, "a");
	rc = call("2", &ans);
	/* "b" may already sit in the buffer (EEXTRA) or arrive as the answer */
	CHECK(rc == UDF_EEXTRA || (rc == UDF_OK && strcmp(ans, "b") == 0));
	udf_close(&u, NULL, 0);

	/* 1 MB each way through cat: no deadlock on full pipes. */
	n = 1 << 20;
	big = malloc(n + 1);
	memset(big, 'q', n);
	big[n] = '\0';
	CHECK(udf_start(&u, "cat", 5000, 2 << 20, err, sizeof(err)) ==
	    UDF_OK);
	CHECK(call(big, &ans) == UDF_OK && strlen(ans) == n &&
	    memcmp(ans, big, n) == 0);
	CHECK(udf_close(&u, err, sizeof(err)) == 0);
	/* a co-process that never reads: a timeout, not a hang */
	CHECK(udf_start(&u, "sleep 10", 300, 1024, err, sizeof(err)) ==
	    UDF_OK);
	CHECK(call(big, &ans) == UDF_ETIMEOUT);
	udf_close(&u, NULL, 0);
	free(big);

	/* exit status at close */
	CHECK(udf_start(&u, "read -r l; echo x; read -r l; exit 5", 1000,
	    1024, err, sizeof(err)) == UDF_OK);
	CHECK(call("a", &ans) == UDF_OK);
	CHECK(udf_close(&u, err, sizeof(err)) == -1);
	CHECK_STR(err, "co-process exited with status 5");
	return unit_report();
}
