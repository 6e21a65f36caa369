#!/usr/bin/env bats
# pas-retrieve(1): opening the input, features, the user embedding, the
# exact top k; the whole pipeline against an independent brute force
# (testdata/pas-retrieve/brute.py); bad payloads and the other errors.

load common

setup_file() {
	W="$BATS_FILE_TMPDIR/w"
	ROOT="${ADSIG_ROOT:-$BATS_TEST_DIRNAME/..}"
	adsig_path
	mkdir -p "$W"
	cd "$W"
	pas-synth --seed 5 --devices 60 --requests 300 --ads 600 --days 2 \
		--dim 8 --emit all --dir .
	pas-keygen --seed 1 --key-id 4 -o k
	pas-keygen --seed 2 --key-id 4 -o other
	pas-encode --seed 1 --key-config k.keyconfig world.ndjson > enc.ndjson
	pas-encode --open --decode --secret-key k.sk enc.ndjson > opened.ndjson
}

setup() {
	common_setup
	W="$BATS_FILE_TMPDIR/w"
	F="$TD/pas-retrieve"
	cd "$T"
}

retrieve() {
	pas-retrieve --secret-key "$W/k.sk" --ads "$W/ads.ndjson" --model "$W/model.json" "$@"
}

@test "pas-retrieve: the pipeline equals the brute force over every ad (k 10 and 3), both price rules" {
	for k in 10 3; do
		retrieve -k $k "$W/enc.ndjson" > ret
		pas-bid --ads "$W/ads.ndjson" --model "$W/model.json" ret > bid
		pas-score bid > s1
		pas-score --second-price bid > s2
		run -0 python3 "$F/brute.py" "$W/model.json" "$W/ads.ndjson" \
			"$W/opened.ndjson" $k ret bid s1 s2
		[[ "$output" == "requests 300 buyers 600 candidates "* ]] || fail "$output"
	done
}

@test "pas-retrieve: requests in = requests out; auction_input removed; the summary" {
	run -0 --separate-stderr retrieve -v "$W/enc.ndjson"
	[ "${#lines[@]}" -eq 300 ]
	[[ "$output" != *auction_input* ]]
	[[ "$stderr" == "pas-retrieve: read 300, wrote 300, rejected 0, requests 300, buyers 600, candidates "*", no input 0, no payload "*", undecodable 0, udf failed 0, ads filtered in "*", scored exactly "* ]] || fail "$stderr"
}

@test "pas-retrieve: other records pass byte for byte; no auction_input: no candidates" {
	{ echo '{"type":"outcome", "id":"r-1"}'
	  echo '{"type":"request","id":"r-2","buyers":["adtech1.example"],"ctx":{}}'
	  echo '{"type":"request","id":"r-3","ctx":{},"candidates":7}'; } > in
	run -0 retrieve in
	assert_line --index 0 '{"type":"outcome", "id":"r-1"}'
	assert_line --index 1 '{"type":"request","id":"r-2","buyers":["adtech1.example"],"ctx":{},"candidates":{"adtech1.example":[]},"tee":{}}'
	assert_line --index 2 '{"type":"request","id":"r-3","ctx":{},"candidates":{},"tee":{}}'
}

@test "pas-retrieve: the tee holds the payload, version, features and user embedding" {
	head -1 "$W/enc.ndjson" > in
	retrieve in > out
	python3 - "$W/opened.ndjson" out <<-'PY'
	import json, sys
	o = json.loads(open(sys.argv[1]).readline())
	r = json.loads(open(sys.argv[2]).readline())
	for b, t in r["tee"].items():
	    bi = o["auction_input_opened"]["buyer_input"][b]
	    assert t["signals"] == bi["app_install_signals"], b
	    assert t["encoding_version"] == bi["encoding_version"], b
	    assert len(t["features"]) == 53 and len(t["user_embedding"]) == 8, b
	    for c in r["candidates"][b]:
	        assert set(c) == {"ad_id", "render_url", "score", "meta"}, c
	        assert set(c["meta"]) == {"campaign", "advertiser", "category", "value"}, c
	PY
}

@test "pas-retrieve: a CSV catalog gives the same records as the NDJSON one" {
	python3 - "$W/ads.ndjson" > ads.csv <<-'PY'
	import csv, json, sys
	w = csv.writer(sys.stdout, lineterminator="\n")
	cols = ["ad_id", "buyer", "campaign", "advertiser", "category", "render_url", "value",
	        "budget.remaining", "targeting.lang", "targeting.geo", "targeting.slot",
	        "targeting.size", "embedding"]
	w.writerow(cols)
	for l in open(sys.argv[1]):
	    a = json.loads(l)
	    t = a.get("targeting", {})
	    w.writerow([a["ad_id"], a["buyer"], a["campaign"], a["advertiser"], a["category"],
	                a["render_url"], repr(a["value"]), repr(a["budget"]["remaining"])] +
	               [json.dumps(t[f]) if f in t else "" for f in ("lang", "geo", "slot", "size")] +
	               [json.dumps(a["embedding"])])
	PY
	head -40 "$W/enc.ndjson" > in
	retrieve in > a
	pas-retrieve --secret-key "$W/k.sk" --ads ads.csv --model "$W/model.json" in > b
	cmp a b
}

@test "pas-retrieve: payloads that do not open are bad records, never a crash or plaintext" {
	head -3 "$W/enc.ndjson" > in
	# the wrong key
	run -65 --separate-stderr pas-retrieve --secret-key "$W/other.sk" \
		--ads "$W/ads.ndjson" --model "$W/model.json" in
	[ "$stderr" = "pas-retrieve: in:1: cannot open auction_input (decrypt): decryption failed (wrong key or altered request)" ] || fail "$stderr"
	# tampered bytes: one base64 digit of the ciphertext changed
	python3 - in > bad <<-'PY'
	import json, sys
	lines = open(sys.argv[1]).read().splitlines()
	r = json.loads(lines[1])
	c = r["auction_input"]["ciphertext"]
	r["auction_input"]["ciphertext"] = c[:100] + ("A" if c[100] != "A" else "B") + c[101:]
	lines[1] = json.dumps(r, separators=(",", ":"))
	r = json.loads(lines[2]); r["auction_input"]["ciphertext"] = "not base64!"
	lines[2] = json.dumps(r, separators=(",", ":"))
	print("\n".join(lines))
	print('{"type":"request","id":"x","auction_input":{"key_id":4}}')
	print('{"type":"request","id":"y","buyers":"adtech1.example","auction_input":null}')
	r = json.loads(lines[0]); r["auction_input"]["key_id"] = "x"
	print(json.dumps(r, separators=(",", ":")))
	r["auction_input"]["key_id"] = 200	# not the header's
	print(json.dumps(r, separators=(",", ":")))
	PY
	run -65 --separate-stderr retrieve bad
	[ "$stderr" = "pas-retrieve: bad:2: cannot open auction_input (decrypt): decryption failed (wrong key or altered request)" ] || fail "$stderr"
	run -0 --separate-stderr retrieve --skip-bad --rejects rej bad
	[ "${#lines[@]}" -eq 1 ]
	[ "$stderr" = "pas-retrieve: read 7, wrote 1, rejected 6, requests 1, buyers 2, candidates 20, no input 0, no payload 0, undecodable 0, udf failed 0, ads filtered in ${stderr##*ads filtered in }" ] || fail "$stderr"
	run -0 python3 -c 'import json,sys; [print(json.loads(l)["line"], json.loads(l)["reason"]) for l in open("rej")]'
	assert_output '2 cannot open auction_input (decrypt): decryption failed (wrong key or altered request)
3 auction_input ciphertext is not standard base64
4 auction_input has no string "ciphertext"
5 "buyers" is not an array
6 auction_input key_id is not an integer from 0 to 255
7 cannot open auction_input (key_id): request is for key id 4, not 200'
}

@test "pas-retrieve: framing and gzip errors of an opened input are bad records" {
	# pai_open's framing, protobuf and gzip checks are unit-tested in
	# tests/unit/test_pai.c; here a ciphertext cut short must not crash
	head -1 "$W/enc.ndjson" | python3 -c '
import json, sys, base64
r = json.loads(sys.stdin.readline())
c = base64.b64decode(r["auction_input"]["ciphertext"])
r["auction_input"]["ciphertext"] = base64.b64encode(c[:60]).decode()
print(json.dumps(r))' > cut
	run -65 --separate-stderr retrieve cut
	[[ "$stderr" == "pas-retrieve: cut:1: cannot open auction_input ("* ]] || fail "$stderr"
}

@test "pas-retrieve: --udf-exec prepareDataForAdRetrieval: its features, failures counted" {
	head -2 "$W/enc.ndjson" > in
	cat > udf.py <<-'PY'
	import json, sys
	for line in sys.stdin:
	    q = json.loads(line)
	    assert q["fn"] == "prepareDataForAdRetrieval" and len(q["args"]) == 4
	    if q["args"][3] is None or q["args"][1] != 0:
	        print("oops", flush=True)
	    else:
	        print(json.dumps({"features": {"tier.log_value": 1.0}, "note": len(q["args"][0])}), flush=True)
	PY
	run -0 --separate-stderr retrieve --udf-timeout 20000 --udf-exec "python3 udf.py" in
	python3 - "$W/model.json" <<-PY
	import json, sys
	m = json.load(open(sys.argv[1]))
	j = m["features"].index("tier.log_value")
	n = 0
	for line in """$output""".splitlines():
	    r = json.loads(line)
	    for b, t in r["tee"].items():
	        n += 1
	        assert t["prepared"]["features"] == {"tier.log_value": 1.0}
	        assert all(abs(u - row[j]) < 1e-12 for u, row in zip(t["user_embedding"], m["user"]))
	assert n > 0
	PY
	echo 'import sys
for line in sys.stdin: print("[1]", flush=True)' > bad.py
	run -0 --separate-stderr retrieve --udf-timeout 20000 --udf-exec "python3 bad.py" in
	[[ "$stderr" == *'prepareDataForAdRetrieval failed: the answer is not a JSON object with a "features" object'* ]] || fail "$stderr"
	[[ "$output" == *'"candidates":{"adtech1.example":[],"adtech2.example":[]},"tee":{}}'* ]] || fail "$output"
	run -70 --separate-stderr retrieve --udf-exec "exit 3" in
	[[ "$stderr" == *"co-process exited with status 3"* ]] || fail "$stderr"
}

@test "pas-retrieve: usage, key, model and catalog errors" {
	run -64 --separate-stderr pas-retrieve --ads a --model m
	[[ "$stderr" == "pas-retrieve: --secret-key, --ads and --model are required"* ]]
	run -64 --separate-stderr retrieve -k 0
	run -64 --separate-stderr retrieve --csv
	cp "$W/k.sk" loose.sk && chmod 644 loose.sk
	run -77 --separate-stderr pas-retrieve --secret-key loose.sk --ads "$W/ads.ndjson" --model "$W/model.json" /dev/null
	[[ "$stderr" == *"readable by group or others"* ]] || fail "$stderr"
	run -66 --separate-stderr pas-retrieve --secret-key "$W/k.sk" --ads nope.ndjson --model "$W/model.json" /dev/null
	head -2 "$W/ads.ndjson" > ads
	echo '{"ad_id":"z","buyer":"adtech1.example","value":1,"embedding":[1]}' >> ads
	run -65 --separate-stderr pas-retrieve --secret-key "$W/k.sk" --ads ads --model "$W/model.json" /dev/null
	[ "$stderr" = 'pas-retrieve: ads:3: "embedding" is not an array of 8 finite numbers' ] || fail "$stderr"
	run -66 --separate-stderr pas-retrieve --secret-key "$W/k.sk" --ads ads --model nope.json /dev/null
	[ "$stderr" = 'pas-retrieve: nope.json: No such file or directory' ] || fail "$stderr"
	echo '{"type":"two_tower"}' > m.json
	run -65 --separate-stderr pas-retrieve --secret-key "$W/k.sk" --ads ads --model m.json /dev/null
	run -66 --separate-stderr retrieve nope
	run -0 retrieve --help
	[[ "$output" == "usage: pas-retrieve "* ]]
	run -0 retrieve --version
}
