/*
 * synth: the world checked against independent code.  Every signal
 * update a device writes is applied with sigstore_apply (it must pass
 * every SPEC-PAS.md rule and never trigger eviction), and at every
 * request the feature vector of the real store (snapshot, built-in
 * encoder, decoder, pasfeat) must equal the one the generator's summary
 * gives, which --outcomes-for uses as the truth.  Also: time order,
 * request counts, the model's JSON, ads, and outcome rates.
 */
#include <inttypes.h>
#include <stdlib.h>

#include <jansson.h>

#include "model2t.h"
#include "pasfeat.h"
#include "rng.h"
#include "sigstore.h"
#include "synth.h"
#include "unit.h"

static char err[512];

static json_t *
js(const char *s, size_t n)
{
	json_error_t je;
	json_t *v;

	if ((v = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		fprintf(stderr, "bad json (%s): %.*s\n", je.text, (int)n, s);
		exit(2);
	}
	return v;
}

static void
world_vs_sigstore(void)
{
	struct synth_world w;
	struct synth_dev d;
	struct synth_bstate bs[3];
	struct synth_sum sum;
	struct sigstore_strtab st;
	struct sigstore_buyer sb[3];
	struct sigstore_params P;
	struct sigstore_stats sx;
	struct sigstore_snap snap;
	struct sigstore_feat ent[SYNTH_NKEY];
	struct model2t m;
	struct buf b = { 0 }, name = { 0 };
	unsigned char pay[SIGSTORE_MAX_SIZE];
	size_t paylen, nent;
	double x1[64], x2[64];
	const char *p, *nl;
	json_t *rec;
	int64_t last, ts;
	uint32_t i, k, nreq, bad = 0, mism = 0, reqs = 0, sigs = 0, nonzero = 0;
	int is_req;
	uint64_t total = 0;

	synth_defaults(&w);
	w.seed = 5;
	w.devices = 25;
	w.requests = 410;	/* 16 or 17 per device */
	w.days = 20;
	w.sessions = 12;
	w.buyers = 3;
	w.dim = 4;
	CHECK(synth_check(&w) == NULL);
	synth_model(&w, &m);
	sigstore_params_default(&P);
	for (i = 0; i < w.devices; i++) {
		sigstore_strtab_init(&st);
		for (k = 0; k < w.buyers; k++)
			sigstore_buyer_init(&sb[k], k);
		memset(bs, 0, sizeof(bs));
		synth_sum_init(&sum, w.buyers);
		synth_dev_init(&w, i, &d, 1, 1);
		last = INT64_MIN;
		nreq = 0;
		while ((ts = synth_dev_next(&d)) != INT64_MAX) {
			if (ts < last)
				bad++;
			last = ts;
			CHECK(ts >= w.start && ts < synth_end(&w));
			b.len = 0;
			synth_dev_step(&w, i, &d, bs, &b, &sum, &is_req, NULL);
			for (p = b.p; p < b.p + b.len; p = nl + 1) {
				nl = memchr(p, '\n', (size_t)(b.p + b.len - p));
				rec = js(p, (size_t)(nl - p));
				CHECK(json_integer_value(json_object_get(rec,
				    "ts")) == ts);
				name.len = 0;
				buf_printf(&name, "d-%u", i + 1);
				CHECK_STR(json_string_value(json_object_get(rec,
				    "device")), name.p);
				if (is_req) {
					reqs++;
					nreq++;
					CHECK_STR(json_string_value(
					    json_object_get(rec, "type")),
					    "request");
					/* the truth: store vs summary */
					for (k = 0; k < w.buyers; k++) {
						sigstore_snapshot(&sb[k], ts,
						    P.ttl, &snap);
						CHECK(sigstore_encode(&snap, ts,
						    SIGSTORE_MAX_SIZE, pay,
						    &paylen, err,
						    sizeof(err)) == 0);
						sigstore_snap_free(&snap);
						CHECK(pasfeat_payload(&m.feat,
						    pay, paylen, x1, err,
						    sizeof(err)) == 0);
						nent = synth_sum_entries(&sum,
						    k, ts, ent);
						pasfeat_vector(&m.feat, ent,
						    nent, x2);
						if (memcmp(x1, x2, m.nfeat *
						    sizeof(double)) != 0)
							mism++;
						if (x1[1] != 0 || x1[7] != 0)
							nonzero++;
					}
				} else {
					const char *buyer;

					sigs++;
					CHECK_STR(json_string_value(
					    json_object_get(rec, "type")),
					    "signals");
					buyer = json_string_value(
					    json_object_get(rec, "buyer"));
					k = (uint32_t)(buyer[6] - '1');
					CHECK(k < w.buyers);
					if (sigstore_apply(&sb[k], &st,
					    json_object_get(rec, "update"), ts,
					    json_string_value(json_object_get(
					    rec, "app")), &P, &sx, err,
					    sizeof(err)) != 0) {
						fprintf(stderr, "%s\n", err);
						bad++;
					}
					CHECK(sx.evicted == 0);
				}
				json_decref(rec);
			}
		}
		CHECK(nreq == (i < 10 ? 17u : 16u));
		total += nreq;
		for (k = 0; k < w.buyers; k++) {
			CHECK(sigstore_size(&sb[k]) < SIGSTORE_LOW_WATER);
			sigstore_buyer_free(&sb[k]);
		}
		synth_sum_free(&sum);
		sigstore_strtab_free(&st);
	}
	CHECK(bad == 0);
	CHECK(mism == 0);
	CHECK(total == 410);
	CHECK(sigs > 1000);
	CHECK(nonzero > reqs / 2);	/* the features do vary */
	printf("synth: %u signal updates, %u requests, %u mismatches\n",
	    sigs, reqs, mism);
	model2t_free(&m);
	buf_free(&b);
	buf_free(&name);
}

static void
model_and_ads(void)
{
	struct synth_world w;
	struct model2t m, m2;
	struct buf b = { 0 }, b2 = { 0 };
	json_t *j;
	double a[6], a2[6];
	uint32_t n;

	synth_defaults(&w);
	w.dim = 6;
	synth_model(&w, &m);
	model2t_write(&b, &m);
	j = js(b.p, b.len);
	CHECK(model2t_from_json(&m2, j, err, sizeof(err)) == 0);
	model2t_write(&b2, &m2);
	CHECK_STR(b2.p, b.p);
	CHECK(m2.dim == 6 && m2.nfeat == 53 && m2.nfield == 1);
	json_decref(j);
	for (n = 0; n < 50; n++) {
		b.len = 0;
		synth_ad(&w, n, &b);
		j = js(b.p, b.len);
		CHECK(model2t_ad(&m2, j, a, err, sizeof(err)) == 0);
		synth_ad_embedding(&w, n, a2);
		CHECK(memcmp(a, a2, sizeof(a)) == 0);
		CHECK(json_is_string(json_object_get(j, "campaign")));
		CHECK(json_is_number(json_object_get(json_object_get(j,
		    "budget"), "remaining")));
		json_decref(j);
	}
	model2t_free(&m);
	model2t_free(&m2);
	buf_free(&b);
	buf_free(&b2);
}

static void
outcome_rates(void)
{
	struct synth_world w;
	char id[32];
	int click, install, n = 20000, i, nc = 0, ni = 0, bad = 0;
	int64_t delay;
	double sd;

	synth_defaults(&w);
	w.seed = 9;
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "r-%d-1", i + 1);
		synth_outcome(&w, id, 0.3, &click, &install, &delay);
		nc += click;
		ni += install;
		bad += install && !click;
		bad += click ? delay < 2 : delay != 0;
	}
	/* install ~ Bin(n, 0.3), click ~ Bin(n, 0.3 + 0.02 * 0.7 = 0.314);
	 * 4 standard deviations */
	sd = sqrt(0.3 * 0.7 / n);
	CHECK(fabs((double)ni / n - 0.3) < 4 * sd);
	sd = sqrt(0.314 * 0.686 / n);
	CHECK(fabs((double)nc / n - 0.314) < 4 * sd);
	CHECK(bad == 0);
	/* the same id draws the same outcome */
	synth_outcome(&w, "r-1-1", 0.3, &click, &install, &delay);
	{
		int c2, i2;
		int64_t d2;

		synth_outcome(&w, "r-1-1", 0.3, &c2, &i2, &d2);
		CHECK(c2 == click && i2 == install && d2 == delay);
	}
}

int
main(void)
{
	if (rng_global_init() != 0)
		return 71;
	world_vs_sigstore();
	model_and_ads();
	outcome_rates();
	return unit_report();
}
