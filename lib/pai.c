#include "pai.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "frame.h"
#include "gz.h"
#include "pb.h"
#include "xalloc.h"
#include "diag.h"

static struct pb_bytes
str_bytes(const char *s)
{
	struct pb_bytes b;

	b.p = (const unsigned char *)(s != NULL ? s : "");
	b.len = s != NULL ? strlen(s) : 0;
	return b;
}

static int
cmp_buyer(const void *a, const void *b)
{
	const struct pai_buyer *x = *(const struct pai_buyer *const *)a;
	const struct pai_buyer *y = *(const struct pai_buyer *const *)b;

	return strcmp(x->name, y->name);
}

static void
wipe_free(void *p, size_t n)
{
	if (p != NULL) {
		sodium_memzero(p, n);
		free(p);
	}
}

int
pai_seal(struct gz_deflater *gz, const struct pai_input *in,
    const struct ohttp_keyconfig *kc, enum ohttp_label label,
    const unsigned char *skE, struct rng *rng,
    unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
	const struct pai_buyer **order = NULL;
	struct gz_deflater *own = NULL;
	struct pb_entry *ents = NULL;
	struct pb_buyer_input bi;
	struct pb_pai m;
	unsigned char *bib, *frame = NULL, *enc;
	size_t i, n = in->nbuyers, bil, size, flen = 0, *vlens = NULL;
	char why[160];
	int rc, rv = PAI_EINPUT;

	*out = NULL;
	*outlen = 0;
	if (!pb_utf8_valid(str_bytes(in->publisher).p,
	    str_bytes(in->publisher).len) ||
	    !pb_utf8_valid(str_bytes(in->generation_id).p,
	    str_bytes(in->generation_id).len)) {
		diag_errf(err, errlen, "publisher or generation id is not UTF-8");
		return PAI_EINPUT;
	}
	order = xcalloc(n ? n : 1, sizeof(*order));
	for (i = 0; i < n; i++) {
		order[i] = &in->buyers[i];
		if (order[i]->name == NULL ||
		    !pb_utf8_valid(order[i]->name, strlen(order[i]->name))) {
			diag_errf(err, errlen, "buyer %zu: name is not UTF-8", i);
			goto out;
		}
	}
	qsort(order, n, sizeof(*order), cmp_buyer);
	for (i = 1; i < n; i++)
		if (strcmp(order[i - 1]->name, order[i]->name) == 0) {
			diag_errf(err, errlen, "buyer \"%s\" appears twice",
			    order[i]->name);
			goto out;
		}

	if (gz == NULL && n > 0 && (gz = own = gz_deflater_new(why,
	    sizeof(why))) == NULL) {
		diag_errf(err, errlen, "%s", why);
		goto out;
	}
	ents = xcalloc(n ? n : 1, sizeof(*ents));
	vlens = xcalloc(n ? n : 1, sizeof(*vlens));
	for (i = 0; i < n; i++) {
		memset(&bi, 0, sizeof(bi));
		bi.has_app_signals = 1;
		bi.app_signals.app_install_signals.p = order[i]->payload;
		bi.app_signals.app_install_signals.len = order[i]->len;
		bi.app_signals.encoding_version = order[i]->encoding_version;
		bil = pb_buyer_input_size(&bi);
		bib = xmalloc(bil);
		pb_buyer_input_encode(&bi, bib);
		rc = gz_deflater_compress(gz, bib, bil,
		    (unsigned char **)&ents[i].value.p, &vlens[i], why,
		    sizeof(why));
		wipe_free(bib, bil);
		if (rc != 0) {
			diag_errf(err, errlen, "buyer \"%s\": %s", order[i]->name,
			    why);
			goto out;
		}
		ents[i].value.len = vlens[i];
		ents[i].key = str_bytes(order[i]->name);
	}

	memset(&m, 0, sizeof(m));
	m.buyer_input = ents;
	m.nbuyer_input = n;
	m.publisher_name = str_bytes(in->publisher);
	m.generation_id = str_bytes(in->generation_id);
	m.enable_unlimited_egress = in->enable_unlimited_egress != 0;
	m.request_timestamp_ms = in->timestamp_ms;
	size = pb_pai_size(&m);
	if ((flen = frame_size(size)) == 0) {
		diag_errf(err, errlen, "auction input of %zu bytes does not fit "
		    "in the largest frame (%d bytes)", size, FRAME_MAX);
		goto out;
	}
	frame = xmalloc(flen);
	pb_pai_encode(&m, frame + FRAME_HDR_LEN);
	(void)frame_wrap(frame, FRAME_GZIP, frame + FRAME_HDR_LEN, size, NULL,
	    0);

	enc = xmalloc(ohttp_encapsulated_len(label, flen));
	rc = ohttp_encapsulate(kc, label, frame, flen, skE, rng, enc, why,
	    sizeof(why));
	if (rc != OHTTP_OK) {
		free(enc);
		diag_errf(err, errlen, "%s", why);
		rv = rc == OHTTP_ECRYPTO ? PAI_ECRYPTO : PAI_EINPUT;
		goto out;
	}
	*out = enc;
	*outlen = ohttp_encapsulated_len(label, flen);
	rv = PAI_OK;
out:
	gz_deflater_free(own);
	wipe_free(frame, flen);
	if (ents != NULL)
		for (i = 0; i < n; i++)
			wipe_free((void *)(uintptr_t)ents[i].value.p, vlens[i]);
	free(ents);
	free(vlens);
	free(order);
	return rv;
}

static int
cmp_bytes(const void *a, const void *b)
{
	const struct pb_entry *x = *(const struct pb_entry *const *)a;
	const struct pb_entry *y = *(const struct pb_entry *const *)b;
	size_t n = x->key.len < y->key.len ? x->key.len : y->key.len;
	int c = n ? memcmp(x->key.p, y->key.p, n) : 0;

	if (c != 0)
		return c;
	return x->key.len < y->key.len ? -1 : x->key.len > y->key.len;
}

static int
has_nul(struct pb_bytes b)
{
	return b.len > 0 && memchr(b.p, '\0', b.len) != NULL;
}

/* Copies b into the arena at *pos as a C string. */
static const char *
arena_str(char *arena, size_t *pos, struct pb_bytes b)
{
	char *s = arena + *pos;

	if (b.len > 0)
		memcpy(s, b.p, b.len);
	s[b.len] = '\0';
	*pos += b.len + 1;
	return s;
}

int
pai_open(const unsigned char sk[HPKE_NSK], int key_id,
    const unsigned char *buf, size_t len, struct pai_opened *o, char *err,
    size_t errlen)
{
	const struct pb_entry **sorted = NULL;
	struct pb_pai m;
	struct pb_buyer_input bi;
	const unsigned char *data, *bin;
	size_t ptlen, dlen, i, n, pos, binlen;
	unsigned comp;
	char why[160];
	int rc, rv;

	memset(o, 0, sizeof(*o));
	memset(&m, 0, sizeof(m));
	o->plain_ = xmalloc(len ? len : 1);
	o->plainlen_ = len;
	rc = ohttp_decapsulate(sk, key_id, buf, len, o->plain_, &ptlen,
	    &o->label, err, errlen);
	if (rc != OHTTP_OK) {
		rv = rc == OHTTP_EKEYID ? PAI_EKEYID :
		    rc == OHTTP_EHEADER ? PAI_EHEADER :
		    rc == OHTTP_ECRYPTO ? PAI_ECRYPTO : PAI_EDECRYPT;
		goto fail;
	}
	o->key_id = buf[o->label == OHTTP_LABEL_AUCTION ? 1 : 0];
	if (frame_unwrap(o->plain_, ptlen, &comp, &data, &dlen, err,
	    errlen) != 0) {
		rv = PAI_EFRAME;
		goto fail;
	}
	if (comp != FRAME_GZIP && comp != FRAME_UNCOMPRESSED) {
		diag_errf(err, errlen, "frame: unsupported compression %u", comp);
		rv = PAI_EFRAME;
		goto fail;
	}
	rv = PAI_EPROTO;
	if (pb_pai_decode(&m, data, dlen, err, errlen) != 0)
		goto fail;
	n = m.nbuyer_input;

	/* Names must be distinct and free of NUL bytes. */
	sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	for (i = 0; i < n; i++) {
		sorted[i] = &m.buyer_input[i];
		if (has_nul(m.buyer_input[i].key)) {
			diag_errf(err, errlen, "protobuf: buyer input %zu: name "
			    "holds a NUL byte", i);
			goto fail;
		}
	}
	qsort(sorted, n, sizeof(*sorted), cmp_bytes);
	for (i = 1; i < n; i++)
		if (cmp_bytes(&sorted[i - 1], &sorted[i]) == 0) {
			diag_errf(err, errlen, "protobuf: a buyer appears twice");
			goto fail;
		}
	if (has_nul(m.publisher_name) || has_nul(m.generation_id)) {
		diag_errf(err, errlen, "protobuf: publisher_name or generation_id "
		    "holds a NUL byte");
		goto fail;
	}

	o->stringslen_ = m.publisher_name.len + m.generation_id.len + 2;
	for (i = 0; i < n; i++)
		o->stringslen_ += m.buyer_input[i].key.len + 1;
	o->strings_ = xmalloc(o->stringslen_);
	o->buyers_ = xcalloc(n ? n : 1, sizeof(*o->buyers_));
	o->bufs_ = xcalloc(n ? n : 1, sizeof(*o->bufs_));
	o->buflens_ = xcalloc(n ? n : 1, sizeof(*o->buflens_));
	o->nbufs_ = n;
	pos = 0;
	o->in.publisher = arena_str(o->strings_, &pos, m.publisher_name);
	o->in.generation_id = arena_str(o->strings_, &pos, m.generation_id);
	o->in.timestamp_ms = m.request_timestamp_ms;
	o->in.enable_unlimited_egress = m.enable_unlimited_egress;
	for (i = 0; i < n; i++) {
		o->buyers_[i].name = arena_str(o->strings_, &pos,
		    m.buyer_input[i].key);
		bin = m.buyer_input[i].value.p;
		binlen = m.buyer_input[i].value.len;
		if (comp == FRAME_GZIP) {
			if (gz_decompress(bin, binlen, PAI_MAX_BUYER_INPUT,
			    &o->bufs_[i], &o->buflens_[i], why,
			    sizeof(why)) != 0) {
				diag_errf(err, errlen, "buyer input %zu: %s", i,
				    why);
				rv = PAI_EGZIP;
				goto fail;
			}
			bin = o->bufs_[i];
			binlen = o->buflens_[i];
		}
		if (pb_buyer_input_decode(&bi, bin, binlen, why,
		    sizeof(why)) != 0) {
			diag_errf(err, errlen, "buyer input %zu: %s", i, why);
			goto fail;
		}
		o->buyers_[i].payload = bi.app_signals.app_install_signals.p;
		o->buyers_[i].len = bi.app_signals.app_install_signals.len;
		o->buyers_[i].encoding_version =
		    bi.app_signals.encoding_version;
	}
	o->in.buyers = o->buyers_;
	o->in.nbuyers = n;
	free(sorted);
	pb_pai_clear(&m);
	return PAI_OK;
fail:
	free(sorted);
	pb_pai_clear(&m);
	pai_opened_free(o);
	return rv;
}

void
pai_opened_free(struct pai_opened *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->nbufs_; i++)
		wipe_free(o->bufs_[i], o->buflens_[i]);
	free(o->bufs_);
	free(o->buflens_);
	wipe_free(o->strings_, o->stringslen_);
	free(o->buyers_);
	wipe_free(o->plain_, o->plainlen_);
	memset(o, 0, sizeof(*o));
}

const char *
pai_error_class(int code)
{
	switch (code) {
	case PAI_OK:
		return "ok";
	case PAI_EINPUT:
		return "input";
	case PAI_EKEYID:
		return "key_id";
	case PAI_EHEADER:
		return "header";
	case PAI_EDECRYPT:
		return "decrypt";
	case PAI_EFRAME:
		return "frame";
	case PAI_EPROTO:
		return "protobuf";
	case PAI_EGZIP:
		return "gzip";
	case PAI_ECRYPTO:
		return "crypto";
	default:
		return "unknown";
	}
}
