#!/bin/sh
# The Protected App Signals auction replay of `make demo`, end to end:
#   world -> keys -> pas-encode -> pas-retrieve -> pas-bid -> pas-score
#   (-> egress-noise, when it is built)
#   usage: examples/pas-demo.sh [OUTDIR]     (default demo-out)
# Results go to OUTDIR/pas/; the closing lines say where.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-demo-out}
PATH="$root/bin:$PATH"
dir="$out/pas"
mkdir -p "$dir"

echo "== pas: a Protected App Signals auction replay on a synthetic world"
sh "$root/examples/pas-world.sh" "$dir/world" 42 | sed 's/^/   /'
pas-keygen --seed 42 --key-id 4 --force -o "$dir/auction" >/dev/null
pas-encode -v --seed 42 --key-config "$dir/auction.keyconfig" \
    -o "$dir/sealed.ndjson" "$dir/world/world.ndjson" 2>&1 | sed 's/^/   /'
pas-retrieve -v --secret-key "$dir/auction.sk" --ads "$dir/world/ads.ndjson" \
    --model "$dir/world/model.json" "$dir/sealed.ndjson" 2>"$dir/retrieve.log" |
pas-bid -v --ads "$dir/world/ads.ndjson" --model "$dir/world/model.json" \
    --egress-schema "$root/examples/egress-schema-20.json" \
    --temporary-egress-schema "$root/examples/egress-schema-unlimited.json" \
    -o "$dir/bids.ndjson" 2>"$dir/bid.log"
sed 's/^/   /' "$dir/retrieve.log" "$dir/bid.log"
pas-score -v --second-price --budgets "$dir/world/ads.ndjson" \
    --summary "$dir/summary.csv" -o "$dir/results.ndjson" \
    "$dir/bids.ndjson" 2>&1 | sed 's/^/   /'
# shellcheck disable=SC2046  # the flags are words
pas-synth $(cat "$dir/world/world.flags") --outcomes-for "$dir/results.ndjson" \
    -o "$dir/outcomes.ndjson"
pas-score --second-price --budgets "$dir/world/ads.ndjson" \
    --summary "$dir/summary-outcomes.csv" --outcomes "$dir/outcomes.ndjson" \
    -o /dev/null "$dir/bids.ndjson"
if [ -x "$root/bin/egress-noise" ]; then
	egress-noise -v --seed 42 \
	    --egress-schema "$root/examples/egress-schema-20.json" \
	    --temporary-egress-schema "$root/examples/egress-schema-unlimited.json" \
	    -o "$dir/reports.ndjson" "$dir/results.ndjson" 2>&1 | sed 's/^/   /'
	reports="$dir/reports.ndjson (noised wire payloads)"
else
	reports="$dir/results.ndjson (egress-noise is not built: payloads unnoised)"
fi
echo "   per buyer (second price, running budgets; clicks and installs drawn from the true model):"
awk -F, 'NR == 1 {
	printf "   %-6s %-16s %6s %6s %9s %7s %8s %7s\n", $1, $2, $4, $5, $8, $9, $11, $12
}
$1 == "total" || $1 == "buyer" {
	printf "   %-6s %-16s %6d %6d %9.2f %7.2f %8d %7.4f\n", $1, $2, $4, $5, $8, $9, $11, $12
}' "$dir/summary-outcomes.csv"
echo "   -> $dir/results.ndjson (auctions), $reports,"
echo "      $dir/summary.csv, $dir/summary-outcomes.csv, $dir/outcomes.ndjson"
