#include "reorder.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static int
less(const struct reorder_rec *a, const struct reorder_rec *b)
{
	int c = ts_cmp(&a->key, &b->key);

	return c < 0 || (c == 0 && a->seq < b->seq);
}

void
reorder_init(struct reorder *q, int64_t window)
{
	memset(q, 0, sizeof(*q));
	q->window = window;
}

void
reorder_push(struct reorder *q, const struct ts *key, json_t *obj,
    const char *raw, size_t rawlen, const char *file, unsigned long line)
{
	struct reorder_rec x, tmp;
	size_t i, p;

	memset(&x, 0, sizeof(x));
	if (key != NULL) {
		x.key = *key;
		if (!q->have_max || ts_cmp(key, &q->max) > 0) {
			q->max = *key;
			q->have_max = 1;
		}
	} else if (q->have_max)
		x.key = q->max;
	else
		x.key.sec = INT64_MIN;
	x.seq = q->seq++;
	x.obj = json_incref(obj);
	x.raw = xmemdup(raw, rawlen);
	x.rawlen = rawlen;
	x.file = file;
	x.line = line;
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 1024;
		q->h = xreallocarray(q->h, q->cap, sizeof(*q->h));
	}
	i = q->n++;
	q->h[i] = x;
	while (i > 0 && less(&q->h[i], &q->h[p = (i - 1) / 2])) {
		tmp = q->h[i];
		q->h[i] = q->h[p];
		q->h[p] = tmp;
		i = p;
	}
}

int
reorder_next(struct reorder *q, int drain, struct reorder_rec *out)
{
	struct reorder_rec tmp;
	size_t i = 0, l, m;

	if (q->n == 0)
		return 0;
	/* due: key <= max - window */
	if (!drain && (q->h[0].key.sec > q->max.sec - q->window ||
	    (q->h[0].key.sec == q->max.sec - q->window &&
	    q->h[0].key.nsec > q->max.nsec)))
		return 0;
	*out = q->h[0];
	q->h[0] = q->h[--q->n];
	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < q->n && less(&q->h[l], &q->h[m]))
			m = l;
		if (l + 1 < q->n && less(&q->h[l + 1], &q->h[m]))
			m = l + 1;
		if (m == i)
			break;
		tmp = q->h[i];
		q->h[i] = q->h[m];
		q->h[m] = tmp;
		i = m;
	}
	return 1;
}

void
reorder_rec_free(struct reorder_rec *x)
{
	json_decref(x->obj);
	free(x->raw);
	x->obj = NULL;
	x->raw = NULL;
}

void
reorder_free(struct reorder *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		reorder_rec_free(&q->h[i]);
	free(q->h);
	memset(q, 0, sizeof(*q));
}
