#!/usr/bin/env bats
# egress-ablate(1): the protocol on a world whose true model uses only
# some features (examples/gen-world.py), as a plain table and through the
# egress pipeline with a schema.  The same on a pas-synth world through
# the whole replay is tests/ablate-truth.bats.

load common

setup() {
	common_setup
	GEN="$ROOT/examples/gen-world.py"
}

# The drop rows' features ordered by utility per bit, best first.
ranking() {
	python3 -c '
import json, sys
d = [json.loads(l) for l in open(sys.argv[1]) if "\"drop\"" in l]
print(",".join(r["feature"] for r in sorted(d, key=lambda r: -r["utility_per_bit"])))' "$1"
}

# The features chosen at a size.
chosen() {
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["step"] == "size" and r["bits"] == int(sys.argv[2]):
        print(",".join(r["features"]))' "$1" "$2"
}

@test "egress-ablate: a plain table: the truly used features (1, 4, 6) rank first and fill the small payloads" {
	python3 "$GEN" table --rows 20000 --features 8 --card 8 --used 1,4,6 --seed 1 > "$T/w.csv"
	run -0 --separate-stderr egress-ablate -v -l label --ignore split --seed 1 --sizes 3,6,9,24 "$T/w.csv" -o "$T/c" --svg "$T/c.svg"
	[ "$stderr" = "egress-ablate: read 20000, used 20000, rejected 0, features 8, bits 24, models 39" ]
	run -0 ranking "$T/c"
	[[ "$output" == f1,f6,f4,* || "$output" == f1,f4,f6,* || "$output" == f6,f1,f4,* ||
	   "$output" == f6,f4,f1,* || "$output" == f4,f1,f6,* || "$output" == f4,f6,f1,* ]]
	# 3 bits a feature (8 values): 3 bits buy the best, 9 bits all three
	run -0 chosen "$T/c" 9
	assert_output "f1,f4,f6"
	run -0 chosen "$T/c" 3
	[[ "$output" == f1 || "$output" == f4 || "$output" == f6 ]]
	python3 - "$T/c" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["step"] for r in rows] == ["baseline"] + ["drop"] * 8 + ["size"] * 4
assert rows[0]["repeats"] == 3 and rows[0]["utility"] > 0.2
for r in rows[1:9]:
    assert r["bits"] == 3
    assert abs(r["utility_per_bit"] - (rows[0]["utility"] - r["utility"]) / 3) < 1e-12
size9 = rows[11]
assert size9["payload_bits"] == 9 and 97 < size9["pct_of_baseline"] < 103 and size9["sd"] >= 0
PY
}

@test "egress-ablate: through the egress pipeline: payloads -> egress-noise -> --decode -> --schema" {
	python3 "$GEN" egress --rows 20000 --features 6 --card 8 --used 0,3 --seed 5 "$T/w"
	egress-noise --seed 1 -p 0.01 --schema "$T/w.schema.json" "$T/w.payloads.ndjson" |
		egress-noise --decode --csv --schema "$T/w.schema.json" --outcomes "$T/w.outcomes.ndjson" > "$T/rows.csv"
	run -0 egress-ablate -l install --ignore click --schema "$T/w.schema.json" --seed 2 --sizes 3,6,18 "$T/rows.csv" -o "$T/c"
	run -0 ranking "$T/c"
	[[ "$output" == f0,f3,* || "$output" == f3,f0,* ]]
	run -0 chosen "$T/c" 6
	assert_output "f0,f3"
}

@test "egress-ablate: histogram and bucket features are one feature each, costed by their schema bits" {
	# f0 bucket of 3 (3 bits) carries the signal in its item 1; f1 a
	# histogram [u2, s2] (4 bits) is noise; f2 boolean (1 bit) is noise.
	python3 - "$T" <<'PY'
import json, math, random, sys
d = sys.argv[1]
json.dump({"cddl_version": "1.0.0", "version": 0, "features": [
    {"name": "bucket-feature", "size": 3},
    {"name": "histogram-feature", "size": 4, "value": [
        {"name": "unsigned-integer-feature", "size": 2},
        {"name": "signed-integer-feature", "size": 2}]},
    {"name": "boolean-feature"}]}, open(d + "/s.json", "w"))
rng = random.Random(3)
with open(d + "/rows.csv", "w") as f:
    f.write("f0_0,f0_1,f0_2,f1_0,f1_1,f2,y\n")
    for _ in range(8000):
        b = [rng.randrange(2) for _ in range(3)]
        z = -1 + 2.5 * b[1]
        y = int(rng.random() < 1 / (1 + math.exp(-z)))
        f.write("%d,%d,%d,%d,%d,%d,%d\n" % (*b, rng.randrange(4), rng.randrange(-2, 2), rng.randrange(2), y))
PY
	run -0 egress-ablate -l y --schema "$T/s.json" --seed 1 --sizes 1,3,8 "$T/rows.csv"
	assert_line --index 1 --partial '{"step":"drop","feature":"f0","bits":3,'
	assert_line --index 2 --partial '{"step":"drop","feature":"f1","bits":4,'
	assert_line --index 3 --partial '{"step":"drop","feature":"f2","bits":1,'
	[[ "${lines[5]}" == '{"step":"size","bits":3,"features":["f0"],"payload_bits":3,'* ]]
}

@test "egress-ablate: utilities equal pas-train --eval's on the same split (auc - 0.5, 1 - LL/LL_prior)" {
	python3 "$GEN" table --rows 5000 --features 4 --card 6 --used 0,2 --seed 9 > "$T/w.csv"
	ev=$(pas-train -l label --split-column split --eval "$T/w.csv")
	run -0 egress-ablate -l label --split-column split --repeats 1 --sizes 2 "$T/w.csv"
	a=$(echo "${lines[0]}" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["utility"])')
	want=$(echo "$ev" | python3 -c 'import json,sys; e=json.loads(sys.stdin.read()); print(e["auc"] - 0.5)')
	assert_near "$a" "$want" 1e-12
	run -0 egress-ablate -l label --split-column split --repeats 1 --sizes 2 --utility logloss "$T/w.csv"
	a=$(echo "${lines[0]}" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["utility"])')
	want=$(echo "$ev" | python3 -c 'import json,sys; e=json.loads(sys.stdin.read()); print(1 - e["logloss"] / e["base_logloss"])')
	assert_near "$a" "$want" 1e-12
	[[ "$output" == *'"sd":0.0,"repeats":1}'* ]]
}

@test "egress-ablate: bits are ceil(log2(cardinality)) unless given; one value costs 0 bits" {
	printf 'a,b,c,n,y\n' > "$T/t.csv"
	for i in $(seq 0 39); do
		echo "$((i % 5)),$((i % 2)),k,$((i % 3)).5,$(( (i / 2) % 2 ))" >> "$T/t.csv"
	done
	run -0 egress-ablate -l y --numeric n --repeats 1 --seed 1 --test-fraction 0.5 --sizes 4 "$T/t.csv"
	# a: 5 values -> 3 bits; b: 2 -> 1; c: 1 -> 0; n: 3 numeric values -> 2
	assert_line --index 1 --partial '"feature":"a","bits":3,'
	assert_line --index 2 --partial '"feature":"b","bits":1,'
	assert_line --index 3 --partial '"feature":"c","bits":0,'
	assert_line --index 3 --partial '"utility_per_bit":null}'
	assert_line --index 4 --partial '"feature":"n","bits":2,'
	run -0 egress-ablate -l y --numeric n --bits a=8,c=2 --repeats 1 --seed 1 --test-fraction 0.5 --sizes 4 "$T/t.csv"
	assert_line --index 1 --partial '"feature":"a","bits":8,'
	assert_line --index 3 --partial '"feature":"c","bits":2,'
}

@test "egress-ablate: reproducible with --seed, whatever the number of threads" {
	python3 "$GEN" table --rows 4000 --features 5 --card 4 --used 0,1 --seed 3 > "$T/w.csv"
	egress-ablate -l label --ignore split --seed 4 --threads 1 "$T/w.csv" -o "$T/a" --svg "$T/a.svg"
	egress-ablate -l label --ignore split --seed 4 --threads 2 "$T/w.csv" -o "$T/b" --svg "$T/b.svg"
	cmp "$T/a" "$T/b"
	cmp "$T/a.svg" "$T/b.svg"
	egress-ablate -l label --ignore split --seed 5 "$T/w.csv" -o "$T/c"
	! cmp -s "$T/a" "$T/c"
	# default sizes: 5, 10, .. and then all 10 bits
	run -0 python3 -c 'import json,sys; print([json.loads(l)["bits"] for l in open(sys.argv[1]) if "\"size\"" in l])' "$T/a"
	assert_output "[5, 10]"
}

@test "egress-ablate: the SVG is a standalone document with labelled axes, error bars and feature names" {
	python3 "$GEN" table --rows 6000 --features 4 --card 4 --used 0,2 --seed 2 > "$T/w.csv"
	run -0 egress-ablate -l label --ignore split --seed 1 --sizes 2,4,8 "$T/w.csv" --svg "$T/c.svg" -o "$T/c"
	python3 - "$T/c.svg" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
assert root.tag == ns + "svg" and root.get("viewBox") and root.get("width")
texts = [t.text for t in root.iter(ns + "text")]
assert "payload size (bits)" in texts, texts
assert "% of baseline utility (all features)" in texts, texts
assert any(t and "f0" in t and "f2" in t for t in texts), texts
assert len(list(root.iter(ns + "circle"))) == 3
assert len(list(root.iter(ns + "path"))) >= 1   # error bars
PY
	if command -v rsvg-convert >/dev/null; then
		rsvg-convert "$T/c.svg" -o "$T/c.png"
		[ -s "$T/c.png" ]
	fi
}

@test "egress-ablate: errors: usage, bad rows, missing files; nothing written on failure" {
	run -64 --separate-stderr egress-ablate "$T/x.csv"
	[[ "$stderr" == "egress-ablate: no label: give --label COL"* ]]
	run -64 egress-ablate -l y --split-column s "$T/x.csv"
	run -64 egress-ablate -l y --split-column s --test-fraction 0.2 --repeats 1 "$T/x.csv"
	run -64 egress-ablate -l y --schema s.json --features a "$T/x.csv"
	run -64 egress-ablate -l y --utility rig "$T/x.csv"
	run -64 egress-ablate -l y --sizes 5,x "$T/x.csv"
	run -64 egress-ablate -l y --csv "$T/x.csv"
	run -0 egress-ablate --help
	[[ "${lines[0]}" == "usage: egress-ablate "* ]]
	run -0 egress-ablate --version
	run -66 egress-ablate -l y --schema "$T/none.json" "$T/x.csv"
	printf 'a,y\n1,1\n2,maybe\n' > "$T/b.csv"
	run -65 --separate-stderr egress-ablate -l y "$T/b.csv" -o "$T/c" --svg "$T/c.svg"
	[ "$stderr" = "egress-ablate: $T/b.csv:3: label \"y\": \"maybe\" is not 0/1, true/false or a number" ]
	[ ! -e "$T/c" ] && [ ! -e "$T/c.svg" ]
	printf 'a,y\n1,1\n2,0\n' > "$T/s.csv"
	run -65 --separate-stderr egress-ablate -l y --split-column a --repeats 1 "$T/s.csv"
	[ "$stderr" = "egress-ablate: split 1 has no test rows" ]
	run -66 egress-ablate -l y "$T/none.csv" -o "$T/c"
	[ ! -e "$T/c" ]
}
