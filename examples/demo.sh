#!/bin/sh
# make demo: the jobs of adsig on bundled or generated data, end to end.
# Results go to demo-out/; each part says where its files are.
set -eu
cd "$(dirname "$0")/.."
PATH="$PWD/bin:$PATH"
out=demo-out
rm -rf "$out"
mkdir -p "$out"

echo "== wilson: click-through rates corrected for tiny samples"
wilson --both --k clicks --n impressions -o "$out/ad-ctr.ndjson" \
    testdata/demo/ad-counts.ndjson
echo "   ads by raw CTR vs by Wilson lower bound (z = 2):"
awk -F'[:,}]' '{
	for (i = 1; i < NF; i++) {
		if ($i ~ /"ad_id"/) { ad = $(i+1); gsub(/"/, "", ad) }
		if ($i ~ /"clicks"/) k = $(i+1)
		if ($i ~ /"impressions"/) n = $(i+1)
		if ($i ~ /"wilson_lower"/) lo = $(i+1)
	}
	printf "   %-7s %4d/%-5d raw %.4f  lower %.4f\n", ad, k, n, k / n, lo
}' "$out/ad-ctr.ndjson" | sort -k6 -gr | head -5
echo "   -> $out/ad-ctr.ndjson"

for part in examples/tagctr-demo.sh examples/pas-demo.sh examples/ablate-demo.sh; do
	[ -f "$part" ] && sh "$part" "$out"
done
echo "== done: results are in $PWD/$out/"
