#!/usr/bin/env bats
# pas-bid(1): pInstall, the bid, the best candidate, shading, the egress
# payloads by the mapping, tee removed, errors.  The whole pipeline's
# brute-force check is in tests/pas-retrieve.bats.

load common

setup() {
	common_setup
	F="$TD/pas-bid"
	cd "$T"
}

# A member of the first bid of a record.
bidof() {
	python3 -c 'import json, sys; print(repr(json.loads(sys.argv[2])["bids"][0][sys.argv[1]]))' "$1" "$2"
}

bid() {
	pas-bid --ads "$F/ads.ndjson" --model "$F/model.json" "$@"
}

# Worked by hand (model: bias -1; tee.B.user_embedding u = [0.5, 0.25]):
#   a-1 embedding [1, 0], value 2: z = 0.5 - 1 = -0.5,
#       p = 1 / (1 + e^0.5) = 0.3775406687981454 (python3),
#       bid = p * 2 * 1000 = 755.0813375962908
#   a-2 embedding [0, 4], value 1: z = 1 - 1 = 0, p = 0.5, bid = 500
# so B bids on a-1; X has no candidates; tee goes from every record.
@test "pas-bid: the best candidate's bid and pInstall; tee removed everywhere" {
	run -0 --separate-stderr bid -v "$F/req.ndjson"
	[[ "${lines[0]}" == '{"type":"request","id":"r-1","ctx":{"floor":0.1},"candidates":{"B":[{"ad_id":"a-2"},{"ad_id":"a-1"}],"X":[]},"bids":[{"buyer":"B","ad_id":"a-1","campaign":"c-1","advertiser":"adv-1","category":"games","bid":'*',"p_install":'*'}]}' ]] || fail "${lines[0]}"
	assert_near "$(bidof bid "${lines[0]}")" 755.0813375962908
	assert_near "$(bidof p_install "${lines[0]}")" 0.3775406687981454
	assert_line --index 1 '{"type":"outcome","id":"r-0"}'
	assert_line --index 2 '{"type":"other", "x":1}'
	[ "${#lines[@]}" -eq 3 ]
	[ "$stderr" = "pas-bid: read 3, wrote 3, rejected 0, requests 1, buyers 2, bids 1, no candidates 1, udf failed 0" ]
}

@test "pas-bid: --shading multiplies the bid (755.0813375962908 x 0.5)" {
	run -0 bid --shading 0.5 "$F/req.ndjson"
	assert_near "$(bidof bid "${lines[0]}")" 377.5406687981454
	run -64 --separate-stderr bid --shading 0 "$F/req.ndjson"
	run -64 --separate-stderr bid --shading x "$F/req.ndjson"
}

# The payload decodes to igam (count 2) and tier "3": with the 20-bit
# schema f0 (igam.present) is true, f8 (tier.value) 3, f10 (purc.count
# 0) item 0, all else 0.  With tee.features giving levl.log_value 3.5
# and tier.value 1: f11 = round(3.5 / 3.5 * 7) = 7 and f8 = 1.
@test "pas-bid: egress payloads by the mapping of the 20-bit schema; tee.features first" {
	run -0 bid --egress-schema "$ROOT/examples/egress-schema-20.json" "$F/req.ndjson"
	[[ "${lines[0]}" == *',"egress_payload":{"features":[{"name":"boolean-feature","value":true},{"name":"boolean-feature","value":false},{"name":"boolean-feature","value":false},{"name":"boolean-feature","value":false},{"name":"boolean-feature","value":false},{"name":"boolean-feature","value":false},{"name":"boolean-feature","value":false},{"name":"boolean-feature","value":false},{"name":"unsigned-integer-feature","value":3},{"name":"unsigned-integer-feature","value":0},{"name":"bucket-feature","value":[{"value":true},{"value":false},{"value":false},{"value":false}]},{"name":"unsigned-integer-feature","value":0}]}}]}' ]] || fail "${lines[0]}"
	sed 's/"user_embedding"/"features":{"levl.log_value":3.5,"tier.value":1},"user_embedding"/' "$F/req.ndjson" > in
	run -0 bid --schema "$ROOT/examples/egress-schema-20.json" in
	[[ "${lines[0]}" == *'{"name":"unsigned-integer-feature","value":1},{"name":"unsigned-integer-feature","value":0},{"name":"bucket-feature","value":[{"value":true},{"value":false},{"value":false},{"value":false}]},{"name":"unsigned-integer-feature","value":7}]},"temporary_unlimited_egress_payload":{"features":[{"name":"boolean-feature","value":true},'* ]] || fail "${lines[0]}"
}

@test "pas-bid: payloads validate against their schemas and fill the bits" {
	run -0 bid --egress-schema "$ROOT/examples/egress-schema-20.json" \
		--temporary-egress-schema "$ROOT/examples/egress-schema-unlimited.json" "$F/req.ndjson"
	python3 - "$ROOT/examples/egress-schema-20.json" "$ROOT/examples/egress-schema-unlimited.json" <<-PY
	import json, sys
	r = json.loads("""${lines[0]}""")
	for path, key, bits in ((sys.argv[1], "egress_payload", 20), (sys.argv[2], "temporary_unlimited_egress_payload", 212)):
	    s = json.load(open(path))
	    p = r["bids"][0][key]["features"]
	    assert len(p) == len(s["features"])
	    total = 0
	    for f, v in zip(s["features"], p):
	        assert f["name"] == v["name"]
	        size = f.get("size", 1)
	        total += size
	        if f["name"] == "boolean-feature":
	            assert v["value"] in (True, False)
	        elif f["name"] == "unsigned-integer-feature":
	            assert 0 <= v["value"] < 2 ** size
	        elif f["name"] == "bucket-feature":
	            assert len(v["value"]) == size and sum(b["value"] for b in v["value"]) == 1
	    assert total == bits, total
	PY
}

@test "pas-bid: bad records: the reason; the rejects never hold tee" {
	while IFS='|' read -r rec why; do
		echo "$rec" > in
		run -65 --separate-stderr bid in
		[ "$stderr" = "pas-bid: in:1: $why" ] || fail "got $stderr, want $why"
	done <<-'EOF'
	{"type":"request","candidates":[]}|"candidates" is not an object
	{"type":"request","candidates":{"B":{}}}|candidates.B is not an array
	{"type":"request","candidates":{"B":[{"ad_id":"a-1"}]}}|tee has no object for buyer "B"
	{"type":"request","candidates":{"B":[{"ad_id":"a-1"}]},"tee":7}|"tee" is not an object
	{"type":"request","candidates":{"B":[{"ad_id":"a-1"}]},"tee":{"B":{"user_embedding":[1]}}}|tee.B.user_embedding is not an array of 2 numbers
	{"type":"request","candidates":{"B":[{"id":"a-1"}]},"tee":{"B":{"user_embedding":[1,2]}}}|candidates.B[0]: no string "ad_id"
	{"type":"request","candidates":{"B":[{"ad_id":"x-1"}]},"tee":{"B":{"user_embedding":[1,2]}}}|candidates.B[0]: "x-1" is not an ad of the buyer in the catalog
	EOF
	{ echo '{"type":"request","candidates":{"B":[{"ad_id":"zz"}]},"tee":{"B":{"user_embedding":[1,2],"secret":"S3CR3T"}}}'
	  cat "$F/req.ndjson"; } > in
	run -0 --separate-stderr bid --skip-bad --rejects rej in
	[ "${#lines[@]}" -eq 3 ]
	! grep -q S3CR3T rej
	grep -q '"record":""' rej
}

@test "pas-bid: --udf-exec generateBid: its bid and payloads; failures counted" {
	cat > udf.py <<-'PY'
	import json, sys
	for line in sys.stdin:
	    q = json.loads(line)
	    a = q["args"]
	    assert q["fn"] == "generateBid" and len(a) == 8 and a[6] == 1 and a[7]["buyer"] == "B"
	    assert a[3] == {"features": {}} and a[4].startswith("016967")
	    last = a[0][-1]["ad_id"]
	    print(json.dumps({"ad": {"ad_id": last}, "bid": 1.5, "render": "https://r/",
	                      "egressPayload": json.dumps({"features": []}), "pInstall": 0.25}), flush=True)
	PY
	run -0 bid --udf-timeout 20000 --udf-exec "python3 udf.py" --shading 2 "$F/req.ndjson"
	[[ "${lines[0]}" == *'"bids":[{"buyer":"B","ad_id":"a-1","render_url":"https://r/","campaign":"c-1","advertiser":"adv-1","category":"games","bid":3.0,"p_install":0.25,"egress_payload":{"features":[]}}]}' ]] || fail "${lines[0]}"
	echo 'import sys
for line in sys.stdin: print("{\"ad\":\"nope\",\"bid\":1}", flush=True)' > bad.py
	run -0 --separate-stderr bid --udf-timeout 20000 --udf-exec "python3 bad.py" "$F/req.ndjson"
	[[ "$stderr" == *"buyer \"B\": generateBid failed: the answer's ad is not a candidate"* ]] || fail "$stderr"
	[[ "${lines[0]}" == *'"bids":[]}' ]]
	run -70 --separate-stderr bid --udf-exec "exit 4" "$F/req.ndjson"
	[[ "$stderr" == *"co-process exited with status 4"* ]] || fail "$stderr"
}

@test "pas-bid: usage, model, schema and catalog errors" {
	run -64 --separate-stderr pas-bid --model m
	[[ "$stderr" == "pas-bid: --ads and --model are required"* ]]
	run -64 --separate-stderr bid --csv
	echo '{"cddl_version":"1.0.0","version":1,"features":[{"name":"boolean-feature"}]}' > s.json
	run -65 --separate-stderr bid --egress-schema s.json "$F/req.ndjson"
	[ "$stderr" = 'pas-bid: s.json: feature 0: no string "source"' ] || fail "$stderr"
	run -66 --separate-stderr bid --egress-schema nope.json "$F/req.ndjson"
	[ "$stderr" = 'pas-bid: nope.json: No such file or directory' ] || fail "$stderr"
	run -66 --separate-stderr pas-bid --ads nope --model "$F/model.json" "$F/req.ndjson"
	run -66 --separate-stderr pas-bid --ads "$F/ads.ndjson" --model nope.json "$F/req.ndjson"
	[ "$stderr" = 'pas-bid: nope.json: No such file or directory' ] || fail "$stderr"
	run -66 --separate-stderr bid nope
	run -0 bid --help
	[[ "$output" == "usage: pas-bid "* ]]
}

# The logistic model testdata/pas-bid/lr-model.json, worked by hand on
# the 20-bit payload of req.ndjson (f0 1, f8 3, f9 0, f10_0 1; see above):
#   f0 "1" -> f0=1 +0.5; f8 numeric 3 x 0.25 = +0.75; f10_0 "1" ->
#   f10_0=1 -0.5; f9 "0", edges [1, 4]: no edge <= 0 -> f9@0 +0.125;
#   z = -1 + 0.5 + 0.75 - 0.5 + 0.125 = -0.125,
#   p = 1 / (1 + e^0.125) = 0.46879062662624377 (python3).
# The payload holds no ad, so a-1 and a-2 have that p; a-1 (value 2)
# bids p x 2 x 1000 = 937.5812532524875.  No user_embedding is needed,
# and the catalog's embeddings are not read.
# With tee.features tier.value 1 and levl.log_value 3.5: f8 = 1, f11 = 7
# (not a model column): z = -1 + 0.5 + 0.25 - 0.5 + 0.125 = -0.625,
# p = 1 / (1 + e^0.625) = 0.34864513533394575, bid 697.2902706678915.
# With a-1's value 0.5, a-2 (value 1) is the best: p x 1000.
@test "pas-bid: a logistic model scores the egress payload's columns (hand-worked)" {
	S="$ROOT/examples/egress-schema-20.json"
	sed 's/,"user_embedding":\[0.5,0.25\]//' "$F/req.ndjson" > in
	run -0 --separate-stderr pas-bid --ads "$F/ads.ndjson" --model "$F/lr-model.json" --egress-schema "$S" -v in
	[[ "${lines[0]}" == '{"type":"request","id":"r-1","ctx":{"floor":0.1},"candidates":{"B":[{"ad_id":"a-2"},{"ad_id":"a-1"}],"X":[]},"bids":[{"buyer":"B","ad_id":"a-1","campaign":"c-1","advertiser":"adv-1","category":"games","bid":'*',"p_install":'*',"egress_payload":{"features":[{"name":"boolean-feature","value":true},'* ]] || fail "${lines[0]}"
	assert_near "$(bidof p_install "${lines[0]}")" 0.46879062662624377 1e-12
	assert_near "$(bidof bid "${lines[0]}")" 937.5812532524875 1e-12
	[ "$stderr" = "pas-bid: read 3, wrote 3, rejected 0, requests 1, buyers 2, bids 1, no candidates 1, udf failed 0" ]
	run -0 pas-bid --ads "$F/ads.ndjson" --model "$F/lr-model.json" --schema "$S" --shading 0.5 in
	assert_near "$(bidof bid "${lines[0]}")" 468.79062662624375 1e-12
	[[ "${lines[0]}" == *'"temporary_unlimited_egress_payload":{'* ]] || fail "${lines[0]}"
	sed 's/"encoding_version"/"features":{"levl.log_value":3.5,"tier.value":1},"encoding_version"/' in > in2
	run -0 pas-bid --ads "$F/ads.ndjson" --model "$F/lr-model.json" --egress-schema "$S" in2
	assert_near "$(bidof p_install "${lines[0]}")" 0.34864513533394575 1e-12
	assert_near "$(bidof bid "${lines[0]}")" 697.2902706678915 1e-12
	# a-1 worth 0.5, and embeddings of another size (not read)
	sed -e 's/"value":2,"embedding":\[1,0\]/"value":0.5,"embedding":[1,0,3]/' -e 's/,"embedding":\[0,4\]//' "$F/ads.ndjson" > ads
	run -0 pas-bid --ads ads --model "$F/lr-model.json" --egress-schema "$S" in
	[ "$(bidof ad_id "${lines[0]}")" = "'a-2'" ]
	assert_near "$(bidof bid "${lines[0]}")" 468.79062662624375 1e-12
}

# The analyst's loop: the auction with the world's two_tower model, its
# reports through the platform (egress-noise -p 0, nothing noised; the
# 20-bit payload under --limit 20) and --decode with the outcomes of
# pas-synth --outcomes-for; pas-train on those rows; pas-bid replays the
# auction with that logistic model.  Every bid is checked by
# testdata/pas-bid/lr_check.py (payload columns by tests/egress_ref.py,
# p by tests/lr_table_ref.py), and the rows decoded from the replay's
# reports are the columns it scored.
@test "pas-bid: the analyst's loop: reports -> decode -> pas-train -> pas-bid --model" {
	S="$ROOT/examples/egress-schema-20.json"
	W="--seed 5 --devices 60 --requests 300 --ads 100 --days 2 --dim 4"
	pas-synth $W --emit all --dir .
	pas-keygen --seed 1 --key-id 4 -o k > /dev/null
	pas-encode --seed 1 --key-config k.keyconfig world.ndjson |
		pas-retrieve --secret-key k.sk --ads ads.ndjson --model model.json > ret
	pas-bid --ads ads.ndjson --model model.json --egress-schema "$S" ret |
		pas-score > scored
	egress-noise -p 0 --limit 20 --egress-schema "$S" scored > reports
	pas-synth $W --outcomes-for scored > outcomes
	egress-noise --decode --egress-schema "$S" --outcomes outcomes reports > rows
	pas-train -l install --ignore click -o lr.json rows
	grep -q '"type":"logistic"' lr.json
	run -0 --separate-stderr pas-bid --ads ads.ndjson --model lr.json --egress-schema "$S" -v ret
	echo "$output" > bids
	[[ "$stderr" == "pas-bid: read 300, wrote 300, rejected 0, requests 300, buyers 600, bids "* ]] || fail "$stderr"
	pas-score bids | egress-noise -p 0 --limit 20 --egress-schema "$S" |
		egress-noise --decode --egress-schema "$S" --keep id,auction > decoded
	run -0 python3 "$F/lr_check.py" lr.json "$S" ads.ndjson bids decoded
	[[ "$output" =~ ^bids\ ([0-9]+)\ distinct\ p\ ([0-9]+)\ decoded\ ([0-9]+)$ ]] || fail "$output"
	(( BASH_REMATCH[1] > 500 && BASH_REMATCH[2] > 20 && BASH_REMATCH[3] > 250 )) || fail "$output"
}

@test "pas-bid: logistic model errors: no --egress-schema, unknown type, columns of another schema" {
	S="$ROOT/examples/egress-schema-20.json"
	run -64 --separate-stderr pas-bid --ads "$F/ads.ndjson" --model "$F/lr-model.json" "$F/req.ndjson"
	[[ "$stderr" == "pas-bid: --model $F/lr-model.json is a logistic model of the egress_payload's columns: give --egress-schema (or --schema)"$'\n'"usage: pas-bid "* ]] || fail "$stderr"
	run -64 --separate-stderr pas-bid --ads "$F/ads.ndjson" --model "$F/lr-model.json" --temporary-egress-schema "$S" "$F/req.ndjson"
	# a model of unknown type is a bad model, as a bad two_tower one is
	echo '{"type":"gbdt","trees":[]}' > m.json
	run -65 --separate-stderr bid --egress-schema "$S" "$F/req.ndjson" --model m.json
	[ "$stderr" = 'pas-bid: m.json: "type" is not "two_tower" or "logistic"' ] || fail "$stderr"
	echo '{"dim":2}' > m.json
	run -65 --separate-stderr bid --model m.json "$F/req.ndjson"
	[ "$stderr" = 'pas-bid: m.json: "type" is not "two_tower" or "logistic"' ] || fail "$stderr"
	echo '{"type":"two_tower","dim":0}' > m.json
	run -65 --separate-stderr bid --model m.json "$F/req.ndjson"
	[ "$stderr" = 'pas-bid: m.json: "dim" is not an integer in 1..4096' ] || fail "$stderr"
	echo '{"type":"logistic","columns":[{"name":"f0","kind":"categorical"}],"weights":{}}' > m.json
	run -65 --separate-stderr bid --model m.json --egress-schema "$S" "$F/req.ndjson"
	[ "$stderr" = 'pas-bid: m.json: bias is not a number' ] || fail "$stderr"
	# f12 is a column of the unlimited schema, not of the 20-bit one
	echo '{"type":"logistic","columns":[{"name":"f0","kind":"categorical"},{"name":"f12","kind":"numeric"}],"bias":0,"weights":{"f12":1}}' > m.json
	run -65 --separate-stderr bid --model m.json --egress-schema "$S" "$F/req.ndjson"
	[ "$stderr" = 'pas-bid: m.json: the model'"'"'s column "f12" is not a column of the egress schema (f0 .. f11)' ] || fail "$stderr"
	run -66 --separate-stderr bid --model nope.json --egress-schema "$S" "$F/req.ndjson"
}
