#!/bin/sh
# The analyst's egress-size ablation, end to end, on a pas-synth world
# whose true model uses only igam.present and ishp.present (features f0
# and f2 of the 20-bit schema examples/egress-schema-20.json):
#   pas-synth -> pas-encode -> pas-retrieve -> pas-bid -> pas-score
#   -> pas-synth --outcomes-for (installs drawn from the truth)
#   -> egress-noise (the platform: validate, noise, wire form)
#   -> egress-noise --decode (training rows with their labels)
#   -> pas-train --eval -> egress-ablate -> curve.ndjson + curve.svg
# and says which features the ablation ranked first.  The world is the
# one tests/ablate-truth.bats checks (seed 1; pas-synth(1) says why one
# buyer, independent traits and --true-scale 8).
# usage: ablate-demo.sh [OUTDIR]   (default demo-out; files in OUTDIR/ablate)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
PATH="$root/bin:$PATH"
out=${1:-demo-out}/ablate
schema="$root/examples/egress-schema-20.json"
truth=igam.present,ishp.present
flags="--seed 1 --devices 1000 --requests 10000 --days 3 --buyers 1"
flags="$flags --independent-traits --true-scale 8 --true-features $truth"
mkdir -p "$out"

echo "== ablate: which egress features carry the truth? (true model: $truth)"
# shellcheck disable=SC2086  # the flags are words
pas-synth $flags --emit signals,requests,ads,model --dir "$out/world"
pas-keygen --seed 1 --key-id 4 --force -o "$out/auction" >/dev/null
pas-encode --seed 1 --key-config "$out/auction.keyconfig" "$out/world/world.ndjson" |
    pas-retrieve -k 3 --secret-key "$out/auction.sk" --ads "$out/world/ads.ndjson" \
	--model "$out/world/model.json" |
    pas-bid --ads "$out/world/ads.ndjson" --model "$out/world/model.json" \
	--egress-schema "$schema" |
    pas-score --second-price -o "$out/results.ndjson"
# shellcheck disable=SC2086
pas-synth $flags --outcomes-for "$out/results.ndjson" -o "$out/outcomes.ndjson"
egress-noise --seed 1 --limit 20 --egress-schema "$schema" \
    -o "$out/reports.ndjson" "$out/results.ndjson"
egress-noise -v --decode --csv --egress-schema "$schema" \
    --outcomes "$out/outcomes.ndjson" -o "$out/rows.csv" "$out/reports.ndjson" 2>&1 |
    sed 's/^/   /'
echo "   pas-train --eval (all 12 features, 20 bits):"
pas-train -l install --ignore click --test-fraction 0.25 --seed 1 --eval \
    -o "$out/model.json" "$out/rows.csv" | sed 's/^/   /'
egress-ablate -l install --ignore click --schema "$schema" --seed 1 --repeats 5 \
    --sizes 1,2,3,5,10,20 \
    -o "$out/curve.ndjson" --svg "$out/curve.svg" "$out/rows.csv"
python3 - "$schema" "$truth" "$out/curve.ndjson" <<'PY'
import json, sys
schema, truth, curve = sys.argv[1:]
src = ["%s" % f["source"] for f in json.load(open(schema))["features"]]
rows = [json.loads(l) for l in open(curve)]
drops = sorted((r for r in rows if r["step"] == "drop"), key=lambda r: -r["utility_per_bit"])
print("   leave-one-out, utility (AUC - 0.5) lost per bit, best first:")
for r in drops[:5]:
    f = int(r["feature"][1:])
    print("     %-4s %-16s %2d bit  %.4f" % (r["feature"], src[f], r["bits"], r["utility_per_bit"]))
want = truth.split(",")
found = [src[int(r["feature"][1:])] for r in drops[:len(want)]]
print("   found %s; the truth is %s: %s" % (",".join(found), truth,
      "recovered" if sorted(found) == sorted(want) else "NOT recovered"))
for r in rows:
    if r["step"] == "size":
        print("   payload of %2d bits: %5.1f%% of the baseline with %s" % (r["bits"], r["pct_of_baseline"],
              ",".join(r["features"]) or "-"))
PY
echo "   -> $out/curve.ndjson and $out/curve.svg (the ablation curve)"
