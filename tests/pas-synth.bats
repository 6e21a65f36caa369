#!/usr/bin/env bats
# pas-synth(1): determinism, sizes, record validity (checked by an
# independent Python program), time order, constant memory, outcomes
# against an independent replay of the true model, and every error path.

load common

setup() {
	common_setup
	CHECK="$TD/pas-synth/check.py"
	W="--seed 7 --devices 60 --requests 500 --ads 40 --dim 5 --taglogs 300"
}

@test "pas-synth: the same seed gives the same bytes, another seed others" {
	pas-synth $W --emit all > "$T/a"
	pas-synth $W --emit all > "$T/b"
	cmp "$T/a" "$T/b"
	pas-synth --seed 8 --devices 60 --requests 500 --ads 40 --dim 5 \
	    --taglogs 300 --emit all > "$T/c"
	! cmp -s "$T/a" "$T/c"
	# each type alone equals its part of the whole
	pas-synth $W --emit requests > "$T/r"
	grep '"type":"request"' "$T/a" | cmp - "$T/r"
	pas-synth $W --emit ads > "$T/ads"
	grep '"ad_id"' "$T/a" | cmp - "$T/ads"
}

@test "pas-synth: sizes are honoured" {
	pas-synth $W --emit all > "$T/a"
	run -0 python3 "$CHECK" valid 5 "$T/a"
	assert_line 'ad 40'
	assert_line 'model 1'
	assert_line 'request 500'
	assert_line 'taglog 300'
	# 500 requests over 60 devices: 20 devices get 9, 40 get 8
	grep '"type":"request"' "$T/a" | sed 's/.*"device":"\([^"]*\)".*/\1/' |
	    sort | uniq -c | awk '{print $1}' | sort | uniq -c |
	    awk '{printf "%s:%s ", $2, $1}' > "$T/dist"
	[ "$(cat "$T/dist")" = "8:40 9:20 " ]
	run -0 pas-synth --seed 1 --devices 3 --requests 0 --emit requests
	assert_output ''
	run -0 pas-synth --seed 1 --buyers 3 --dim 2 --emit model
	[[ "$output" == '{"type":"two_tower","dim":2,'* ]]
	run -0 pas-synth --seed 1 --devices 2 --requests 2 --buyers 3 --emit requests
	assert_line --index 0 --partial '"buyers":["adtech1.example","adtech2.example","adtech3.example"]'
}

@test "pas-synth: every record is valid per DESIGN.md and SPEC-PAS.md" {
	pas-synth $W --sessions 30 --days 20 --emit all > "$T/a"
	run -0 python3 "$CHECK" valid 5 "$T/a"
	assert_line 'request 500'
	# every command of SPEC-PAS.md section 1 occurs
	for c in '"put":' '"put_if_not_present":' '"append":' '"remove":' \
	    '"update_encoder":' '"max_signals":'; do
		grep -q "$c" "$T/a" || fail "no $c"
	done
}

@test "pas-synth: signal updates and requests merged in time order" {
	pas-synth $W --sessions 20 > "$T/a"
	run -0 python3 "$CHECK" order "$T/a"
	grep -q '"type":"signals"' "$T/a"
	grep -q '"type":"request"' "$T/a"
	# requests after the warm-up day, everything inside the 7 days
	awk -F'"ts":' '{split($2, a, ","); t = a[1] + 0
	    if (t < 1685577600 || t >= 1685577600 + 7 * 86400) exit 1
	    if ($0 ~ /"type":"request"/ && t < 1685577600 + 86400) exit 1}' "$T/a"
}

@test "pas-synth: --dir writes one file per type, the same bytes" {
	pas-synth $W --emit all --dir "$T/w"
	[ "$(ls "$T/w" | tr '\n' ' ')" = "ads.ndjson model.json taglogs.ndjson world.ndjson " ]
	pas-synth $W > "$T/world"
	cmp "$T/world" "$T/w/world.ndjson"
	pas-synth $W --emit model > "$T/model"
	cmp "$T/model" "$T/w/model.json"
	pas-synth $W --emit ads,model --dir "$T/w2"
	[ "$(ls "$T/w2" | tr '\n' ' ')" = "ads.ndjson model.json " ]
	pas-synth $W --emit taglogs -o "$T/tl"
	cmp "$T/tl" "$T/w/taglogs.ndjson"
}

@test "pas-synth: memory does not grow with the number of records" {
	[ -x /usr/bin/time ] || skip "/usr/bin/time is not installed"
	! grep -q fsanitize "$ROOT/.build-flags" 2>/dev/null ||
	    skip "sanitizers keep freed memory: RSS says nothing"
	/usr/bin/time -f %M -o "$T/m1" pas-synth --seed 1 --devices 2000 \
	    --requests 20000 --taglogs 20000 --emit all > /dev/null
	/usr/bin/time -f %M -o "$T/m2" pas-synth --seed 1 --devices 2000 \
	    --requests 200000 --sessions 60 --taglogs 200000 --emit all > /dev/null
	m1=$(tail -1 "$T/m1") m2=$(tail -1 "$T/m2")
	echo "peak RSS: $m1 KB, $m2 KB for 10x the records"
	[ "$m2" -le $((m1 * 12 / 10 + 1024)) ]
}

@test "pas-synth: outcomes match an independent replay of the true model" {
	w="--seed 11 --devices 300 --requests 4000 --dim 5"
	pas-synth $w --dir "$T/w" --emit all
	python3 "$CHECK" results "$T/w/world.ndjson" "$T/w/ads.ndjson" 3 > "$T/res"
	run -0 --separate-stderr pas-synth $w -v --outcomes-for "$T/res" -o "$T/out"
	[[ "$stderr" =~ ^"pas-synth: read 4000, used 4000, rejected 0, outcomes "[0-9]+", no winner "[0-9]+$ ]]
	run -0 python3 "$CHECK" truth "$T/w/world.ndjson" "$T/w/model.json" \
	    "$T/w/ads.ndjson" "$T/out"
	read -r n inst clk sump var <<<"$output"
	[ "$n" -gt 3400 ]
	# installs ~ sum of Bernoulli(p): within 4 standard deviations
	awk -v k="$inst" -v m="$sump" -v v="$var" 'BEGIN {
	    d = k - m; if (d < 0) d = -d; exit !(d <= 4 * sqrt(v)) }' ||
	    fail "installs $inst, expected $sump +- 4 sqrt($var)"
	# clicks: p + 0.02 (1 - p) each
	awk -v k="$clk" -v m="$sump" -v n="$n" 'BEGIN {
	    e = m + 0.02 * (n - m); d = k - e; if (d < 0) d = -d
	    exit !(d <= 4 * sqrt(e)) }' || fail "clicks $clk"
	# the same input draws the same outcomes; another seed is another world
	pas-synth $w --outcomes-for "$T/res" | cmp - "$T/out"
	run -65 --separate-stderr pas-synth --seed 12 --devices 300 --requests 4000 \
	    --dim 5 --outcomes-for "$T/res"
	[[ "$stderr" == "pas-synth: $T/res:1: request \"r-"*"\" is not of this world (give the --seed and size flags that made it)" ]]
}

@test "pas-synth: outcome fields, delays, and records without a winner" {
	pas-synth --seed 3 --devices 2 --requests 2 --days 1 --emit requests > "$T/r"
	sed 's/}$/,"auction":{"winner":{"buyer":"adtech1.example","ad_id":"a-1","bid":1.5,"price":1.5,"score":1.5},"scored":1}}/' "$T/r" > "$T/res"
	head -1 "$T/r" | sed 's/}$/,"auction":{"winner":null,"reason":"below_floor"}}/' >> "$T/res"
	run -0 --separate-stderr pas-synth --seed 3 --devices 2 --requests 2 --days 1 \
	    --outcomes-for "$T/res" -v
	[ "${#lines[@]}" -eq 2 ]
	assert_equal "$stderr" "pas-synth: read 3, used 3, rejected 0, outcomes 2, no winner 1"
	for i in 0 1; do
		id=$(sed -n "$((i + 1))p" "$T/r" | sed 's/.*"id":"\([^"]*\)".*/\1/')
		ts=$(sed -n "$((i + 1))p" "$T/r" | sed 's/.*"ts":\([0-9]*\).*/\1/')
		[[ "${lines[$i]}" =~ ^\{\"type\":\"outcome\",\"id\":\"$id\",\"ad_id\":\"a-1\",\"impression\":true,\"click\":(true|false),\"install\":(true|false),\"ts\":([0-9]+),\"buyer\":\"adtech1.example\",\"p_install\":0\.[0-9e-]+\}$ ]] ||
		    fail "line $i: ${lines[$i]}"
		t=${BASH_REMATCH[3]}
		if [ "${BASH_REMATCH[1]}" = false ]; then [ "$t" -eq "$ts" ]
		else [ "$t" -ge $((ts + 2)) ] && [ "$t" -le $((ts + 61 + 659)) ]; fi
	done
}

@test "pas-synth: bad results records stop the run, or are skipped" {
	pas-synth --seed 3 --devices 2 --requests 2 --days 1 --emit requests > "$T/r"
	{
		echo 'not json'
		echo '{"id":"r-1-1"}'
		sed -n 1p "$T/r" | sed 's/}$/,"auction":{"winner":{"buyer":"adtech1.example"}}}/'
		sed -n 1p "$T/r" | sed 's/}$/,"auction":{"winner":{"buyer":"adtech2.example","ad_id":"a-1"}}}/'
		sed -n 1p "$T/r" | sed 's/}$/,"auction":{"winner":{"buyer":"adtech1.example","ad_id":"a-999"}}}/'
		sed -n 1p "$T/r" | sed 's/"id":"r-[0-9-]*"/"id":"x-1"/; s/}$/,"auction":{"winner":{"buyer":"adtech1.example","ad_id":"a-1"}}}/'
		sed -n 1p "$T/r" | sed 's/}$/,"auction":{"winner":{"buyer":"adtech1.example","ad_id":"a-1"}}}/'
	} > "$T/bad"
	S="--seed 3 --devices 2 --requests 2 --days 1"
	run -65 --separate-stderr pas-synth $S --outcomes-for "$T/bad" -o "$T/out"
	[[ "$stderr" == "pas-synth: $T/bad:1: "* ]]
	[ ! -e "$T/out" ]
	run -0 --separate-stderr pas-synth $S --outcomes-for "$T/bad" --skip-bad \
	    --rejects "$T/rej"
	[ "${#lines[@]}" -eq 1 ]
	assert_equal "$stderr" "pas-synth: read 7, used 1, rejected 6, outcomes 1, no winner 0"
	run -0 python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l); print(r["line"], r["reason"])' "$T/rej"
	assert_line --index 1 '2 no "auction" object (not pas-score output)'
	assert_line --index 2 '3 auction.winner has no string "buyer" and "ad_id"'
	assert_line --index 3 '4 winner ad "a-1" is not an ad of buyer "adtech2.example" in this world'
	assert_line --index 4 '5 winner ad "a-999" is not an ad of this world'
	assert_line --index 5 '6 request id "x-1" is not of this world (r-DEVICE-N)'
	run -66 pas-synth $S --outcomes-for "$T/nonexistent"
	[[ "$output" == *"nonexistent: No such file or directory"* ]]
}

@test "pas-synth: usage errors are 64, --help and --version 0" {
	run -0 pas-synth --help
	[[ "${lines[0]}" == "usage: pas-synth "* ]]
	run -0 pas-synth --version
	[[ "$output" == "pas-synth (adsig) "* ]]
	run -64 pas-synth --bogus
	run -64 --separate-stderr pas-synth --emit signals,bogus
	[[ "$stderr" == 'pas-synth: --emit: unknown type "bogus"'* ]]
	run -64 --separate-stderr pas-synth --days 61
	[[ "$stderr" == "pas-synth: --days: \"61\" is not an integer from 0 to 60"* ]]
	run -64 --separate-stderr pas-synth --days 0
	[[ "$stderr" == "pas-synth: --days must be in 1..60 (the signals' TTL)"* ]]
	run -64 --separate-stderr pas-synth --apps 7
	[[ "$stderr" == "pas-synth: --apps must be at least 8 (one per category)"* ]]
	run -64 pas-synth --devices 0
	run -64 pas-synth --dim 0
	run -64 pas-synth --buyers 65
	run -64 pas-synth --sessions x
	run -64 pas-synth --ctr-base 2
	run -64 pas-synth --dir "$T/d" -o "$T/f"
	run -64 pas-synth --outcomes-for x --dir "$T/d" --seed 1
	run -64 pas-synth --outcomes-for x --emit ads --seed 1
	run -64 --separate-stderr pas-synth --outcomes-for x
	[[ "$stderr" == "pas-synth: --outcomes-for needs the --seed of the world"* ]]
	run -64 pas-synth --skip-bad
	run -64 pas-synth --csv
	run -64 pas-synth operand
}

@test "pas-synth: without --seed a random world, and its seed on stderr" {
	run -0 --separate-stderr pas-synth --devices 2 --requests 2 --days 1 --emit requests
	[[ "$stderr" =~ ^"pas-synth: seed "([0-9]+)" (--seed "[0-9]+" makes this world again)"$ ]]
	seed=${BASH_REMATCH[1]}
	first=$output
	run -0 pas-synth --seed "$seed" --devices 2 --requests 2 --days 1 --emit requests
	assert_equal "$output" "$first"
}

@test "pas-synth: --dir that cannot be made is 73" {
	run -73 pas-synth --seed 1 --dir /nonexistent/x/y
}

@test "pas-synth: --true-features zeroes every other column of the true user tower" {
	run -0 pas-synth --seed 3 --emit model --true-features igam.present,ishp.present
	echo "$output" > "$T/model.json"
	run -0 python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
names, U = m["features"], m["user"]
used = {"igam.present", "ishp.present"}
for j, n in enumerate(names):
    nz = any(row[j] != 0 for row in U)
    if nz != (n in used):
        sys.exit("column %s nonzero=%s" % (n, nz))
print("ok")' "$T/model.json"
	assert_output ok
	run -64 --separate-stderr pas-synth --seed 3 --true-features nope
	[[ "$stderr" == 'pas-synth: --true-features: no feature "nope" (see adsig(5))'* ]]
}

@test "pas-synth: --true-scale multiplies the used columns of the true user tower" {
	pas-synth --seed 3 --emit model --true-features igam.present,sess.log_value > "$T/m1"
	pas-synth --seed 3 --emit model --true-features igam.present,sess.log_value --true-scale 8 > "$T/m8"
	pas-synth --seed 3 --emit model --true-scale 1 | cmp - <(pas-synth --seed 3 --emit model)
	# the weights are rounded to 4 decimals after scaling: |w8 - 8 w1| <= 4.5e-4
	run -0 python3 -c '
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
used = {"igam.present", "sess.log_value"}
for j, n in enumerate(a["features"]):
    for ra, rb in zip(a["user"], b["user"]):
        if n in used:
            assert abs(rb[j] - 8 * ra[j]) <= 4.5e-4 + 1e-12 and ra[j] != 0, (n, ra[j], rb[j])
        else:
            assert ra[j] == 0 and rb[j] == 0, n
assert a["context"] == b["context"] and a["bias"] == b["bias"]
print("ok")' "$T/m1" "$T/m8"
	assert_output ok
	run -64 --separate-stderr pas-synth --seed 3 --true-scale -1
	[[ "$stderr" == "pas-synth: --true-scale must be in [0, 1000]"* ]]
}

@test "pas-synth: --independent-traits: categories used independently, publishers independent of the device" {
	# 10,000 devices, one day: "used c" has p ~ 0.38, and the variance
	# ratio of testdata/pas-synth/indep.py has a standard error of about
	# 0.015; the default world (favourite categories) is at 0.92-0.93.
	w="--seed 1 --devices 10000 --requests 10000 --days 1 --buyers 1"
	pas-synth $w --independent-traits > "$T/i"
	run -0 python3 "$TD/pas-synth/indep.py" 10000 50 < "$T/i"
	read -r ratio z <<<"$output"
	echo "independent: ratio $ratio, z $z"
	awk -v r="$ratio" -v z="$z" 'BEGIN { exit !(r > 0.95 && r < 1.05 && z > -4 && z < 4) }'
	# the same check tells the default world's dependence
	pas-synth $w > "$T/d"
	run -0 python3 "$TD/pas-synth/indep.py" 10000 50 < "$T/d"
	read -r ratio z <<<"$output"
	echo "default: ratio $ratio, z $z"
	awk -v r="$ratio" -v z="$z" 'BEGIN { exit !((r < 0.95 || r > 1.05) && z > 10) }'
}

@test "pas-synth: --independent-traits outcomes match an independent replay of the true model" {
	w="--seed 12 --devices 200 --requests 2000 --dim 5 --independent-traits --true-features ishp.present,itrv.present --true-scale 8"
	pas-synth $w --dir "$T/w" --emit all
	python3 "$CHECK" results "$T/w/world.ndjson" "$T/w/ads.ndjson" 4 > "$T/res"
	pas-synth $w --outcomes-for "$T/res" -o "$T/out"
	run -0 python3 "$CHECK" truth "$T/w/world.ndjson" "$T/w/model.json" \
	    "$T/w/ads.ndjson" "$T/out"
	read -r n inst clk sump var <<<"$output"
	[ "$n" -gt 1700 ]
	# without the flag it is another world: its replay does not match
	run -65 pas-synth --seed 12 --devices 200 --requests 2000 --dim 5 \
	    --true-features ishp.present,itrv.present --true-scale 8 --outcomes-for "$T/res"
}
