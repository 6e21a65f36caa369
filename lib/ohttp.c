#include "ohttp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "xalloc.h"
#include "diag.h"

/* kem_id | kdf_id | aead_id: the only suite the servers accept. */
static const unsigned char suite[6] = { 0x00, 0x20, 0x00, 0x01, 0x00, 0x02 };

static const char label_bhttp[] = "message/bhttp request";
static const char label_auction[] = "message/auction request";

const char *
ohttp_label_string(enum ohttp_label label)
{
	return label == OHTTP_LABEL_AUCTION ? label_auction : label_bhttp;
}

void
ohttp_keyconfig_encode(const struct ohttp_keyconfig *kc,
    unsigned char out[OHTTP_KEYCONFIG_LEN])
{
	out[0] = kc->key_id;
	out[1] = 0x00;
	out[2] = 0x20;
	memcpy(out + 3, kc->pk, HPKE_NPK);
	out[35] = 0x00;		/* symmetric algorithms: 4 bytes */
	out[36] = 0x04;
	memcpy(out + 37, suite + 2, 4);
}

int
ohttp_keyconfig_decode(struct ohttp_keyconfig *kc, const unsigned char *buf,
    size_t len, char *err, size_t errlen)
{
	size_t symlen, i;
	int found = 0;

	if (len < 3 + HPKE_NPK + 2) {
		diag_errf(err, errlen, "key config too short (%zu bytes)", len);
		return OHTTP_ECONFIG;
	}
	if (buf[1] != 0x00 || buf[2] != 0x20) {
		diag_errf(err, errlen, "key config has KEM 0x%02x%02x, not 0x0020",
		    buf[1], buf[2]);
		return OHTTP_ECONFIG;
	}
	symlen = (size_t)buf[35] << 8 | buf[36];
	if (symlen == 0 || symlen % 4 != 0 || 37 + symlen != len) {
		diag_errf(err, errlen, "key config length does not match its "
		    "algorithm list");
		return OHTTP_ECONFIG;
	}
	for (i = 37; i < len; i += 4)
		if (memcmp(buf + i, suite + 2, 4) == 0)
			found = 1;
	if (!found) {
		diag_errf(err, errlen, "key config lacks HKDF-SHA256 with "
		    "AES-256-GCM (0x0001, 0x0002)");
		return OHTTP_ECONFIG;
	}
	kc->key_id = buf[0];
	memcpy(kc->pk, buf + 3, HPKE_NPK);
	return OHTTP_OK;
}

void
ohttp_keyconfig_hex(const struct ohttp_keyconfig *kc,
    char out[OHTTP_KEYCONFIG_HEXLEN + 1])
{
	unsigned char b[OHTTP_KEYCONFIG_LEN];

	ohttp_keyconfig_encode(kc, b);
	sodium_bin2hex(out, OHTTP_KEYCONFIG_HEXLEN + 1, b, sizeof(b));
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
parse_key(json_t *k, size_t i, struct ohttp_keyconfig *kc, char *err,
    size_t errlen)
{
	const char *id, *b64, *p;
	size_t binlen;

	if (!json_is_object(k) ||
	    !json_is_string(json_object_get(k, "id")) ||
	    !json_is_string(json_object_get(k, "key"))) {
		diag_errf(err, errlen, "keys[%zu] needs string members \"id\" "
		    "and \"key\"", i);
		return OHTTP_ECONFIG;
	}
	id = json_string_value(json_object_get(k, "id"));
	b64 = json_string_value(json_object_get(k, "key"));
	for (p = id; *p != '\0'; p++)
		if (hexval((unsigned char)*p) < 0)
			break;
	if (*p != '\0' || p - id < 2) {
		diag_errf(err, errlen, "keys[%zu].id is not hex of at least two "
		    "digits", i);
		return OHTTP_ECONFIG;
	}
	kc->key_id = (uint8_t)(hexval((unsigned char)id[0]) << 4 |
	    hexval((unsigned char)id[1]));
	if (sodium_base642bin(kc->pk, sizeof(kc->pk), b64, strlen(b64), NULL,
	    &binlen, &p, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    *p != '\0' || binlen != HPKE_NPK) {
		diag_errf(err, errlen, "keys[%zu].key is not base64 of 32 bytes",
		    i);
		return OHTTP_ECONFIG;
	}
	return OHTTP_OK;
}

int
ohttp_keys_json_parse(const char *text, size_t len,
    struct ohttp_keyconfig **keys, size_t *nkeys, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root, *arr;
	struct ohttp_keyconfig *out = NULL;
	size_t i, n;
	int rv = OHTTP_ECONFIG;

	*keys = NULL;
	*nkeys = 0;
	if ((root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) ==
	    NULL) {
		diag_errf(err, errlen, "key JSON: line %d column %d: %s", je.line,
		    je.column, je.text);
		return OHTTP_ECONFIG;
	}
	arr = json_object_get(root, "keys");
	if (!json_is_array(arr) || (n = json_array_size(arr)) == 0) {
		diag_errf(err, errlen, "key JSON needs a non-empty array "
		    "\"keys\"");
		goto out;
	}
	out = xcalloc(n, sizeof(*out));
	for (i = 0; i < n; i++)
		if (parse_key(json_array_get(arr, i), i, &out[i], err,
		    errlen) != OHTTP_OK)
			goto out;
	*keys = out;
	*nkeys = n;
	out = NULL;
	rv = OHTTP_OK;
out:
	free(out);
	json_decref(root);
	return rv;
}

char *
ohttp_keys_json_dump(const struct ohttp_keyconfig *keys, size_t n)
{
	/* Ids are hex and keys base64: nothing to escape, so no jansson. */
	char b64[sodium_base64_ENCODED_LEN(HPKE_NPK,
	    sodium_base64_VARIANT_ORIGINAL)], *s;
	size_t i, cap, len;

	cap = sizeof("{\"keys\":[]}") +
	    n * (sizeof("{\"id\":\"\",\"key\":\"\"},") + 16 + sizeof(b64));
	s = xmalloc(cap);
	len = (size_t)snprintf(s, cap, "{\"keys\":[");
	for (i = 0; i < n; i++) {
		sodium_bin2base64(b64, sizeof(b64), keys[i].pk, HPKE_NPK,
		    sodium_base64_VARIANT_ORIGINAL);
		len += (size_t)snprintf(s + len, cap - len,
		    "%s{\"id\":\"%02X00000000000000\",\"key\":\"%s\"}",
		    i > 0 ? "," : "", keys[i].key_id, b64);
	}
	snprintf(s + len, cap - len, "]}");
	return s;
}

size_t
ohttp_encapsulated_len(enum ohttp_label label, size_t ptlen)
{
	return (label == OHTTP_LABEL_AUCTION ? 1 : 0) + OHTTP_HDR_LEN +
	    HPKE_NENC + ptlen + HPKE_NT;
}

/* info = label | 0x00 | hdr into buf (at least 24 + 7 bytes). */
static size_t
make_info(unsigned char *buf, enum ohttp_label label,
    const unsigned char hdr[OHTTP_HDR_LEN])
{
	const char *l = ohttp_label_string(label);
	size_t n = strlen(l);

	memcpy(buf, l, n);
	buf[n] = 0x00;
	memcpy(buf + n + 1, hdr, OHTTP_HDR_LEN);
	return n + 1 + OHTTP_HDR_LEN;
}

int
ohttp_encapsulate(const struct ohttp_keyconfig *kc, enum ohttp_label label,
    const void *pt, size_t ptlen, const unsigned char *skE, struct rng *rng,
    unsigned char *out, char *err, size_t errlen)
{
	struct hpke_ctx ctx;
	unsigned char info[sizeof(label_auction) + OHTTP_HDR_LEN], *hdr;
	size_t infolen;
	int rv = OHTTP_OK;

	if (hpke_available(err, errlen) != 0)
		return OHTTP_ECRYPTO;
	hdr = out;
	if (label == OHTTP_LABEL_AUCTION)
		*hdr++ = 0x00;
	hdr[0] = kc->key_id;
	memcpy(hdr + 1, suite, sizeof(suite));
	infolen = make_info(info, label, hdr);
	if (hpke_setup_base_s(&ctx, hdr + OHTTP_HDR_LEN, kc->pk, info,
	    infolen, skE, rng, err, errlen) != 0)
		rv = OHTTP_ECONFIG;
	else if (hpke_seal(&ctx, hdr + OHTTP_HDR_LEN + HPKE_NENC, NULL, 0, pt,
	    ptlen, err, errlen) != 0)
		rv = OHTTP_ECRYPTO;
	hpke_ctx_wipe(&ctx);
	return rv;
}

int
ohttp_decapsulate(const unsigned char sk[HPKE_NSK], int key_id,
    const unsigned char *in, size_t inlen, unsigned char *pt, size_t *ptlen,
    enum ohttp_label *label, char *err, size_t errlen)
{
	struct hpke_ctx ctx;
	unsigned char info[sizeof(label_auction) + OHTTP_HDR_LEN];
	const unsigned char *hdr;
	enum ohttp_label lab;
	size_t infolen, body;
	int rv = OHTTP_OK;

	*ptlen = 0;
	/*
	 * The two forms, as ParseEncapsulatedRequest tells them apart:
	 * 00 | key_id | suite for the B&A label, key_id | suite for bhttp.
	 */
	if (inlen >= 1 + OHTTP_HDR_LEN && in[0] == 0x00 &&
	    memcmp(in + 2, suite, sizeof(suite)) == 0)
		lab = OHTTP_LABEL_AUCTION;
	else if (inlen >= OHTTP_HDR_LEN &&
	    memcmp(in + 1, suite, sizeof(suite)) == 0)
		lab = OHTTP_LABEL_BHTTP;
	else {
		diag_errf(err, errlen, "not an encapsulated request for HPKE "
		    "suite 0x0020/0x0001/0x0002");
		return OHTTP_EHEADER;
	}
	hdr = lab == OHTTP_LABEL_AUCTION ? in + 1 : in;
	if (key_id >= 0 && hdr[0] != key_id) {
		diag_errf(err, errlen, "request is for key id %d, not %d", hdr[0],
		    key_id);
		return OHTTP_EKEYID;
	}
	body = inlen - (size_t)(hdr - in) - OHTTP_HDR_LEN;
	if (body < HPKE_NENC + HPKE_NT) {
		diag_errf(err, errlen, "encapsulated request truncated "
		    "(%zu bytes)", inlen);
		return OHTTP_EHEADER;
	}
	if (hpke_available(err, errlen) != 0)
		return OHTTP_ECRYPTO;
	infolen = make_info(info, lab, hdr);
	if (hpke_setup_base_r(&ctx, hdr + OHTTP_HDR_LEN, sk, info, infolen,
	    err, errlen) != 0 ||
	    hpke_open(&ctx, pt, NULL, 0, hdr + OHTTP_HDR_LEN + HPKE_NENC,
	    body - HPKE_NENC, err, errlen) != 0) {
		diag_errf(err, errlen, "decryption failed (wrong key or altered "
		    "request)");
		rv = OHTTP_EDECRYPT;
	} else {
		*ptlen = body - HPKE_NENC - HPKE_NT;
		if (label != NULL)
			*label = lab;
	}
	hpke_ctx_wipe(&ctx);
	return rv;
}
