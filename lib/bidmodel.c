#include "bidmodel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>

#include "diag.h"
#include "jfile.h"
#include "xalloc.h"

int
bidmodel_load(const char *path, enum bidmodel_type *type, struct model2t *tt,
    struct lrm **lr, char *err, size_t errlen)
{
	json_t *j;
	const json_t *t;
	const char *ts;
	char why[256];
	int rc;

	*lr = NULL;
	memset(tt, 0, sizeof(*tt));
	if ((j = jfile_load(path, &rc, err, errlen)) == NULL)
		return rc;
	t = json_object_get(j, "type");
	ts = json_is_string(t) ? json_string_value(t) : "";
	if (strcmp(ts, "two_tower") == 0) {
		*type = BIDMODEL_TWO_TOWER;
		rc = model2t_from_json(tt, j, why, sizeof(why));
	} else if (strcmp(ts, "logistic") == 0) {
		*type = BIDMODEL_LOGISTIC;
		rc = lrm_parse(j, lr, why, sizeof(why));
	} else {
		snprintf(why, sizeof(why), "\"type\" is not \"two_tower\" or "
		    "\"logistic\"");
		rc = -1;
	}
	json_decref(j);
	if (rc != 0)
		diag_errf(err, errlen, "%s: %s", path, why);
	return rc != 0 ? EX_DATAERR : 0;
}

int
bidmodel_bind(struct bidmodel_lr *b, const struct lrm *m,
    const struct egress_schema *s, char *err, size_t errlen)
{
	size_t i, k, n = m->ncols;

	memset(b, 0, sizeof(*b));
	b->m = m;
	b->s = s;
	b->leaf = xcalloc(n, sizeof(*b->leaf));
	b->cell = xcalloc(n, sizeof(*b->cell));
	b->text = xcalloc(n, sizeof(*b->text));
	b->len = xcalloc(n, sizeof(*b->len));
	for (i = 0; i < n; i++) {
		for (k = 0; k < s->nleaves; k++)
			if (strcmp(m->cols[i].name, s->leaves[k].name) == 0)
				break;
		if (k == s->nleaves) {
			if (s->nleaves == 0)
				diag_errf(err, errlen, "the model's column "
				    "\"%.80s\" is not a column of the egress "
				    "schema (it has none)", m->cols[i].name);
			else
				diag_errf(err, errlen, "the model's column "
				    "\"%.80s\" is not a column of the egress "
				    "schema (%s .. %s)", m->cols[i].name,
				    s->leaves[0].name,
				    s->leaves[s->nleaves - 1].name);
			bidmodel_unbind(b);
			return -1;
		}
		b->leaf[i] = k;
	}
	return 0;
}

int
bidmodel_lr_p(struct bidmodel_lr *b, const struct egress_values *v,
    double *p, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < b->m->ncols; i++) {
		egress_cell(b->s, v, b->leaf[i], &b->cell[i]);
		b->text[i] = b->cell[i].text;
		b->len[i] = strlen(b->cell[i].text);
	}
	return lrm_score_cells(b->m, b->text, b->len, p, err, errlen);
}

void
bidmodel_unbind(struct bidmodel_lr *b)
{
	if (b == NULL)
		return;
	free(b->leaf);
	free(b->cell);
	free(b->text);
	free(b->len);
	memset(b, 0, sizeof(*b));
}
