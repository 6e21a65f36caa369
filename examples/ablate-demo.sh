#!/bin/sh
# The analyst's egress-size ablation, end to end, on a generated world
# whose true model uses features 1, 4 and 6 of 8 (3 bits each):
#   payloads -> egress-noise (the platform: validate, noise, wire form)
#   -> egress-noise --decode (training rows with their labels)
#   -> pas-train --eval -> egress-ablate -> curve.ndjson + curve.svg
# usage: ablate-demo.sh [OUTDIR]   (default demo-out/ablate); tools on PATH.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-demo-out/ablate}
mkdir -p "$out"
python3 "$here/gen-world.py" egress --rows 20000 --features 8 --card 8 \
	--used 1,4,6 --seed 7 "$out/world"
egress-noise --seed 7 --schema "$out/world.schema.json" --limit 20 \
	-o "$out/noised.ndjson" "$out/world.payloads.ndjson"
egress-noise --decode --csv --schema "$out/world.schema.json" \
	--outcomes "$out/world.outcomes.ndjson" -o "$out/rows.csv" "$out/noised.ndjson"
echo "== pas-train --eval (all 8 features, 24 bits)"
pas-train -l install --ignore click --test-fraction 0.25 --seed 7 --eval \
	-o "$out/model.json" "$out/rows.csv"
echo "== egress-ablate (3 repeats)"
egress-ablate -l install --ignore click --schema "$out/world.schema.json" \
	--seed 7 --repeats 3 -o "$out/curve.ndjson" --svg "$out/curve.svg" "$out/rows.csv"
grep '"size"' "$out/curve.ndjson"
echo "ablation curve written to $out/curve.ndjson and $out/curve.svg"
