/*
 * The tag-CTR log line scanners (tcline.h) on arbitrary lines: the fast
 * canonical scanner must accept only what jansson parses and then give
 * the same verdict and record as the jansson path; the time parser and
 * the duration parser on the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tcdim.h"
#include "tcline.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same_str(const struct tcl_str *a, const struct tcl_str *b)
{
	return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

static int
same(const struct tcl_rec *a, const struct tcl_rec *b)
{
	size_t i;

	if (a->ts != b->ts || a->click != b->click || a->ntag != b->ntag ||
	    a->nattr != b->nattr || !same_str(&a->channel, &b->channel) ||
	    !same_str(&a->plan, &b->plan) ||
	    !same_str(&a->material, &b->material))
		return 0;
	for (i = 0; i < a->ntag; i++)
		if (!same_str(&a->tags[i], &b->tags[i]))
			return 0;
	for (i = 0; i < a->nattr; i++)
		if (!same_str(&a->akey[i], &b->akey[i]) ||
		    !same_str(&a->aval[i], &b->aval[i]))
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcl_raw rf, rj;
	struct tcl_rec a, b;
	const char *wa, *wb;
	char ma[256], mb[256], *s;
	json_error_t je;
	json_t *obj, *csv, *v;
	const char *k;
	double t;
	int fast;

	memset(&rf, 0, sizeof(rf));
	memset(&rj, 0, sizeof(rj));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	tcl_parse_time((const char *)data, size, &t);
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	tc_parse_duration(s);
	free(s);

	fast = tcl_scan_fast(&rf, (const char *)data, size);
	obj = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	if (obj == NULL || !json_is_object(obj)) {
		if (fast == 0)
			abort();	/* fast accepted what jansson refuses */
		goto done;
	}
	tcl_scan_json(&rj, obj);
	wb = tcl_check(&rj, &b, mb, sizeof(mb));
	if (fast == 0) {
		wa = tcl_check(&rf, &a, ma, sizeof(ma));
		if ((wa == NULL) != (wb == NULL) ||
		    (wa != NULL && strcmp(wa, wb) != 0) ||
		    (wa == NULL && !same(&a, &b)))
			abort();
	}
	/* its string members as a CSV row (rin gives only strings) */
	csv = json_object();
	json_object_foreach(obj, k, v)
		if (json_is_string(v))
			json_object_set(csv, k, v);
	tcl_raw_free(&rj);
	memset(&rj, 0, sizeof(rj));
	tcl_scan_csv(&rj, csv);
	tcl_rec_free(&b);
	memset(&b, 0, sizeof(b));
	tcl_check(&rj, &b, mb, sizeof(mb));
	json_decref(csv);
done:
	json_decref(obj);
	tcl_raw_free(&rf);
	tcl_raw_free(&rj);
	tcl_rec_free(&a);
	tcl_rec_free(&b);
	return 0;
}
