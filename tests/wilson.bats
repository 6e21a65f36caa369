#!/usr/bin/env bats
# wilson(1), and through it the shared input/output conventions of lib/.

load common

setup() {
	common_setup
	F="$TD/wilson"
}

# Prints "id<TAB>field" for every output line (jq is not assumed).
fields() {
	python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    print("\t".join(str(r.get(k)) for k in sys.argv[1:]))' "$@"
}

@test "wilson: worked values (2,2) -> 1/3, (99,100) -> 0.944026, n=0 -> 0 and 1" {
	run -0 wilson --both "$F/basic.in.ndjson"
	[ "${#lines[@]}" -eq 8 ]
	echo "$output" | fields id wilson_lower wilson_upper > "$T/got"
	while IFS=$'\t' read -r id lo hi _; do
		read -r gid glo ghi <<<"$(grep "^$id	" "$T/got")"
		assert_near "$glo" "$lo"
		assert_near "$ghi" "$hi"
	done < "$F/basic.expected.tsv"
	assert_line --index 0 '{"id":"r-0","k":2,"n":2,"wilson_lower":0.3333333333333333,"wilson_upper":1.0}'
	assert_line --index 2 '{"id":"r-2","k":0,"n":0,"wilson_lower":0.0,"wilson_upper":1.0}'
	[[ "${lines[1]}" == *'"wilson_lower":0.944025507731411'* ]]
}

@test "wilson: default writes only wilson_lower, appended after the input keys" {
	run -0 wilson "$F/basic.in.ndjson"
	assert_line --index 0 '{"id":"r-0","k":2,"n":2,"wilson_lower":0.3333333333333333}'
	refute_output --partial wilson_upper
}

@test "wilson: --upper, and field names set by flag" {
	run -0 wilson --upper --upper-field hi "$F/basic.in.ndjson"
	assert_line --index 0 '{"id":"r-0","k":2,"n":2,"hi":1.0}'
	run -0 wilson --both --lower-field lo --upper-field hi "$F/basic.in.ndjson"
	assert_line --index 3 '{"id":"r-3","k":0,"n":10,"lo":0.0,"hi":0.28571428571428575}'
}

@test "wilson: --confidence 0.95 sets z = 1.959964" {
	run -0 wilson --confidence 0.95 "$F/basic.in.ndjson"
	echo "$output" | fields id wilson_lower > "$T/got"
	while IFS=$'\t' read -r id _ _ lo95; do
		read -r gid glo <<<"$(grep "^$id	" "$T/got")"
		assert_near "$glo" "$lo95"
	done < "$F/basic.expected.tsv"
}

@test "wilson: -z 1 by hand: (1,4) -> (0.25+0.125-sqrt(0.046875+0.015625))/1.25" {
	# p=0.25, z^2/2n=0.125, sqrt(p(1-p)/n + z^2/4n^2)=sqrt(0.0625)=0.25
	# lower = (0.25+0.125-0.25)/1.25 = 0.1, upper = 0.625/1.25 = 0.5
	run -0 wilson -z 1 --both <<<'{"k":1,"n":4}'
	assert_output '{"k":1,"n":4,"wilson_lower":0.1,"wilson_upper":0.5}'
}

@test "wilson: count fields by name and dotted path" {
	run -0 wilson --k stats.clicks --n stats.views <<<'{"stats":{"clicks":2,"views":2}}'
	assert_output '{"stats":{"clicks":2,"views":2},"wilson_lower":0.3333333333333333}'
	run -0 wilson -k c -n v <<<'{"v":2,"c":2}'
	assert_output '{"v":2,"c":2,"wilson_lower":0.3333333333333333}'
	# a key that itself holds a dot wins over the path
	run -0 wilson --k a.b --n n <<<'{"a.b":2,"a":{"b":0},"n":2}'
	assert_output '{"a.b":2,"a":{"b":0},"n":2,"wilson_lower":0.3333333333333333}'
}

@test "wilson: fractional counts" {
	run -0 wilson <<<'{"k":1.5,"n":2}'
	assert_output '{"k":1.5,"n":2,"wilson_lower":0.1924653533480475}'
}

@test "wilson: an existing output field is replaced in place" {
	run -0 wilson <<<'{"wilson_lower":"old","k":2,"n":2}'
	assert_output '{"wilson_lower":0.3333333333333333,"k":2,"n":2}'
}

@test "wilson: passed-through values keep their value; reals stay reals" {
	run -0 wilson <<<'{"a":1e3,"b":0.1,"c":-0.0,"d":"\u00e9\/","e":[1,{"f":null}],"g":12345678901234567,"k":0,"n":1}'
	assert_output '{"a":1000.0,"b":0.1,"c":-0.0,"d":"é/","e":[1,{"f":null}],"g":12345678901234567,"k":0,"n":1,"wilson_lower":0.0}'
}

@test "wilson: blank lines skipped but counted, CRLF, a BOM, stdin and -" {
	printf '\xef\xbb\xbf{"k":2,"n":2}\r\n\r\n\n{"k":1,"n":4}\r\n' > "$T/in"
	run -0 wilson -z 1 "$T/in"
	assert_output $'{"k":2,"n":2,"wilson_lower":0.6666666666666666}\n{"k":1,"n":4,"wilson_lower":0.1}'
	run -0 wilson -z 1 - < "$T/in"
	assert_line --index 1 '{"k":1,"n":4,"wilson_lower":0.1}'
	run -0 wilson -z 1 < "$T/in"
	assert_line --index 1 '{"k":1,"n":4,"wilson_lower":0.1}'
	printf '{"k":2,"n":2}\n\n\n{"k":3,"n":2}\n' > "$T/bad"
	run -65 --separate-stderr wilson "$T/bad"
	[ "$stderr" = "wilson: $T/bad:4: successes k exceed trials n" ]
}

@test "wilson: gzip input by magic bytes, whatever the name; several files in order" {
	gzip -c "$F/basic.in.ndjson" > "$T/plain.txt"
	run -0 wilson "$T/plain.txt" "$F/basic.in.ndjson"
	[ "${#lines[@]}" -eq 16 ]
	assert_line --index 8 '{"id":"r-0","k":2,"n":2,"wilson_lower":0.3333333333333333}'
	# concatenated gzip members are one stream
	cat "$T/plain.txt" "$T/plain.txt" > "$T/two.gz"
	run -0 wilson "$T/two.gz"
	[ "${#lines[@]}" -eq 16 ]
}

@test "wilson: truncated gzip is an error with the file named" {
	gzip -c "$F/basic.in.ndjson" | head -c 60 > "$T/cut.gz"
	run -65 --separate-stderr wilson "$T/cut.gz"
	[[ "$stderr" == "wilson: $T/cut.gz:"*"truncated gzip stream" ]]
}

@test "wilson: a 10 MB line" {
	python3 -c 'print("{\"pad\":\"" + "x" * 10000000 + "\",\"k\":2,\"n\":2}")' > "$T/big"
	run -0 wilson "$T/big"
	[ "${#output}" -eq 10000056 ]
	[[ "$output" == *'"k":2,"n":2,"wilson_lower":0.3333333333333333}' ]]
}

@test "wilson: CSV in (by name, by flag, gzip), quoted fields, blanks" {
	printf 'id,k,n,note\nr-1,2,2,"a, ""quoted""\nnote"\nr-2,1,4,\n' > "$T/c.csv"
	run -0 wilson -z 1 "$T/c.csv"
	assert_output $'{"id":"r-1","k":"2","n":"2","note":"a, \\"quoted\\"\\nnote","wilson_lower":0.6666666666666666}\n{"id":"r-2","k":"1","n":"4","wilson_lower":0.1}'
	run -0 wilson -z 1 --input-format csv < "$T/c.csv"
	assert_line --index 1 '{"id":"r-2","k":"1","n":"4","wilson_lower":0.1}'
	gzip -c "$T/c.csv" > "$T/c.csv.gz"
	run -0 wilson -z 1 "$T/c.csv.gz"
	assert_line --index 1 '{"id":"r-2","k":"1","n":"4","wilson_lower":0.1}'
}

@test "wilson: CSV out with a header; values quoted where needed" {
	printf 'id,k,n,note\nr-1,2,2,"a,b"\nr-2,1,4,\n' > "$T/c.csv"
	run -0 wilson -z 1 --csv "$T/c.csv"
	assert_output $'id,k,n,note,wilson_lower\nr-1,2,2,"a,b",0.6666666666666666\nr-2,1,4,,0.1'
	run -0 wilson -z 1 --output-format csv <<<'{"id":"x","k":1,"n":4,"v":[1,"a"]}'
	assert_output $'id,k,n,v,wilson_lower\nx,1,4,"[1,""a""]",0.1'
}

@test "wilson: a CSV row of the wrong width is a bad record" {
	printf 'id,k,n\nr-1,2,2\nr-2,1\n' > "$T/w.csv"
	run -65 --separate-stderr wilson "$T/w.csv"
	assert_output '{"id":"r-1","k":"2","n":"2","wilson_lower":0.3333333333333333}'
	[ "$stderr" = "wilson: $T/w.csv:3: row has 2 fields, the header has 3" ]
}

@test "wilson: CSV counts must be decimal numbers" {
	printf 'k,n\n0x2,2\n' > "$T/h.csv"
	run -65 --separate-stderr wilson "$T/h.csv"
	[ "$stderr" = "wilson: $T/h.csv:2: count field \"k\" is not a number" ]
}

@test "wilson: bad records stop the run with FILE:LINE and 65" {
	printf '{"k":1,"n":2}\n{"n":2}\n{"k":3,"n":2}\n' > "$T/in"
	run -65 --separate-stderr wilson "$T/in"
	assert_output '{"k":1,"n":2,"wilson_lower":0.09175170953613702}'
	[ "$stderr" = "wilson: $T/in:2: no count field \"k\"" ]
	bad() {
		run -65 --separate-stderr wilson <<<"$1"
		[ "$stderr" = "wilson: <stdin>:1: $2" ] || fail "for $1: $stderr"
	}
	bad '{"k":"2","n":2}' 'count field "k" is not a number'
	bad '{"k":3,"n":2}' 'successes k exceed trials n'
	bad '{"k":-1,"n":2}' 'counts must not be negative'
	bad '{"k":1,"n":null}' 'count field "n" is not a number'
	bad '[1,2]' 'not a JSON object'
	bad '{"k":1,"n":99999999999999999999}' 'an integer too big for 64 bits (quote ids as strings)'
	run -65 --separate-stderr wilson <<<'{"k":NaN,"n":2}'
	[[ "$stderr" == "wilson: <stdin>:1: column "* ]]
	bad '{"k":1e400,"n":2}' 'a number out of the range of a double'
	run -65 --separate-stderr wilson <<<'{"k":1,"k":1,"n":2}'
	[[ "$stderr" == "wilson: <stdin>:1: column "*"duplicate"* ]]
	run -65 --separate-stderr wilson <<<'{"k":1,'
	[[ "$stderr" == "wilson: <stdin>:1: column "* ]]
}

@test "wilson: --skip-bad with --rejects keeps every bad record; read = wrote + rejected" {
	printf '{"k":1,"n":2}\n{"n":2}\nnot json\n\n{"k":2,"n":2}\n' > "$T/in"
	run -0 --separate-stderr wilson --skip-bad --rejects "$T/rej" "$T/in"
	assert_output $'{"k":1,"n":2,"wilson_lower":0.09175170953613702}\n{"k":2,"n":2,"wilson_lower":0.3333333333333333}'
	[ "$stderr" = "wilson: read 4, wrote 2, rejected 2" ]
	run -0 cat "$T/rej"
	assert_line --index 0 "{\"file\":\"$T/in\",\"line\":2,\"reason\":\"no count field \\\"k\\\"\",\"record\":\"{\\\"n\\\":2}\"}"
	[[ "${lines[1]}" == "{\"file\":\"$T/in\",\"line\":3,\"reason\":\"column "*"\"record\":\"not json\"}" ]]
	[ "${#lines[@]}" -eq 2 ]
}

@test "wilson: --skip-bad without --rejects reports each bad record on stderr" {
	run -0 --separate-stderr wilson --skip-bad <<<$'{"n":2}\n{"k":2,"n":2}'
	assert_output '{"k":2,"n":2,"wilson_lower":0.3333333333333333}'
	[ "$stderr" = $'wilson: <stdin>:1: no count field "k"\nwilson: read 2, wrote 1, rejected 1' ]
}

@test "wilson: --verbose always prints the summary" {
	run -0 --separate-stderr wilson -v "$F/basic.in.ndjson"
	[ "$stderr" = "wilson: read 8, wrote 8, rejected 0" ]
}

@test "wilson: -o writes atomically; a failed run leaves nothing" {
	run -0 wilson -o "$T/out" "$F/basic.in.ndjson"
	[ -z "$output" ]
	[ "$(wc -l < "$T/out")" -eq 8 ]
	echo old > "$T/keep"
	run -65 wilson -o "$T/keep" <<<'{"k":3,"n":2}'
	[ "$(cat "$T/keep")" = old ]
	run -65 wilson -o "$T/new" <<<'{"k":3,"n":2}'
	[ ! -e "$T/new" ]
	[ -z "$(ls -A "$T" | grep '^\.')" ]	# no temporary file left
	run -73 --separate-stderr wilson -o "$T/no/such/dir/out" "$F/basic.in.ndjson"
	[[ "$stderr" == "wilson: $T/no/such/dir/out: No such file or directory" ]]
}

@test "wilson: a full disk is exit 74; a closed pipe ends quietly" {
	[ -w /dev/full ] || skip "no /dev/full"
	python3 -c 'import sys
for i in range(200000): sys.stdout.write("{\"k\":1,\"n\":2}\n")' > "$T/many"
	run -74 --separate-stderr bash -c "wilson '$T/many' > /dev/full"
	[[ "$stderr" == "wilson: <stdout>: No space left on device" ]]
	run -0 --separate-stderr bash -c "set -o pipefail; wilson '$T/many' | head -1; echo \${PIPESTATUS[0]}"
	assert_output $'{"k":1,"n":2,"wilson_lower":0.09175170953613702}\n141'
	[ -z "$stderr" ]
}

@test "wilson: a missing file is 66, the other operands are still read" {
	run -66 --separate-stderr wilson "$T/nope" "$F/basic.in.ndjson"
	[ "${#lines[@]}" -eq 8 ]
	[ "$stderr" = "wilson: $T/nope: No such file or directory" ]
}

@test "wilson: --help and --version on stdout, exit 0; usage errors 64" {
	run -0 wilson --help
	assert_line --index 0 --partial 'usage: wilson'
	run -0 wilson -h
	assert_line --index 0 --partial 'usage: wilson'
	run -0 wilson --version
	assert_output --regexp '^wilson \(adsig\) [0-9]+\.[0-9]+\.[0-9]+$'
	run -64 --separate-stderr wilson --bogus
	[[ "$stderr" == *"usage: wilson"* ]]
	run -64 --separate-stderr wilson -z abc
	[[ "$stderr" == "wilson: -z: \"abc\" is not a number"* ]]
	run -64 --separate-stderr wilson --confidence 1.5
	[[ "$stderr" == "wilson: --confidence: \"1.5\" is not a level in (0, 1)"* ]]
	run -64 --separate-stderr wilson -z 2 --confidence 0.9
	run -64 --separate-stderr wilson --rejects x
	[[ "$stderr" == "wilson: --rejects needs --skip-bad"* ]]
	run -64 --separate-stderr wilson --seed -3
	run -64 --separate-stderr wilson --csv --output-format xml
}

@test "wilson: fast path and jansson path agree on real-world spellings" {
	# S(3,10) with z=2, by python3: 0.10561690197629989
	# the same records written canonically and loosely must give the same values
	printf '{"a":1.5,"k":3,"n":10}\n' > "$T/canon"
	printf '{ "a" : 1.50, "k" : 3, "n" : 1e1 }\n' > "$T/loose"
	run -0 wilson "$T/canon"
	assert_output '{"a":1.5,"k":3,"n":10,"wilson_lower":0.10561690197629989}'
	run -0 wilson "$T/loose"
	assert_output '{"a":1.5,"k":3,"n":10.0,"wilson_lower":0.10561690197629989}'
}

@test "wilson: the real Avazu sample as CSV (clicks per row as k, 1 as n)" {
	[ -r "$SHARED/data/avazu_sample.csv" ] || skip "../shared/data is absent"
	run -0 --separate-stderr wilson -v --k click --n C1 --csv "$SHARED/data/avazu_sample.csv"
	# C1 is 1005 or so: every row gets a bound; 100 rows + header
	[ "${#lines[@]}" -eq 101 ]
	[[ "${lines[0]}" == "id,click,hour,"*",wilson_lower" ]]
	[ "$stderr" = "wilson: read 100, wrote 100, rejected 0" ]
}

@test "wilson: threads change nothing: -j1 and -j2 give the same bytes, errors in order" {
	awk 'BEGIN { for (i = 1; i <= 30000; i++) {
		if (i % 7 == 0) printf "{ \"k\" : %d, \"n\": %d }\n", i % 5, 10
		else if (i == 15000 || i == 25001) print "{\"k\":3,\"n\":2}"
		else printf "{\"id\":%d,\"k\":%d,\"n\":%d}\n", i, i % 5, 10 } }' > "$T/in"
	run -0 --separate-stderr wilson -j1 --skip-bad --rejects "$T/r1" -o "$T/o1" "$T/in"
	[ "$stderr" = "wilson: read 30000, wrote 29998, rejected 2" ]
	run -0 --separate-stderr wilson -j2 --skip-bad --rejects "$T/r2" -o "$T/o2" "$T/in"
	[ "$stderr" = "wilson: read 30000, wrote 29998, rejected 2" ]
	cmp "$T/o1" "$T/o2"
	cmp "$T/r1" "$T/r2"
	run -65 --separate-stderr wilson -j2 -o "$T/o3" "$T/in"
	[ "$stderr" = "wilson: $T/in:15000: successes k exceed trials n" ]
	run -0 --separate-stderr bash -c "wilson -j2 '$T/in' | wc -l"
	[ "$output" = 14999 ]
}

@test "wilson: --progress reports on stderr, never on stdout" {
	run -0 --separate-stderr wilson --progress "$F/basic.in.ndjson"
	[ "${#lines[@]}" -eq 8 ]
	[[ "$stderr" =~ ^.?wilson:\ 8\ records,\ [0-9]+\ records/s$ ]]
}

@test "wilson: -o /dev/null and -o FIFO are written in place, not replaced" {
	run -0 wilson -o /dev/null "$F/basic.in.ndjson"
	[ -c /dev/null ]
	mkfifo "$T/fifo"
	cat "$T/fifo" > "$T/got" &
	run -0 wilson -o "$T/fifo" "$F/basic.in.ndjson"
	wait
	[ -p "$T/fifo" ]
	[ "$(wc -l < "$T/got")" -eq 8 ]
}
