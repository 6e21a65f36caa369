/*
 * pasdev: the encoding clock.  The worked clock of device "d-1"
 * (examples/README.md section 2: offset 1804, checked with Python's
 * hashlib), payload and signal expiry, the empty-store rule, the
 * failure rule across jobs, and the idle fast-forward against a device
 * stepped hour by hour.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pasdev.h"
#include "unit.h"

/* A toy encoder: the number of signals as one byte; fails on demand. */
static int fail_mode;		/* 0 ok, 1 fail, -1 fatal */
static int calls;

static int
toy(void *arg, const struct sigstore_snap *s, const struct sigstore_buyer *b,
    int64_t job, unsigned char *out, size_t *outlen, char *err,
    size_t errlen)
{
	calls++;
	if (fail_mode != 0) {
		snprintf(err, errlen, "toy says no");
		return fail_mode;
	}
	out[0] = (unsigned char)s->n;
	*outlen = 1;
	return 0;
}

static void
put(struct pasdev_table *t, struct pasdev *d, const char *key, int64_t ts)
{
	char doc[128];
	json_t *u;

	snprintf(doc, sizeof(doc), "{\"put\":{\"%s\":\"dmFs\"}}", key);
	u = json_loads(doc, 0, NULL);
	CHECK(pasdev_advance(t, d, ts, NULL, 0) == 0);
	CHECK(pasdev_apply(t, d, "b", "app", u, ts, NULL, NULL, 0) == 0);
	json_decref(u);
}

static struct pasdev_payload *
payload(struct pasdev_table *t, struct pasdev *d)
{
	struct pasdev_payload *p;
	uint32_t name;

	if (sigstore_strtab_intern(&t->st, "b", &name) != 0 ||
	    pasdev_buyer(d, name, 0, &p) == NULL)
		return NULL;
	return p;
}

int
main(void)
{
	struct pasdev_table t, u;
	struct pasdev_params p;
	struct pasdev *d, *e;
	struct pasdev_payload *pp, *pq;
	int64_t h;
	char err[128];
	int k;

	CHECK(pasdev_offset("d-1", 3, 3600) == 1804);
	CHECK(pasdev_offset("d-2", 3, 3600) == 2671);

	/* The worked clock: jobs at ..., -1796, 1804, 5404, 9004. */
	pasdev_params_default(&p);
	pasdev_table_init(&t, &p, toy, NULL, NULL);
	d = pasdev_get(&t, "d-1", 3, 1, 1000);
	CHECK(d != NULL && d->next_job == 1804);
	put(&t, d, "QQ==", 1000);			/* A */
	CHECK(pasdev_advance(&t, d, 1500, NULL, 0) == 0);
	CHECK(payload(&t, d)->has == 0);		/* request 1500 */
	put(&t, d, "Qg==", 1700);			/* B */
	CHECK(pasdev_advance(&t, d, 2000, NULL, 0) == 0);
	pp = payload(&t, d);
	CHECK(pp->has && pp->encoded_at == 1804 && pp->len == 1 &&
	    pp->p[0] == 2);				/* {A, B} */
	put(&t, d, "Qw==", 3000);			/* C */
	CHECK(pasdev_advance(&t, d, 5000, NULL, 0) == 0);
	CHECK(payload(&t, d)->encoded_at == 1804);
	CHECK(pasdev_advance(&t, d, 6000, NULL, 0) == 0);
	pp = payload(&t, d);
	CHECK(pp->encoded_at == 5404 && pp->p[0] == 3);
	calls = 0;
	CHECK(pasdev_advance(&t, d, 9100, NULL, 0) == 0);
	CHECK(payload(&t, d)->encoded_at == 5404 && calls == 0);
	CHECK(pasdev_get(&t, "d-1", 3, 0, 0) == d);
	CHECK(pasdev_get(&t, "d-1x", 3, 0, 0) == d);	/* len decides */
	CHECK(pasdev_get(&t, "d-2", 3, 0, 0) == NULL);

	/* An update at exactly a job time is applied after that job. */
	put(&t, d, "RA==", 12604);			/* job time 12604 */
	CHECK(payload(&t, d)->encoded_at == 5404);
	CHECK(pasdev_advance(&t, d, 16204, NULL, 0) == 0);
	CHECK(payload(&t, d)->encoded_at == 16204 && payload(&t, d)->p[0] ==
	    4);

	/* TTL: signals die 60 days after creation; the empty store at the
	 * next job loses the payload. */
	h = 16204 + SIGSTORE_TTL;	/* a job time: D was created 12604 */
	CHECK(pasdev_advance(&t, d, h - 3600, NULL, 0) == 0);
	CHECK(payload(&t, d)->has && d->sd.buyer[0].n == 1);
	/* before a record D is gone, but the payload waits for the job */
	CHECK(pasdev_advance(&t, d, h - 1, NULL, 0) == 0);
	CHECK(payload(&t, d)->has && d->sd.buyer[0].n == 0);
	CHECK(pasdev_advance(&t, d, h, NULL, 0) == 0);
	CHECK(payload(&t, d)->has == 0 && d->sd.buyer[0].n == 0);
	pasdev_table_free(&t);

	/* The failure rule: 3 failed jobs in a row, then no more calls. */
	pasdev_table_init(&t, &p, toy, NULL, NULL);
	d = pasdev_get(&t, "d-1", 3, 1, 1000);
	put(&t, d, "QQ==", 1000);
	fail_mode = 1;
	calls = 0;
	CHECK(pasdev_advance(&t, d, 1804 + 10 * 3600, NULL, 0) == 0);
	CHECK(calls == 3 && t.stats.failed == 3 && t.stats.blocked == 1);
	CHECK(payload(&t, d)->has == 0);
	fail_mode = 0;
	put(&t, d, "Qg==", 1804 + 11 * 3600);	/* still blocked */
	CHECK(pasdev_advance(&t, d, 1804 + 12 * 3600, NULL, 0) == 0);
	CHECK(calls == 3);
	{	/* a REGISTER clears the count */
		json_t *up = json_loads("{\"update_encoder\":{\"action\":"
		    "\"REGISTER\",\"endpoint\":\"https://x/enc\"}}", 0, NULL);
		CHECK(pasdev_apply(&t, d, "b", "app", up, 1804 + 12 * 3600 + 5,
		    NULL, NULL, 0) == 0);
		json_decref(up);
	}
	CHECK(pasdev_advance(&t, d, 1804 + 13 * 3600, NULL, 0) == 0);
	CHECK(calls == 4 && payload(&t, d)->encoded_at == 1804 + 13 * 3600);
	/* two failures then a success reset the count */
	put(&t, d, "Qw==", 1804 + 14 * 3600 - 1);
	fail_mode = 1;
	CHECK(pasdev_advance(&t, d, 1804 + 15 * 3600, NULL, 0) == 0);
	CHECK(d->sd.buyer[0].fail.count == 2);
	fail_mode = 0;
	CHECK(pasdev_advance(&t, d, 1804 + 16 * 3600, NULL, 0) == 0);
	CHECK(d->sd.buyer[0].fail.count == 0 &&
	    payload(&t, d)->encoded_at == 1804 + 16 * 3600);
	/* a fatal encoder error stops */
	put(&t, d, "RA==", 1804 + 16 * 3600 + 1);
	fail_mode = -1;
	CHECK(pasdev_advance(&t, d, 1804 + 17 * 3600, err, sizeof(err)) ==
	    -1);
	CHECK_STR(err, "toy says no");
	fail_mode = 0;
	pasdev_table_free(&t);

	/* Fast-forward equals stepping hour by hour (updates every ~5 days,
	 * a TTL of 3 days so payloads and signals expire in between). */
	p.store.ttl = 3 * 86400;
	pasdev_table_init(&t, &p, toy, NULL, NULL);
	pasdev_table_init(&u, &p, toy, NULL, NULL);
	d = pasdev_get(&t, "dev-x", 5, 1, 0);
	e = pasdev_get(&u, "dev-x", 5, 1, 0);
	for (h = 100, k = 0; h < 60 * 86400; k++,
	    h += k % 4 == 3 ? 4 * 86400 + 1234 : 431 * 300 + 17) {
		int64_t s;

		for (s = e->next_job; s < h; s += 3600)
			CHECK(pasdev_advance(&u, e, s, NULL, 0) == 0);
		put(&t, d, (h / 1000) % 2 ? "QQ==" : "Qg==", h);
		put(&u, e, (h / 1000) % 2 ? "QQ==" : "Qg==", h);
		pp = payload(&t, d);
		pq = payload(&u, e);
		CHECK(pp->has == pq->has);
		if (pp->has && pq->has)
			CHECK(pp->encoded_at == pq->encoded_at &&
			    pp->p[0] == pq->p[0]);
		CHECK(d->sd.buyer[0].n == e->sd.buyer[0].n);
	}
	CHECK(t.stats.encoded == u.stats.encoded && t.stats.encoded > 5);
	CHECK(t.stats.dropped == u.stats.dropped && t.stats.dropped > 0);
	CHECK(t.stats.jobs < u.stats.jobs / 5);
	pasdev_table_free(&t);
	pasdev_table_free(&u);

	/* Many devices: lookups survive rehashing. */
	p.store.ttl = SIGSTORE_TTL;
	pasdev_table_init(&t, &p, toy, NULL, NULL);
	{
		char id[32];
		int i, ok = 1;

		for (i = 0; i < 5000; i++) {
			snprintf(id, sizeof(id), "dev-%d", i);
			pasdev_get(&t, id, strlen(id), 1, 0);
		}
		for (i = 0; i < 5000; i++) {
			snprintf(id, sizeof(id), "dev-%d", i);
			d = pasdev_get(&t, id, strlen(id), 0, 0);
			if (d == NULL || strcmp(d->id, id) != 0)
				ok = 0;
		}
		CHECK(ok && t.n == 5000);
		CHECK(pasdev_offset("dev-0", 5, 3600) == 623);
		d = pasdev_get(&t, "dev-0", 5, 0, 0);
		CHECK(d->next_job == 623);
	}
	pasdev_table_free(&t);
	return unit_report();
}
