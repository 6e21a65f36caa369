/*
 * The NDJSON input path on arbitrary bytes: the line reader (gzip or
 * plain, by magic bytes) and, per line, jansson and the canonical-line
 * scanner, which must agree: a line jfast accepts must parse and write
 * back byte for byte.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "jfast.h"
#include "jw.h"
#include "line.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct line_reader lr;
	struct buf b = { 0 };
	char path[64], *line;
	size_t len;
	json_error_t je;
	json_t *v;
	int fd;

	if ((fd = memfd_create("fuzz", 0)) == -1)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (line_open(&lr, path) == 0) {
		while (line_next(&lr, &line, &len) == 1) {
			v = json_loadb(line, len, JSON_REJECT_DUPLICATES |
			    JSON_DECODE_ANY, &je);
			if (jfast_canonical(line, len) == 0) {
				if (v == NULL)
					abort();	/* jfast accepted what jansson refuses */
				b.len = 0;
				jw_value(&b, v);
				if (b.len != len || memcmp(b.p, line, len) != 0)
					abort();	/* not canonical after all */
			}
			json_decref(v);
		}
		line_close(&lr);
	}
	close(fd);
	buf_free(&b);
	return 0;
}
