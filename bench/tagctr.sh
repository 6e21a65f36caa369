#!/bin/sh
# tagctr-build against DuckDB on the reference protocol of ../shared/bench
# (its README.md): 1,000,000 log lines, about 20 million output rows, the two
# alternating, best of two each; then memory with 4x the lines over the same
# keys; then tagctr-rank requests/s (by CPU time) with 20 candidates against
# a 1M-row matrix.
# The generator and the DuckDB query are called from ../shared/bench, never
# copied.  DuckDB comes from `npm install @duckdb/node-api` in a scratch
# folder (ADSIG_DUCKDB_DIR, default $TMPDIR/adsig-duckdb); without npm or
# that folder the comparison is skipped with a message.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${ADSIG_SHARED:-$root/../shared}/bench
bin=$root/bin
work=${ADSIG_BENCH_DIR:-${TMPDIR:-/tmp}/adsig-bench-tagctr}
lines=${ADSIG_BENCH_LINES:-1000000}
mkdir -p "$work"
if [ ! -f "$shared/gen_perf_logs.py" ]; then
	echo "tagctr bench: $shared is absent: skipped (it holds the reference logs and peer)"
	exit 0
fi
[ -x /usr/bin/time ] || { echo "tagctr bench: /usr/bin/time is missing (apt-get install time)"; exit 1; }
logs=$work/logs-$lines.ndjson
[ -s "$logs" ] || python3 "$shared/gen_perf_logs.py" "$lines" > "$logs"

# "SECONDS KB" of the best (fastest) of the runs given as "$@" twice
best=""
timed() {
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/stdout" 2> "$work/err" ||
	    { cat "$work/err" >&2; echo "tagctr bench: failed: $*" >&2; exit 1; }
	cat "$work/time"
}
pick() { sort -n | head -1; }

ours() {
	timed "$bin/tagctr-build" --csv --now 1700301600 --window 1d --windows 5 \
	    --weights-file "$work/weights.csv" "$1" -o "$work/ours.csv"
}

duck_dir=${ADSIG_DUCKDB_DIR:-${TMPDIR:-/tmp}/adsig-duckdb}
duck=""
if [ -d "$duck_dir/node_modules/@duckdb/node-api" ]; then
	duck=yes
elif command -v npm > /dev/null 2>&1; then
	mkdir -p "$duck_dir"
	if (cd "$duck_dir" && npm install --silent @duckdb/node-api > /dev/null 2>&1); then
		duck=yes
	else
		echo "tagctr bench: npm install @duckdb/node-api failed in $duck_dir: DuckDB skipped"
	fi
else
	echo "tagctr bench: npm is not installed: DuckDB skipped"
fi
theirs() {
	# node resolves the package from the scratch folder through a symlink
	ln -sf "$shared/duck_tagctr.mjs" "$duck_dir/duck_tagctr.mjs"
	timed node --preserve-symlinks --preserve-symlinks-main \
	    "$duck_dir/duck_tagctr.mjs" "$1" "$work/duck.csv"
}

echo "== tagctr-build: $lines log lines ($(du -m "$logs" | cut -f1) MB), CSV out"
o1=$(ours "$logs"); [ -n "$duck" ] && d1=$(theirs "$logs")
o2=$(ours "$logs"); [ -n "$duck" ] && d2=$(theirs "$logs")
o=$(printf '%s\n%s\n' "$o1" "$o2" | pick)
rows=$(($(wc -l < "$work/ours.csv") - 1))
set -- $o
echo "tagctr-build: $1 s, $(awk -v s="$1" -v n="$lines" 'BEGIN { printf "%.0f", n / s }') lines/s, peak $(($2 / 1024)) MB, $rows rows"
if [ -n "$duck" ]; then
	d=$(printf '%s\n%s\n' "$d1" "$d2" | pick)
	drows=$(wc -l < "$work/duck.csv")
	set -- $o $d
	echo "duckdb:       $3 s, $(awk -v s="$3" -v n="$lines" 'BEGIN { printf "%.0f", n / s }') lines/s, peak $(($4 / 1024)) MB, $drows rows"
	awk -v a="$1" -v b="$3" -v ma="$2" -v mb="$4" 'BEGIN {
		printf "speed: tagctr-build is %.2fx DuckDB (target >= 3); memory: %.3f of DuckDB'"'"'s (target <= 0.25)\n", b / a, ma / mb }'
fi

echo "== memory grows with keys, not lines: the same keys, 4x the lines"
cat "$logs" "$logs" "$logs" "$logs" > "$work/logs4.ndjson"
set -- $(ours "$work/logs4.ndjson")
rows4=$(($(wc -l < "$work/ours.csv") - 1))
echo "tagctr-build, 4x lines: $1 s, peak $(($2 / 1024)) MB, $rows4 rows (1x: peak $(echo "$o" | awk '{ printf "%d", $2 / 1024 }') MB, $rows rows)"
rm -f "$work/logs4.ndjson"

echo "== tagctr-rank: 20 candidates per request, a 1M-row matrix"
head -50000 "$logs" > "$work/rank-logs.ndjson"
"$bin/tagctr-build" --now 1700301600 -o "$work/matrix.ndjson" "$work/rank-logs.ndjson"
mrows=$(grep -vc '"type"' "$work/matrix.ndjson")
python3 - "$work" <<'PY'
import random, sys
w = sys.argv[1]
rnd = random.Random(2)
tags = [f"t{i}" for i in range(40)]
with open(w + "/materials.csv", "w") as f:
    f.write("material,tags\n")
    for m in range(200):
        f.write(f"m-{m}," + "|".join(tags[(m * 7 + j) % 40] for j in range(3)) + "\n")
br = ["chrome", "safari", "firefox", "edge", "uc", "qq"]; oss = ["android", "ios", "windows", "mac"]
with open(w + "/requests.ndjson", "w") as f:
    for i in range(200000):
        c = ",".join('"m-%d"' % m for m in rnd.sample(range(200), 20))
        f.write('{"id":"r-%d","channel":"ch-%d","plan":"p-%d","attrs":{"hour":%d,"city":"city%d","browser":"%s","os":"%s","uid":"u-%d"},"materials":[%s]}\n'
                % (i, rnd.randrange(100), rnd.randrange(300), rnd.randrange(24), rnd.randrange(300), rnd.choice(br), rnd.choice(oss), rnd.randrange(50000), c))
PY
: > "$work/none.ndjson"
# requests/s by CPU time (user + sys, one core): the run on no requests
# (matrix load and index) is taken from the run on all of them.
cputimed() {
	/usr/bin/time -f "%U %S %e %M" -o "$work/time" "$@" > "$work/stdout" 2> "$work/err" ||
	    { cat "$work/err" >&2; echo "tagctr bench: failed: $*" >&2; exit 1; }
	awk '{ print $1 + $2, $3, $4 }' "$work/time"
}
load=$(cputimed "$bin/tagctr-rank" -m "$work/matrix.ndjson" --materials "$work/materials.csv" "$work/none.ndjson")
full=$(cputimed "$bin/tagctr-rank" -m "$work/matrix.ndjson" --materials "$work/materials.csv" "$work/requests.ndjson")
[ "$(wc -l < "$work/stdout")" -eq 200000 ] || { echo "tagctr bench: requests lost"; exit 1; }
set -- $load $full
awk -v l="$1" -v lw="$2" -v f="$4" -v fw="$5" -v m="$6" -v rows="$mrows" 'BEGIN {
	printf "tagctr-rank: %d matrix rows loaded in %.2f s cpu; 200000 requests in %.2f s cpu (%.2f s wall): %.0f requests/s by CPU time (target >= 100000), peak %d MB\n",
	    rows, l, f - l, fw - lw, 200000 / (f - l), m / 1024 }'
