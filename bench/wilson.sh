#!/bin/sh
# bench/wilson.sh: wilson against the same computation in mawk and in jq,
# on the same 1,000,000 NDJSON records, in the same run.
# Prints records/s of each, the ratio, and peak memory (RSS).
# usage: sh bench/wilson.sh [RECORDS]
set -eu
cd "$(dirname "$0")/.."
n=${1:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: needs /usr/bin/time (Debian package time)"; exit 1; }

# Records like {"id":"r-1","channel":"ch-7","k":12,"n":340}, made by awk.
awk -v n="$n" 'BEGIN { srand(1); for (i = 0; i < n; i++) {
	t = int(rand() * 5000); k = int(rand() * (t + 1))
	printf "{\"id\":\"r-%d\",\"channel\":\"ch-%d\",\"k\":%d,\"n\":%d}\n", i, int(rand() * 100), k, t } }' \
	> "$tmp/in.ndjson"

cat > "$tmp/w.awk" <<'AWK'
{
	if (!match($0, /"k":-?[0-9.eE+-]+/)) next
	k = substr($0, RSTART + 4, RLENGTH - 4) + 0
	if (!match($0, /"n":-?[0-9.eE+-]+/)) next
	n = substr($0, RSTART + 4, RLENGTH - 4) + 0
	z = 2
	if (n == 0) s = 0
	else { p = k / n; s = (p + z*z/(2*n) - z*sqrt(p*(1-p)/n + z*z/(4*n*n))) / (1 + z*z/n) }
	printf "%s,\"wilson_lower\":%.17g}\n", substr($0, 1, length($0) - 1), s
}
AWK
JQ='(.k) as $k | (.n) as $n | 2 as $z | . + {wilson_lower: (if $n == 0 then 0 else (($k/$n) as $p | ($p + $z*$z/(2*$n) - $z*((($p*(1-$p)/$n) + $z*$z/(4*$n*$n))|sqrt)) / (1 + $z*$z/$n)) end)}'

# best of two runs, alternating the tools; prints "seconds maxrss_kb"
measure() {
	best=
	for i in 1 2; do
		$TIME -f "%e %M" -o "$tmp/t" sh -c "$1" > /dev/null 2>&1 || { echo "bench: failed: $1" >&2; exit 1; }
		t=$(cut -d' ' -f1 "$tmp/t")
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$t; mem=$(cut -d' ' -f2 "$tmp/t")
		fi
	done
	echo "$best $mem"
}

echo "wilson bench: $n NDJSON records ($(wc -c < "$tmp/in.ndjson") bytes), $(nproc) cores"
w=$(measure "bin/wilson $tmp/in.ndjson > $tmp/out.w")
m=$(measure "mawk -f $tmp/w.awk $tmp/in.ndjson > $tmp/out.m")
if command -v jq > /dev/null; then
	j=$(measure "jq -c '$JQ' $tmp/in.ndjson > $tmp/out.j")
else
	j=
fi
# the three agree on the values (to 1e-9 relative)
paste -d' ' "$tmp/out.w" "$tmp/out.m" | awk '{
	split($1, a, "\"wilson_lower\":"); split($2, b, "\"wilson_lower\":")
	x = a[2] + 0; y = b[2] + 0; d = x - y; if (d < 0) d = -d
	if (d > 1e-9 * (y < 0 ? -y : y) + 1e-12) { print "bench: wilson and mawk disagree: " $0; exit 1 } }'

row() {
	printf "%-8s %8.2f s %12.0f records/s %9.1f MB peak" "$1" "$2" "$(awk -v n="$n" -v t="$2" 'BEGIN { print n / t }')" "$(awk -v m="$3" 'BEGIN { print m / 1024 }')"
}
set -- $w; wt=$1; row wilson "$1" "$2"; echo
set -- $m; row mawk "$1" "$2"; printf "   wilson/mawk speed ratio %.2fx\n" "$(awk -v a="$1" -v b="$wt" 'BEGIN { print a / b }')"
if [ -n "$j" ]; then
	set -- $j; row jq "$1" "$2"; printf "   wilson/jq speed ratio %.2fx\n" "$(awk -v a="$1" -v b="$wt" 'BEGIN { print a / b }')"
else
	echo "jq       not installed: skipped"
fi
