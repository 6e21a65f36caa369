#!/usr/bin/env bats
# egress-noise(1): validation, wire form, noise and decoding of egress
# payloads.  Expected wire strings are worked by hand below and checked a
# second time against tests/egress_ref.py, a Python model of SPEC-PAS.md
# section 6 written from the SPEC's words.

load common

setup() {
	common_setup
	F="$TD/egress-noise"
	REF="$ROOT/tests/egress_ref.py"
}

# A payload of one feature: pl TYPE VALUE
pl() {
	printf '{"features":[{"name":"%s","value":%s}]}' "$1" "$2"
}

# The wire form of one bare payload under schema $1: wire SCHEMA PAYLOAD [flags]
wire() {
	local s="$1" p="$2"
	shift 2
	printf '{"temporary_unlimited_egress_payload":%s}\n' "$p" |
		egress-noise -p 0 --temporary-egress-schema "$s" "$@" 2>/dev/null |
		python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["temporary_unlimited_egress_payload"])'
}

@test "egress-noise: the SPEC-PAS.md wire vector 01 82 40 -> AYJA" {
	# u7 = 2 -> 0000010 (bits 0-6), boolean true -> bit 7, histogram
	# [s1 = -1] -> 1 (bit 8): 1 1000 0010 = 0x0182, header (2 << 5) = 0x40.
	P='{"features":[{"name":"unsigned-integer-feature","value":2},{"name":"boolean-feature","value":true},{"name":"histogram-feature","value":[{"name":"signed-integer-feature","value":-1}]}]}'
	run -0 wire "$F/spec.json" "$P"
	assert_output AYJA
	echo "$P" > "$T/p"
	run -0 python3 "$REF" encode "$F/spec.json" "$T/p" none
	assert_output AYJA
}

@test "egress-noise: signed edges, worked by hand (size 3: -4..3)" {
	# -4 -> 100 = 0x04, header 0x00: bytes 04 00 -> 000001 000000 0000.. = "BAA="
	run -0 wire "$F/signed3.json" "$(pl signed-integer-feature -4)"
	assert_output "BAA="
	# -1 -> 111 = 0x07: 07 00 -> 000001 110000 = "BwA="
	run -0 wire "$F/signed3.json" "$(pl signed-integer-feature -1)"
	assert_output "BwA="
	# -3 -> 101 = 0x05: 05 00 -> 000001 010000 = "BQA="
	run -0 wire "$F/signed3.json" "$(pl signed-integer-feature -3)"
	assert_output "BQA="
	# 3 -> 011: 03 00 -> 000000 110000 = "AwA="
	run -0 wire "$F/signed3.json" "$(pl signed-integer-feature 3)"
	assert_output "AwA="
	# 4 and -5 are out of range: invalid, so ""
	run -0 wire "$F/signed3.json" "$(pl signed-integer-feature 4)"
	assert_output ""
	run -0 wire "$F/signed3.json" "$(pl signed-integer-feature -5)"
	assert_output ""
	for v in -4 -3 -1 0 3; do
		pl signed-integer-feature "$v"; echo
	done > "$T/p"
	run -0 python3 "$REF" encode "$F/signed3.json" "$T/p" none
	assert_output $'BAA=\nBQA=\nBwA=\nAAA=\nAwA='
}

@test "egress-noise: bucket order, worked by hand (item 0 is the lowest bit)" {
	# [true,false] -> 01 = 0x01, header (1 << 5) = 0x20: 01 20 ->
	# 000000 010010 0000.. = "ASA="
	run -0 wire "$F/bucket2.json" "$(pl bucket-feature '[{"value":true},{"value":false}]')"
	assert_output "ASA="
	# [false,true] -> 10 = 0x02: 02 20 -> 000000 100010 = "AiA="
	run -0 wire "$F/bucket2.json" "$(pl bucket-feature '[{"value":false},{"value":true}]')"
	assert_output "AiA="
	# three items for a bucket of two: invalid
	run -0 wire "$F/bucket2.json" "$(pl bucket-feature '[{"value":false},{"value":true},{"value":true}]')"
	assert_output ""
}

@test "egress-noise: histogram order, worked by hand (last sub-feature highest)" {
	# [u2 = 2, s3 = -3] -> s3 101 above u2 10: 10110 = 0x16, header
	# (3 << 5) = 0x60: 16 60 -> 000101 100110 0000.. = "FmA="
	P='{"features":[{"name":"histogram-feature","value":[{"name":"unsigned-integer-feature","value":2},{"name":"signed-integer-feature","value":-3}]}]}'
	run -0 wire "$F/hist.json" "$P"
	assert_output "FmA="
	echo "$P" > "$T/p"
	run -0 python3 "$REF" encode "$F/hist.json" "$T/p" none
	assert_output "FmA="
	# sub-features swapped: the names do not match the schema's order
	run -0 wire "$F/hist.json" '{"features":[{"name":"histogram-feature","value":[{"name":"signed-integer-feature","value":-3},{"name":"unsigned-integer-feature","value":2}]}]}'
	assert_output ""
}

@test "egress-noise: limits clear egress_payload over its bits, never the unlimited one" {
	# u8 = 0xab, boolean true: 1 1010 1011 = 0x01ab in 2 bytes, header
	# 0x00: 01 ab 00 -> 000000 011010 101100 000000 = "AasA"; 9 bits.
	P='{"features":[{"name":"unsigned-integer-feature","value":171},{"name":"boolean-feature","value":true}]}'
	R="{\"id\":\"x\",\"egress_payload\":$P,\"temporary_unlimited_egress_payload\":$P}"
	run -0 egress-noise -p 0 --schema "$F/nine.json" <<<"$R"
	assert_output '{"id":"x","egress_payload":"","temporary_unlimited_egress_payload":"AasA"}'
	run -0 egress-noise -p 0 --schema "$F/nine.json" --limit 8 <<<"$R"
	assert_output '{"id":"x","egress_payload":"","temporary_unlimited_egress_payload":"AasA"}'
	run -0 egress-noise -p 0 --schema "$F/nine.json" --limit 9 <<<"$R"
	assert_output '{"id":"x","egress_payload":"AasA","temporary_unlimited_egress_payload":"AasA"}'
	run -0 egress-noise -p 0 --schema "$F/nine.json" --limit 20 <<<"$R"
	assert_output '{"id":"x","egress_payload":"AasA","temporary_unlimited_egress_payload":"AasA"}'
	# cleared payloads are counted
	run -0 --separate-stderr egress-noise -v -p 0 --schema "$F/nine.json" <<<"$R"
	[ "$stderr" = "egress-noise: read 1, wrote 1, rejected 0, payloads 2, invalid 0, cleared 1" ]
}

@test "egress-noise: pas-score reports and bare records; every other field kept in order" {
	run -0 --separate-stderr egress-noise -v -p 0 --schema "$F/spec.json" --limit 20 "$F/reports.ndjson"
	assert_line --index 0 '{"id":"r-1","ts":1685580000,"auction":{"winner":{"buyer":"b.example","ad_id":"a-7","bid":2.5,"price":2.5,"score":2.5},"scored":1},"reports":[{"buyer":"b.example","type":"win","ad_id":"a-7","price":2.5,"egress_payload":"AYJA","temporary_unlimited_egress_payload":"AYJA"},{"buyer":"c.example","type":"loss","ad_id":"a-9","price":2.5}]}'
	assert_line --index 1 '{"id":"r-2","ts":1685580001,"auction":{"winner":null,"reason":"no_bids"},"reports":[]}'
	assert_line --index 2 '{"id":"r-3","egress_payload":"AYJA","temporary_unlimited_egress_payload":"AYJA"}'
	[ "$stderr" = "egress-noise: read 3, wrote 3, rejected 0, payloads 4, invalid 0, cleared 0" ]
}

@test "egress-noise: a payload given as JSON text, as the real generateBid returns it" {
	run -0 egress-noise -p 0 --schema "$F/spec.json" --limit 9 <<<'{"egress_payload":"{\"features\":[{\"name\":\"unsigned-integer-feature\",\"value\":2},{\"name\":\"boolean-feature\",\"value\":true},{\"name\":\"histogram-feature\",\"value\":[{\"name\":\"signed-integer-feature\",\"value\":-1}]}]}"}'
	assert_output '{"egress_payload":"AYJA"}'
}

@test "egress-noise: an invalid payload becomes \"\" with no detail, counted on stderr" {
	good='{"name":"unsigned-integer-feature","value":2},{"name":"boolean-feature","value":true}'
	h='{"name":"histogram-feature","value":[{"name":"signed-integer-feature","value":-1}]}'
	{
		echo "{\"id\":1,\"egress_payload\":{\"features\":[$good]}}"		# too few
		echo "{\"id\":2,\"egress_payload\":{\"features\":[$good,$h,$h]}}"	# too many
		echo "{\"id\":3,\"egress_payload\":{\"features\":[$h,$good]}}"		# order
		echo "{\"id\":4,\"egress_payload\":{\"features\":[{\"name\":\"unsigned-integer-feature\",\"value\":128},{\"name\":\"boolean-feature\",\"value\":true},$h]}}"
		echo "{\"id\":5,\"egress_payload\":{\"features\":[{\"name\":\"unsigned-integer-feature\",\"value\":2},{\"name\":\"boolean-feature\",\"value\":1},$h]}}"
		echo "{\"id\":6,\"egress_payload\":{\"features\":[$good,{\"name\":\"histogram-feature\",\"value\":[{\"name\":\"signed-integer-feature\",\"value\":1}]}]}}"
		echo "{\"id\":7,\"egress_payload\":{\"features\":[$good,{\"name\":\"histogram-feature\",\"value\":[{\"name\":\"unsigned-integer-feature\",\"value\":0}]}]}}"
		echo '{"id":8,"egress_payload":"not json"}'
		echo '{"id":9,"egress_payload":null}'
		echo '{"id":10,"egress_payload":[1]}'
		echo "{\"id\":11,\"egress_payload\":{\"features\":[$good,$h]}}"		# valid
	} > "$T/in"
	run -0 --separate-stderr egress-noise -p 0 --egress-schema "$F/spec.json" --limit 9 "$T/in"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		assert_line --index $((i - 1)) "{\"id\":$i,\"egress_payload\":\"\"}"
	done
	assert_line --index 10 '{"id":11,"egress_payload":"AYJA"}'
	[ "$stderr" = "egress-noise: read 11, wrote 11, rejected 0, payloads 11, invalid 10, cleared 0" ]
}

@test "egress-noise: a payload of a kind without a schema is a bad record" {
	run -65 --separate-stderr egress-noise --egress-schema "$F/spec.json" <<<'{"temporary_unlimited_egress_payload":{"features":[]}}'
	[ "$stderr" = 'egress-noise: <stdin>:1: temporary_unlimited_egress_payload without a schema (give --temporary-egress-schema or --schema)' ]
	run -0 --separate-stderr egress-noise --skip-bad --egress-schema "$F/spec.json" <<<$'{"temporary_unlimited_egress_payload":{"features":[]}}\n{"a":1}'
	assert_output '{"a":1}'
	[ "${lines[0]}" = '{"a":1}' ]
}

@test "egress-noise: decode(encode(x)) == x and the wire form matches the Python model, 200 random schemas" {
	run -0 python3 "$REF" roundtrip 7 200 "$T"
	assert_output "200 schemas, 0 failures"
}

@test "egress-noise: over 100,000 payloads, p = 0.01 changes p (1 - 2^-3) of them (99.9% binomial interval)" {
	python3 "$REF" flat 11 100000 "$F/noise3.json" > "$T/in"
	egress-noise -p 0 --temporary-egress-schema "$F/noise3.json" "$T/in" |
		egress-noise --decode --temporary-egress-schema "$F/noise3.json" > "$T/clean"
	egress-noise --seed 42 -p 0.01 --temporary-egress-schema "$F/noise3.json" "$T/in" |
		egress-noise --decode --temporary-egress-schema "$F/noise3.json" > "$T/noised"
	run -0 python3 "$REF" stats "$F/noise3.json" 0.01 "$T/clean" "$T/noised"
	echo "$output"
	# the default p is 0.01 too
	egress-noise --seed 42 --temporary-egress-schema "$F/noise3.json" "$T/in" |
		egress-noise --decode --temporary-egress-schema "$F/noise3.json" > "$T/noised2"
	cmp "$T/noised" "$T/noised2"
}

@test "egress-noise: replaced values are uniform over each type's range (chi-square, p = 1)" {
	python3 "$REF" flat 12 100000 "$F/uniform.json" > "$T/in"
	egress-noise -p 0 --temporary-egress-schema "$F/uniform.json" "$T/in" |
		egress-noise --decode --temporary-egress-schema "$F/uniform.json" > "$T/clean"
	egress-noise --seed 5 -p 1 --temporary-egress-schema "$F/uniform.json" "$T/in" |
		egress-noise --decode --temporary-egress-schema "$F/uniform.json" > "$T/noised"
	run -0 python3 "$REF" stats "$F/uniform.json" 1 "$T/clean" "$T/noised"
	echo "$output"
	[ "${#lines[@]}" -eq 10 ]
}

@test "egress-noise: --seed is reproducible, keyed by record id, so shards equal the whole" {
	python3 "$REF" flat 3 2000 "$F/uniform.json" > "$T/in"
	egress-noise --seed 9 -p 0.3 --temporary-egress-schema "$F/uniform.json" "$T/in" > "$T/a"
	egress-noise --seed 9 -p 0.3 --temporary-egress-schema "$F/uniform.json" "$T/in" > "$T/b"
	cmp "$T/a" "$T/b"
	head -n 700 "$T/in" > "$T/s1"
	tail -n +701 "$T/in" > "$T/s2"
	egress-noise --seed 9 -p 0.3 --temporary-egress-schema "$F/uniform.json" "$T/s2" > "$T/c2"
	egress-noise --seed 9 -p 0.3 --temporary-egress-schema "$F/uniform.json" "$T/s1" > "$T/c1"
	cat "$T/c1" "$T/c2" | cmp - "$T/a"
	egress-noise --seed 10 -p 0.3 --temporary-egress-schema "$F/uniform.json" "$T/in" > "$T/d"
	! cmp -s "$T/a" "$T/d"
}

@test "egress-noise: --decode writes a row per payload, joined with outcomes by id" {
	egress-noise -p 0 --schema "$F/spec.json" --limit 20 "$F/reports.ndjson" > "$T/w"
	run -0 --separate-stderr egress-noise --decode -v --schema "$F/spec.json" "$T/w"
	assert_output $'{"f0":2,"f1":1,"f2_0":-1}\n{"f0":2,"f1":1,"f2_0":-1}'
	[ "$stderr" = "egress-noise: read 3, used 3, rejected 0, payloads 2, rows 2, cleared 0" ]
	run -0 egress-noise --decode --schema "$F/spec.json" --kind egress --keep id,ts --outcomes "$F/outcomes.ndjson" "$T/w"
	assert_output $'{"id":"r-1","ts":1685580000,"f0":2,"f1":1,"f2_0":-1,"click":1,"install":0}\n{"id":"r-3","ts":null,"f0":2,"f1":1,"f2_0":-1,"click":1,"install":1}'
	run -0 egress-noise --decode --csv --schema "$F/spec.json" --keep id,ts --outcomes "$F/outcomes.ndjson" "$T/w"
	assert_output $'id,ts,f0,f1,f2_0,click,install\nr-1,1685580000,2,1,-1,1,0\nr-3,,2,1,-1,1,1'
}

@test "egress-noise: --decode counts cleared payloads and rows without an outcome" {
	egress-noise -p 0 --schema "$F/spec.json" "$F/reports.ndjson" > "$T/w"
	run -0 --separate-stderr egress-noise --decode -v --egress-schema "$F/spec.json" "$T/w"
	assert_output ''
	[ "$stderr" = "egress-noise: read 3, used 3, rejected 0, payloads 2, rows 0, cleared 2" ]
	run -0 --separate-stderr egress-noise --decode --csv -v --schema "$F/spec.json" "$T/w"
	assert_output $'f0,f1,f2_0\n2,1,-1\n2,1,-1'
	printf '{"type":"outcome","id":"r-3","click":false,"install":false}\n{"type":"other"}\n' > "$T/o"
	run -0 --separate-stderr egress-noise --decode -v --schema "$F/spec.json" --outcomes "$T/o" "$T/w"
	assert_output '{"f0":2,"f1":1,"f2_0":-1,"click":0,"install":0}'
	[ "$stderr" = "egress-noise: read 3, used 3, rejected 0, payloads 2, rows 1, cleared 0, no outcome 1" ]
}

@test "egress-noise: --decode --buyer keeps one buyer's payloads, counts the others" {
	egress-noise -p 0 --schema "$F/spec.json" --limit 20 "$F/reports.ndjson" > "$T/w"
	# r-1 again, won by c.example
	sed -n 1p "$T/w" | sed 's/"id":"r-1"/"id":"r-1c"/; s/"buyer":"b.example","type":"win"/"buyer":"c.example","type":"win"/' >> "$T/w"
	run -0 --separate-stderr egress-noise --decode -v --schema "$F/spec.json" --kind egress --keep id --buyer b.example "$T/w"
	assert_output '{"id":"r-1","f0":2,"f1":1,"f2_0":-1}'
	# r-1c's report is c.example's; r-3 is a bare record without a buyer
	[ "$stderr" = "egress-noise: read 4, used 4, rejected 0, payloads 1, rows 1, cleared 0, other buyers 2" ] || fail "$stderr"
	run -0 --separate-stderr egress-noise --decode --schema "$F/spec.json" --kind egress --keep id --buyer c.example "$T/w"
	assert_output '{"id":"r-1c","f0":2,"f1":1,"f2_0":-1}'
	run -64 --separate-stderr egress-noise --schema "$F/spec.json" --buyer b.example "$T/w"
	[ "${stderr%%$'\n'*}" = "egress-noise: --kind, --outcomes, --keep and --buyer go with --decode" ] || fail "$stderr"
}

@test "egress-noise: --decode of 64-bit values: all 64 bits set, quoted in NDJSON" {
	# 8 bytes ff then header 00: "//////////8A"
	run -0 egress-noise --decode --schema "$F/u64.json" <<<'{"temporary_unlimited_egress_payload":"//////////8A"}'
	assert_output '{"f0":"18446744073709551615"}'
	run -0 egress-noise --decode --csv --schema "$F/u64.json" <<<'{"temporary_unlimited_egress_payload":"//////////8A"}'
	assert_output $'f0\n18446744073709551615'
}

@test "egress-noise: --decode of a bad wire payload is a bad record with file:line" {
	printf '{"id":"a","temporary_unlimited_egress_payload":"AYJA"}\n{"id":"b","reports":[{"temporary_unlimited_egress_payload":"AYJB"}]}\n{"temporary_unlimited_egress_payload":7}\n' > "$T/w"
	run -65 --separate-stderr egress-noise --decode --schema "$F/spec.json" "$T/w"
	assert_output '{"f0":2,"f1":1,"f2_0":-1}'
	[ "$stderr" = "egress-noise: $T/w:2: reports[0].temporary_unlimited_egress_payload: payload protocol 1, want 0" ]
	run -0 --separate-stderr egress-noise --decode --skip-bad --rejects "$T/rej" --schema "$F/spec.json" "$T/w"
	assert_output '{"f0":2,"f1":1,"f2_0":-1}'
	[ "$stderr" = "egress-noise: read 3, used 1, rejected 2, payloads 1, rows 1, cleared 0" ]
	run -0 cat "$T/rej"
	assert_line --index 1 "{\"file\":\"$T/w\",\"line\":3,\"reason\":\"temporary_unlimited_egress_payload is not a wire payload (a string)\",\"record\":\"{\\\"temporary_unlimited_egress_payload\\\":7}\"}"
	# the version in the header must be the schema's
	run -65 --separate-stderr egress-noise --decode --schema "$F/signed3.json" <<<'{"temporary_unlimited_egress_payload":"AYJA"}'
	[[ "$stderr" == "egress-noise: <stdin>:1: temporary_unlimited_egress_payload: "* ]]
}

@test "egress-noise: bad outcomes files" {
	printf 'x\n' | egress-noise -p 0 --schema "$F/spec.json" --skip-bad > /dev/null 2>&1 || true
	printf '{"type":"outcome","id":"r-1","click":1}\n' > "$T/o"
	run -65 --separate-stderr egress-noise --decode --schema "$F/spec.json" --outcomes "$T/o" /dev/null
	[ "$stderr" = "egress-noise: $T/o:1: click and install must be true or false" ]
	printf '{"type":"outcome","id":"r-1"}\n{"type":"outcome","id":"r-1"}\n' > "$T/o"
	run -65 --separate-stderr egress-noise --decode --schema "$F/spec.json" --outcomes "$T/o" /dev/null
	[ "$stderr" = "egress-noise: $T/o:2: a second outcome for id \"r-1\"" ]
	run -66 --separate-stderr egress-noise --decode --schema "$F/spec.json" --outcomes "$T/none" /dev/null
	[[ "$stderr" == "egress-noise: $T/none: No such file"* ]]
}

@test "egress-noise: schema errors, usage errors, --help, --version" {
	run -64 --separate-stderr egress-noise /dev/null
	[[ "$stderr" == "egress-noise: no schema: give --egress-schema, --temporary-egress-schema or --schema"* ]]
	run -64 --separate-stderr egress-noise --schema "$F/spec.json" -p 1.5
	[[ "$stderr" == 'egress-noise: -p: "1.5" is not a probability in [0, 1]'* ]]
	run -64 --separate-stderr egress-noise --schema "$F/spec.json" --limit -1
	run -64 --separate-stderr egress-noise --schema "$F/spec.json" --egress-schema "$F/spec.json"
	run -64 --separate-stderr egress-noise --schema "$F/spec.json" --csv
	run -64 --separate-stderr egress-noise --schema "$F/spec.json" --outcomes x
	run -64 --separate-stderr egress-noise --decode --egress-schema "$F/spec.json" --kind temporary
	run -64 --separate-stderr egress-noise --decode --schema "$F/spec.json" --kind other
	run -64 --separate-stderr egress-noise --bogus
	[[ "$stderr" == *"usage: egress-noise "* ]]
	run -66 --separate-stderr egress-noise --schema "$T/missing.json"
	[[ "$stderr" == "egress-noise: $T/missing.json: No such file"* ]]
	echo '{"cddl_version":"1.0.0","version":9,"features":[]}' > "$T/s.json"
	run -65 --separate-stderr egress-noise --schema "$T/s.json"
	[ "$stderr" = "egress-noise: $T/s.json: version 9 out of range 0..7" ]
	echo '{"cddl_version":"1.0.0","version":0,"features":[{"name":"histogram-feature","size":3,"value":[{"name":"signed-integer-feature","size":2}]}]}' > "$T/s.json"
	run -65 --separate-stderr egress-noise --schema "$T/s.json"
	[ "$stderr" = "egress-noise: $T/s.json: feature 0: histogram size 3 is not the sum of its sub-feature sizes (2)" ]
	run -0 egress-noise --help
	[[ "${lines[0]}" == "usage: egress-noise "* ]]
	run -0 egress-noise --version
	[[ "$output" == "egress-noise (adsig) "* ]]
}

@test "egress-noise: -o is atomic; bad input leaves no file; a missing input is 66" {
	run -0 egress-noise -p 0 --schema "$F/spec.json" -o "$T/out" "$F/reports.ndjson"
	[ "$(wc -l < "$T/out")" -eq 3 ]
	printf '{"a":1}\nnot json\n' > "$T/bad"
	run -65 egress-noise --schema "$F/spec.json" -o "$T/out2" "$T/bad"
	[ ! -e "$T/out2" ]
	run -66 --separate-stderr egress-noise --schema "$F/spec.json" "$T/nope" "$F/reports.ndjson"
	[ "${#lines[@]}" -eq 3 ]
}
