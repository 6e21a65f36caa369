#!/usr/bin/env bats
# tagctr-build(1).  Expected values: the worked example of
# ../shared/examples (a copy in testdata), hand-worked cases below, and an
# independent Python implementation (testdata/tagctr-build/ref.py).

load common

setup() {
	common_setup
	F="$TD/tagctr-build"
	TINY="--now 3600 --window 1800 --windows 2 --weights 1,0.5 -z 2"
}

# Prints the value of field $2 in the record of $1 whose fields match "k=v" pairs.
pick() {
	python3 -c '
import json, sys
f, want, conds = sys.argv[1], sys.argv[2], dict(c.split("=", 1) for c in sys.argv[3:])
for l in open(f):
    r = json.loads(l)
    if all(str(r.get(k)) == v for k, v in conds.items()):
        print(r[want]); break' "$@"
}

@test "tagctr-build: the worked example, byte for byte" {
	run -0 tagctr-build $TINY "$F/tiny_tag.ndjson"
	assert_output "$(cat "$F/tiny_tag.expected.ndjson")"
	[ "${#lines[@]}" -eq 23 ]
}

@test "tagctr-build: the shared copy of the worked example, when present" {
	[ -r "$SHARED/examples/tiny_tag.ndjson" ] || skip "../shared is absent"
	run -0 tagctr-build $TINY "$SHARED/examples/tiny_tag.ndjson"
	assert_output "$(cat "$SHARED/examples/tiny_tag.expected.ndjson")"
}

@test "tagctr-build: weighted counts and Wilson per window (--combine bounds), by hand" {
	# os=android, tag rpg: window 1 has ts 3000 (click): n1=1, k1=1;
	# window 2 has ts 100, 50 (click): n2=2, k2=1.
	# counts: requests = 1 + 0.5*2 = 2, clicks = 1 + 0.5*1 = 1.5, ctr = S(1.5, 2)
	#   = 0.1924653533480475 (the worked example).
	# bounds: S(1,1) = (1 + 2 - 2*sqrt(0 + 1)) / (1 + 4) = 0.2;
	#   S(1,2) = (0.5 + 1 - 2*sqrt(0.125 + 0.25)) / 3 = 0.09175170953613698;
	#   ctr = (1*0.2 + 0.5*0.0917517095) / 1.5 = 0.16391723651204566
	# os=ios, rpg: window 1 n=3, k=2, window 2 none:
	#   ctr = (S(2,3) + 0.5*0) / 1.5 = 0.20257301464691269 / 1.5
	run -0 tagctr-build $TINY --combine bounds -o "$T/m" "$F/tiny_tag.ndjson"
	assert_near "$(pick "$T/m" ctr attr=os value=android tag=rpg)" 0.16391723651204566
	assert_near "$(pick "$T/m" requests attr=os value=android tag=rpg)" 2
	assert_near "$(pick "$T/m" clicks attr=os value=android tag=rpg)" 1.5
	assert_near "$(pick "$T/m" ctr attr=os value=ios tag=rpg)" 0.13504867643127513
	run -0 tagctr-build $TINY --combine counts -o "$T/c" "$F/tiny_tag.ndjson"
	assert_near "$(pick "$T/c" ctr attr=os value=android tag=rpg)" 0.1924653533480475
}

@test "tagctr-build: random logs agree with the Python reference, three configurations" {
	python3 "$F/gen.py" 7 2000 > "$T/g"
	for a in "--now 360000 --window 36000 --weights 1,0.8,0.6,0.4,0.2" \
	    "--now 360000 --window 7200 --weights 1,0,0.5 --combine bounds -z 1.5" \
	    "--now 360000 --window 36000 --weights 1,0.5 --no-dayparts --map city=$F/province.csv --no-material-tag"; do
		tagctr-build $a "$T/g" > "$T/got"
		python3 "$F/ref.py" $a "$T/g" > "$T/want"
		run python3 "$F/cmp.py" "$T/got" "$T/want"
		[ "$status" -eq 0 ] || fail "$a: $output"
	done
}

@test "tagctr-build: day parts by default, hours kept with --no-dayparts" {
	run -0 tagctr-build $TINY "$F/tiny_tag.ndjson"
	assert_output --partial '"attr":"hour","value":"06-11","tag":"rpg","requests":1.0,"clicks":0.5'
	run -0 tagctr-build $TINY --no-dayparts "$F/tiny_tag.ndjson"
	# hour 7 holds the two window-2 lines (ts 100, 50 click): 0.5*2, 0.5*1
	assert_output --partial '"attr":"hour","value":"7","tag":"rpg","requests":1.0,"clicks":0.5'
	refute_output --partial '06-11'
	run -65 --separate-stderr tagctr-build $TINY <<<'{"ts":1,"channel":"c","plan":"p","material":"m","attrs":{"hour":24},"click":true}'
	[[ "$stderr" == "tagctr-build: <stdin>:1: attribute \"hour\" must be an hour from 0 to 23"* ]]
}

@test "tagctr-build: a city -> province map; unmapped values keep their name and are counted" {
	cat > "$T/l" <<-'EOF'
	{"ts":10,"channel":"c","plan":"p","material":"m1","attrs":{"city":"Shenzhen"},"click":true}
	{"ts":20,"channel":"c","plan":"p","material":"m1","attrs":{"city":"Guangzhou"},"click":false}
	{"ts":30,"channel":"c","plan":"p","material":"m1","attrs":{"city":"Lhasa"},"click":true}
	{"ts":40,"channel":"c","plan":"p","material":"m1","attrs":{"city":"Lhasa"},"click":true}
	EOF
	# Guangdong, material:m1: 2 requests, 1 click: S(1,2) = 0.09175170953613698
	run -0 --separate-stderr tagctr-build -v --now 3600 --map city="$F/province.csv" "$T/l"
	assert_line --index 1 '{"channel":"c","plan":"p","attr":"city","value":"Guangdong","tag":"material:m1","requests":2.0,"clicks":1.0,"ctr":0.09175170953613702}'
	assert_line --index 2 --partial '"value":"Lhasa","tag":"material:m1","requests":2.0,"clicks":2.0'
	[[ "$stderr" == *"read 4, used 4, rejected 0, rows 3, outside the windows 0, values not in a mapping 1" ]]
}

@test "tagctr-build: a mapping file with a bad row is a bad record (65), or skipped" {
	printf 'from,to\nShenzhen,Guangdong\n,Zhejiang\nShenzhen,Hunan\n' > "$T/bad.csv"
	run -65 --separate-stderr tagctr-build --now 3600 --map city="$T/bad.csv" "$F/tiny_tag.ndjson"
	[ "$stderr" = "tagctr-build: $T/bad.csv:3: a mapping row needs both from and to" ]
	run -0 --separate-stderr tagctr-build --skip-bad --now 3600 --map city="$T/bad.csv" "$F/tiny_tag.ndjson"
	[[ "$stderr" == *"bad.csv:4: a value mapped twice to different values"* ]]
	[[ "$stderr" == *"read 10, used 8, rejected 2"* ]]
	printf 'a,b\nx,y\n' > "$T/nocols.csv"
	run -65 --separate-stderr tagctr-build --map city="$T/nocols.csv" "$F/tiny_tag.ndjson"
	[[ "$stderr" == *"needs the columns from,to" ]]
	run -66 --separate-stderr tagctr-build --map city="$T/none.csv" "$F/tiny_tag.ndjson"
}

@test "tagctr-build: the identity tag gives materials with equal tags their own rows" {
	run -0 tagctr-build $TINY --no-material-tag "$F/tiny_tag.ndjson"
	refute_output --partial 'material:'
	assert_line --index 0 '{"channel":"c1","plan":"p1","attr":"*","value":"*","tag":"anime","requests":2.5,"clicks":2.5,"ctr":0.3846153846153846}'
}

@test "tagctr-build: --materials adds the design team's tags" {
	printf 'material,tags\nm1,rpg|fantasy\nm9,x\n' > "$T/mat.csv"
	run -0 tagctr-build $TINY --materials "$T/mat.csv" "$F/tiny_tag.ndjson"
	# m1's 3 lines in the windows: 3590 (click), 3500 and 100 (window 2): 2.5 requests, 1 click
	assert_line --index 1 '{"channel":"c1","plan":"p1","attr":"*","value":"*","tag":"fantasy","requests":2.5,"clicks":1.0,"ctr":0.07233505721004571}'
	printf '{"material":"m1","tags":["fantasy"]}\n{"material":"m2","tags":"bad"}\n' > "$T/mat.ndjson"
	run -65 --separate-stderr tagctr-build $TINY --materials "$T/mat.ndjson" "$F/tiny_tag.ndjson"
	[ "$stderr" = "tagctr-build: $T/mat.ndjson:2: \"tags\" must be an array of strings" ]
}

@test "tagctr-build: CSV logs and gzip give the same matrix; CSV output with a weights file" {
	python3 -c '
import json, sys
print("ts,channel,plan,material,tags,click,hour,os")
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(",".join(str(x) for x in [r["ts"], r["channel"], r["plan"], r["material"], "|".join(r["tags"]),
          str(r["click"]).lower(), r["attrs"]["hour"], r["attrs"]["os"]]))' "$F/tiny_tag.ndjson" > "$T/l.csv"
	run -0 tagctr-build $TINY "$T/l.csv"
	assert_output "$(cat "$F/tiny_tag.expected.ndjson")"
	gzip -c "$F/tiny_tag.ndjson" > "$T/l.gz"
	run -0 tagctr-build $TINY "$T/l.gz"
	assert_output "$(cat "$F/tiny_tag.expected.ndjson")"
	run -0 tagctr-build $TINY --csv --weights-file "$T/w.csv" "$F/tiny_tag.ndjson"
	assert_line --index 0 'channel,plan,attr,value,tag,requests,clicks,ctr'
	assert_line --index 1 'c1,p1,*,*,anime,2.5,2.5,0.3846153846153846'
	[ "${#lines[@]}" -eq 22 ]
	run -0 cat "$T/w.csv"
	assert_output $'type,channel,plan,attr,mean,sd,cv,weight\nweights,c1,p1,hour,0.18059129804779656,0.12552234420606648,0.6950630820143109,0.9653586553817258\nweights,c1,p1,os,0.1985299501273666,0.004951722535019347,0.024941942169645317,0.034641344618274256'
}

@test "tagctr-build: --weights-file takes the weight rows out of NDJSON; --verbose prints them" {
	run -0 --separate-stderr tagctr-build $TINY -v --weights-file "$T/w" "$F/tiny_tag.ndjson"
	[ "${#lines[@]}" -eq 21 ]
	refute_output --partial weights
	[ "$(wc -l < "$T/w")" -eq 2 ]
	[[ "$stderr" == *"weights c1 p1 hour: mean 0.180591, sd 0.125522, CV 0.695063, weight 0.965359"* ]]
}

@test "tagctr-build: the fast scanner and jansson agree on loose spellings" {
	sed 's/":/" : /g; s/,"/, "/g' "$F/tiny_tag.ndjson" > "$T/loose"
	run -0 tagctr-build $TINY "$T/loose"
	assert_output "$(cat "$F/tiny_tag.expected.ndjson")"
}

@test "tagctr-build: a small buffer spills to disk and gives the same bytes" {
	python3 "$F/gen.py" 3 20000 > "$T/g"
	tagctr-build --now 360000 "$T/g" > "$T/a"
	tagctr-build --now 360000 -S 64K "$T/g" > "$T/b"
	cmp "$T/a" "$T/b"
	[ "$(wc -l < "$T/a")" -gt 500 ]
}

@test "tagctr-build: --dims chooses dimensions" {
	run -0 tagctr-build $TINY --dims os "$F/tiny_tag.ndjson"
	refute_output --partial '"attr":"hour"'
	assert_output --partial '{"type":"weights","channel":"c1","plan":"p1","attr":"os","mean":0.1985299501273666,"sd":0.004951722535019347,"cv":0.024941942169645317,"weight":1.0}'
}

@test "tagctr-build: sharded (--emit-counts, --from-counts) equals unsharded, byte for byte" {
	python3 "$F/gen.py" 11 5000 > "$T/g"
	split -n l/3 "$T/g" "$T/shard."
	A="--now 360000 --window 36000 --weights 1,0.8,0.6,0.4,0.2"
	for s in "$T"/shard.*; do tagctr-build --emit-counts --window 36000 "$s" > "$s.counts"; done
	tagctr-build $A "$T/g" > "$T/whole"
	tagctr-build $A --from-counts "$T"/shard.*.counts > "$T/sharded"
	cmp "$T/whole" "$T/sharded"
	# merging is associative: counts of counts (a combiner) change nothing
	tagctr-build --emit-counts --from-counts "$T"/shard.a[ab].counts > "$T/ab.counts"
	tagctr-build $A --from-counts "$T/shard.ac.counts" "$T/ab.counts" > "$T/sharded2"
	cmp "$T/whole" "$T/sharded2"
	# CSV counts too
	tagctr-build --emit-counts --csv --window 36000 "$T/g" > "$T/all.csv"
	tagctr-build $A --from-counts "$T/all.csv" > "$T/fromcsv"
	cmp "$T/whole" "$T/fromcsv"
}

@test "tagctr-build: count buckets that straddle a window are an error" {
	tagctr-build --emit-counts --window 1h "$F/tiny_tag.ndjson" > "$T/c"
	run -65 --separate-stderr tagctr-build --from-counts --now 3600 --window 1800 --windows 2 "$T/c"
	[[ "$stderr" == *"straddle a window boundary"* ]]
	echo '{"type":"counts","channel":"c","plan":"p","attr":"*","value":"*","tag":null,"ts":0,"span":3600,"n":1,"k":2}' > "$T/bad"
	run -65 --separate-stderr tagctr-build --from-counts "$T/bad"
	[ "$stderr" = "tagctr-build: $T/bad:1: clicks k exceed requests n" ]
}

@test "tagctr-build: hourly --state is idempotent and equals a plain run" {
	python3 "$F/gen.py" 5 3000 > "$T/g"
	# three hours of logs, one file per hour
	python3 -c '
import json, math, sys
for l in open(sys.argv[1]):
    h = math.floor(json.loads(l)["ts"] / 3600)
    if 97 <= h <= 99: open(sys.argv[2] + "/h%d" % h, "a").write(l)' "$T/g" "$T"
	cat "$T/h97" "$T/h98" "$T/h99" > "$T/all"
	A="--window 1h --windows 3 --weights 1,0.5,0.25"
	tagctr-build $A --state "$T/st" -o "$T/m1" "$T/h97"
	tagctr-build $A --state "$T/st" -o "$T/m2" "$T/h98"
	tagctr-build $A --state "$T/st" -o "$T/m3" "$T/h99"
	tagctr-build $A --now 360000 "$T/all" > "$T/plain"
	cmp "$T/m3" "$T/plain"
	# re-running an hour replaces it: the same matrix
	tagctr-build $A --state "$T/st" -o "$T/m3b" "$T/h99"
	cmp "$T/m3" "$T/m3b"
	tagctr-build $A --state "$T/st" -o "$T/m3c" "$T/h98"
	cmp "$T/m3" "$T/m3c"
	run -0 ls "$T/st"
	assert_output $'1970-01-05T01Z.counts.gz\n1970-01-05T02Z.counts.gz\n1970-01-05T03Z.counts.gz\nlock'
	# a later hour drops the oldest: now 363600 keeps 352800 (hour 98) on
	echo '{"ts":360100,"channel":"c1","plan":"p1","material":"m1","click":false}' > "$T/h100"
	tagctr-build $A --state "$T/st" -o "$T/m4" "$T/h100"
	run -0 ls "$T/st"
	assert_output $'1970-01-05T02Z.counts.gz\n1970-01-05T03Z.counts.gz\n1970-01-05T04Z.counts.gz\nlock'
	tagctr-build $A --now 363600 "$T/all" "$T/h100" > "$T/plain4"
	cmp "$T/m4" "$T/plain4"
	echo '{"ts":363700,"channel":"c1","plan":"p1","material":"m1","click":false}' > "$T/h101"
	tagctr-build $A --state "$T/st" -o "$T/m5" "$T/h101"
	run -0 ls "$T/st"
	assert_output $'1970-01-05T03Z.counts.gz\n1970-01-05T04Z.counts.gz\n1970-01-05T05Z.counts.gz\nlock'
}

@test "tagctr-build: a held lock exits 75 at once; a failed run leaves state and matrix intact" {
	tagctr-build --window 1h --state "$T/st" -o "$T/m" "$F/tiny_tag.ndjson"
	cp "$T/m" "$T/m.before"
	# the count files, to the second (the lock file holds the last pid)
	ls -l --time-style=+%s "$T/st"/*.counts.gz > "$T/ls.before"
	flock "$T/st/lock" sleep 2 &
	sleep 0.5
	run -75 --separate-stderr tagctr-build --window 1h --state "$T/st" -o "$T/m" "$F/tiny_tag.ndjson"
	[[ "$stderr" == "tagctr-build: $T/st: locked by another run"*"; try again later" ]]
	wait
	printf '{"ts":3700,"channel":"c1","plan":"p1","material":"m1","click":true}\n{"ts":3800,"plan":"p1"}\n' > "$T/bad"
	run -65 tagctr-build --window 1h --state "$T/st" -o "$T/m" "$T/bad"
	cmp "$T/m" "$T/m.before"
	ls -l --time-style=+%s "$T/st"/*.counts.gz > "$T/ls.after"
	cmp "$T/ls.before" "$T/ls.after"
	[ -z "$(ls -A "$T/st" | grep '^\.tmp')" ]
	run -64 --separate-stderr tagctr-build --window 90m --state "$T/st" "$F/tiny_tag.ndjson"
	[[ "$stderr" == *"--state needs a window of whole hours"* ]]
	run -64 --separate-stderr tagctr-build --now 1800 --state "$T/st" "$F/tiny_tag.ndjson"
}

@test "tagctr-build: channel similarity by hand, and pooling above a threshold" {
	# c1 os requests (ios 2, android 1), c2 (ios 1, android 2), c3 (ios 1):
	# cos(c1,c2) = (2+2)/(sqrt5 sqrt5) = 0.8; cos(c1,c3) = 2/sqrt5 = 0.894427191;
	# cos(c2,c3) = 1/sqrt5 = 0.4472135955
	for l in c1:ios c1:ios c1:android c2:ios c2:android c2:android c3:ios; do
		printf '{"ts":100,"channel":"%s","plan":"p","material":"m","attrs":{"os":"%s"},"click":false}\n' "${l%%:*}" "${l##*:}"
	done > "$T/l"
	run -0 tagctr-build --now 3600 --similarity os "$T/l"
	assert_line --index 0 --partial '{"type":"similarity","attr":"os","a":"c1","b":"c2","cosine":'
	assert_near "$(pick <(echo "$output") cosine a=c1 b=c2)" 0.8
	assert_near "$(pick <(echo "$output") cosine a=c1 b=c3)" 0.894427190999916
	assert_near "$(pick <(echo "$output") cosine a=c2 b=c3)" 0.4472135954999579
	# 0.79: c1-c2 (0.8) and c1-c3 join, c2-c3 (0.447) comes along transitively
	run -0 tagctr-build --now 3600 --similarity os --pool-similar 0.79 "$T/l"
	assert_line --index 0 '{"channel":"c1+c2+c3","plan":"p","attr":"*","value":"*","tag":"material:m","requests":7.0,"clicks":0.0,"ctr":0.0}'
	run -0 tagctr-build --now 3600 --similarity os --pool-similar 0.85 "$T/l"
	assert_line --index 0 --partial '"channel":"c1+c3","plan":"p","attr":"*","value":"*","tag":"material:m","requests":4.0'
	assert_output --partial '"channel":"c2","plan":"p"'
	run -64 tagctr-build --pool-similar 0.8 "$T/l"
}

@test "tagctr-build: bad records per the contract: 65 with FILE:LINE, or rejected with --skip-bad" {
	bad() {
		run -65 --separate-stderr tagctr-build --now 3600 <<<"$1"
		[ "$stderr" = "tagctr-build: <stdin>:1: $2" ] || fail "for $1: $stderr"
	}
	bad '{"channel":"c","plan":"p","material":"m","click":true}' 'no "ts" field'
	bad '{"ts":1,"channel":"c","material":"m","click":true}' 'no "plan" field'
	bad '{"ts":1,"channel":"c","plan":"p","click":true}' 'no "material" field'
	bad '{"ts":1,"channel":"c","plan":"p","material":"m","click":"yes"}' '"click" must be true or false'
	bad '{"ts":1,"channel":"c","plan":"p","material":"m","click":2}' '"click" must be true or false'
	bad '{"ts":1,"channel":"c","plan":"p","material":"m"}' 'no "click" field'
	bad '{"ts":"yesterday","channel":"c","plan":"p","material":"m","click":true}' '"ts" is not a time (epoch seconds or RFC 3339)'
	bad '{"ts":true,"channel":"c","plan":"p","material":"m","click":true}' '"ts" is not a time (epoch seconds or RFC 3339)'
	bad '{"ts":1,"channel":"c","plan":["p"],"material":"m","click":true}' '"plan" must be a string or an integer'
	bad '{"ts":1,"channel":"c","plan":"p","material":"m","tags":[1],"click":true}' '"tags" must be an array of strings'
	bad '{"ts":1,"channel":"c","plan":"p","material":"m","attrs":{"a":[1]},"click":true}' 'attribute "a" must be a string, a number or a boolean'
	bad '{"ts":1,"channel":"c","plan":"p","material":"m","attrs":[],"click":true}' '"attrs" must be an object'
	bad '[1]' 'not a JSON object'
	printf '{"ts":"2023-11-14T22:13:20Z","channel":"c","plan":"p","material":"m","click":1}\n{"ts":1}\nnot json\n{"ts":"2023-11-14T23:13:20+01:00","channel":"c","plan":"p","material":"m","click":false}\n' > "$T/in"
	run -0 --separate-stderr tagctr-build --skip-bad --rejects "$T/rej" "$T/in"
	# both good lines are 1700000000: the same hour, 2 requests, 1 click
	assert_line --index 0 '{"channel":"c","plan":"p","attr":"*","value":"*","tag":"material:m","requests":2.0,"clicks":1.0,"ctr":0.09175170953613702}'
	[ "$stderr" = "tagctr-build: read 4, used 2, rejected 2, rows 1, outside the windows 0, values not in a mapping 0" ]
	run -0 cat "$T/rej"
	assert_line --index 0 "{\"file\":\"$T/in\",\"line\":2,\"reason\":\"no \\\"channel\\\" field\",\"record\":\"{\\\"ts\\\":1}\"}"
	[ "${#lines[@]}" -eq 2 ]
}

@test "tagctr-build: usage errors 64; --help and --version; a missing file 66; -o atomic" {
	run -0 tagctr-build --help
	assert_line --index 0 --partial 'usage: tagctr-build'
	run -0 tagctr-build --version
	assert_output --regexp '^tagctr-build \(adsig\) [0-9.]+$'
	run -64 tagctr-build --bogus
	run -64 --separate-stderr tagctr-build --window 0
	[[ "$stderr" == "tagctr-build: --window: \"0\" is not a duration"* ]]
	run -64 --separate-stderr tagctr-build --windows 3 --weights 1,0.5
	[[ "$stderr" == "tagctr-build: --weights: 2 weights for 3 windows"* ]]
	run -64 tagctr-build --weights 0,0
	run -64 tagctr-build --combine max
	run -64 tagctr-build --now soon
	run -64 tagctr-build --from-counts --map a=b
	run -66 --separate-stderr tagctr-build "$T/nope"
	[ "$stderr" = "tagctr-build: $T/nope: No such file or directory" ]
	echo old > "$T/keep"
	run -65 tagctr-build -o "$T/keep" <<<'{"ts":1}'
	[ "$(cat "$T/keep")" = old ]
	run -0 tagctr-build -o "$T/new" --now 3600 "$F/tiny_tag.ndjson"
	[ "$(wc -l < "$T/new")" -eq 23 ]
}

@test "tagctr-build: --now defaults to the start of the hour after the newest ts" {
	# newest ts read is 3600 -> --now 7200: windows of 1800 s from 7200
	run -0 tagctr-build --window 1800 --windows 2 --weights 1,0.5 "$F/tiny_tag.ndjson"
	# window 1 [5400,7200) is empty; window 2 [3600,5400) has ts 3600 (click)
	assert_output --partial '{"channel":"c1","plan":"p1","attr":"*","value":"*","tag":"rpg","requests":0.5,"clicks":0.5,"ctr":0.1111111111111111}'
	run -0 --separate-stderr tagctr-build -v "$F/tiny_tag.ndjson" --window 1h
	[[ "$stderr" == *"outside the windows 0"* ]]
}
