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
	run -65 --separate-stderr bid --egress-schema nope.json "$F/req.ndjson"
	run -66 --separate-stderr pas-bid --ads nope --model "$F/model.json" "$F/req.ndjson"
	run -66 --separate-stderr bid nope
	run -0 bid --help
	[[ "$output" == "usage: pas-bid "* ]]
}
