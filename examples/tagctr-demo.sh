#!/bin/sh
# make demo, the tag-CTR part: four hours of generated logs rebuilt hour by
# hour with --state (as the cron line in examples/tagctr.cron does), the
# last hour run twice to show it is idempotent, then a ranking.
#   usage: sh examples/tagctr-demo.sh [OUTDIR]     (default demo-out)
set -eu
cd "$(dirname "$0")/.."
PATH="$PWD/bin:$PATH"
d=${1:-demo-out}/tagctr
rm -rf "$d"
mkdir -p "$d/logs"

# Deterministic logs of one hour: a Park-Miller generator in awk (exact in
# doubles, the same in every awk).  5 channels, 3 plans, 8 materials;
# the click rate depends on the material, the city and the hour.
gen() {
	awk -v start="$1" -v seed="$2" 'function rnd(n) {
		x = (x * 16807) % 2147483647; return int(x / 2147483647 * n) }
	BEGIN {
		x = seed
		split("rpg anime|rpg|puzzle|cards puzzle|race|race cards|anime|rpg puzzle", mt, "|")
		split("Shenzhen Guangzhou Hangzhou Ningbo Chengdu Lhasa", city, " ")
		split("ios android", os, " ")
		split("30 12 25 8 40 15 20 35", base, " ")
		for (i = 0; i < 600; i++) {
			ts = start + rnd(3600); m = rnd(8) + 1; c = rnd(6) + 1
			h = int((ts % 86400) / 3600)
			p = base[m] + (c <= 2 ? 15 : 0) - (m == 5 && c >= 5 ? 30 : 0)
			n = split(mt[m], tg, " "); tags = ""
			for (j = 1; j <= n; j++) tags = tags (j > 1 ? "," : "") "\"" tg[j] "\""
			printf "{\"ts\":%d,\"channel\":\"ch-%d\",\"plan\":\"p-%d\",\"material\":\"m-%d\",\"tags\":[%s],\"attrs\":{\"hour\":%d,\"city\":\"%s\",\"os\":\"%s\"},\"click\":%s}\n",
			    ts, rnd(5) + 1, rnd(3) + 1, m, tags, h, city[c], os[rnd(2) + 1], rnd(200) < p ? "true" : "false"
		}
	}'
}
printf 'from,to\nShenzhen,Guangdong\nGuangzhou,Guangdong\nHangzhou,Zhejiang\nNingbo,Zhejiang\nChengdu,Sichuan\n' > "$d/province.csv"
start=1699999200	# 2023-11-14T22:00Z
echo "== tagctr-build: hourly rebuild with --state (4 hours of logs, 24 windows of 1h)"
for h in 0 1 2 3; do
	f="$d/logs/hour-$h.ndjson"
	gen $((start + h * 3600)) $((h * 7919 + 17)) > "$f"
	tagctr-build --state "$d/state" --window 1h --windows 24 \
	    --map city="$d/province.csv" -o "$d/matrix.ndjson" -v "$f" 2>&1 |
	    grep 'read' | sed "s/^/   hour $h: /"
done
cp "$d/matrix.ndjson" "$d/matrix.first"
tagctr-build --state "$d/state" --window 1h --windows 24 \
    --map city="$d/province.csv" -o "$d/matrix.ndjson" "$d/logs/hour-3.ndjson"
if cmp -s "$d/matrix.first" "$d/matrix.ndjson"; then
	echo "   the last hour again: the same matrix (idempotent)"
else
	echo "   the last hour again: the matrix changed!"; exit 1
fi
rm -f "$d/matrix.first"
echo "   state: $(ls "$d/state" | grep -c counts) hour files; $(grep -vc '"type"' "$d/matrix.ndjson") matrix rows"
echo "   weights of ch-1 p-1: $(grep '"type":"weights","channel":"ch-1","plan":"p-1"' "$d/matrix.ndjson" |
    sed 's/.*"attr":"\([^"]*\)".*"weight":\([0-9.]*\).*/\1 \2/' | tr '\n' ' ')"

echo "== tagctr-rank: the best material per request"
printf 'material,tags\nm-1,rpg|anime\nm-2,rpg\nm-3,puzzle\nm-4,cards|puzzle\nm-5,race\nm-6,race|cards\nm-7,anime\nm-8,rpg|puzzle\n' > "$d/materials.csv"
cat > "$d/requests.ndjson" <<'REQ'
{"id":"q-1","channel":"ch-1","plan":"p-1","attrs":{"hour":23,"city":"Shenzhen","os":"ios"}}
{"id":"q-2","channel":"ch-2","plan":"p-3","attrs":{"hour":0,"city":"Lhasa","os":"android"},"materials":["m-5","m-8","m-2"]}
{"id":"q-3","channel":"ch-9","plan":"p-1","attrs":{"hour":1}}
REQ
tagctr-rank -m "$d/matrix.ndjson" --map city="$d/province.csv" \
    --materials "$d/materials.csv" -o "$d/ranked.ndjson" "$d/requests.ndjson" 2>/dev/null
sed 's/.*"id":"\([^"]*\)".*"material":\([^,]*\),"scores":\(.*\)}$/   \1 -> \2  \3/' "$d/ranked.ndjson"
echo "   -> $d/matrix.ndjson, $d/ranked.ndjson"
