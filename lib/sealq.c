#include "sealq.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "b64.h"
#include "jfast.h"
#include "jw.h"
#include "pai.h"
#include "rng.h"
#include "xalloc.h"

struct sealq_item {
	int		 seal;		/* 1: jobs[idx]; 0: raw text */
	size_t		 idx, len;	/* raw: offset and length in rawbuf */
};

int
sealq_init(struct sealq *q, struct run *r, const struct ohttp_keyconfig *kc,
    enum ohttp_label label, int threads, char *err, size_t errlen)
{
	int t;

	memset(q, 0, sizeof(*q));
	q->r = r;
	q->kc = kc;
	q->label = label;
	q->threads = threads < 1 ? 1 : threads;
	q->gz = xcalloc((size_t)q->threads, sizeof(*q->gz));
	for (t = 0; t < q->threads; t++)
		if ((q->gz[t] = gz_deflater_new(err, errlen)) == NULL) {
			sealq_free(q);
			return -1;
		}
	return 0;
}

static struct sealq_item *
new_item(struct sealq *q)
{
	if (q->nitems == q->capitems) {
		q->capitems = q->capitems ? q->capitems * 2 : 1024;
		q->items = xreallocarray(q->items, q->capitems,
		    sizeof(*q->items));
	}
	return &q->items[q->nitems++];
}

void
sealq_raw(struct sealq *q, const char *raw, size_t len)
{
	struct sealq_item *it = new_item(q);

	it->seal = 0;
	it->idx = q->rawbuf.len;
	it->len = len + 1;
	buf_add(&q->rawbuf, raw, len);
	buf_addc(&q->rawbuf, '\n');
}

struct sealq_job *
sealq_job(struct sealq *q)
{
	struct sealq_item *it;
	struct sealq_job *j;

	if (q->njobs == q->capjobs) {
		q->capjobs = q->capjobs ? q->capjobs * 2 : 256;
		q->jobs = xreallocarray(q->jobs, q->capjobs, sizeof(*q->jobs));
	}
	it = new_item(q);
	it->seal = 1;
	it->idx = q->njobs;
	j = &q->jobs[q->njobs++];
	memset(j, 0, sizeof(*j));
	return j;
}

static void
job_free(struct sealq_job *j)
{
	size_t i;

	json_decref(j->rec);
	for (i = 0; i < j->nb; i++)
		free(j->b[i].payload);
	free(j->b);
	free(j->id);
	free(j->out);
	free(j->err);
	free(j->raw);
}

int
sealq_full(const struct sealq *q)
{
	return q->njobs >= 256 * (size_t)q->threads || q->nitems >= 8192 ||
	    q->rawbuf.len >= (1 << 20);
}

void
sealq_free(struct sealq *q)
{
	size_t i;
	int t;

	for (i = 0; i < q->njobs; i++)
		job_free(&q->jobs[i]);
	for (t = 0; q->gz != NULL && t < q->threads; t++)
		gz_deflater_free(q->gz[t]);
	free(q->gz);
	free(q->items);
	free(q->jobs);
	buf_free(&q->rawbuf);
	memset(q, 0, sizeof(*q));
}

/* Seals one request; runs on any thread. */
static void
seal(struct sealq *q, struct sealq_job *j, struct gz_deflater *gz)
{
	struct pai_buyer *pb;
	struct pai_input in;
	struct rng g;
	struct buf b = { 0 };
	unsigned char *ct = NULL;
	size_t ctlen = 0, i, b64len;
	char err[256], *b64;
	json_t *ai, *bs, *o;
	int rc;

	pb = xcalloc(j->nb ? j->nb : 1, sizeof(*pb));
	for (i = 0; i < j->nb; i++) {
		pb[i].name = j->b[i].name;
		pb[i].payload = j->b[i].payload;
		pb[i].len = j->b[i].len;
		pb[i].encoding_version = j->b[i].version;
	}
	memset(&in, 0, sizeof(in));
	in.buyers = pb;
	in.nbuyers = j->nb;
	in.publisher = j->publisher;
	in.generation_id = j->id;
	in.timestamp_ms = j->ts_ms;
	if (q->r->has_seed)
		rng_init(&g, &q->r->seed, j->id, strlen(j->id));
	rc = pai_seal(gz, &in, q->kc, q->label, NULL,
	    q->r->has_seed ? &g : NULL, &ct, &ctlen, err, sizeof(err));
	free(pb);
	if (rc != PAI_OK) {
		j->err = xstrdup(err);
		return;
	}
	/*
	 * A request line in canonical form (jfast_canonical: what
	 * jw_value() writes for it) without an auction_input is copied
	 * with auction_input written after its last member; anything
	 * else goes through jansson, which gives the same bytes for a
	 * canonical line (tests/fastpath.bats compares the two).
	 */
	if (j->rawlen >= 2 && j->raw[j->rawlen - 1] == '}' &&
	    json_object_get(j->rec, "auction_input") == NULL &&
	    jfast_canonical(j->raw, j->rawlen) == 0) {
		buf_grow(&b, j->rawlen + B64_LEN(ctlen) + 64 + 96 * j->nb);
		buf_add(&b, j->raw, j->rawlen - 1);
		if (j->rawlen > 2)
			buf_addc(&b, ',');
		buf_adds(&b, "\"auction_input\":{\"key_id\":");
		jw_int(&b, q->kc->key_id);
		buf_adds(&b, ",\"ciphertext\":\"");
		buf_grow(&b, B64_LEN(ctlen) + 1);
		b64_encode(b.p + b.len, ct, ctlen);
		b.len += B64_LEN(ctlen);
		buf_adds(&b, "\",\"bytes\":");
		jw_int(&b, (long long)ctlen);
		buf_adds(&b, ",\"buyers\":{");
		for (i = 0; i < j->nb; i++) {
			if (i > 0)
				buf_addc(&b, ',');
			jw_string(&b, j->b[i].name, strlen(j->b[i].name));
			buf_adds(&b, ":{\"encoded_at\":");
			jw_int(&b, j->b[i].encoded_at);
			buf_adds(&b, ",\"encoding_version\":");
			jw_int(&b, j->b[i].version);
			buf_adds(&b, ",\"bytes\":");
			jw_int(&b, (long long)j->b[i].len);
			buf_addc(&b, '}');
		}
		buf_adds(&b, "}}}\n");
		free(ct);
		j->out = b.p;
		j->outlen = b.len;
		return;
	}
	b64len = B64_LEN(ctlen) + 1;
	b64 = xmalloc(b64len);
	b64_encode(b64, ct, ctlen);
	ai = json_object();
	json_object_set_new(ai, "key_id", json_integer(q->kc->key_id));
	json_object_set_new(ai, "ciphertext", json_stringn_nocheck(b64,
	    b64len - 1));
	json_object_set_new(ai, "bytes", json_integer((json_int_t)ctlen));
	bs = json_object();
	for (i = 0; i < j->nb; i++) {
		o = json_object();
		json_object_set_new(o, "encoded_at",
		    json_integer(j->b[i].encoded_at));
		json_object_set_new(o, "encoding_version",
		    json_integer(j->b[i].version));
		json_object_set_new(o, "bytes",
		    json_integer((json_int_t)j->b[i].len));
		json_object_set_new(bs, j->b[i].name, o);
	}
	json_object_set_new(ai, "buyers", bs);
	json_object_set_new(j->rec, "auction_input", ai);
	free(b64);
	free(ct);
	jw_value(&b, j->rec);
	buf_addc(&b, '\n');
	j->out = b.p;
	j->outlen = b.len;
}

struct worker {
	struct sealq		*q;
	struct gz_deflater	*gz;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	size_t k;

	while ((k = atomic_fetch_add(&w->q->next, 1)) < w->q->njobs)
		seal(w->q, &w->q->jobs[k], w->gz);
	return NULL;
}

int
sealq_flush(struct sealq *q)
{
	struct worker w[64];
	pthread_t tid[64];
	struct run *r = q->r;
	struct sealq_job *j;
	size_t i, n;
	int t, nt = q->threads, started = 0, stop = 0;

	if ((size_t)nt > q->njobs)
		nt = (int)(q->njobs ? q->njobs : 1);
	atomic_store(&q->next, 0);
	for (t = 0; t < nt; t++) {
		w[t].q = q;
		w[t].gz = q->gz[t];
	}
	for (t = 1; t < nt; t++)
		if (pthread_create(&tid[t], NULL, work, &w[t]) == 0)
			started = t;
		else
			break;
	work(&w[0]);
	for (t = 1; t <= started; t++)
		pthread_join(tid[t], NULL);

	for (i = 0; i < q->nitems; i++) {
		if (stop)
			break;
		if (!q->items[i].seal) {
			buf_add(&r->out.b, q->rawbuf.p + q->items[i].idx,
			    q->items[i].len);
			r->wrote++;
		} else {
			j = &q->jobs[q->items[i].idx];
			if (j->err != NULL) {
				if (run_bad(r, j->file, j->line, j->raw,
				    j->rawlen, "cannot seal: %s", j->err) != 0)
					stop = 1;
				continue;
			}
			buf_add(&r->out.b, j->out, j->outlen);
			r->wrote++;
			q->sealed++;
		}
		if (out_maybe_flush(&r->out) != 0) {
			run_fail(r, EX_IOERR);
			stop = 1;
		}
	}
	for (n = 0; n < q->njobs; n++)
		job_free(&q->jobs[n]);
	q->nitems = q->njobs = 0;
	q->rawbuf.len = 0;
	return stop ? -1 : 0;
}

