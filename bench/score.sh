#!/bin/sh
# bench/score.sh: pas-score on 100,000 requests with 3 bids each (as
# pas-bid writes them: with pas-retrieve's candidates and egress payloads),
# against the physical limit of moving the same bytes: cat, and a jq
# identity pass, in the same run.  Prints requests/s, MB/s, peak memory.
# usage: sh bench/score.sh [REQUESTS] [CANDIDATES_PER_BUYER]
set -eu
cd "$(dirname "$0")/.."
n=${1:-100000}
k=${2:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: needs /usr/bin/time (Debian package time)"; exit 1; }

python3 bench/score-gen.py "$n" "$tmp/req.ndjson" "$tmp/catalog.ndjson" "$k"
bytes=$(wc -c < "$tmp/req.ndjson")

# Best of two runs by CPU time (user + sys: the one-core cost, robust to
# other load on the machine); prints "cpu_seconds wall_seconds maxrss_kb".
measure() {
	best=
	for i in $(seq "${2:-2}"); do
		$TIME -f "%U %S %e %M" -o "$tmp/t" sh -c "$1" > /dev/null 2>&1 || { echo "bench: failed: $1" >&2; exit 1; }
		t=$(awk '{ print $1 + $2 }' "$tmp/t")
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$t; rest=$(cut -d' ' -f3,4 "$tmp/t")
		fi
	done
	echo "$best $rest"
}

row() {
	printf "%-34s %6.2f s cpu %6.2f s wall %8.0f req/s %7.1f MB/s %7.1f MB peak\n" "$1" "$2" "$3" \
	    "$(awk -v n="$n" -v t="$2" 'BEGIN { print n / (t > 0 ? t : 0.01) }')" \
	    "$(awk -v b="$bytes" -v t="$2" 'BEGIN { print b / 1e6 / (t > 0 ? t : 0.01) }')" \
	    "$(awk -v m="$4" 'BEGIN { print m / 1024 }')"
}

echo "pas-score bench: $n requests, 3 bids, $k candidates per buyer ($bytes bytes), $(nproc) cores"
s1=$(measure "bin/pas-score $tmp/req.ndjson > $tmp/out1")
s2=$(measure "bin/pas-score --second-price --budgets $tmp/catalog.ndjson --summary $tmp/sum.ndjson $tmp/req.ndjson > $tmp/out2")
c=$(measure "cat $tmp/req.ndjson > $tmp/out3")
[ "$(grep -c '"auction":' "$tmp/out1")" -eq "$n" ] || { echo "bench: requests lost"; exit 1; }
echo "(req/s and MB/s by CPU time)"
set -- $s1; st=$1; row "pas-score" "$@"
set -- $s2; row "pas-score --second-price --budgets" "$@"
set -- $c; row "cat" "$@"
printf "   pas-score / cat time ratio %.1fx\n" "$(awk -v a="$st" -v b="$1" 'BEGIN { print a / (b > 0 ? b : 0.01) }')"
if command -v jq > /dev/null; then
	j=$(measure "jq -c . $tmp/req.ndjson > $tmp/out4" 1)
	set -- $j; row "jq -c . (identity)" "$@"
	printf "   jq / pas-score time ratio %.1fx\n" "$(awk -v a="$1" -v b="$st" 'BEGIN { print a / b }')"
else
	echo "jq                                 not installed: skipped"
fi
awk -v n="$n" -v t="$st" 'BEGIN { r = n / t; v = (r >= 15000) ? "met" : "NOT met"
	printf "target >= 15000 req/s on one core: %s (%.0f)\n", v, r }'
