#!/bin/sh
# pas-train against LIBLINEAR (liblinear-train -s 0 -B 1 -c 1, Debian
# package liblinear-tools) on the same 1,000,000 rows x 20 categorical
# features (100 values each), the same train/test split, in the same run:
# test AUC and log loss of both, wall time and peak memory of both.
# LIBLINEAR's time is liblinear-train on its own input format plus
# liblinear-predict on the test rows; pas-train's is one run of
# pas-train --eval on the CSV (reading, training and evaluating).
# usage: sh bench/train.sh [ROWS]  (run from the top of the tree: make bench)
set -eu
rows=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
PATH="$root/bin:$PATH"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v /usr/bin/time >/dev/null || { echo "bench/train.sh: install the Debian package time"; exit 1; }
echo "generating $rows rows x 20 categorical features (100 values each)..."
python3 "$root/examples/gen-world.py" table --rows "$rows" --features 20 --card 100 \
	--used 0,1,2,3,4,5,6,7,8,9 --scale 0.5 --seed 3 > "$tmp/rows.csv"
python3 "$root/tests/to_libsvm.py" "$tmp/rows.csv" label split "$tmp/train.svm" "$tmp/test.svm"
ours() {
	/usr/bin/time -f "%e %M" -o "$tmp/t.ours" pas-train -l label --split-column split \
		-C 1 --eval "$tmp/rows.csv" -o "$tmp/model.json" > "$tmp/eval.ours"
}
peer() {
	/usr/bin/time -f "%e %M" -o "$tmp/t.peer" liblinear-train -q -s 0 -B 1 -c 1 \
		"$tmp/train.svm" "$tmp/ll.model"
	/usr/bin/time -f "%e %M" -o "$tmp/t.pred" liblinear-predict -b 1 "$tmp/test.svm" \
		"$tmp/ll.model" "$tmp/ll.pred" > /dev/null
}
if command -v liblinear-train >/dev/null; then
	# alternate, best of two each
	best_o= best_p=
	for i in 1 2; do
		ours; set -- $(cat "$tmp/t.ours")
		[ -z "$best_o" ] || [ "$(echo "$1 < $best_o" | bc)" = 1 ] && { best_o=$1; mem_o=$2; }
		peer; set -- $(cat "$tmp/t.peer"); tp=$1 mp=$2
		set -- $(cat "$tmp/t.pred"); tp=$(echo "$tp + $1" | bc)
		[ -z "$best_p" ] || [ "$(echo "$tp < $best_p" | bc)" = 1 ] && { best_p=$tp; mem_p=$mp; }
	done
	echo "pas-train:  $(cat "$tmp/eval.ours")"
	echo "liblinear:  $(python3 "$root/tests/binmetrics.py" "$tmp/test.svm" "$tmp/ll.pred")"
	echo "pas-train:  ${best_o} s, peak ${mem_o} KB (read CSV + train + evaluate)"
	echo "liblinear:  ${best_p} s, peak ${mem_p} KB (train + predict)"
	echo "ratio (liblinear time / pas-train time): $(echo "scale=2; $best_p / $best_o" | bc)"
else
	ours
	echo "pas-train:  $(cat "$tmp/eval.ours")"
	echo "pas-train:  $(cut -d' ' -f1 "$tmp/t.ours") s, peak $(cut -d' ' -f2 "$tmp/t.ours") KB"
	echo "liblinear-train is not installed (Debian: apt-get install liblinear-tools): no comparison"
fi
