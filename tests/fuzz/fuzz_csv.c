/* The CSV reader on arbitrary bytes: header, rows, widths, errors. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csvio.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csvin c;
	const char *why;
	char path[64], msg[128];
	size_t i, n, total = 0;
	int fd, rc;

	if ((fd = memfd_create("fuzz", 0)) == -1)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* diagnostics of a bad header go to stderr: keep them quiet */
	rc = csvin_open(&c, path);
	if (rc == 0) {
		while (csvin_next(&c, &why) == 1) {
			csvin_check_width(&c, msg, sizeof(msg));
			for (i = 0; i < c.nf; i++)
				if (csvin_field(&c, i, &n) != NULL)
					total += n;
		}
	}
	if (rc != -1)
		csvin_close(&c);
	close(fd);
	return total == (size_t)-1;
}
