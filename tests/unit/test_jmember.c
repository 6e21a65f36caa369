/*
 * jmember against jansson (the differential test the fast path of
 * pas-score needs): on random lines, valid and broken, whenever
 * jmember_scan vouches for a line, jansson (JSON_REJECT_DUPLICATES) must
 * accept it, with the same top-level keys in the same order and each
 * member's text parsing to the same value.  And the plain walk
 * (jmember_start/next) must find the members of every line jansson
 * accepts, white space or not.
 */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "buf.h"
#include "jmember.h"
#include "rng.h"
#include "unit.h"

static struct rng r;

static const char *pieces[] = {
	"\"a\"", "\"k\"", "\"\\u0001\"", "\"\\u0000\"", "\"\\/\"",
	"\"\\u00e9\"", "\"\\u00E9\"", "\"\xc3\xa9\"", "\"\xc3\"",
	"\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xe0\x80\x80\"",
	"\"\\ud83d\\ude00\"", "\"\\ude00\"", "\"\\ud83d\"", "\"a\tb\"",
	"\"\\n\\t\\\"\\\\\"", "\"\\x\"", "\"\\u12\"", "\"a,b]}\"",
	"0", "-0", "12", "007", "-5", "1.5", "1.50", "1e3", "1E+2", "1e-99",
	"1e400", "1e99", "-1e308", "2.5e-05", "0.1e1", "-", "1.", ".5", "1e",
	"123456789012345678", "-123456789012345678", "1234567890123456789",
	"99999999999999999999", "9223372036854775807",
	"true", "false", "null", "tru", "nul", "truex", "[]", "{}",
	/* long strings: the scan takes eight bytes at a time */
	"\"https://adtech1.example/ads/a-18380.html\"",
	"\"0123456789abcdef\\\"0123456789\"", "\"0123456789abcde\\n\"",
	"\"01234567890\xc3\xa9" "abcdefgh\"", "\"0123456789012\x01xyz\"",
	"\"012345678901234\x7f\"", "\"01234567\xff" "01234567\"",
	"\"0123456\"",
};

static void
gen(struct buf *b, int depth)
{
	size_t i, n;
	uint64_t c = rng_below(&r, depth > 3 ? 3 : 6);

	if (c < 3) {
		buf_adds(b, pieces[rng_below(&r, sizeof(pieces) / sizeof(*pieces))]);
		return;
	}
	n = rng_below(&r, 5);
	if (c == 3) {
		buf_addc(b, '[');
		for (i = 0; i < n; i++) {
			if (i)
				buf_addc(b, ',');
			gen(b, depth + 1);
		}
		buf_addc(b, ']');
		return;
	}
	buf_addc(b, '{');
	for (i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		if (rng_below(&r, 20) == 0)
			buf_adds(b, "\"\\u0061\":");	/* "a", escaped */
		else
			buf_printf(b, "\"%c\":", (char)('a' + rng_below(&r, 8)));
		gen(b, depth + 1);
	}
	buf_addc(b, '}');
}

/* Random damage: a space, a dropped or doubled byte. */
static void
mutate(struct buf *b)
{
	size_t at;

	if (b->len == 0)
		return;
	at = rng_below(&r, b->len);
	switch (rng_below(&r, 3)) {
	case 0:
		buf_addc(b, ' ');
		memmove(b->p + at + 1, b->p + at, b->len - at - 1);
		b->p[at] = ' ';
		break;
	case 1:
		memmove(b->p + at, b->p + at + 1, b->len - at - 1);
		b->len--;
		b->p[b->len] = '\0';
		break;
	default:
		buf_addc(b, b->p[at]);
		break;
	}
}

/* The members found agree with jansson's object v. */
static int
agree(json_t *v, const struct jmember *m, size_t n)
{
	const char *k;
	json_t *x, *y;
	size_t i = 0;
	int ok = 1;

	if (json_object_size(v) != n)
		return 0;
	json_object_foreach(v, k, x) {
		if (strlen(k) != m[i].keylen ||
		    memcmp(k, m[i].key, m[i].keylen) != 0)
			return 0;
		y = json_loadb(m[i].val, m[i].vallen, JSON_DECODE_ANY, NULL);
		if (y == NULL || !json_equal(x, y))
			ok = 0;
		json_decref(y);
		i++;
	}
	return ok;
}

/*
 * The element walk over member m of the accepted object v (when its
 * value is an array) gives the elements jansson sees, in order.
 */
static int
elems_agree(json_t *v, const struct jmember *m)
{
	struct jmember_it it;
	json_t *a, *x, *y;
	const char *val;
	size_t len, i = 0;
	int ok = 1;

	if (v == NULL || m->vallen == 0 || m->val[0] != '[')
		return 1;
	a = json_loadb(m->val, m->vallen, JSON_DECODE_ANY, NULL);
	if (!json_is_array(a) || jmember_elem_start(&it, m->val,
	    m->vallen) != 0) {
		json_decref(a);
		return 0;
	}
	while (jmember_elem_next(&it, &val, &len) == 1) {
		x = json_array_get(a, i++);
		y = json_loadb(val, len, JSON_DECODE_ANY, NULL);
		if (x == NULL || y == NULL || !json_equal(x, y))
			ok = 0;
		json_decref(y);
	}
	if (i != json_array_size(a))
		ok = 0;
	json_decref(a);
	return ok;
}

/*
 * jmember_value() builds the tree jansson builds: the same compact dump
 * (members in order, integers apart from reals).
 */
static int
same_tree(json_t *v, const char *text, size_t len)
{
	json_t *t = jmember_value(text, len);
	char *a, *b;
	int ok;

	if (t == NULL)
		return 0;
	a = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	b = json_dumps(t, JSON_COMPACT | JSON_ENCODE_ANY);
	ok = a != NULL && b != NULL && strcmp(a, b) == 0 && json_equal(v, t);
	if (!ok)
		fprintf(stderr, "tree differs: %s\n  got %s\n", a, b);
	free(a);
	free(b);
	json_decref(t);
	return ok;
}

/*
 * Node i of the tape and its subtree agree with jansson's value v: the
 * type, the children (keys in order), the text of each node, string
 * values, numbers to the bit; *j ends at the node after the subtree.
 */
static int
tape_agree(const struct jtape *t, size_t *j, json_t *v)
{
	const struct jnode *n = &t->v[*j];
	const char *k;
	json_t *x, *y;
	size_t i, end = n->next;
	double d, e;
	int ok;

	if (*j >= t->n || end > t->n || end <= *j)
		return 0;
	y = json_loadb(n->val, n->vallen, JSON_DECODE_ANY, NULL);
	ok = y != NULL && json_equal(v, y);
	json_decref(y);
	if (!ok)
		return 0;
	++*j;
	switch (n->type) {
	case JNODE_OBJECT:
		if (!json_is_object(v) || json_object_size(v) != n->n)
			return 0;
		json_object_foreach(v, k, x) {
			if (*j >= end || t->v[*j].key == NULL ||
			    strlen(k) != t->v[*j].keylen ||
			    memcmp(k, t->v[*j].key, t->v[*j].keylen) != 0 ||
			    jtape_find(t, (long)(n - t->v), k, strlen(k)) !=
			    (long)*j || !tape_agree(t, j, x))
				return 0;
		}
		break;
	case JNODE_ARRAY:
		if (!json_is_array(v) || json_array_size(v) != n->n)
			return 0;
		json_array_foreach(v, i, x)
			if (*j >= end || t->v[*j].key != NULL ||
			    !tape_agree(t, j, x))
				return 0;
		break;
	case JNODE_STRING:
		if (!json_is_string(v) || (!n->esc &&
		    (json_string_length(v) != n->vallen - 2 ||
		    memcmp(json_string_value(v), n->val + 1,
		    n->vallen - 2) != 0)) || (n->esc &&
		    memchr(n->val, '\\', n->vallen) == NULL) ||
		    (!n->esc && memchr(n->val, '\\', n->vallen) != NULL))
			return 0;
		break;
	case JNODE_NUMBER:
		if (!json_is_number(v) || json_is_real(v) != n->real)
			return 0;
		d = jtape_number(n);
		e = json_number_value(v);
		if (memcmp(&d, &e, sizeof(d)) != 0)
			return 0;
		break;
	case JNODE_TRUE:
		return json_is_true(v) && *j == end;
	case JNODE_FALSE:
		return json_is_false(v) && *j == end;
	case JNODE_NULL:
		return json_is_null(v) && *j == end;
	default:
		return 0;
	}
	return *j == end;
}

/*
 * jmember_scan_tape() of each top-level member of a vouched line, and of
 * a key it does not have: the member's subtree of the whole tape full
 * (the same nodes, next shifted), or -1.
 */
static int
member_tapes_ok(const struct jtape *full, const char *text, size_t len)
{
	struct jmember m[JMEMBER_MAXKEYS];
	struct jtape s = { 0 };
	const struct jnode *a, *b;
	size_t i, j, n, base;
	long node;
	int ok = 1;

	for (i = 1; ok && i < full->n; i = full->v[i].next) {
		if (jmember_scan_tape(text, len, m, &n, full->v[i].key,
		    full->v[i].keylen, &s, &node) != 0 || node != 0 ||
		    s.n != full->v[i].next - i) {
			ok = 0;
			break;
		}
		for (base = i, j = 0; j < s.n; j++) {
			a = &s.v[j];
			b = &full->v[base + j];
			if (a->type != b->type || a->val != b->val ||
			    a->vallen != b->vallen || a->n != b->n ||
			    a->esc != b->esc || a->real != b->real ||
			    a->keylen != b->keylen || a->key != b->key ||
			    a->next != b->next - base)
				ok = 0;
		}
	}
	if (ok && (jmember_scan_tape(text, len, m, &n, "\"absent", 7, &s,
	    &node) != 0 || node != -1))
		ok = 0;
	jtape_free(&s);
	return ok;
}

/* The tape of text: accepted exactly when jmember_scan accepts it, and
 * then true to jansson's tree v. */
static int
tape_ok(struct jtape *t, const char *text, size_t len, int vouched, json_t *v)
{
	size_t j = 0;

	if (jtape_scan(text, len, t) != 0)
		return !vouched;
	if (!vouched || v == NULL || t->n == 0 || t->v[0].key != NULL)
		return 0;
	return tape_agree(t, &j, v) && j == t->n && t->v[0].next == t->n &&
	    member_tapes_ok(t, text, len);
}

static int
scan_ok(const char *s)
{
	struct jmember m[JMEMBER_MAXKEYS];
	size_t n;

	return jmember_scan(s, strlen(s), m, &n) == 0;
}

int
main(void)
{
	struct jmember m[JMEMBER_MAXKEYS], w[64];
	struct jmember_it it;
	struct buf line = { 0 };
	uint64_t seed = 1;
	json_t *v;
	size_t n, nw;
	int i, vouched = 0, jansson_ok = 0, wrong = 0, walk_wrong = 0;
	int elem_wrong = 0, tree_wrong = 0, tape_wrong = 0, vs;
	int many_wrong = 0, many_dup = 0;
	struct jtape tape = { 0 };
	size_t j;

	rng_global_init();
	rng_init(&r, &seed, "jmember", 7);
	for (i = 0; i < unit_n(300000); i++) {
		line.len = 0;
		buf_adds(&line, "{\"type\":\"request\",\"x\":");
		gen(&line, 1);
		if (rng_below(&r, 2)) {
			buf_adds(&line, ",\"bids\":");
			gen(&line, 1);
		}
		buf_addc(&line, '}');
		if (rng_below(&r, 3) == 0)
			mutate(&line);
		v = json_loadb(line.p, line.len, JSON_REJECT_DUPLICATES, NULL);
		if (v != NULL && json_is_object(v)) {
			jansson_ok++;
			/* the plain walk over any accepted line */
			nw = 0;
			if (jmember_start(&it, line.p, line.len) == 0)
				while (nw < 64 && jmember_next(&it, &w[nw]) == 1)
					nw++;
			if (nw != json_object_size(v))
				walk_wrong++;
			/* the walk ends past the closing brace */
			if (nw < 64) {
				const char *e = jmember_stop(&it);

				if (e == NULL || e[-1] != '}')
					walk_wrong++;
				else
					for (; e < line.p + line.len; e++)
						if (*e != ' ' && *e != '\t' &&
						    *e != '\n' && *e != '\r')
							walk_wrong++;
			}
			for (j = 0; j < nw; j++)
				if (!elems_agree(v, &w[j]))
					elem_wrong++;
		}
		vs = jmember_scan(line.p, line.len, m, &n) == 0;
		if (!tape_ok(&tape, line.p, line.len, vs, v)) {
			if (++tape_wrong < 5)
				fprintf(stderr, "tape wrong: %s\n", line.p);
		}
		if (vs) {
			vouched++;
			if (v != NULL && !same_tree(v, line.p, line.len))
				tree_wrong++;
			if (v == NULL || !agree(v, m, n)) {
				wrong++;
				if (wrong < 5)
					fprintf(stderr, "vouched for: %s\n", line.p);
			}
		}
		json_decref(v);
	}
	CHECK(wrong == 0);
	CHECK(walk_wrong == 0);
	CHECK(elem_wrong == 0);
	CHECK(tree_wrong == 0);
	CHECK(tape_wrong == 0);
	/* the test means something: many lines of each kind */
	CHECK(vouched > unit_n(20000));
	CHECK(jansson_ok > vouched);
	fprintf(stderr, "jmember: %d of %d lines jansson accepts vouched for\n",
	    vouched, jansson_ok);

	/* by hand */
	CHECK(scan_ok("{\"a\":1,\"b\":[true,null,{\"c\":\"\\u00e9\"}]}"));
	CHECK(scan_ok("{}"));
	CHECK(!scan_ok("{\"a\":1, \"b\":2}"));		/* white space */
	CHECK(!scan_ok("{\"a\":1,\"a\":2}"));		/* duplicate */
	CHECK(!scan_ok("{\"a\":{\"b\":1,\"b\":2}}"));	/* nested duplicate */
	CHECK(!scan_ok("{\"\\u0061\":1}"));		/* escaped key */
	CHECK(!scan_ok("{\"a\":\"\\u0000\"}"));
	CHECK(!scan_ok("{\"a\":\"\\ud83d\\ude00\"}"));	/* jansson decides */
	CHECK(!scan_ok("{\"a\":1234567890123456789}"));
	CHECK(scan_ok("{\"a\":123456789012345678}"));
	CHECK(!scan_ok("{\"a\":1e400}"));
	CHECK(scan_ok("{\"a\":1e99}"));
	CHECK(!scan_ok("[1]"));
	CHECK(!scan_ok("{\"a\":1}x"));
	/* strings are checked 8 bytes at a time: every position of a byte */
	for (j = 0; j < 20; j++) {
		static const char bad[] = { '\x01', '\x1f', '"', '\\', '\xff' };
		char t[64];
		size_t b;

		for (b = 0; b < sizeof(bad); b++) {
			snprintf(t, sizeof(t), "{\"k\":\"%.*sX%.*s\"}", (int)j,
			    "abcdefghijklmnopqrstuvwxyz", (int)(20 - j),
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
			t[6 + j] = bad[b];
			CHECK(!scan_ok(t));
		}
		snprintf(t, sizeof(t), "{\"k\":\"%.*s\x7f\xc3\xa9 ~%.*s\"}",
		    (int)j, "abcdefghijklmnopqrstuvwxyz", (int)(20 - j),
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
		CHECK(scan_ok(t));
	}
	/* the end of an object walked from the middle of an array */
	{
		const char *arr = "[{\"a\":1,\"b\":{\"c\":2}},{}]";

		CHECK(jmember_start(&it, arr + 1, strlen(arr) - 1) == 0);
		nw = 0;
		while (jmember_next(&it, &w[0]) == 1)
			nw++;
		CHECK(nw == 2 && jmember_stop(&it) == arr + 20);
		CHECK(jmember_start(&it, arr + 21, strlen(arr) - 21) == 0 &&
		    jmember_next(&it, &w[0]) == 0 &&
		    jmember_stop(&it) == arr + 23);
	}
	CHECK(jmember_scan("{\"a\":1,\"bb\":[2,3]}", 18, m, &n) == 0 &&
	    n == 2 && m[1].keylen == 2 && m[1].vallen == 5 &&
	    memcmp(m[1].val, "[2,3]", 5) == 0);
	/*
	 * Objects of many keys (the duplicate check hashes past eight),
	 * some named twice: vouched for exactly when jansson accepts them
	 * and they have at most JMEMBER_MAXKEYS keys.
	 */
	for (i = 0; i < unit_n(20000); i++) {
		size_t nk = rng_below(&r, 70), pool = 8 + rng_below(&r, 200);

		line.len = 0;
		buf_addc(&line, '{');
		for (j = 0; j < nk; j++)
			buf_printf(&line, "%s\"%s.%u\":%zu", j ? "," : "",
			    rng_below(&r, 2) ? "igam.log_count" : "k",
			    (unsigned)rng_below(&r, pool), j);
		buf_printf(&line, "%s\"x\":{\"a\":[1,{\"b\":2}]}}",
		    nk ? "," : "");
		v = json_loadb(line.p, line.len, JSON_REJECT_DUPLICATES, NULL);
		vs = jmember_scan(line.p, line.len, m, &n) == 0;
		if (vs != (v != NULL && nk + 1 <= JMEMBER_MAXKEYS) ||
		    !tape_ok(&tape, line.p, line.len, vs, v))
			many_wrong++;
		many_dup += v == NULL;
		json_decref(v);
	}
	CHECK(many_wrong == 0);
	CHECK(many_dup > unit_n(5000) && many_dup < unit_n(15000));

	/* the tape by hand: {"a":1,"bb":[2,-0.5],"c":{}} */
	CHECK(jtape_scan("{\"a\":1,\"bb\":[2,-0.5],\"c\":{}}", 28, &tape) == 0 &&
	    tape.n == 6 && tape.v[0].n == 3 && tape.v[0].next == 6 &&
	    tape.v[2].type == JNODE_ARRAY && tape.v[2].n == 2 &&
	    tape.v[2].next == 5 && tape.v[4].real &&
	    jtape_number(&tape.v[4]) == -0.5 && tape.v[5].keylen == 1 &&
	    jtape_find(&tape, 0, "bb", 2) == 2 &&
	    jtape_find(&tape, 0, "b", 1) == -1 &&
	    jtape_find(&tape, 2, "a", 1) == -1);
	CHECK(jtape_scan("{\"a\":1, \"b\":2}", 15, &tape) == -1);
	jtape_free(&tape);
	buf_free(&line);
	return unit_report();
}
