#include "paiview.h"

#include <stdlib.h>
#include <string.h>

#include "ohttp.h"
#include "sigstore.h"
#include "xalloc.h"

json_t *
paiview_hex(const unsigned char *p, size_t n)
{
	static const char hx[] = "0123456789ABCDEF";
	char *s = xmalloc(2 * n + 1);
	json_t *v;
	size_t i;

	for (i = 0; i < n; i++) {
		s[2 * i] = hx[p[i] >> 4];
		s[2 * i + 1] = hx[p[i] & 15];
	}
	s[2 * n] = '\0';
	v = json_stringn(s, 2 * n);
	free(s);
	return v;
}

static json_t *
str(const char *s)
{
	json_t *v = json_string(s != NULL ? s : "");

	/* pai_open checked UTF-8; a NULL here would be a bug upstream */
	return v != NULL ? v : json_string("");
}

static void
decoded(json_t *b, const struct pai_buyer *pb)
{
	struct sigstore_feat *f = NULL;
	size_t n = 0, i;
	json_t *a, *e;
	char err[160];

	if (sigstore_decode(pb->payload, pb->len, &f, &n, err,
	    sizeof(err)) != 0) {
		json_object_set_new(b, "decode_error", json_string(err));
		return;
	}
	a = json_array();
	for (i = 0; i < n; i++) {
		e = json_object();
		json_object_set_new(e, "key", paiview_hex(f[i].key, 4));
		json_object_set_new(e, "count", json_integer(f[i].count));
		json_object_set_new(e, "bucket", json_integer(f[i].bucket));
		json_object_set_new(e, "value", paiview_hex(f[i].val,
		    f[i].len));
		json_array_append_new(a, e);
	}
	json_object_set_new(b, "decoded", a);
	free(f);
}

json_t *
paiview_json(const struct pai_opened *o, int decode)
{
	const struct pai_buyer *pb;
	json_t *v, *bi, *b;
	size_t i;

	v = json_object();
	json_object_set_new(v, "key_id", json_integer(o->key_id));
	json_object_set_new(v, "label", json_string(ohttp_label_string(
	    o->label)));
	json_object_set_new(v, "publisher_name", str(o->in.publisher));
	json_object_set_new(v, "generation_id", str(o->in.generation_id));
	json_object_set_new(v, "enable_unlimited_egress",
	    json_boolean(o->in.enable_unlimited_egress));
	json_object_set_new(v, "request_timestamp_ms",
	    json_integer(o->in.timestamp_ms));
	bi = json_object();
	for (i = 0; i < o->in.nbuyers; i++) {
		pb = &o->in.buyers[i];
		b = json_object();
		json_object_set_new(b, "encoding_version",
		    json_integer(pb->encoding_version));
		json_object_set_new(b, "bytes", json_integer((json_int_t)
		    pb->len));
		json_object_set_new(b, "app_install_signals",
		    paiview_hex(pb->payload, pb->len));
		if (decode)
			decoded(b, pb);
		json_object_set_new(bi, pb->name, b);
	}
	json_object_set_new(v, "buyer_input", bi);
	return v;
}
