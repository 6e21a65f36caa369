#!/usr/bin/env bats
# tagctr-rank(1).  Expected values hand-worked below, and from an
# independent Python implementation (testdata/tagctr-rank/ref.py).

load common

setup() {
	common_setup
	F="$TD/tagctr-rank"
	TINY="--now 3600 --window 1800 --windows 2 --weights 1,0.5 -z 2"
	tagctr-build $TINY -o "$T/m" "$TD/tagctr-build/tiny_tag.ndjson"
	printf 'material,tags\nm1,rpg\nm2,rpg|anime\nm3,rpg\n' > "$T/mats.csv"
}

# "id material m:r,m:r" of each output line.
summary() {
	python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    print(r.get("id"), r["material"] or "null", ",".join("%s:%r" % (s["material"], s["r"]) for s in r["scores"]))'
}

@test "tagctr-rank: the worked matrix, by hand, with the \"*\" fallback" {
	# W_hour = 0.9653586553817258, W_os = 0.034641344618274256 (the weight rows).
	# r1, hour 2 -> 00-05, os ios:
	#  m1 {rpg, material:m1}: hour rows 0.0917517 + 0.0917517; os rows
	#     0.2025730 + 0.0917517 -> 0.96535866*0.18350342 + 0.03464134*0.29432472
	#     = 0.1873424
	#  m2 {rpg, anime, material:m2}: 00-05 has no anime and no material:m2 row:
	#     the "*" rows 0.3846154 each -> 0.96535866*(0.0917517 + 2*0.3846154)
	#     + 0.03464134*(0.2025730 + 0.2 + 0.2) = 0.8520307
	run -0 tagctr-rank -m "$T/m" --materials "$T/mats.csv" <<<'{"id":"r1","channel":"c1","plan":"p1","attrs":{"hour":2,"os":"ios"}}'
	assert_output '{"id":"r1","channel":"c1","plan":"p1","attrs":{"hour":2,"os":"ios"},"material":"m2","scores":[{"material":"m2","r":0.8520308274677021},{"material":"m1","r":0.18734241809366337}]}'
	# no attributes at all: every dimension falls back to the "*" rows:
	#  m1: (W_hour + W_os) * (0.2929373 + 0.0723351) = 0.3652724
	run -0 --separate-stderr tagctr-rank -m "$T/m" --materials "$T/mats.csv" -k 1 <<<'{"id":"r0","channel":"c1","plan":"p1","materials":["m1"]}'
	assert_output --partial '{"id":"r0","channel":"c1","plan":"p1","materials":["m1"],"material":"m1","scores":[{"material":"m1","r":'
	assert_near "$(echo "$output" | summary | sed 's/.*m1://')" 0.3652723669150157
}

@test "tagctr-rank: the identity tag breaks a tie between materials with the same tags" {
	# m1 and m3 both carry only "rpg"; m1: 2 lines, no click; m3: 2 lines, 2 clicks.
	# os=ios is the only dimension with one value: sd 0, CV 0, so W_os = 1.
	# rpg: S(2,4) = (0.5 + 0.5 - 2 sqrt(0.0625 + 0.0625)) / 2 = 0.1464466094067262
	# material:m1: S(0,2) = 0; material:m3: S(2,2) = 1/3
	# R_m1 = 0.1464466, R_m3 = 0.1464466 + 0.3333333 = 0.4797799: m3 wins.
	for l in m1:false m1:false m3:true m3:true; do
		printf '{"ts":100,"channel":"c","plan":"p","material":"%s","tags":["rpg"],"attrs":{"os":"ios"},"click":%s}\n' "${l%%:*}" "${l##*:}"
	done > "$T/l"
	tagctr-build --now 3600 -o "$T/mt" "$T/l"
	run -0 tagctr-rank -m "$T/mt" --materials "$T/mats.csv" <<<'{"channel":"c","plan":"p","attrs":{"os":"ios"},"materials":["m1","m3"]}'
	assert_output --partial '"materials":["m1","m3"],"material":"m3","scores":[{"material":"m3","r":'
	out=$(echo "$output" | summary)
	[[ "$out" == "None m3 m3:"*",m1:"* ]]
	r3=${out#*m3:}; r3=${r3%%,*}; r1=${out##*m1:}
	assert_near "$r3" 0.4797799427400595
	assert_near "$r1" 0.1464466094067262
	# without it the two tie, and the tie goes to the bytewise smaller id
	tagctr-build --now 3600 --no-material-tag -o "$T/mn" "$T/l"
	run -0 tagctr-rank --no-material-tag -m "$T/mn" --materials "$T/mats.csv" <<<'{"channel":"c","plan":"p","attrs":{"os":"ios"},"materials":["m3","m1"]}'
	assert_output --partial '"material":"m1","scores":[{"material":"m1","r":0.1464466094067262},{"material":"m3","r":0.1464466094067262}]}'
}

@test "tagctr-rank: random logs and requests agree with the Python reference" {
	python3 "$TD/tagctr-build/gen.py" 9 3000 > "$T/g"
	tagctr-build --now 360000 --window 36000 -o "$T/mr" "$T/g"
	python3 -c '
import json, random
rnd = random.Random(4)
for i in range(300):
    q = {"id": i, "channel": rnd.choice(["c1", "c2", "c3", "c4"]), "plan": rnd.choice(["p1", "p2"]),
         "attrs": {"hour": rnd.randrange(24), "city": rnd.choice(["Shenzhen", "Lhasa", "Paris"]), "os": "ios"}}
    if rnd.random() < 0.7:
        q["materials"] = rnd.sample(["m%d" % j for j in range(10)], rnd.randrange(1, 6))
    print(json.dumps(q))' > "$T/q"
	printf 'material,tags\nm0,rpg|anime\nm1,puzzle\nm2,rpg\nm3,race|cards\nm9,rpg\n' > "$T/mats2.csv"
	tagctr-rank -m "$T/mr" --materials "$T/mats2.csv" -k 4 "$T/q" | summary > "$T/got"
	python3 "$F/ref.py" "$T/mr" "$T/mats2.csv" "$T/q" 4 | tr '\t' ' ' > "$T/want"
	python3 -c '
import sys
a, b = open(sys.argv[1]).read().splitlines(), open(sys.argv[2]).read().splitlines()
assert len(a) == len(b), (len(a), len(b))
for x, y in zip(a, b):
    x, y = x.split(" "), y.split(" ")
    assert x[:2] == y[:2], (x, y)
    xs = [s.split(":") for s in x[2].split(",") if s]
    ys = [s.split(":") for s in y[2].split(",") if s]
    assert [m for m, _ in xs] == [m for m, _ in ys], (x, y)
    for (_, r1), (_, r2) in zip(xs, ys):
        assert abs(float(r1) - float(r2)) <= 1e-9 * abs(float(r2)) + 1e-12, (x, y)' "$T/got" "$T/want"
	[ "$(grep -c ' null ' "$T/got" || true)" -gt 10 ]
}

@test "tagctr-rank: canonical lines are extended in place, others rewritten: the same bytes" {
	# A canonical line (what jw writes) gets its two members appended to
	# its text; a line with white space, \u escapes, a "material" or a
	# "scores" member, or a score that is no finite number goes through
	# jansson.  Each line twice, compact and spaced: the outputs agree.
	python3 "$TD/tagctr-build/gen.py" 9 3000 > "$T/g"
	tagctr-build --now 360000 --window 36000 -o "$T/mr" "$T/g"
	printf 'material,tags\nm0,rpg|anime\nm1,puzzle\nm2,rpg\nm3,race|cards\nm9,rpg\n' > "$T/mats2.csv"
	python3 -c '
import json, random, sys
rnd = random.Random(5)
a, b = open(sys.argv[1], "w"), open(sys.argv[2], "w")
for i in range(400):
    q = {"id": i, "channel": rnd.choice(["c1", "c2", "c3", "c4"]), "plan": rnd.choice(["p1", "p2"]),
         "attrs": {"hour": rnd.randrange(24), "city": rnd.choice(["Shenzhen", "Lhasa", "Paris"]), "os": "ios"}}
    if rnd.random() < 0.7:
        q["materials"] = rnd.sample(["m%d" % j for j in range(10)], rnd.randrange(0, 6))
    x = rnd.random()
    if x < 0.1: q["material"] = "old"
    elif x < 0.2: q["scores"] = None
    elif x < 0.3: q["note"] = "caf" + chr(233) + chr(34) + chr(9) + chr(92)
    elif x < 0.35: q["attrs"]["w"] = 1.5
    elif x < 0.4: q = {"plan": "p1", "channel": "c1"}
    a.write(json.dumps(q, separators=(",", ":"), ensure_ascii=False) + "\n")
    b.write(json.dumps(q) + "\n")' "$T/qc" "$T/qs"
	grep -q ' ' "$T/qs"
	tagctr-rank -m "$T/mr" --materials "$T/mats2.csv" -k 4 "$T/qc" > "$T/oc"
	tagctr-rank -m "$T/mr" --materials "$T/mats2.csv" -k 4 "$T/qs" > "$T/os"
	[ "$(wc -l < "$T/oc")" -eq 400 ]
	cmp "$T/oc" "$T/os"
	grep -q '"material":"old"' "$T/qc"
	run -0 --separate-stderr tagctr-rank -m "$T/mr" -k 1 <<<'{"channel":"c9","plan":"p1","material":"old","x":1}'
	assert_output '{"channel":"c9","plan":"p1","material":null,"x":1,"scores":[]}'
	# a weight that makes every score infinite: jansson has no such real
	# and leaves "r" out, on either path
	printf '{"channel":"c","plan":"p","attr":"*","value":"*","tag":"material:m1","ctr":1e300}\n{"type":"weights","channel":"c","plan":"p","attr":"os","weight":1e300}\n' > "$T/mi"
	run -0 --separate-stderr tagctr-rank -m "$T/mi" <<<'{"channel":"c","plan":"p"}'
	assert_output '{"channel":"c","plan":"p","material":"m1","scores":[{"material":"m1"}]}'
}

@test "tagctr-rank: pooled channels are found by their members; unknown plans are counted" {
	for l in c1:ios c1:ios c2:ios c3:android; do
		printf '{"ts":100,"channel":"%s","plan":"p","material":"m1","tags":["rpg"],"attrs":{"os":"%s"},"click":true}\n' "${l%%:*}" "${l##*:}"
	done > "$T/l"
	tagctr-build --now 3600 --similarity os --pool-similar 0.9 -o "$T/mp" "$T/l"
	grep -q '"channel":"c1+c2"' "$T/mp"
	run -0 --separate-stderr tagctr-rank -m "$T/mp" <<-'EOF'
	{"channel":"c2","plan":"p","attrs":{"os":"ios"}}
	{"channel":"c3","plan":"p"}
	{"channel":"c1","plan":"q"}
	{"channel":"c4","plan":"p"}
	EOF
	assert_line --index 0 --partial '"material":"m1","scores":[{"material":"m1","r":'
	assert_line --index 1 --partial '"material":"m1"'
	assert_line --index 2 '{"channel":"c1","plan":"q","material":null,"scores":[]}'
	assert_line --index 3 '{"channel":"c4","plan":"p","material":null,"scores":[]}'
	[ "$stderr" = "tagctr-rank: read 4, wrote 4, rejected 0, unknown plan 2" ]
}

@test "tagctr-rank: CSV matrix and a separate weights file give the same ranking" {
	tagctr-build $TINY --csv --weights-file "$T/w.csv" -o "$T/m.csv" "$TD/tagctr-build/tiny_tag.ndjson"
	Q='{"id":"r1","channel":"c1","plan":"p1","attrs":{"hour":2,"os":"ios"}}'
	run -0 tagctr-rank -m "$T/m.csv" --weights-file "$T/w.csv" --materials "$T/mats.csv" <<<"$Q"
	assert_output '{"id":"r1","channel":"c1","plan":"p1","attrs":{"hour":2,"os":"ios"},"material":"m2","scores":[{"material":"m2","r":0.8520308274677021},{"material":"m1","r":0.18734241809366337}]}'
}

@test "tagctr-rank: request values merge through --map as in tagctr-build" {
	printf '{"ts":10,"channel":"c","plan":"p","material":"m1","attrs":{"city":"Shenzhen","os":"ios"},"click":true}\n{"ts":10,"channel":"c","plan":"p","material":"m2","attrs":{"city":"Hangzhou","os":"ios"},"click":true}\n{"ts":10,"channel":"c","plan":"p","material":"m1","attrs":{"city":"Hangzhou","os":"ios"},"click":false}\n' > "$T/l"
	tagctr-build --now 3600 --map city="$TD/tagctr-build/province.csv" -o "$T/mm" "$T/l"
	# Guangzhou maps to Guangdong, where only m1 has evidence (1 of 1)
	run -0 tagctr-rank -m "$T/mm" --map city="$TD/tagctr-build/province.csv" -k 1 <<<'{"channel":"c","plan":"p","attrs":{"city":"Guangzhou"}}'
	assert_output --partial '"material":"m1"'
	run -0 tagctr-rank -m "$T/mm" --map city="$TD/tagctr-build/province.csv" -k 1 <<<'{"channel":"c","plan":"p","attrs":{"city":"Ningbo"}}'
	assert_output --partial '"material":"m2"'
}

@test "tagctr-rank: bad records, usage errors" {
	run -65 --separate-stderr tagctr-rank -m "$T/m" <<<'{"channel":"c1"}'
	[ "$stderr" = 'tagctr-rank: <stdin>:1: no "plan" field' ]
	run -65 --separate-stderr tagctr-rank -m "$T/m" <<<'{"channel":"c1","plan":"p1","materials":"m1"}'
	[ "$stderr" = 'tagctr-rank: <stdin>:1: "materials" must be an array of material ids' ]
	run -0 --separate-stderr tagctr-rank --skip-bad -m "$T/m" <<<$'{"channel":"c1"}\n{"channel":"c1","plan":"p1","materials":["m1"]}'
	[ "${#lines[@]}" -eq 1 ]
	echo '{"channel":"c","plan":"p","attr":"*","value":"*","tag":"t"}' > "$T/badm"
	run -65 --separate-stderr tagctr-rank -m "$T/badm" </dev/null
	[ "$stderr" = "tagctr-rank: $T/badm:1: no \"ctr\" field" ]
	run -64 --separate-stderr tagctr-rank </dev/null
	[[ "$stderr" == "tagctr-rank: -m MATRIX is required"* ]]
	run -64 tagctr-rank -m "$T/m" -k 0
	run -66 tagctr-rank -m "$T/none" </dev/null
	run -0 tagctr-rank --help
	run -0 tagctr-rank --version
}
