#!/usr/bin/env bats
# pas-encode(1): the device replay end to end.  Payload bytes are worked
# by hand from the built-in layout (sigstore.h, pas-encode(1)): byte 0 is
# 1, then per key, newest first: key[4] count bucket len value.

load common

setup() {
	common_setup
	F="$TD/pas-encode"
	cd "$T"
	pas-keygen --key-id 4 --seed 1 -o k
}

# "id encoded_at..." per output line, from the opened view (python, no jq).
view() {
	pas-encode --open --secret-key k.sk --decode | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r.get("type") != "request":
        print("pass", l.strip()); continue
    a, o = r["auction_input"], r["auction_input_opened"]
    out = [str(r["id"])]
    for b, v in a["buyers"].items():
        bi = o["buyer_input"][b]
        assert bi["bytes"] == v["bytes"] and bi["encoding_version"] == v["encoding_version"]
        out += [b, str(v["encoded_at"]), bi["app_install_signals"]]
    assert sorted(a["buyers"]) == sorted(o["buyer_input"])
    print(" ".join(out))'
}

sig() {	# ts device key value [buyer]
	printf '{"type":"signals","ts":%s,"device":"%s","buyer":"%s","app":"com.x","update":{"put":{"%s":"%s"}}}\n' \
		"$1" "$2" "${5:-b.example}" "$3" "$4"
}
req() {	# ts device id [buyers-json]
	printf '{"type":"request","id":"%s","ts":%s,"device":"%s","buyers":%s}\n' \
		"$3" "$1" "$2" "${4:-[\"b.example\"]}"
}

@test "pas-encode: the worked clock of d-1 (examples/README.md section 2)" {
	run -0 --separate-stderr pas-encode --key-config k.json "$F/clock.ndjson"
	[ "${#lines[@]}" -eq 5 ]
	echo "$output" > sealed
	L0=${lines[0]} L1=${lines[1]}
	run -0 view < sealed
	# 1804: B (1700, key 42, "b") then A (1000, key 41, "a"): h = 0 -> bucket 0
	#   01 | 42000000 01 00 01 62 | 41000000 01 00 01 61
	# 5404: C (3000) bucket 0; B: (5404-1700)/3600 = 1 h -> bucket 1; A: 1 h -> 1
	#   01 | 43000000 01 00 01 63 | 42000000 01 01 01 62 | 41000000 01 01 01 61
	assert_output "r-1500
r-2000 adtech1.example 1804 0142000000010001624100000001000161
r-5000 adtech1.example 1804 0142000000010001624100000001000161
r-6000 adtech1.example 5404 01430000000100016342000000010101624100000001010161
r-9100 adtech1.example 5404 01430000000100016342000000010101624100000001010161"
	# the fields of the record: input keys in order, then auction_input
	[[ "$L1" == '{"type":"request","id":"r-2000","ts":2000,"device":"d-1","buyers":["adtech1.example"],"ctx":{"app":"com.pub.news"},"auction_input":{"key_id":4,"ciphertext":"'*'","bytes":1080,"buyers":{"adtech1.example":{"encoded_at":1804,"encoding_version":0,"bytes":17}}}}' ]]
	# 1080 = 1 + 7 (header) + 32 (enc) + 1024 (frame) + 16 (tag)
	[[ "$L0" == *'"auction_input":{"key_id":4,"ciphertext":"'*'","bytes":1080,"buyers":{}}}' ]]
	run -0 pas-encode --open --secret-key k.sk <(sed -n 2p sealed)
	[[ "$output" == *'"auction_input_opened":{"key_id":4,"label":"message/auction request","publisher_name":"com.pub.news","generation_id":"r-2000","enable_unlimited_egress":false,"request_timestamp_ms":2000000,"buyer_input":{"adtech1.example":{"encoding_version":0,"bytes":17,"app_install_signals":"0142000000010001624100000001000161"}}}}' ]]
}

@test "pas-encode: --seed is reproducible; -j1 = -j2; unseeded runs differ" {
	pas-encode --key-config k.json --seed 9 -j 1 "$F/clock.ndjson" > a
	pas-encode --key-config k.json --seed 9 -j 2 "$F/clock.ndjson" > b
	cmp a b
	pas-encode --key-config k.keyconfig --seed 9 "$F/clock.ndjson" > c
	cmp a c
	pas-encode --key-config k.json "$F/clock.ndjson" > d
	pas-encode --key-config k.json "$F/clock.ndjson" > e
	! cmp -s d e
	run -0 view < d
	assert_line --index 3 "r-6000 adtech1.example 5404 01430000000100016342000000010101624100000001010161"
}

@test "pas-encode: sharding by device gives the same bytes per request" {
	{ sig 100 d-1 QQ== YQ==; sig 150 d-2 Qg== Yg==; req 4000 d-1 r1; req 4001 d-2 r2
	  sig 5000 d-2 Qw== Yw==; req 9000 d-1 r3; req 9001 d-2 r4; } > all
	grep '"d-1"' all > s1
	grep '"d-2"' all > s2
	pas-encode --key-config k.json --seed 3 all > out
	pas-encode --key-config k.json --seed 3 s1 > parts
	pas-encode --key-config k.json --seed 3 s2 >> parts
	sort out > a
	sort parts > b
	cmp a b
	[ "$(wc -l < out)" -eq 4 ]
}

@test "pas-encode: other records pass through byte for byte, in place" {
	{ echo '{"type":"outcome", "id":"r-1" ,"x":1e3}'; sig 100 d-1 QQ== YQ==
	  echo '{"no_type":true,"ts":5}'; req 200 d-1 r1; echo '[1,2]' | sed 's/.*/{"type":7}/'; } > in
	run -0 pas-encode --key-config k.json in
	[ "${#lines[@]}" -eq 4 ]
	assert_line --index 0 '{"type":"outcome", "id":"r-1" ,"x":1e3}'
	assert_line --index 1 '{"no_type":true,"ts":5}'
	assert_line --index 3 '{"type":7}'
	[[ "${lines[2]}" == '{"type":"request","id":"r1",'* ]]
}

@test "pas-encode: every update rule rejects the whole update, with the rule" {
	big=$(python3 -c 'import base64; print(base64.b64encode(bytes(101)).decode())')
	huge=$(python3 -c 'print(",".join("\"%s\":\"%s\"" % ("K%03d" % i, "A" * 100) for i in range(110)))')
	while IFS='|' read -r upd why; do
		{ sig 1000 d-1 QQ== YQ==
		  printf '{"type":"signals","ts":1100,"device":"d-1","buyer":"b.example","app":"com.x","update":%s}\n' "$upd"
		  req 5000 d-1 r1; } > in
		run -65 --separate-stderr pas-encode --key-config k.json in
		[ "$stderr" = "pas-encode: in:2: $why" ] || fail "$upd: got $stderr, want $why"
		# with --skip-bad: nothing of it applied (A alone, and no change
		# so the payload is the one of the first job after 1000)
		pas-encode --skip-bad --rejects rej --key-config k.json in > out
		run -0 view < out
		off=1804  # d-1: jobs at 1804, 5404
		assert_output "r1 b.example $off 014100000001000161"
		grep -q "\"line\":2,\"reason\":\"$(printf '%s' "$why" | sed 's/"/\\\\"/g')\"" rej ||
			fail "rejects: $(cat rej)"
	done <<-EOF
	[1]|update: not an object
	{"foo":{}}|update: unknown command "foo"
	{"put":[]}|update: "put" is not an object
	{"remove":{}}|update: "remove" is not an array
	{"put":{"Qg==":"Yg=="},"put_if_not_present":{"QTF-":"YQ=="}}|update: key "QTF-" is not standard base64
	{"put":{"QUJDREU=":"YQ=="}}|update: key "QUJDREU=" decodes to 5 bytes (max 4)
	{"put":{"QTFj":1}}|update: value of "QTFj" is not a string
	{"put":{"QTFj":"!!!!"}}|update: value of "QTFj" is not standard base64
	{"put":{"Qg==":"Yg=="},"put_if_not_present":{"YUE5":"$big"}}|update: value of "YUE5" decodes to 101 bytes (max 100)
	{"put":{"Qg==":"Yg=="},"remove":["Qg=="]}|update: key "Qg==" touched twice
	{"put":{"Qg==":"Yg==","Qg":"Yg=="}}|update: key "Qg" is not standard base64
	{"append":{"QTFj":[]}}|update: append to "QTFj" is not an object
	{"append":{"QTFj":{"max_signals":2}}}|update: append to "QTFj" has no "values" array
	{"append":{"QTFj":{"values":["YQ=="]}}}|update: append to "QTFj" has no integer "max_signals"
	{"append":{"QTFj":{"values":["YQ==","Yg==","Yw=="],"max_signals":2}}}|update: append to "QTFj" has 3 values, more than max_signals 2
	{"remove":["Qg==",1]}|update: remove entry 1 is not a string
	{"update_encoder":{"action":7}}|update: update_encoder action is not a string
	{"update_encoder":{"action":"DELETE"}}|update: update_encoder action "DELETE" is not REGISTER
	{"update_encoder":{"action":"REGISTER"}}|update: update_encoder REGISTER has no string "endpoint"
	EOF
	# 10 KiB: 110 puts of 100-char values are well over 10240 bytes
	{ sig 1000 d-1 QQ== YQ==
	  printf '{"type":"signals","ts":1100,"device":"d-1","buyer":"b.example","app":"com.x","update":{"put":{%s}}}\n' "$huge"; } > in
	run -65 --separate-stderr pas-encode --key-config k.json in
	[[ "$stderr" =~ ^"pas-encode: in:2: update: is "[0-9]+" bytes written compactly (max 10240)"$ ]]
}

@test "pas-encode: a key touched twice after padding (QQ and QQA= are one key)" {
	{ printf '{"type":"signals","ts":1,"device":"d","buyer":"b","app":"a","update":{"put":{"QQ==":"YQ=="},"remove":["QQA="]}}\n'; } > in
	run -65 --separate-stderr pas-encode --key-config k.json in
	[ "$stderr" = 'pas-encode: in:1: update: key "QQA=" touched twice' ]
}

@test "pas-encode: commands end to end: put, put_if_not_present, append, remove" {
	# d-2: offset 2671 (SHA-256, checked with Python), jobs 2671, 6271, 9871
	{ printf '{"type":"signals","ts":100,"device":"d-2","buyer":"b","app":"a","update":{"put":{"QQ==":"YQ=="},"append":{"Qg==":{"values":["MQ==","Mg==","Mw=="],"max_signals":3}}}}\n'
	  printf '{"type":"signals","ts":200,"device":"d-2","buyer":"b","app":"a","update":{"put_if_not_present":{"QQ==":"eg==","Qw==":"Yw=="},"append":{"Qg==":{"values":["NA=="],"maxSignals":2}}}}\n'
	  req 3000 d-2 r1 '["b"]'
	  printf '{"type":"signals","ts":3100,"device":"d-2","buyer":"b","app":"a","update":{"remove":["QQ=="],"put":{"Qw==":"ZA=="}}}\n'
	  req 7000 d-2 r2 '["b"]'; } > in
	run -0 --separate-stderr pas-encode --key-config k.json in
	echo "$output" > out
	run -0 view < out
	# job 2671: A=a (100, untouched by put_if_not_present), B appended 1,2,3
	# at 100 then 4 at 200 with max 2: stored 3 (100) and 4 (200); C=c (200).
	# Newest first by time, then by store order (document order within an
	# update: put_if_not_present's C before append's 4): B, C, A.
	# Bucket 0 (h = 0) for all.
	#   01 | 42000000 02 00 01 34 | 43000000 01 00 01 63 | 41000000 01 00 01 61
	# job 6271: A removed, C = d (3100), B: newest 200 -> h = 1 -> bucket 1
	#   01 | 43000000 01 00 01 64 | 42000000 02 01 01 34
	assert_output "r1 b 2671 01420000000200013443000000010001634100000001000161
r2 b 6271 0143000000010001644200000002010134"
}

@test "pas-encode: eviction to --quota-low, oldest first, new values too" {
	# quota-high 20, low 10: sizes are 4 + value bytes = 5 each.
	# t=100 puts A..D (20 bytes, not above 20); t=200 puts E (25 > 20):
	# evict oldest until <= 10: A, B, C go (same time: store order) -> D, E
	{ printf '{"type":"signals","ts":100,"device":"d-1","buyer":"b","app":"a","update":{"put":{"QQ==":"YQ==","Qg==":"Yg==","Qw==":"Yw==","RA==":"ZA=="}}}\n'
	  printf '{"type":"signals","ts":200,"device":"d-1","buyer":"b","app":"a","update":{"put":{"RQ==":"ZQ=="}}}\n'
	  req 2000 d-1 r1 '["b"]'; } > in
	run -0 pas-encode --key-config k.json --quota-high 20 --quota-low 10 in
	echo "$output" > out
	run -0 view < out
	assert_output "r1 b 1804 0145000000010001654400000001000164"
}

@test "pas-encode: TTL drops signals and the payload goes at the next job" {
	# --ttl 3600: A (1000) expires after 4600; job 5404 finds the store empty
	{ sig 1000 d-1 QQ== YQ==; req 2000 d-1 r1; req 5000 d-1 r2; req 5500 d-1 r3; } > in
	run -0 pas-encode --key-config k.json --ttl 3600 in
	echo "$output" > out
	run -0 view < out
	assert_output "r1 b.example 1804 014100000001000161
r2 b.example 1804 014100000001000161
r3"
}

@test "pas-encode: --max-size truncates the built-in payload at an entry" {
	# 3 keys of 1-byte values: entries of 8 bytes; max 20 -> 1 + 2 entries
	{ printf '{"type":"signals","ts":100,"device":"d-1","buyer":"b","app":"a","update":{"put":{"QQ==":"YQ=="}}}\n'
	  printf '{"type":"signals","ts":200,"device":"d-1","buyer":"b","app":"a","update":{"put":{"Qg==":"Yg=="}}}\n'
	  printf '{"type":"signals","ts":300,"device":"d-1","buyer":"b","app":"a","update":{"put":{"Qw==":"Yw=="}}}\n'
	  req 2000 d-1 r1 '["b"]'; } > in
	run -0 pas-encode --key-config k.json --max-size 20 in
	echo "$output" > out
	run -0 view < out
	assert_output "r1 b 1804 0143000000010001634200000001000162"
}

@test "pas-encode: buyers without payloads are absent; several buyers; integer id" {
	{ sig 100 d-1 QQ== YQ== x.example; sig 110 d-1 Qg== Yg== a.example
	  printf '{"type":"request","id":77,"ts":2000,"device":"d-1","buyers":["x.example","none.example","a.example"]}\n'
	  req 2001 d-9 r2 '["x.example"]'; } > in
	run -0 pas-encode --key-config k.json in
	[[ "${lines[0]}" == *'"buyers":{"x.example":{"encoded_at":1804,"encoding_version":0,"bytes":9},"a.example":{"encoded_at":1804,"encoding_version":0,"bytes":9}}}}' ]]
	echo "$output" > out
	run -0 view < out
	assert_line --index 0 "77 x.example 1804 014100000001000161 a.example 1804 014200000001000162"
	assert_line --index 1 "r2"
	run -0 pas-encode --open --secret-key k.sk out
	[[ "${lines[0]}" == *'"generation_id":"77",'* ]]
	# wire order: sorted by name
	[[ "${lines[0]}" == *'"buyer_input":{"a.example":'*'"x.example":'* ]]
}

@test "pas-encode: RFC 3339 and fractional times; ms in the sealed input" {
	{ printf '{"type":"signals","ts":"1970-01-01T00:16:40Z","device":"d-1","buyer":"b","app":"a","update":{"put":{"QQ==":"YQ=="}}}\n'
	  printf '{"type":"request","id":"r1","ts":2000.25,"device":"d-1","buyers":["b"]}\n'
	  printf '{"type":"request","id":"r2","ts":"1970-01-01T01:00:00.5+01:00","device":"d-1","buyers":["b"]}\n'; } > in
	run -65 --separate-stderr pas-encode --key-config k.json in
	# r2 is 0.5 s after the epoch: before 2000.25
	[ "$stderr" = "pas-encode: in:3: ts 0+ is before 2000+, the time already reached (records must be in time order; see --reorder-window)" ]
	head -2 in > in2
	run -0 pas-encode --key-config k.json in2
	echo "$output" > out
	run -0 pas-encode --open --secret-key k.sk out
	[[ "$output" == *'"request_timestamp_ms":2000250,'* ]]
	run -0 view < out
	assert_output "r1 b 1804 014100000001000161"
}

@test "pas-encode: out of time order is an error; --reorder-window re-sorts" {
	tac "$F/clock.ndjson" > rev
	run -65 --separate-stderr pas-encode --key-config k.json rev
	[ "$stderr" = "pas-encode: rev:2: ts 6000 is before 9100, the time already reached (records must be in time order; see --reorder-window)" ]
	[ "${#lines[@]}" -eq 1 ]
	pas-encode --key-config k.json --seed 1 "$F/clock.ndjson" > want
	run -0 pas-encode --key-config k.json --seed 1 --reorder-window 8100 rev
	[ "$output" = "$(cat want)" ]
	# a window too small: the records beyond it are bad
	run -0 --separate-stderr pas-encode --key-config k.json --seed 1 --reorder-window 1000 --skip-bad rev
	[[ "$stderr" == *"rev:"*"beyond --reorder-window"* ]]
	[[ "$stderr" == *"pas-encode: read 8, wrote "*", rejected "* ]]
}

@test "pas-encode: --skip-bad counts add up; bad request fields" {
	{ echo 'not json'; sig 100 d-1 QQ== YQ==
	  echo '{"type":"signals","ts":100,"buyer":"b","app":"a","update":{}}'
	  echo '{"type":"signals","ts":100,"device":"d","app":"a","update":{}}'
	  echo '{"type":"signals","ts":100,"device":"d","buyer":"b","update":{}}'
	  echo '{"type":"signals","ts":100,"device":"d","buyer":"b","app":"a"}'
	  echo '{"type":"signals","device":"d","buyer":"b","app":"a","update":{}}'
	  echo '{"type":"signals","ts":"yesterday","device":"d","buyer":"b","app":"a","update":{}}'
	  echo '{"type":"request","ts":200,"device":"d","buyers":[]}'
	  echo '{"type":"request","id":"r","ts":200,"buyers":[]}'
	  echo '{"type":"request","id":"r","ts":200,"device":"d"}'
	  echo '{"type":"request","id":"r","ts":200,"device":"d","buyers":["a","a"]}'
	  echo '{"type":"request","id":"r","ts":200,"device":"d","buyers":[""]}'
	  echo '{"type":"request","id":"r","ts":200,"device":"d","buyers":[],"ctx":{"app":5}}'
	  req 300 d-1 ok; echo '{"type":"other"}'; } > in
	run -0 --separate-stderr pas-encode --key-config k.json --skip-bad --rejects rej in
	[ "${#lines[@]}" -eq 2 ]
	[[ "$stderr" == "pas-encode: read 16, wrote 2, rejected 13, used 1 signal updates, sealed 1 requests, passed 1, "* ]]
	python3 - <<-'PY'
	import json
	got = [json.loads(l)["reason"] for l in open("rej")]
	want = ["line 1: not a JSON object",
	  'signals record has no string "device"', 'signals record has no string "buyer"',
	  'signals record has no string "app"', 'signals record has no "update"', 'no "ts"',
	  'ts "yesterday" is not an RFC 3339 date-time', 'request has no string "id"',
	  'request has no string "device"', 'request has no "buyers" array',
	  'buyer "a" is listed twice', "buyers entry 0 is not a buyer name", "ctx.app is not a string"]
	assert len(got) == len(want), got
	for g, w in zip(got[1:], want[1:]):
	    assert g == w, (g, w)
	PY
}

@test "pas-encode: --udf-exec with a shell co-process: answers, failures, the failure rule" {
	cat > enc.sh <<-'EOF'
	while read -r l; do echo '{"status":0,"results":"C0ffee"}'; done
	EOF
	run -0 --separate-stderr pas-encode --key-config k.json --udf-exec 'sh enc.sh' "$F/clock.ndjson"
	echo "$output" > out
	run -0 view < out
	assert_line --index 1 "r-2000 adtech1.example 1804 C0FFEE"
	# a non-zero status fails every job: 1804, 5404, 9004 = 3 in a row
	run -0 --separate-stderr pas-encode -v --key-config k.json \
		--udf-exec 'while read -r l; do echo "{\"status\":3,\"results\":\"\"}"; done' "$F/clock.ndjson"
	[[ "$stderr" == *'device "d-1", buyer "adtech1.example", job 1804: encoding failed: status 3 (not 0)'* ]]
	[[ "$stderr" == *"encodings 0, failed 3, versions stopped by the failure rule 1"* ]]
	[[ "${lines[4]}" == *'"buyers":{}}}' ]]
	# bad hex; too large for --max-size; late
	run -0 --separate-stderr pas-encode --key-config k.json \
		--udf-exec 'while read -r l; do echo "{\"status\":0,\"results\":\"0g\"}"; done' "$F/clock.ndjson"
	[[ "$stderr" == *"encoding failed: results are not hex (character 2)"* ]]
	run -0 --separate-stderr pas-encode --key-config k.json --max-size 2 --udf-exec 'sh enc.sh' "$F/clock.ndjson"
	[[ "$stderr" == *"encoding failed: results of 3 bytes exceed maxSize 2"* ]]
	run -0 --separate-stderr pas-encode --key-config k.json --udf-timeout 100 \
		--udf-exec 'while read -r l; do sleep 2; done' "$F/clock.ndjson"
	[[ "$stderr" == *"encoding failed: co-process gave no answer within 100 ms"* ]]
	# the request line the co-process receives (SPEC-PAS.md section 3)
	run -0 pas-encode --key-config k.json --udf-timeout 200 --udf-exec 'head -n 1 >> got; echo "{\"status\":0,\"results\":\"\"}"; cat > /dev/null' "$F/clock.ndjson"
	[ "$(head -n 1 got)" = '{"signals":[{"41000000":[{"val":"61","time":1000,"app":"com.example.game"}]},{"42000000":[{"val":"62","time":1700,"app":"com.example.game"}]}],"maxSize":1536}' ]
}

@test "pas-encode: a co-process that dies stops the run with its status (exit 70)" {
	run -70 --separate-stderr pas-encode --key-config k.json --udf-exec 'read -r l; exit 9' "$F/clock.ndjson"
	[ "$stderr" = "pas-encode: $F/clock.ndjson:4: encoder: co-process exited with status 9" ]
	[ "${#lines[@]}" -eq 1 ]
	run -70 --separate-stderr pas-encode --key-config k.json --udf-exec 'exit 0' "$F/clock.ndjson"
	[[ "$stderr" == *"encoder: co-process exited with status 0" ]]
	run -70 --separate-stderr pas-encode -o sealed --key-config k.json --udf-exec 'kill -9 $$' "$F/clock.ndjson"
	[[ "$stderr" == *"encoder: co-process was killed by signal 9" ]]
	[ ! -e sealed ]
}

@test "pas-encode: an ad-tech's encodeSignals JavaScript under node" {
	command -v node >/dev/null || skip "node is not installed"
	run -0 --separate-stderr pas-encode --key-config k.json \
		--udf-exec "node $ROOT/examples/encode-signals.js $ROOT/examples/encode-signals-example.js" "$F/clock.ndjson"
	echo "$output" > out
	run -0 view < out
	# the example's layout: 02, then per key ascending: key[4] count len value
	assert_output "r-1500
r-2000 adtech1.example 1804 024100000001016142000000010162
r-5000 adtech1.example 1804 024100000001016142000000010162
r-6000 adtech1.example 5404 02410000000101614200000001016243000000010163
r-9100 adtech1.example 5404 02410000000101614200000001016243000000010163"
}

@test "pas-encode: --open errors: wrong key, altered ciphertext, key file mode" {
	pas-encode --key-config k.json "$F/clock.ndjson" > sealed
	pas-keygen --key-id 4 --seed 2 -o other
	run -65 --separate-stderr pas-encode --open --secret-key other.sk sealed
	[[ "$stderr" == "pas-encode: sealed:1: cannot open auction_input (decrypt): "* ]]
	sed -n 2p sealed | sed 's/"ciphertext":"A/"ciphertext":"B/' > altered
	run -65 --separate-stderr pas-encode --open --secret-key k.sk altered
	[[ "$stderr" == "pas-encode: altered:1: cannot open auction_input"* ]]
	echo '{"auction_input":{"ciphertext":"%%%"}}' > notb64
	run -65 --separate-stderr pas-encode --open --secret-key k.sk notb64
	[ "$stderr" = "pas-encode: notb64:1: auction_input ciphertext is not standard base64" ]
	chmod 644 k.sk
	run -77 --separate-stderr pas-encode --open --secret-key k.sk sealed
	[[ "$stderr" == *"readable by group or others"* ]]
	chmod 600 k.sk
	# records without auction_input pass through untouched
	echo '{"type":"x" }' > plain
	run -0 pas-encode --open --secret-key k.sk plain
	assert_output '{"type":"x" }'
}

@test "pas-encode: --label bhttp seals without the leading zero byte" {
	pas-encode --key-config k.json --label bhttp "$F/clock.ndjson" > sealed
	run -0 pas-encode --open --secret-key k.sk sealed
	[[ "${lines[0]}" == *'"label":"message/bhttp request"'* ]]
	[[ "${lines[0]}" == *'"bytes":1079,'* ]]
	head -c 0 /dev/null
	b64=$(sed -n 1p sealed | python3 -c 'import json,sys,base64; print(base64.b64decode(json.load(sys.stdin)["auction_input"]["ciphertext"])[:7].hex())')
	[ "$b64" = 04002000010002 ]
}

@test "pas-encode: usage, key files, --help and --version" {
	run -64 --separate-stderr pas-encode "$F/clock.ndjson"
	[[ "$stderr" == "pas-encode: --key-config FILE is required"* ]]
	run -64 pas-encode --open "$F/clock.ndjson"
	run -64 pas-encode --open --secret-key k.sk --key-config k.json
	run -64 pas-encode --key-config k.json --decode
	run -64 pas-encode --key-config k.json --csv
	run -64 pas-encode --key-config k.json --label foo
	run -64 pas-encode --key-config k.json --quota-high 10 --quota-low 20
	run -64 pas-encode --key-config k.json -j 0
	run -66 --separate-stderr pas-encode --key-config missing.json "$F/clock.ndjson"
	[[ "$stderr" == *"missing.json"* ]]
	echo 'zz' > bad.keyconfig
	run -65 pas-encode --key-config bad.keyconfig "$F/clock.ndjson"
	run -66 pas-encode --key-config k.json nofile
	run -0 pas-encode --help
	[[ "$output" == "usage: pas-encode "* ]]
	run -0 pas-encode --version
	[[ "$output" == "pas-encode (adsig) "* ]]
}

@test "pas-encode: -o is atomic; gzip input; stdin" {
	gzip -c "$F/clock.ndjson" > in.gz
	pas-encode --key-config k.json --seed 1 "$F/clock.ndjson" > want
	run -0 pas-encode --key-config k.json --seed 1 -o got in.gz
	cmp got want
	run -0 pas-encode --key-config k.json --seed 1 < "$F/clock.ndjson"
	[ "$output" = "$(cat want)" ]
	{ cat "$F/clock.ndjson"; echo 'bad'; } > in
	run -65 pas-encode --key-config k.json -o out2 in
	[ ! -e out2 ]
}
