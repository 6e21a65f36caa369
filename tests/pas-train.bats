#!/usr/bin/env bats
# pas-train(1): the optimum against an independent Newton solver, the
# model file against an independent scorer of adsig(5), LIBLINEAR on the
# same rows, splits, hashing, buckets, bad records, real logs.

load common

setup() {
	common_setup
	F="$TD/pas-train"
	REF="$ROOT/tests/lr_table_ref.py"
	GEN="$ROOT/examples/gen-world.py"
}

# Weights of two models (ours: a model file; the reference's JSON) agree
# within tol: every name of either, a missing one weighing 0.
same_weights() {
	python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
a, b, tol = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), float(sys.argv[3])
bad = [(k, a["weights"].get(k, 0), b["weights"].get(k, 0))
       for k in set(a["weights"]) | set(b["weights"])
       if abs(a["weights"].get(k, 0) - b["weights"].get(k, 0)) > tol]
if abs(a["bias"] - b["bias"]) > tol:
    bad.append(("bias", a["bias"], b["bias"]))
print(bad or "same")
sys.exit(1 if bad else 0)
EOF
}

@test "pas-train: the optimum of LIBLINEAR's objective, as an exact Newton solver finds it" {
	grep -v ',test$' "$F/small.csv" | cut -d, -f1-4 > "$T/train.csv"
	python3 "$REF" fit "$T/train.csv" install 1 > "$T/ref1"
	run -0 pas-train --label install --split-column split --eps 1e-8 "$F/small.csv" -o "$T/m1"
	run -0 same_weights "$T/m1" "$T/ref1" 1e-6
	# C = 4 and a numeric column
	python3 "$REF" fit "$T/train.csv" install 4 age > "$T/ref4"
	run -0 pas-train -l install --split-column split -C 4 --numeric age --eps 1e-8 "$F/small.csv" -o "$T/m4"
	run -0 same_weights "$T/m4" "$T/ref4" 1e-5
}

@test "pas-train: the model file is what adsig(5) says: an independent scorer agrees with --predict" {
	run -0 pas-train -l install --split-column split "$F/small.csv" -o "$T/m"
	python3 "$REF" score "$T/m" "$F/small.csv" > "$T/want"
	run -0 pas-train --predict "$T/m" --csv "$F/small.csv"
	[ "${lines[0]}" = "geo,os,age,install,split,p" ]
	echo "$output" | tail -n +2 | cut -d, -f6 > "$T/got"
	paste "$T/got" "$T/want" | while read -r g w; do assert_near "$g" "$w" 1e-12; done
	run -0 jq_first "$T/m"
}

jq_first() {
	python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["type"], m["label"], m["hash_size"], [c["kind"] for c in m["columns"]])' "$1"
	[ "$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["type"], m["label"], m["hash_size"])' "$1")" = "logistic install 0" ]
}

@test "pas-train: --predict appends p to NDJSON rows; unseen values weigh 0" {
	run -0 pas-train -l install --split-column split --ignore age "$F/small.csv" -o "$T/m"
	b=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bias"])' "$T/m")
	w=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["weights"]["geo=US"])' "$T/m")
	run -0 pas-train --predict "$T/m" <<<'{"id":"x","geo":"US","os":"blackberry"}'
	p=$(python3 -c 'import math,sys; print(1/(1+math.exp(-(float(sys.argv[1])+float(sys.argv[2])))))' "$b" "$w")
	[[ "$output" == '{"id":"x","geo":"US","os":"blackberry","p":'* ]]
	got=$(echo "$output" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["p"])')
	assert_near "$got" "$p" 1e-12
	run -0 pas-train --predict "$T/m" --field p_install <<<'{"geo":"US"}'
	[[ "$output" == '{"geo":"US","p_install":'* ]]
}

@test "pas-train: --eval; base log loss worked by hand" {
	# training rows: 4 positives of 16, so the base rate is 1/4; test
	# rows: 1 positive of 4: -(1/4 ln 1/4 + 3/4 ln 3/4) = 0.5623351446188083
	run -0 --separate-stderr pas-train -v -l install --split-column split --eval "$F/small.csv"
	[[ "$output" == '{"rows_train":16,"rows_test":4,"auc":'*',"logloss":'*',"base_logloss":0.562335144618808'* ]]
	# 25 distinct names: 4 geo, 3 os, 18 ages (2 seen only in test rows)
	[[ "$stderr" == "pas-train: read 20, used 20, rejected 0, train 16, test 4, features 25, iterations "* ]]
	# with -o the model goes to the file and the evaluation to stdout
	run -0 pas-train -l install --split-column split --eval "$F/small.csv" -o "$T/m"
	[[ "$output" == '{"rows_train":16,"rows_test":4,'* ]]
	[[ "$(head -c 20 "$T/m")" == '{"type":"logistic",'* ]]
	# no split: the evaluation is on the training rows (rows_test 0)
	run -0 pas-train -l install --eval "$F/small.csv"
	[[ "$output" == '{"rows_train":20,"rows_test":0,'* ]]
}

@test "pas-train: NDJSON and CSV rows give the same model, byte for byte" {
	pas-train -l install --split-column split "$F/small.csv" -o "$T/a"
	pas-train -l install --split-column split "$F/small.ndjson" -o "$T/b"
	cmp "$T/a" "$T/b"
	# numbers and booleans in NDJSON are spelled as CSV spells them
	printf '{"a":1,"b":true,"y":1}\n{"a":2.5,"b":false,"y":0}\n' > "$T/n.ndjson"
	printf 'a,b,y\n1,true,1\n2.5,false,0\n' > "$T/n.csv"
	pas-train -l y "$T/n.ndjson" -o "$T/c"
	pas-train -l y "$T/n.csv" -o "$T/d"
	cmp "$T/c" "$T/d"
}

@test "pas-train: deterministic whatever the number of threads" {
	python3 "$GEN" table --rows 30000 --features 6 --card 30 --used 1,4 --seed 4 > "$T/w.csv"
	pas-train -l label --split-column split --threads 1 "$T/w.csv" -o "$T/a"
	pas-train -l label --split-column split --threads 2 "$T/w.csv" -o "$T/b"
	pas-train -l label --split-column split --threads 3 "$T/w.csv" -o "$T/c"
	cmp "$T/a" "$T/b"
	cmp "$T/a" "$T/c"
}

@test "pas-train: --test-fraction with --seed is reproducible and keyed by the row, so shards agree" {
	python3 "$GEN" table --rows 2000 --features 3 --used 0,2 --seed 2 | cut -d, -f1-4 > "$T/w.csv"
	run -0 pas-train -l label --test-fraction 0.25 --seed 3 --eval "$T/w.csv"
	a="$output"
	run -0 pas-train -l label --test-fraction 0.25 --seed 3 --eval "$T/w.csv"
	[ "$output" = "$a" ]
	# the same rows in another order split the same way
	{ head -1 "$T/w.csv"; tail -n +2 "$T/w.csv" | sort; } > "$T/s.csv"
	run -0 pas-train -l label --test-fraction 0.25 --seed 3 --eval "$T/s.csv"
	[[ "$output" == "${a%%,\"auc\"*},"* ]]
	n=$(echo "$a" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["rows_test"])')
	# about a quarter: 500 +- 4 sd (sd = sqrt(2000 * .25 * .75) = 19.4)
	[ "$n" -gt 422 ] && [ "$n" -lt 578 ]
	run -0 pas-train -l label --test-fraction 0.25 --seed 4 --eval "$T/w.csv"
	[ "$output" != "$a" ]
}

@test "pas-train: LIBLINEAR (liblinear-train -s 0 -B 1) on the same rows: AUC and log loss within 0.002" {
	command -v liblinear-train >/dev/null || skip "liblinear-train is not installed (Debian: liblinear-tools)"
	python3 "$GEN" table --rows 20000 --features 8 --card 12 --used 0,2,3,5 --seed 8 > "$T/w.csv"
	python3 "$ROOT/tests/to_libsvm.py" "$T/w.csv" label split "$T/tr.svm" "$T/te.svm"
	liblinear-train -q -s 0 -B 1 -c 1 "$T/tr.svm" "$T/ll.model"
	liblinear-predict -b 1 "$T/te.svm" "$T/ll.model" "$T/ll.pred" > /dev/null
	ll=$(python3 "$ROOT/tests/binmetrics.py" "$T/te.svm" "$T/ll.pred")
	ours=$(pas-train -l label --split-column split -C 1 --eval "$T/w.csv")
	echo "liblinear: $ll"
	echo "pas-train: $ours"
	python3 - "$ll" "$ours" <<'EOF'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert abs(a["auc"] - b["auc"]) <= 0.002, (a, b)
assert abs(a["logloss"] - b["logloss"]) <= 0.002, (a, b)
EOF
}

@test "pas-train: --hash-size: weights by FNV-1a-64 index; an independent scorer agrees" {
	run -0 pas-train -l install --split-column split --hash-size 16 "$F/small.csv" -o "$T/m"
	run -0 python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["hash_size"], "weights" in m, sorted(int(k) for k in m["hashed_weights"])[-1] < 16)' "$T/m"
	assert_output "16 False True"
	python3 "$REF" score "$T/m" "$F/small.csv" > "$T/want"
	pas-train --predict "$T/m" --csv "$F/small.csv" | tail -n +2 | cut -d, -f6 > "$T/got"
	paste "$T/got" "$T/want" | while read -r g w; do assert_near "$g" "$w" 1e-12; done
}

@test "pas-train: --bucket with edges and with quantiles (edges worked by hand)" {
	# ages of all 20 rows, blank left out, sorted (19 values):
	# 19 22 22 24 25 26 27 28 29 30 31 33 33 35 38 40 41 45 51
	# quartile edges at v[floor(k*19/4)] = v[4], v[9], v[14] = 25, 30, 38
	run -0 pas-train -l install --split-column split --bucket age=4 "$F/small.csv" -o "$T/m"
	run -0 python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["columns"][2])' "$T/m"
	assert_output "{'name': 'age', 'kind': 'bucket', 'edges': [25.0, 30.0, 38.0]}"
	python3 "$REF" score "$T/m" "$F/small.csv" > "$T/want"
	pas-train --predict "$T/m" --csv "$F/small.csv" | tail -n +2 | cut -d, -f6 > "$T/got"
	paste "$T/got" "$T/want" | while read -r g w; do assert_near "$g" "$w" 1e-12; done
	run -0 pas-train -l install --bucket age=20:30.5:40 "$F/small.csv" -o "$T/m2"
	run -0 python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["columns"][2]["edges"], sorted(k for k in m["weights"] if k.startswith("age")))' "$T/m2"
	assert_output "[20.0, 30.5, 40.0] ['age=', 'age@0', 'age@1', 'age@2', 'age@3']"
}

@test "pas-train: bad records: labels, numbers, unknown columns; --skip-bad" {
	printf 'a,y\nx,1\ny,maybe\nz,\n' > "$T/b.csv"
	run -65 --separate-stderr pas-train -l y "$T/b.csv"
	[ "$stderr" = "pas-train: $T/b.csv:3: label \"y\": \"maybe\" is not 0/1, true/false or a number" ]
	run -0 --separate-stderr pas-train -l y --skip-bad "$T/b.csv" -o "$T/m"
	[[ "$stderr" == "pas-train: $T/b.csv:3: label \"y\": \"maybe\" is not 0/1, true/false or a number
pas-train: $T/b.csv:4: no label \"y\"
pas-train: read 3, used 1, rejected 2, train 1, test 0, features "* ]] || { echo "$stderr"; false; }
	printf 'a,y\n1,1\n0x2,0\n' > "$T/n.csv"
	run -65 --separate-stderr pas-train -l y --numeric a "$T/n.csv"
	[ "$stderr" = "pas-train: $T/n.csv:3: column \"a\": \"0x2\" is not a number" ]
	printf '{"a":"x","y":1}\n{"a":"x","b":2,"y":0}\n' > "$T/u.ndjson"
	run -65 --separate-stderr pas-train -l y "$T/u.ndjson"
	[ "$stderr" = "pas-train: $T/u.ndjson:2: column \"b\" is not a column of the first record" ]
	run -0 pas-train -l y --ignore b "$T/u.ndjson" -o "$T/m"
	run -0 pas-train -l y --features a "$T/u.ndjson" -o "$T/m"
	printf '{"a":"x","y":0}\n' > "$T/one.ndjson"
	run -0 pas-train -l y --eval "$T/one.ndjson"
	[[ "$output" == *'"auc":null'* ]]
	printf 'a,y,s\nx,1,test\n' > "$T/t.csv"
	run -65 --separate-stderr pas-train -l y --split-column s "$T/t.csv"
	[ "$stderr" = "pas-train: no training rows" ]
}

@test "pas-train: the real Criteo and Avazu samples as they come (blanks, hex ids, 40 columns)" {
	[ -d "$SHARED/data" ] || skip "../shared/data is absent"
	run -0 --separate-stderr pas-train -v -l label --numeric I1,I2,I3,I4,I5,I6,I7,I8,I9,I10,I11,I12,I13 \
		--test-fraction 0.3 --seed 1 --eval "$SHARED/data/criteo_sample.csv"
	[[ "$output" == '{"rows_train":'*'"base_logloss":'* ]]
	[[ "$stderr" == "pas-train: read 200, used 200, rejected 0, train "* ]]
	run -0 pas-train -l label --bucket I5=8 --ignore I1 "$SHARED/data/criteo_sample.csv" -o "$T/c"
	run -0 pas-train --predict "$T/c" "$SHARED/data/criteo_sample.csv"
	[ "${#lines[@]}" -eq 200 ]
	run -0 --separate-stderr pas-train -v -l click --ignore id --eval --test-fraction 0.3 --seed 2 "$SHARED/data/avazu_sample.csv"
	[[ "$stderr" == "pas-train: read 100, used 100, rejected 0, train "* ]]
	run -0 pas-train -l click --hash-size 1024 "$SHARED/data/avazu_sample.csv" -o "$T/a"
	run -0 pas-train --predict "$T/a" --csv "$SHARED/data/avazu_sample.csv"
	[ "${#lines[@]}" -eq 101 ]
	[[ "${lines[0]}" == "id,click,hour,"*",C21,p" ]]
}

@test "pas-train: usage errors, --help, --version, missing files, atomic -o" {
	run -64 --separate-stderr pas-train "$F/small.csv"
	[[ "$stderr" == "pas-train: no label: give --label COL"* ]]
	run -64 pas-train -l install --split-column split --test-fraction 0.2 "$F/small.csv"
	run -64 pas-train -l install --test-fraction 1 "$F/small.csv"
	run -64 pas-train -l install -C 0 "$F/small.csv"
	run -64 pas-train -l install --bucket age "$F/small.csv"
	run -64 pas-train -l install --bucket age=3:2 "$F/small.csv"
	run -64 pas-train -l install --numeric age --bucket age=3 "$F/small.csv"
	run -64 pas-train -l install --hash-size 0 "$F/small.csv"
	run -64 pas-train --predict m -l install "$F/small.csv"
	run -64 pas-train -l install --csv "$F/small.csv"
	run -64 --separate-stderr pas-train --bogus
	[[ "$stderr" == *"usage: pas-train "* ]]
	run -0 pas-train --help
	[[ "${lines[0]}" == "usage: pas-train "* ]]
	run -0 pas-train --version
	[[ "$output" == "pas-train (adsig) "* ]]
	run -66 --separate-stderr pas-train --predict "$T/none.json" "$F/small.csv"
	[[ "$stderr" == "pas-train: $T/none.json: No such file"* ]]
	echo '{"type":"two_tower"}' > "$T/tt.json"
	run -65 --separate-stderr pas-train --predict "$T/tt.json" "$F/small.csv"
	[ "$stderr" = "pas-train: $T/tt.json: not a \"logistic\" model" ]
	run -66 pas-train -l install "$T/none.csv" -o "$T/m"
	[ ! -e "$T/m" ]
	printf 'a,y\nx,2\nz,q\n' > "$T/b.csv"
	run -65 pas-train -l y "$T/b.csv" -o "$T/m"
	[ ! -e "$T/m" ]
}

@test "pas-train: a bad first row is reported, not a crash (regression)" {
	# undo_row once read rowptr before the first row had ended
	run -65 --separate-stderr pas-train -l y <<<'{"x":"a"}'
	assert_equal "$stderr" 'pas-train: <stdin>:1: no label "y"'
	run -65 --separate-stderr egress-ablate -l y <<<'{"y":[1],"x":"a"}'
	[[ "$stderr" == 'egress-ablate: <stdin>:1: label "y": '* ]]
}
