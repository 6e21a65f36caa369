#!/usr/bin/env bats
# pas-score(1): the seller's auction, prices, reports, budgets, summary.

load common

setup() {
	common_setup
	F="$TD/pas-score"
}

# "id winner-or-reason price" per request line (jq is not assumed).
auctions() {
	python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    a = r.get("auction")
    if a is None:
        print(r.get("type"), "passed")
    elif a["winner"] is None:
        print(r["id"], a["reason"], a["scored"])
    else:
        print(r["id"], a["winner"]["buyer"], a["winner"]["price"], a["scored"])'
}

@test "pas-score: shared examples section 3, first price, exactly" {
	run -0 pas-score "$F/examples3.ndjson"
	assert_line --index 0 '{"type":"request","id":"r-1","ctx":{"floor":0.5},"auction":{"winner":{"buyer":"A","ad_id":"a-1","bid":2.0,"price":2.0,"score":2.0},"scored":2},"reports":[{"buyer":"A","type":"win","ad_id":"a-1","price":2.0},{"buyer":"B","type":"loss","ad_id":"b-1","price":2.0,"reason":"outbid"}]}'
	assert_line --index 1 '{"type":"request","id":"r-2","ctx":{"floor":0.5},"auction":{"winner":{"buyer":"A","ad_id":"a-2","bid":0.8,"price":0.8,"score":0.8},"scored":1},"reports":[{"buyer":"A","type":"win","ad_id":"a-2","price":0.8}]}'
	assert_line --index 2 '{"type":"request","id":"r-3","ctx":{},"auction":{"winner":{"buyer":"A","ad_id":"a-3","bid":0.8,"price":0.8,"score":0.8},"scored":1},"reports":[{"buyer":"A","type":"win","ad_id":"a-3","price":0.8}]}'
	assert_line --index 3 '{"type":"request","id":"r-4","ctx":{"floor":0.5},"auction":{"winner":null,"reason":"below_floor","scored":1},"reports":[{"buyer":"A","type":"loss","ad_id":"a-4","price":0.5,"reason":"below_floor"}]}'
	[ "${#lines[@]}" -eq 4 ]
}

@test "pas-score: shared examples section 3, second price and budget charges, exactly" {
	# A 2.0, B 1.2 -> 1.2, charge 1.2/1000 = 0.0012; A 0.8 -> max(0.5, none)
	# = 0.5, charge 0.0005; A 0.8 without floor -> 0.8, 0.0008; A 0.4 -> none.
	# Remaining from 1.0 (python3: 1.0 - 1.2/1000 = 0.9988, and so on).
	run -0 pas-score --second-price --budgets "$F/examples3.budgets.ndjson" \
		--budgets-out "$T/left.ndjson" "$F/examples3.ndjson"
	echo "$output" | auctions > "$T/got"
	run cat "$T/got"
	assert_output $'r-1 A 1.2 2\nr-2 A 0.5 1\nr-3 A 0.8 1\nr-4 below_floor 1'
	run cat "$T/left.ndjson"
	assert_output '{"ad_id":"a-1","buyer":"A","budget":{"remaining":0.9988},"spent":0.0012,"wins":1}
{"ad_id":"b-1","buyer":"B","budget":{"remaining":1.0},"spent":0.0,"wins":0}
{"ad_id":"a-2","buyer":"A","budget":{"remaining":0.9995},"spent":0.0005,"wins":1}
{"ad_id":"a-3","buyer":"A","budget":{"remaining":0.9992},"spent":0.0008,"wins":1}
{"ad_id":"a-4","buyer":"A","budget":{"remaining":1.0},"spent":0.0,"wins":0}'
}

@test "pas-score: exhausted budgets stop winning: budget_exhausted, then the next ad" {
	# a-1 has 0.0025: at second price 1.2 (B's bid) it pays 0.0012 twice
	# (0.0001 left); the third time it cannot pay, B wins at max(0.5, none)
	# = 0.5 on b-1 (0.001: two wins of 0.0005); then nobody can pay.
	printf '{"ad_id":"a-1","budget":{"remaining":0.0025}}\n{"ad_id":"b-1","budget":{"remaining":0.001}}\n' > "$T/b"
	for i in 1 2 3 4 5; do
		printf '{"type":"request","id":"r-%s","ctx":{"floor":0.5},"bids":[{"buyer":"A","ad_id":"a-1","bid":2.0},{"buyer":"B","ad_id":"b-1","bid":1.2}]}\n' $i
	done > "$T/in"
	run -0 --separate-stderr pas-score -v --second-price --budgets "$T/b" "$T/in"
	echo "$output" | auctions > "$T/got"
	run cat "$T/got"
	assert_output $'r-1 A 1.2 2\nr-2 A 1.2 2\nr-3 B 0.5 2\nr-4 B 0.5 2\nr-5 budget_exhausted 2'
	[ "$stderr" = "pas-score: read 5, wrote 5, rejected 0, requests 5, won 4, no_bids 0, below_floor 0, blocked 0, budget_exhausted 1" ]
	run -0 pas-score --second-price --budgets "$T/b" "$T/in"
	assert_line --index 2 --partial '"reports":[{"buyer":"B","type":"win","ad_id":"b-1","price":0.5},{"buyer":"A","type":"loss","ad_id":"a-1","price":1.2,"reason":"budget_exhausted"}]}'
	assert_line --index 4 --partial '"auction":{"winner":null,"reason":"budget_exhausted","scored":2},"reports":[{"buyer":"A","type":"loss","ad_id":"a-1","price":0.5,"reason":"budget_exhausted"},{"buyer":"B","type":"loss","ad_id":"b-1","price":0.5,"reason":"budget_exhausted"}]}'
	# without budgets A wins them all
	run -0 pas-score --second-price "$T/in"
	[ "$(echo "$output" | auctions | grep -c ' A 1.2 2$')" -eq 5 ]
}

@test "pas-score: the budgets file may be the catalog, NDJSON or CSV; budgets-out reads back" {
	printf '{"ad_id":"a-1","buyer":"A","campaign":"c","targeting":{"geo":["US"]},"budget":{"remaining":0.003},"embedding":[0.1,0.2]}\n{"ad_id":"a-2","buyer":"A"}\n{"type":"model","w":[1]}\n' > "$T/cat.ndjson"
	printf 'ad_id,budget.remaining,buyer\na-1,0.003,A\na-2,,A\n' > "$T/cat.csv"
	printf '{"type":"request","id":"r","bids":[{"buyer":"A","ad_id":"a-1","bid":2}]}\n' > "$T/r1"
	cat "$T/r1" "$T/r1" "$T/r1" > "$T/in"
	for b in "$T/cat.ndjson" "$T/cat.csv"; do
		run -0 pas-score --budgets "$b" --budgets-out "$T/left.csv" "$T/in"
		[ "$(echo "$output" | auctions | tr '\n' ' ')" = "r A 2.0 1 r budget_exhausted 1 r budget_exhausted 1 " ]
		run cat "$T/left.csv"
		assert_output $'ad_id,buyer,budget.remaining,spent,wins\na-1,A,0.001,0.002,1'
	done
	# the output budgets are the next run's input: 0.001 pays half a win of 2.0
	run -0 pas-score --budgets "$T/left.csv" "$T/r1"
	[ "$(echo "$output" | auctions)" = "r budget_exhausted 1" ]
	# a-2 has no budget: never limited
	run -0 pas-score --budgets "$T/cat.ndjson" <<<'{"type":"request","id":"r","bids":[{"buyer":"A","ad_id":"a-2","bid":2000}]}'
	[ "$(echo "$output" | auctions)" = "r A 2000.0 1" ]
}

@test "pas-score: the reasons and which one wins when several apply" {
	printf '{"advertiser":"bad-co"}\n{"category":"games/"}\n' > "$T/rules"
	cat > "$T/in" <<-'EOF2'
	{"type":"request","id":"nobids"}
	{"type":"request","id":"empty","bids":[]}
	{"type":"request","id":"null","bids":null}
	{"type":"request","id":"zero","bids":[{"buyer":"A","ad_id":"a","bid":0},{"buyer":"B","ad_id":"b","bid":-2}]}
	{"type":"request","id":"allblocked","ctx":{"floor":0.5},"bids":[{"buyer":"A","ad_id":"a","bid":2,"advertiser":"bad-co"},{"buyer":"B","ad_id":"b","bid":3,"category":"games/rpg"}]}
	{"type":"request","id":"blockedandlow","ctx":{"floor":0.5},"bids":[{"buyer":"A","ad_id":"a","bid":2,"advertiser":"bad-co"},{"buyer":"B","ad_id":"b","bid":0.1}]}
	{"type":"request","id":"notsub","ctx":{"floor":0.5},"bids":[{"buyer":"B","ad_id":"b","bid":1,"category":"gamesx"}]}
	EOF2
	run -0 --separate-stderr pas-score -v --blocked "$T/rules" "$T/in"
	echo "$output" | auctions > "$T/got"
	run cat "$T/got"
	assert_output 'nobids no_bids 0
empty no_bids 0
null no_bids 0
zero no_bids 0
allblocked blocked 2
blockedandlow below_floor 2
notsub B 1.0 1'
	[ "$stderr" = "pas-score: read 7, wrote 7, rejected 0, requests 7, won 1, no_bids 4, below_floor 1, blocked 1, budget_exhausted 0" ]
	run -0 pas-score --blocked "$T/rules" "$T/in"
	assert_line --index 0 '{"type":"request","id":"nobids","auction":{"winner":null,"reason":"no_bids","scored":0},"reports":[]}'
	assert_line --index 5 --partial '"reports":[{"buyer":"A","type":"loss","ad_id":"a","price":0.5,"reason":"blocked"},{"buyer":"B","type":"loss","ad_id":"b","price":0.5,"reason":"below_floor"}]}'
}

@test "pas-score: blocked rules as CSV; a bad rule stops the run even with --skip-bad" {
	printf 'advertiser,category,note\nbad-co,,spam\n,games,\n' > "$T/rules.csv"
	run -0 pas-score --blocked "$T/rules.csv" <<<'{"type":"request","id":"r","bids":[{"buyer":"A","ad_id":"a","bid":2,"category":"games/rpg/x"},{"buyer":"B","ad_id":"b","bid":1,"advertiser":"bad-co"},{"buyer":"C","ad_id":"c","bid":0.5,"advertiser":"bad-co2"}]}'
	[ "$(echo "$output" | auctions)" = "r C 0.5 3" ]
	printf '{"advertiser":"x"}\n{"advertiser":"x","category":"y"}\n' > "$T/bad"
	run -65 --separate-stderr pas-score --skip-bad --blocked "$T/bad" <<<'{}'
	[ "$stderr" = "pas-score: $T/bad:2: a rule names either an advertiser or a category" ]
	printf '{"note":"x"}\n' > "$T/bad"
	run -65 --separate-stderr pas-score --blocked "$T/bad" <<<'{}'
	[ "$stderr" = "pas-score: $T/bad:1: a rule names either an advertiser or a category" ]
	printf '{"category":"/"}\n' > "$T/bad"
	run -65 --separate-stderr pas-score --blocked "$T/bad" <<<'{}'
	[ "$stderr" = "pas-score: $T/bad:1: \"category\" is not a non-empty string" ]
	run -66 --separate-stderr pas-score --blocked "$T/nope" <<<'{}'
	[ "$stderr" = "pas-score: $T/nope: No such file or directory" ]
	[ -z "$output" ]
}

@test "pas-score: ties go to the bytewise smaller buyer; second price of a tie is the bid" {
	run -0 pas-score --second-price <<<'{"type":"request","id":"t","bids":[{"buyer":"b","ad_id":"x","bid":1.5},{"buyer":"B","ad_id":"y","bid":1.5},{"buyer":"a","ad_id":"z","bid":1.5}]}'
	[ "$(echo "$output" | auctions)" = "t B 1.5 3" ]
}

@test "pas-score: fields pass through in order, bids removed, other records untouched" {
	run -0 pas-score <<<'{"type":"signals","bids":[1],"x":1e3}
{"a":1}
{"id":"r","type":"request","x":1e3,"bids":[{"buyer":"A","ad_id":"a","bid":1,"egress_payload":{"features":[{"name":"boolean-feature","value":true}]}}],"z":[0.10,"\u00e9"]}
{"type":"request","auction":"old","id":"r","reports":"old","bids":[]}'
	assert_line --index 0 '{"type":"signals","bids":[1],"x":1e3}'
	assert_line --index 1 '{"a":1}'
	assert_line --index 2 '{"id":"r","type":"request","x":1e3,"z":[0.10,"\u00e9"],"auction":{"winner":{"buyer":"A","ad_id":"a","bid":1.0,"price":1.0,"score":1.0},"scored":1},"reports":[{"buyer":"A","type":"win","ad_id":"a","price":1.0,"egress_payload":{"features":[{"name":"boolean-feature","value":true}]}}]}'
	assert_line --index 3 '{"type":"request","auction":{"winner":null,"reason":"no_bids","scored":0},"id":"r","reports":[]}'
}

@test "pas-score: a line with white space is written compactly, same values" {
	run -0 pas-score <<<'{ "type" : "request", "x" : 1e3, "bids" : [ {"buyer":"A","ad_id":"a","bid":1} ], "s":"\u00e9" }'
	assert_output '{"type":"request","x":1000.0,"s":"é","auction":{"winner":{"buyer":"A","ad_id":"a","bid":1.0,"price":1.0,"score":1.0},"scored":1},"reports":[{"buyer":"A","type":"win","ad_id":"a","price":1.0}]}'
	# escaped keys and a type spelled with an escape go through jansson:
	# keys are written again, values of a compact line keep their bytes
	run -0 pas-score <<<'{"typ\u0065":"requ\u0065st","bids":[{"buyer":"A","ad_id":"a","bid":1}]}'
	assert_output '{"type":"requ\u0065st","auction":{"winner":{"buyer":"A","ad_id":"a","bid":1.0,"price":1.0,"score":1.0},"scored":1},"reports":[{"buyer":"A","type":"win","ad_id":"a","price":1.0}]}'
}

@test "pas-score: requests in = requests out against a Python reference, 3000 random requests" {
	python3 "$F/gen.py" 11 3000 "$T"
	for sp in "" --second-price; do
		python3 "$F/reference.py" $sp --blocked "$T/blocked.ndjson" --budgets "$T/catalog.ndjson" \
			--outcomes "$T/outcomes.ndjson" "$T/requests.ndjson" > "$T/ref"
		run -0 --separate-stderr pas-score $sp --blocked "$T/blocked.ndjson" \
			--budgets "$T/catalog.ndjson" --summary "$T/sum" --outcomes "$T/outcomes.ndjson" \
			-o "$T/out" -v "$T/requests.ndjson"
		[[ "$stderr" == "pas-score: read 3000, wrote 3000, rejected 0, requests 3000, won "* ]]
		run python3 "$F/compare.py" "$T/out" "$T/sum" "$T/ref"
		assert_success
		# every reason occurs
		for r in no_bids blocked below_floor budget_exhausted; do
			grep -q "\"reason\":\"$r\",\"scored\"" "$T/out" || fail "no $r"
		done
		python3 "$F/reference.py" $sp "$T/requests.ndjson" > "$T/ref"
		run -0 pas-score $sp --summary "$T/sum" -o "$T/out" "$T/requests.ndjson"
		run python3 "$F/compare.py" "$T/out" "$T/sum" "$T/ref"
		assert_success
	done
}

@test "pas-score: summary by hand, NDJSON and CSV, with outcomes" {
	# A/c1 wins r-1 at 2.0 and r-2 at 1.0, B (no campaign) wins r-3 at 4.0;
	# A/c2 bids once and loses.  Outcomes: r-1 impression+click+install,
	# r-2 impression, r-3 for another ad (no outcome).
	# A: bids 3, wins 2, spend 0.003, impressions 2, cpm 1.5, ctr 0.5,
	#    cvr 1, cpc = cpa = 0.003.  B: spend 0.004, impressions 0.
	cat > "$T/in" <<-'EOF2'
	{"type":"request","id":"r-1","bids":[{"buyer":"A","ad_id":"a1","campaign":"c1","bid":2.0}]}
	{"type":"request","id":"r-2","bids":[{"buyer":"A","ad_id":"a1","campaign":"c1","bid":1.0}]}
	{"type":"request","id":"r-3","bids":[{"buyer":"B","ad_id":"b1","bid":4.0},{"buyer":"A","ad_id":"a2","campaign":"c2","bid":3.0}]}
	EOF2
	printf 'type,id,ad_id,impression,click,install\noutcome,r-1,a1,true,true,true\noutcome,r-2,a1,true,false,false\noutcome,r-3,zz,true,true,false\n' > "$T/oc.csv"
	run -0 --separate-stderr pas-score -v --summary "$T/sum.csv" --outcomes "$T/oc.csv" -o "$T/out" "$T/in"
	[ "$stderr" = "pas-score: read 3, wrote 3, rejected 0, requests 3, won 3, no_bids 0, below_floor 0, blocked 0, budget_exhausted 0, wins without outcome 1" ]
	run cat "$T/sum.csv"
	assert_output 'type,buyer,campaign,bids,wins,win_rate,impressions,spend,cpm,clicks,installs,ctr,cvr,cpc,cpa
total,,,4,3,0.75,2,0.007,3.5,1,1,0.5,1.0,0.007,0.007
buyer,A,,3,2,0.6666666666666666,2,0.003,1.5,1,1,0.5,1.0,0.003,0.003
buyer,B,,1,1,1.0,0,0.004,,0,0,,,,
campaign,A,c1,2,2,1.0,2,0.003,1.5,1,1,0.5,1.0,0.003,0.003
campaign,A,c2,1,0,0.0,0,0.0,,0,0,,,,'
	run -0 pas-score --summary "$T/sum" -o "$T/out" "$T/in"
	run cat "$T/sum"
	assert_line --index 0 '{"type":"total","buyer":null,"campaign":null,"bids":4,"wins":3,"win_rate":0.75,"impressions":3,"spend":0.007,"cpm":2.3333333333333335}'
	assert_line --index 2 '{"type":"buyer","buyer":"B","campaign":null,"bids":1,"wins":1,"win_rate":1.0,"impressions":1,"spend":0.004,"cpm":4.0}'
	# the summary on stdout when the records go to a file
	run -0 pas-score --summary - -o "$T/out" "$T/in"
	[ "${#lines[@]}" -eq 5 ]
}

@test "pas-score: bad records: the message, 65, and --skip-bad keeps the rest" {
	bad() {
		run -65 --separate-stderr pas-score <<<"$1"
		[ "$stderr" = "pas-score: <stdin>:1: $2" ] || fail "for $1: $stderr"
	}
	bad '{"type":"request","bids":{}}' '"bids" is not an array'
	bad '{"type":"request","bids":[1]}' 'bids[0] is not an object'
	bad '{"type":"request","bids":[{"ad_id":"a","bid":1}]}' 'bids[0]: no string "buyer"'
	bad '{"type":"request","bids":[{"buyer":"A","ad_id":1,"bid":1}]}' 'bids[0]: no string "ad_id"'
	bad '{"type":"request","bids":[{"buyer":"A","ad_id":"a"}]}' 'bids[0]: "bid" is missing'
	bad '{"type":"request","bids":[{"buyer":"A","ad_id":"a","bid":"1"}]}' 'bids[0]: "bid" is not a number'
	bad '{"type":"request","bids":[{"buyer":"A","ad_id":"a","bid":1,"campaign":7}]}' 'bids[0]: campaign, advertiser and category must be strings'
	bad '{"type":"request","bids":[{"buyer":"A","ad_id":"a","bid":1},{"buyer":"A","ad_id":"b","bid":2}]}' 'bids[1]: a second bid of buyer "A"'
	bad '{"type":"request","ctx":[],"bids":[]}' '"ctx" is not an object'
	bad '{"type":"request","ctx":{"floor":-1},"bids":[]}' 'ctx.floor is not a number >= 0'
	bad '{"type":"request","ctx":{"floor":"0.5"},"bids":[]}' 'ctx.floor is not a number >= 0'
	bad '[1]' 'not a JSON object'
	bad '{"type":"request","id":99999999999999999999}' 'an integer too big for 64 bits (quote ids as strings)'
	bad '{"type":"request","x":1e400}' 'a number out of the range of a double'
	run -65 --separate-stderr pas-score <<<'{"type":"request","a":1,"a":2}'
	[[ "$stderr" == "pas-score: <stdin>:1: column "*"duplicate"* ]]
	# records before the bad one are written; -o and side outputs are not
	printf '{"type":"request","id":"r-1","bids":[]}\n{"type":"request","bids":7}\n{"type":"request","id":"r-3"}\nnot json\n' > "$T/in"
	run -65 --separate-stderr pas-score "$T/in"
	assert_output '{"type":"request","id":"r-1","auction":{"winner":null,"reason":"no_bids","scored":0},"reports":[]}'
	[ "$stderr" = "pas-score: $T/in:2: \"bids\" is not an array" ]
	run -65 pas-score --summary "$T/sum" -o "$T/out" "$T/in"
	[ ! -e "$T/sum" ] && [ ! -e "$T/out" ]
	run -0 --separate-stderr pas-score --skip-bad --rejects "$T/rej" "$T/in"
	[ "${#lines[@]}" -eq 2 ]
	[ "$stderr" = "pas-score: read 4, wrote 2, rejected 2, requests 2, won 0, no_bids 2, below_floor 0, blocked 0, budget_exhausted 0" ]
	run cat "$T/rej"
	assert_line --index 0 "{\"file\":\"$T/in\",\"line\":2,\"reason\":\"\\\"bids\\\" is not an array\",\"record\":\"{\\\"type\\\":\\\"request\\\",\\\"bids\\\":7}\"}"
	[ "${#lines[@]}" -eq 2 ]
}

@test "pas-score: a bad record charges no budget" {
	printf '{"ad_id":"a","budget":{"remaining":0.002}}\n' > "$T/b"
	printf '{"type":"request","id":"1","ctx":{"floor":-1},"bids":[{"buyer":"A","ad_id":"a","bid":2}]}\n{"type":"request","id":"2","bids":[{"buyer":"A","ad_id":"a","bid":2}]}\n' > "$T/in"
	run -0 --separate-stderr pas-score --skip-bad --budgets "$T/b" --budgets-out "$T/left" "$T/in"
	[ "$(echo "$output" | auctions)" = "2 A 2.0 1" ]
	run cat "$T/left"
	assert_output '{"ad_id":"a","budget":{"remaining":0.0},"spent":0.002,"wins":1}'
}

@test "pas-score: bad side files: budgets and outcomes" {
	printf '{"type":"request","id":"r","bids":[]}\n' > "$T/in"
	side() {
		printf '%s\n' "$2" > "$T/side"
		run -65 --separate-stderr pas-score $1 "$T/side" --summary "$T/s" "$T/in"
		[ "$stderr" = "pas-score: $T/side:1: $3" ] || fail "for $2: $stderr"
	}
	side --budgets '{"budget":{"remaining":1}}' 'no string "ad_id"'
	side --budgets '{"ad_id":"a","budget":{"remaining":-1}}' 'budget.remaining is not a number >= 0'
	side --budgets '{"ad_id":"a","budget":{"remaining":"1"}}' 'budget.remaining is not a number >= 0'
	side --outcomes '{"id":"r","ad_id":"a","impression":1,"click":true,"install":false}' '"impression" is not true or false'
	side --outcomes '{"id":1.5,"ad_id":"a"}' 'no request "id" (a string or an integer)'
	side --outcomes '{"id":"r"}' 'no string "ad_id"'
	printf '{"ad_id":"a","budget":{"remaining":1}}\n{"ad_id":"a","budget":{"remaining":2}}\n' > "$T/side"
	run -65 --separate-stderr pas-score --budgets "$T/side" "$T/in"
	[ "$stderr" = "pas-score: $T/side:2: ad_id \"a\" has a budget already" ]
	printf '{"id":"r","ad_id":"a","impression":true,"click":true,"install":false}\n{"id":"r","ad_id":"a","impression":true,"click":true,"install":false}\n' > "$T/side"
	run -65 --separate-stderr pas-score --summary "$T/s" --outcomes "$T/side" "$T/in"
	[ "$stderr" = "pas-score: $T/side:2: a second outcome for this request id" ]
	run -66 --separate-stderr pas-score --budgets "$T/nope" "$T/in"
	[ "$stderr" = "pas-score: $T/nope: No such file or directory" ]
}

@test "pas-score: gzip input, several files, a missing one is 66" {
	gzip -c "$F/examples3.ndjson" > "$T/in.gz"
	run -66 --separate-stderr pas-score "$T/nope" "$T/in.gz" "$F/examples3.ndjson"
	[ "${#lines[@]}" -eq 8 ]
	[ "$stderr" = "pas-score: $T/nope: No such file or directory" ]
}

@test "pas-score: -o is atomic; usage errors are 64; --help and --version" {
	run -0 pas-score -o "$T/out" "$F/examples3.ndjson"
	[ -z "$output" ] && [ "$(wc -l < "$T/out")" -eq 4 ]
	run -73 --separate-stderr pas-score -o "$T/no/dir/out" "$F/examples3.ndjson"
	run -73 --separate-stderr pas-score --summary "$T/no/dir/s" "$F/examples3.ndjson"
	run -0 pas-score --help
	assert_line --index 0 --partial 'usage: pas-score'
	run -0 pas-score --version
	assert_output --regexp '^pas-score \(adsig\) [0-9]+\.[0-9]+\.[0-9]+$'
	usage() {
		run -64 --separate-stderr pas-score "$@"
		[[ "$stderr" == *"usage: pas-score"* ]] || fail "for $*: $stderr"
	}
	usage --bogus
	usage --budgets-out x
	usage --outcomes x
	usage --csv
	usage --budgets - 
	usage --blocked - "$F/examples3.ndjson" -
	usage --summary -
	usage --rejects x
	run -64 --separate-stderr pas-score --budgets-out x
	[[ "$stderr" == "pas-score: --budgets-out needs --budgets"* ]]
}

# --udf-exec: the seller's own scoreAd as a co-process.  python3 behind a
# version shim can take over a second to start: its runs get a long
# --udf-timeout.

# A scoreAd in python3: games count half; advertiser bad-co is rejected
# as blocked-by-publisher; spam gets -1; the rest an object worth the bid.
# Each request line is kept in "got".
score_py() {
	cat > "$T/score.py" <<-'PY'
	import json, sys
	for line in sys.stdin:
	    with open(sys.argv[1], "a") as f:
	        f.write(line)
	    q = json.loads(line)
	    assert q["fn"] == "scoreAd" and len(q["args"]) == 6
	    meta, bid, config, trusted, device, direct = q["args"]
	    assert trusted is None and direct == {}
	    if meta.get("advertiser") == "bad-co":
	        ans = {"desirability": 0, "rejectReason": "blocked-by-publisher"}
	    elif meta.get("category") == "games":
	        ans = bid / 2
	    elif meta.get("category") == "spam":
	        ans = -1
	    else:
	        ans = {"desirability": bid, "rejectReason": "not-available",
	               "allowComponentAuction": False}
	    print(json.dumps(ans), flush=True)
	PY
}

@test "pas-score: --udf-exec scoreAd halving games changes the winner; the second price is the runner-up's bid" {
	score_py
	# r-1, floor 0.5: A (games) 2.0, B 1.2, D 1.1 -> desirabilities 1.0,
	# 1.2, 1.1: B wins (built in: A, paying B's 1.2); second price = the
	# bid of D, the runner-up by desirability: 1.1.
	# r-2: A (games) 2.0 -> 1.0, B 1.2: B wins; the runner-up A bid 2.0,
	# more than B: B pays its own 1.2.
	# r-3: bad-co 3.0 rejected (blocked-by-publisher), B 0.8 alone: second
	# price = the floor 0.5; A's loss report had to beat B's 0.8.
	# r-4: spam -> -1: rejected, no reason; nobody wins (loss at the floor).
	# r-5: no bids, no call.  Calls: 3 + 2 + 2 + 1 = 8.
	run -0 --separate-stderr pas-score -v --second-price --udf-timeout 20000 \
		--udf-exec "python3 $T/score.py $T/got" "$F/udf.ndjson"
	assert_line --index 0 '{"type":"request","id":"r-1","ctx":{"app":"com.pub","floor":0.5},"auction":{"winner":{"buyer":"B","ad_id":"b-1","bid":1.2,"price":1.1,"score":1.2},"scored":3},"reports":[{"buyer":"B","type":"win","ad_id":"b-1","price":1.1},{"buyer":"A","type":"loss","ad_id":"a-1","price":1.2,"reason":"outbid"},{"buyer":"D","type":"loss","ad_id":"d-1","price":1.2,"reason":"outbid"}]}'
	assert_line --index 1 '{"type":"request","id":"r-2","ctx":{"floor":0.5},"auction":{"winner":{"buyer":"B","ad_id":"b-2","bid":1.2,"price":1.2,"score":1.2},"scored":2},"reports":[{"buyer":"B","type":"win","ad_id":"b-2","price":1.2},{"buyer":"A","type":"loss","ad_id":"a-2","price":1.2,"reason":"outbid"}]}'
	assert_line --index 2 '{"type":"request","id":"r-3","ctx":{"floor":0.5},"auction":{"winner":{"buyer":"B","ad_id":"b-3","bid":0.8,"price":0.5,"score":0.8},"scored":2},"reports":[{"buyer":"B","type":"win","ad_id":"b-3","price":0.5},{"buyer":"A","type":"loss","ad_id":"a-3","price":0.8,"reason":"seller_rejected","reject_reason":"blocked-by-publisher"}]}'
	assert_line --index 3 '{"type":"request","id":"r-4","ctx":{"floor":0.5},"auction":{"winner":null,"reason":"seller_rejected","scored":1},"reports":[{"buyer":"A","type":"loss","ad_id":"a-4","price":0.5,"reason":"seller_rejected"}]}'
	assert_line --index 4 '{"type":"request","id":"r-5","auction":{"winner":null,"reason":"no_bids","scored":0},"reports":[]}'
	[ "${#lines[@]}" -eq 5 ]
	[ "$stderr" = "pas-score: read 5, wrote 5, rejected 0, requests 5, won 3, no_bids 1, below_floor 0, blocked 0, budget_exhausted 0, seller_rejected 1, score_failed 0, udf calls 8, udf failed 0" ] || fail "$stderr"
	# the arguments of the first call, in scoreAd's order; no egress payload
	[ "$(wc -l < "$T/got")" -eq 8 ]
	[ "$(head -n 1 "$T/got")" = '{"fn":"scoreAd","args":[{"ad_id":"a-1","render_url":"https://a.example/1","campaign":"c-1","category":"games"},2.0,{"auctionSignals":{"id":"r-1","ctx":{"app":"com.pub","floor":0.5}},"sellerSignals":{"floor":0.5}},null,{"interestGroupOwner":"A","topWindowHostname":"com.pub","renderUrl":"https://a.example/1"},{}]}' ]
	[ "$(sed -n 4p "$T/got")" = '{"fn":"scoreAd","args":[{"ad_id":"a-2","category":"games"},2.0,{"auctionSignals":{"id":"r-2","ctx":{"floor":0.5}},"sellerSignals":{"floor":0.5}},null,{"interestGroupOwner":"A"},{}]}' ]
	# first price: B pays its bids; the built-in scoreAd: A wins r-1, r-2
	run -0 pas-score --udf-timeout 20000 --udf-exec "python3 $T/score.py $T/got2" "$F/udf.ndjson"
	echo "$output" | auctions > "$T/first"
	run cat "$T/first"
	assert_output $'r-1 B 1.2 3\nr-2 B 1.2 2\nr-3 B 0.8 2\nr-4 seller_rejected 1\nr-5 no_bids 0'
	run -0 pas-score --second-price "$F/udf.ndjson"
	echo "$output" | auctions > "$T/builtin"
	run cat "$T/builtin"
	assert_output $'r-1 A 1.2 3\nr-2 A 1.2 2\nr-3 A 0.8 2\nr-4 A 0.5 1\nr-5 no_bids 0'
}

@test "pas-score: --udf-exec with budgets: a dropped winner, the runner-up by desirability pays" {
	score_py
	# r-1 with b-1 at 0.001, second price: from the lowest desirability
	# up, A pays the floor 0.5; D would pay min(1.1, A's 2.0) = 1.1; B
	# would pay D's 1.1 = 0.0011 > 0.001: budget_exhausted.  D wins at 1.1.
	printf '{"ad_id":"b-1","budget":{"remaining":0.001}}\n' > "$T/b"
	head -n 1 "$F/udf.ndjson" > "$T/in"
	run -0 pas-score --second-price --budgets "$T/b" --udf-timeout 20000 \
		--udf-exec "python3 $T/score.py $T/got" "$T/in"
	assert_output '{"type":"request","id":"r-1","ctx":{"app":"com.pub","floor":0.5},"auction":{"winner":{"buyer":"D","ad_id":"d-1","bid":1.1,"price":1.1,"score":1.1},"scored":3},"reports":[{"buyer":"D","type":"win","ad_id":"d-1","price":1.1},{"buyer":"A","type":"loss","ad_id":"a-1","price":1.1,"reason":"outbid"},{"buyer":"B","type":"loss","ad_id":"b-1","price":1.1,"reason":"budget_exhausted"}]}'
}

@test "pas-score: --udf-exec malformed answers are failed calls, reported and counted; the run goes on" {
	cat > "$T/m.sh" <<-'SH'
	while IFS= read -r l; do
		case $l in
		*'"interestGroupOwner":"A"'*) echo 1 ;;
		*'"interestGroupOwner":"B"'*) echo 'not json' ;;
		*'"interestGroupOwner":"C"'*) echo '"1.5"' ;;
		*'"interestGroupOwner":"D"'*) echo '{"bid":3}' ;;
		*'"interestGroupOwner":"E"'*) echo '{"desirability":1,"rejectReason":7}' ;;
		*'"interestGroupOwner":"G"'*) printf '1\n2\n' ;;
		esac
	done
	SH
	{
		printf '{"type":"request","id":"r-1","bids":[{"buyer":"A","ad_id":"a","bid":1},{"buyer":"B","ad_id":"b","bid":2},{"buyer":"C","ad_id":"c","bid":3},{"buyer":"D","ad_id":"d","bid":4},{"buyer":"E","ad_id":"e","bid":5}]}\n'
		printf '{"type":"request","id":"r-2","bids":[{"buyer":"G","ad_id":"g","bid":1},{"buyer":"A","ad_id":"a","bid":2}]}\n'
		printf '{"type":"request","id":"r-3","bids":[{"buyer":"A","ad_id":"a","bid":1}]}\n'
		printf '{"type":"request","id":"r-4","bids":[{"buyer":"B","ad_id":"b","bid":1}]}\n'
	} > "$T/m.ndjson"
	# r-1: only A scores (1): it wins at 1.0; B..E fail.  r-2: G answers
	# two lines: its call scores 1, A's call finds the extra line, fails,
	# and the co-process is started again; G wins.  r-3: the new co-process
	# answers A.  r-4: B's only call fails: score_failed.
	run -0 --separate-stderr pas-score -v --udf-exec "sh $T/m.sh" "$T/m.ndjson"
	assert_line --index 0 '{"type":"request","id":"r-1","auction":{"winner":{"buyer":"A","ad_id":"a","bid":1.0,"price":1.0,"score":1.0},"scored":5},"reports":[{"buyer":"A","type":"win","ad_id":"a","price":1.0},{"buyer":"B","type":"loss","ad_id":"b","price":1.0,"reason":"score_failed"},{"buyer":"C","type":"loss","ad_id":"c","price":1.0,"reason":"score_failed"},{"buyer":"D","type":"loss","ad_id":"d","price":1.0,"reason":"score_failed"},{"buyer":"E","type":"loss","ad_id":"e","price":1.0,"reason":"score_failed"}]}'
	assert_line --index 1 '{"type":"request","id":"r-2","auction":{"winner":{"buyer":"G","ad_id":"g","bid":1.0,"price":1.0,"score":1.0},"scored":2},"reports":[{"buyer":"G","type":"win","ad_id":"g","price":1.0},{"buyer":"A","type":"loss","ad_id":"a","price":1.0,"reason":"score_failed"}]}'
	assert_line --index 2 '{"type":"request","id":"r-3","auction":{"winner":{"buyer":"A","ad_id":"a","bid":1.0,"price":1.0,"score":1.0},"scored":1},"reports":[{"buyer":"A","type":"win","ad_id":"a","price":1.0}]}'
	assert_line --index 3 '{"type":"request","id":"r-4","auction":{"winner":null,"reason":"score_failed","scored":1},"reports":[{"buyer":"B","type":"loss","ad_id":"b","price":0.0,"reason":"score_failed"}]}'
	[ "$stderr" = "pas-score: $T/m.ndjson:1: buyer \"B\", ad \"b\": scoreAd failed: the answer is not JSON
pas-score: $T/m.ndjson:1: buyer \"C\", ad \"c\": scoreAd failed: the answer is neither a number nor an object
pas-score: $T/m.ndjson:1: buyer \"D\", ad \"d\": scoreAd failed: the answer has no number \"desirability\"
pas-score: $T/m.ndjson:1: buyer \"E\", ad \"e\": scoreAd failed: rejectReason is not a string
pas-score: $T/m.ndjson:2: buyer \"A\", ad \"a\": scoreAd failed: co-process wrote more than one line for a request (killed; restarted for the next call)
pas-score: $T/m.ndjson:4: buyer \"B\", ad \"b\": scoreAd failed: the answer is not JSON
pas-score: read 4, wrote 4, rejected 0, requests 4, won 3, no_bids 0, below_floor 0, blocked 0, budget_exhausted 0, seller_rejected 0, score_failed 1, udf calls 9, udf failed 6" ] || fail "$stderr"
}

@test "pas-score: --udf-exec a hanging co-process: each call times out, is counted, and the run ends" {
	printf '{"type":"request","id":"r-1","bids":[{"buyer":"A","ad_id":"a","bid":1},{"buyer":"B","ad_id":"b","bid":2}]}\n{"type":"request","id":"r-2","bids":[{"buyer":"A","ad_id":"a","bid":1}]}\n' > "$T/in"
	run -0 --separate-stderr timeout 60 pas-score --udf-timeout 100 \
		--udf-exec 'exec sleep 60' -o "$T/out" "$T/in"
	run cat "$T/out"
	assert_output '{"type":"request","id":"r-1","auction":{"winner":null,"reason":"score_failed","scored":2},"reports":[{"buyer":"A","type":"loss","ad_id":"a","price":0.0,"reason":"score_failed"},{"buyer":"B","type":"loss","ad_id":"b","price":0.0,"reason":"score_failed"}]}
{"type":"request","id":"r-2","auction":{"winner":null,"reason":"score_failed","scored":1},"reports":[{"buyer":"A","type":"loss","ad_id":"a","price":0.0,"reason":"score_failed"}]}'
	run -0 --separate-stderr timeout 60 pas-score -v --udf-timeout 100 \
		--udf-exec 'exec sleep 60' "$T/in"
	[ "$stderr" = "pas-score: $T/in:1: buyer \"A\", ad \"a\": scoreAd failed: co-process gave no answer within 100 ms (killed; restarted for the next call)
pas-score: $T/in:1: buyer \"B\", ad \"b\": scoreAd failed: co-process gave no answer within 100 ms (killed; restarted for the next call)
pas-score: $T/in:2: buyer \"A\", ad \"a\": scoreAd failed: co-process gave no answer within 100 ms (killed; restarted for the next call)
pas-score: read 2, wrote 2, rejected 0, requests 2, won 0, no_bids 0, below_floor 0, blocked 0, budget_exhausted 0, seller_rejected 0, score_failed 2, udf calls 3, udf failed 3" ] || fail "$stderr"
}

@test "pas-score: --udf-exec a co-process that dies ends the run with its status (exit 70)" {
	printf '{"type":"request","id":"r-1","bids":[{"buyer":"A","ad_id":"a","bid":1}]}\n{"type":"request","id":"r-2","bids":[{"buyer":"A","ad_id":"a","bid":1}]}\n{"type":"request","id":"r-3"}\n' > "$T/in"
	run -70 --separate-stderr pas-score --udf-exec 'read -r l; echo 2; read -r l; exit 3' "$T/in"
	assert_output '{"type":"request","id":"r-1","auction":{"winner":{"buyer":"A","ad_id":"a","bid":1.0,"price":1.0,"score":2.0},"scored":1},"reports":[{"buyer":"A","type":"win","ad_id":"a","price":1.0}]}'
	[ "$stderr" = "pas-score: $T/in:2: scoreAd: co-process exited with status 3" ] || fail "$stderr"
	run -70 --separate-stderr pas-score -o "$T/out" --udf-exec 'read -r l; echo 2; read -r l; exit 3' "$T/in"
	[ ! -e "$T/out" ]
	run -70 --separate-stderr pas-score --skip-bad --udf-exec 'kill -9 $$' "$T/in"
	[ "$stderr" = "pas-score: $T/in:1: scoreAd: co-process was killed by signal 9" ] || fail "$stderr"
	run -70 --separate-stderr pas-score --udf-exec 'exit 0' "$T/in"
	[ "$stderr" = "pas-score: $T/in:1: scoreAd: co-process exited with status 0" ] || fail "$stderr"
	run -70 --separate-stderr pas-score --udf-exec 'no-such-scoread-command' "$T/in"
	[[ "$stderr" == *"pas-score: $T/in:1: scoreAd: co-process exited with status 127" ]] || fail "$stderr"
	# no call, no death: a run without bids ends well (a status other
	# than 0 at the end is worth a warning)
	run -0 --separate-stderr pas-score --udf-exec 'exit 0' - <<< '{"type":"request","id":"r"}'
	[ -z "$stderr" ]
	run -0 --separate-stderr pas-score --udf-exec 'exit 3' - <<< ''
	[ "$stderr" = "pas-score: at exit: co-process exited with status 3" ] || fail "$stderr"
	# usage
	run -64 --separate-stderr pas-score --udf-timeout 0 --udf-exec cat "$T/in"
	run -64 --separate-stderr pas-score --udf-timeout x --udf-exec cat "$T/in"
}

@test "pas-score: a seller's scoreAd JavaScript under node (examples/score-ad.js)" {
	command -v node >/dev/null || skip "node is not installed"
	# score-ad-example.js: casino rejected (category-exclusions), games
	# half, the rest the bid.  r-1: A (games/rpg) 2.0 -> 1.0, B 1.2, C
	# (games/casino) 5 rejected: B wins, first price 1.2.  r-2: A (games)
	# 3.0 -> 1.5 beats B 1.2 and pays 3.0 (first price).  Both requests
	# have a winner: won 2, seller_rejected 0 (a request-level count).
	printf '%s\n' '{"type":"request","id":"r-1","ctx":{"app":"com.pub","floor":0.5},"bids":[{"buyer":"A","ad_id":"a-1","category":"games/rpg","bid":2.0},{"buyer":"B","ad_id":"b-1","category":"news","bid":1.2},{"buyer":"C","ad_id":"c-1","category":"games/casino","bid":5}]}' \
		'{"type":"request","id":"r-2","bids":[{"buyer":"A","ad_id":"a-2","category":"games","bid":3.0},{"buyer":"B","ad_id":"b-2","bid":1.2}]}' > "$T/in"
	run -0 --separate-stderr pas-score -v --udf-timeout 20000 \
		--udf-exec "node $ROOT/examples/score-ad.js $ROOT/examples/score-ad-example.js" "$T/in"
	assert_line --index 0 '{"type":"request","id":"r-1","ctx":{"app":"com.pub","floor":0.5},"auction":{"winner":{"buyer":"B","ad_id":"b-1","bid":1.2,"price":1.2,"score":1.2},"scored":3},"reports":[{"buyer":"B","type":"win","ad_id":"b-1","price":1.2},{"buyer":"A","type":"loss","ad_id":"a-1","price":1.2,"reason":"outbid"},{"buyer":"C","type":"loss","ad_id":"c-1","price":1.2,"reason":"seller_rejected","reject_reason":"category-exclusions"}]}'
	assert_line --index 1 '{"type":"request","id":"r-2","auction":{"winner":{"buyer":"A","ad_id":"a-2","bid":3.0,"price":3.0,"score":1.5},"scored":2},"reports":[{"buyer":"A","type":"win","ad_id":"a-2","price":3.0},{"buyer":"B","type":"loss","ad_id":"b-2","price":3.0,"reason":"outbid"}]}'
	[ "$stderr" = "pas-score: read 2, wrote 2, rejected 0, requests 2, won 2, no_bids 0, below_floor 0, blocked 0, budget_exhausted 0, seller_rejected 0, score_failed 0, udf calls 5, udf failed 0" ] || fail "$stderr"
	# a scoreAd that throws answers null: a failed call
	echo 'function scoreAd() { throw new Error("boom"); }' > "$T/throw.js"
	run -0 --separate-stderr pas-score --udf-timeout 20000 \
		--udf-exec "node $ROOT/examples/score-ad.js $T/throw.js" "$T/in"
	[[ "$stderr" == *"scoreAd: Error: boom"* ]] || fail "$stderr"
	[[ "$stderr" == *'buyer "A", ad "a-1": scoreAd failed: the answer is neither a number nor an object'* ]] || fail "$stderr"
}
