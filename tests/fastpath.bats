#!/usr/bin/env bats
# The hot paths that read compact lines without jansson's parser
# (pas-bid, pas-score, and pas-encode's writer of sealed requests)
# against the jansson path of the same tools: every
# record of a pas-synth world, and thousands of variants of them changed
# at random (testdata/fastpath/mutate.py: wrong types, escapes, missing
# members, duplicate keys), go through each tool twice, once compact
# (the fast path where it can) and once with white space (always
# jansson).  Both runs must reject the same lines with the same
# messages and write the same records, value for value.

load common

setup_file() {
	W="$BATS_FILE_TMPDIR/w"
	ROOT="${ADSIG_ROOT:-$BATS_TEST_DIRNAME/..}"
	PATH="$ROOT/bin:$PATH"
	mkdir -p "$W"
	cd "$W"
	pas-synth --seed 3 --devices 40 --requests 200 --ads 300 --days 2 \
		--dim 8 --emit all --dir .
	pas-keygen --seed 1 --key-id 4 -o k
	pas-encode --seed 1 --key-config k.keyconfig world.ndjson > enc.ndjson
	pas-retrieve --secret-key k.sk --ads ads.ndjson --model model.json \
		enc.ndjson > ret.ndjson
	S="$ROOT/examples/egress-schema-20.json"
	U="$ROOT/examples/egress-schema-unlimited.json"
	pas-bid --ads ads.ndjson --model model.json --egress-schema "$S" \
		--temporary-egress-schema "$U" ret.ndjson > bid.ndjson
}

setup() {
	common_setup
	W="$BATS_FILE_TMPDIR/w"
	F="$TD/fastpath"
	cd "$T"
}

# both TOOL-ARGS... < compact-records: runs the tool on the records as
# they are and with white space; the same status, messages and records.
both() {
	mkdir -p c s
	cp in c/in
	python3 "$F/spaced.py" < in > s/in
	set +e
	(cd c && "$@" in > out 2> err); s1=$?
	(cd s && "$@" in > out 2> err); s2=$?
	set -e
	[ "$s1" -eq "$s2" ] || fail "status $s1 compact, $s2 spaced"
	# jansson's own syntax messages name a column, which the spaces move
	diff <(sed 's/column [0-9]*/column N/' c/err) \
	    <(sed 's/column [0-9]*/column N/' s/err) || fail "messages differ"
	python3 "$F/spaced.py" --canon < c/out > c1
	python3 "$F/spaced.py" --canon < s/out > c2
	diff c1 c2 > /dev/null || { diff c1 c2 | head -5; fail "records differ"; }
	[ -s c/out ] || fail "no output"
}

bid() {
	pas-bid --ads "$W/ads.ndjson" --model "$W/model.json" \
		--egress-schema "$ROOT/examples/egress-schema-20.json" \
		--temporary-egress-schema "$ROOT/examples/egress-schema-unlimited.json" \
		--skip-bad -v "$@"
}

score() {
	pas-score --second-price --skip-bad -v "$@"
}

@test "fast path: pas-bid on a world's records, compact = with white space" {
	cp "$W/ret.ndjson" in
	both bid
	grep -q 'rejected 0' c/err
}

@test "fast path: pas-bid on 4000 broken variants, compact = with white space" {
	python3 "$F/mutate.py" 1 4000 < "$W/ret.ndjson" > in
	both bid
	# the variants did reach both paths and the error reports
	n=$(grep -c '"bids"' c/out)
	[ "$n" -gt 1000 ] || fail "only $n requests bid"
	grep -q 'rejected [1-9]' c/err || fail "nothing rejected"
}

@test "fast path: pas-bid --model logistic on broken variants, compact = with white space" {
	python3 "$F/mutate.py" 5 2000 < "$W/ret.ndjson" > in
	both pas-bid --ads "$W/ads.ndjson" --model "$TD/pas-bid/lr-model.json" \
		--schema "$ROOT/examples/egress-schema-20.json" --skip-bad -v
	n=$(grep -c '"bids"' c/out)
	[ "$n" -gt 500 ] || fail "only $n requests bid"
	grep -q 'rejected [1-9]' c/err || fail "nothing rejected"
}

@test "fast path: pas-bid without egress schemas, and with one, compact = with white space" {
	python3 "$F/mutate.py" 6 1000 < "$W/ret.ndjson" > in
	both pas-bid --ads "$W/ads.ndjson" --model "$W/model.json" --skip-bad -v
	rm -rf c s
	both pas-bid --ads "$W/ads.ndjson" --model "$W/model.json" --skip-bad -v \
		--temporary-egress-schema "$ROOT/examples/egress-schema-unlimited.json"
	grep -q 'rejected [1-9]' c/err || fail "nothing rejected"
}

@test "fast path: pas-score on a world's records, compact = with white space" {
	cp "$W/bid.ndjson" in
	both score
	grep -q 'rejected 0' c/err
}

@test "fast path: pas-score on 4000 broken variants, compact = with white space" {
	python3 "$F/mutate.py" 2 4000 < "$W/bid.ndjson" > in
	both score
	n=$(grep -c '"auction"' c/out)
	[ "$n" -gt 1000 ] || fail "only $n auctions"
	grep -q 'rejected [1-9]' c/err || fail "nothing rejected"
}

# encode_both ARGS...: pas-encode on ./in as it is and with white space;
# the same status and messages, the same records, and the same bytes for
# every sealed request (spliced into a canonical request's text, or
# written by jansson).  Other records pass through as they came.
encode_both() {
	mkdir -p c s
	cp in c/in
	python3 "$F/spaced.py" < in > s/in
	set +e
	(cd c && pas-encode --seed 1 --key-config "$W/k.keyconfig" "$@" in \
	    > out 2> err); s1=$?
	(cd s && pas-encode --seed 1 --key-config "$W/k.keyconfig" "$@" in \
	    > out 2> err); s2=$?
	set -e
	[ "$s1" -eq "$s2" ] || fail "status $s1 compact, $s2 spaced"
	diff <(sed 's/column [0-9]*/column N/' c/err) \
	    <(sed 's/column [0-9]*/column N/' s/err) || fail "messages differ"
	cmp <(grep '"auction_input"' c/out) <(grep '"auction_input"' s/out) ||
	    fail "sealed requests differ"
	python3 "$F/spaced.py" --canon < c/out > c1
	python3 "$F/spaced.py" --canon < s/out > c2
	diff c1 c2 > /dev/null || fail "records differ"
	[ -s c/out ] || fail "no output"
}

@test "fast path: pas-encode on a world, compact = with white space, byte for byte" {
	cp "$W/world.ndjson" in
	encode_both -v
	n=$(grep -c '"auction_input"' c/out)
	[ "$n" -eq 200 ] || fail "$n requests sealed"
	# the world's lines are canonical: the compact run took the splice
	python3 -c '
import json, sys
for l in sys.stdin:
    assert l.rstrip("\n") == json.dumps(json.loads(l), separators=(",", ":"),
                                        ensure_ascii=False), l
' < in
	# a request that already has an auction_input is written by jansson,
	# the new one in the old one's place
	grep -m1 '"auction_input"' c/out > in
	encode_both
	n=$(grep -o '"auction_input"' c/out | wc -l)
	[ "$n" -eq 1 ] || fail "$n auction_input members"
}

@test "fast path: pas-encode on 2000 broken variants, compact = with white space" {
	python3 "$F/mutate.py" 7 2000 < "$W/world.ndjson" > in
	encode_both --skip-bad -v --reorder-window 40000000
	n=$(grep -c '"auction_input"' c/out)
	[ "$n" -gt 200 ] || fail "only $n requests sealed"
	grep -q 'rejected [1-9]' c/err || fail "nothing rejected"
}
