#!/bin/sh
# bench/auction.sh: the buyer's and seller's stages of the auction replay
# on a world of 3 buyers x 10,000 ads, d = 32, with requests/s by CPU
# time (one core) and peak memory, measured two ways:
#   - the pipeline pas-retrieve | pas-bid | pas-score -o FILE, each
#     stage timed on its own (the issue's configuration);
#   - each stage alone on the previous stage's file, writing its own
#     file (-o), with beside it what its parts cost in the same run:
#   open+parse   pas-encode --open on the same input: the X25519
#                operation, AES-GCM, gunzip and the jansson parse and
#                write of the record (the floor under pas-retrieve)
#   scan         pas-retrieve minus the same run with 1 ad per buyer:
#                the filters and the 30,000 x 32 scan
#   parse        pas-encode --open on a file without auction_input: the
#                jansson parse of every record alone (pas-bid's input)
# pas-bid and pas-score alone are timed twice: writing their output file
# and writing to a pipe into wc -c (the byte count checked against the
# file), so that the kernel's cost of the output file shows apart.  The pipeline's
# output must equal the stages' own, byte for byte.
# It prints the machine's price of page cache for new output first
# (bench/pagecost.sh).
# usage: sh bench/auction.sh [REQUESTS]   (default 100000; needs about
# 50 KB of scratch per request in $TMPDIR)
set -eu
cd "$(dirname "$0")/.."
n=${1:-100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: needs /usr/bin/time (Debian package time)"; exit 1; }
devices=$((n / 10 > 100 ? n / 10 : 100))
bin/pas-synth --seed 9 --ads 30000 --buyers 3 --dim 32 --requests "$n" \
    --devices "$devices" --days 2 --emit signals,requests,ads,model --dir "$tmp"
bin/pas-keygen --seed 1 -o "$tmp/k" > /dev/null
bin/pas-encode --seed 1 --key-config "$tmp/k.keyconfig" -o "$tmp/enc.ndjson" \
    "$tmp/world.ndjson"
python3 - "$tmp/ads.ndjson" > "$tmp/ads1.ndjson" <<'PY'
import json, sys
seen = set()
for l in open(sys.argv[1]):
    b = json.loads(l)["buyer"]
    if b not in seen:
        seen.add(b); sys.stdout.write(l)
PY

# CPU seconds (user + sys), wall seconds, peak KB of one run.
# Each stage starts with the page cache written back (sync), so that it
# pays for writing its own output, not for the gigabytes the stage before
# it left dirty (the kernel makes a writer that meets its dirty limit do
# the writeback itself, in its system time).
measure() {
	sync
	$TIME -f "%U %S %e %M" -o "$tmp/t" sh -c "$1" > /dev/null 2>&1 ||
	    { echo "bench: failed: $1" >&2; exit 1; }
	awk '{ print $1 + $2, $3, $4 }' "$tmp/t"
}
row() {
	printf "%-28s %7.2f s cpu %7.2f s wall %8.0f req/s %7.0f us/req %7.1f MB peak\n" \
	    "$1" "$2" "$3" "$(awk -v n="$n" -v t="$2" 'BEGIN { print n / (t > 0 ? t : 0.01) }')" \
	    "$(awk -v n="$n" -v t="$2" 'BEGIN { print t / n * 1e6 }')" \
	    "$(awk -v m="$4" 'BEGIN { print m / 1024 }')"
}
target() {
	awk -v n="$n" -v t="$2" -v w="$3" -v s="$1" 'BEGIN { r = n / t
	    v = (r >= w) ? "met" : "NOT met"
	    printf "   %s target >= %d req/s on one core: %s (%.0f)\n", s, w, v, r }'
}

. bench/pagecost.sh

filecost() {
	printf "   writing the output file (page cache): %.0f us/req\n" \
	    "$(awk -v a="$1" -v b="$2" -v n="$n" 'BEGIN { print (a - b) / n * 1e6 }')"
}

K="$tmp/k.sk" A="$tmp/ads.ndjson" M="$tmp/model.json"
S=examples/egress-schema-20.json U=examples/egress-schema-unlimited.json
echo "auction bench: $n requests, 3 buyers x 10000 ads, d = 32, $(nproc) cores (one used)"
pagecost 1024
r=$(measure "bin/pas-retrieve --secret-key $K --ads $A --model $M -o $tmp/ret.ndjson $tmp/enc.ndjson")
r1=$(measure "bin/pas-retrieve --secret-key $K --ads $tmp/ads1.ndjson --model $M -o /dev/null $tmp/enc.ndjson")
o=$(measure "bin/pas-encode --open --secret-key $K -o /dev/null $tmp/enc.ndjson")
b=$(measure "bin/pas-bid --ads $A --model $M --egress-schema $S --temporary-egress-schema $U -o $tmp/bid.ndjson $tmp/ret.ndjson")
p=$(measure "bin/pas-encode --open --secret-key $K -o /dev/null $tmp/ret.ndjson")
s=$(measure "bin/pas-score --second-price -o $tmp/score.ndjson $tmp/bid.ndjson")
sync
# pas-score again, its output through a pipe to wc -c: the time is the
# tool's alone (wc is not timed), without the kernel's writing of the
# output file into the page cache
$TIME -f "%U %S %e %M" -o "$tmp/t" bin/pas-score --second-price "$tmp/bid.ndjson" \
    2> /dev/null | wc -c > "$tmp/score.bytes" ||
    { echo "bench: failed: pas-score | wc -c" >&2; exit 1; }
sp=$(awk '{ print $1 + $2, $3, $4 }' "$tmp/t")
sync
$TIME -f "%U %S %e %M" -o "$tmp/t" bin/pas-bid --ads "$A" --model "$M" \
    --egress-schema "$S" --temporary-egress-schema "$U" "$tmp/ret.ndjson" \
    2> /dev/null | wc -c > "$tmp/bid.bytes" ||
    { echo "bench: failed: pas-bid | wc -c" >&2; exit 1; }
bp=$(awk '{ print $1 + $2, $3, $4 }' "$tmp/t")
l=$(measure "bin/pas-retrieve --secret-key $K --ads $A --model $M -o /dev/null /dev/null")
# The pipeline the issue names, each stage timed on its own: the stages
# run at once (3 processes on the machine's cores) and pass records
# through pipes; pas-score writes the file.
sync
{ $TIME -f "%U %S %e %M" -o "$tmp/t.r" bin/pas-retrieve --secret-key "$K" \
    --ads "$A" --model "$M" "$tmp/enc.ndjson" |
  $TIME -f "%U %S %e %M" -o "$tmp/t.b" bin/pas-bid --ads "$A" --model "$M" \
    --egress-schema "$S" --temporary-egress-schema "$U" |
  $TIME -f "%U %S %e %M" -o "$tmp/t.s" bin/pas-score --second-price \
    -o "$tmp/score.pipe.ndjson"; } 2> /dev/null ||
    { echo "bench: failed: the pipeline" >&2; exit 1; }
cmp -s "$tmp/score.ndjson" "$tmp/score.pipe.ndjson" ||
    { echo "bench: the pipeline wrote other bytes than the stages alone"; exit 1; }
for f in r b s; do
	eval "q$f=\$(awk '{ print \$1 + \$2, \$3, \$4 }' \"\$tmp/t.$f\")"
done
for f in ret bid score; do
	[ "$(wc -l < "$tmp/$f.ndjson")" -eq "$n" ] || { echo "bench: requests lost in $f"; exit 1; }
done
[ "$(cat "$tmp/score.bytes")" -eq "$(wc -c < "$tmp/score.ndjson")" ] ||
    { echo "bench: pas-score through a pipe wrote other bytes than to a file"; exit 1; }
[ "$(cat "$tmp/bid.bytes")" -eq "$(wc -c < "$tmp/bid.ndjson")" ] ||
    { echo "bench: pas-bid through a pipe wrote other bytes than to a file"; exit 1; }
echo "(req/s by CPU time; record sizes: $(($(wc -c < "$tmp/enc.ndjson") / n)) B sealed," \
    "$(($(wc -c < "$tmp/ret.ndjson") / n)) B retrieved, $(($(wc -c < "$tmp/bid.ndjson") / n)) B bid," \
    "$(($(wc -c < "$tmp/score.ndjson") / n)) B scored)"
set -- $r; rt=$1; row "pas-retrieve" "$@"
set -- $r1; row "  same, 1 ad per buyer" "$@"; r1t=$1
set -- $o; row "  open+parse (--open)" "$@"
set -- $l; lt=$1
printf "   scan (filters + exact top 10 of 30000 x 32): %.0f us/req\n" \
    "$(awk -v a="$rt" -v b="$r1t" -v l="$lt" -v n="$n" 'BEGIN { print (a - b - l) / n * 1e6 }')"
printf "   catalog and model load: %.2f s cpu, %.1f MB peak\n" "$1" "$(awk -v m="$3" 'BEGIN { print m / 1024 }')"
target pas-retrieve "$rt" 6000
set -- $b; bt=$1; row "pas-bid" "$@"
set -- $bp; bpt=$1; row "  same, output to a pipe" "$@"
set -- $p; row "  parse alone (jansson)" "$@"
filecost "$bt" "$bpt"
target "pas-bid, output to a file" "$bt" 15000
target "pas-bid, output to a pipe" "$bpt" 15000
set -- $s; st=$1; row "pas-score --second-price" "$@"
set -- $sp; spt=$1; row "  same, output to a pipe" "$@"
filecost "$st" "$spt"
# Alone, each stage writes its output file (-o): the kernel's copying
# of the output into the page cache is CPU time the tool causes (sys),
# and it grows with the output (10-16 KB a request, 1-1.6 GB at 100,000
# requests) and with how much of the page cache's memory is new to the
# machine (a virtual machine whose host backs guest memory on first
# touch makes that far dearer).  The pipe run beside pas-score is the
# tool's own cost, so that a miss can be told apart.
target "pas-score, output to a file" "$st" 15000
target "pas-score, output to a pipe" "$spt" 15000
echo "pas-retrieve | pas-bid | pas-score -o FILE, each stage's own CPU time:"
set -- $qr; qrt=$1; row "  pas-retrieve" "$@"
set -- $qb; qbt=$1; row "  pas-bid" "$@"
set -- $qs; qst=$1; row "  pas-score" "$@"
target "pas-retrieve in the pipeline" "$qrt" 6000
target "pas-bid in the pipeline" "$qbt" 15000
target "pas-score in the pipeline" "$qst" 15000
