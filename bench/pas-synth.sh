#!/bin/sh
# pas-synth throughput and peak memory: a world of about 1.3 million
# records (20,000 devices), the same devices with 10x the requests and
# sessions, and outcomes for 100,000 auction results.  There is no peer
# generator to compare with; the numbers to watch are records/s and
# that peak memory follows devices, not records.
# usage: sh bench/pas-synth.sh [DEVICES]   (default 20000; the other sizes
# scale with it: 10 requests and 5 outcomes per device)
set -eu
d=${1:-20000}
root=$(cd "$(dirname "$0")/.." && pwd)
PATH="$root/bin:$PATH"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (apt-get install time)"; exit 1; }
run() {	# label, flags...
	label=$1; shift
	/usr/bin/time -f "%e %U %M" -o "$tmp/t" pas-synth "$@" -v > /dev/null 2> "$tmp/s"
	read -r s u kb < "$tmp/t"
	n=$(sed 's/.*wrote \([0-9]*\),.*/\1/' "$tmp/s")
	echo "$label: $n records in $s s ($u s CPU):" \
	    "$(awk -v n="$n" -v s="$u" 'BEGIN{printf "%.0f", n/s}') records/CPU-s, peak $((kb / 1024)) MB"
}
nout=$((d * 5))
run "world, $d devices" --seed 1 --devices "$d" --requests $((d * 10)) --sessions 6
run "10x records, same devices" --seed 1 --devices "$d" --requests $((d * 100)) --sessions 60
pas-synth --seed 1 --devices $((d * 5)) --requests $((d * 50)) --emit requests | head -"$nout" |
    sed 's/}$/,"auction":{"winner":{"buyer":"adtech1.example","ad_id":"a-1","bid":1,"price":1,"score":1},"scored":1}}/' > "$tmp/res"
/usr/bin/time -f "%e %U %M" -o "$tmp/t" pas-synth --seed 1 --devices $((d * 5)) \
    --requests $((d * 50)) --outcomes-for "$tmp/res" > /dev/null
read -r s u kb < "$tmp/t"
echo "--outcomes-for: $nout results in $s s ($u s CPU):" \
    "$(awk -v s="$u" -v n="$nout" 'BEGIN{printf "%.0f", n/s}') records/CPU-s, peak $((kb / 1024)) MB"
