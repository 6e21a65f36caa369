#include "jfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "diag.h"

json_t *
jfile_load(const char *path, int *code, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL) {
		diag_errf(err, errlen, "%s: %s", path, strerror(errno));
		if (code != NULL)
			*code = EX_NOINPUT;
		return NULL;
	}
	j = json_loadf(fp, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL) {
		if (ferror(fp))
			diag_errf(err, errlen, "%s: %s", path,
			    strerror(errno));
		else if (je.line > 0)
			diag_errf(err, errlen, "%s:%d: %s", path, je.line,
			    je.text);
		else
			diag_errf(err, errlen, "%s: %s", path, je.text);
		if (code != NULL)
			*code = EX_DATAERR;
	}
	fclose(fp);
	return j;
}
