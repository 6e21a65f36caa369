#!/usr/bin/env bats
# Sharded runs (issue 8, doc/scaling.md): every stage run in shards under
# GNU parallel writes, after a bytewise sort, the same bytes as one run.
# pas-encode is sharded by device (a device's signals and requests in one
# shard, in input order), the auction stages, egress-noise, tagctr-rank
# and pas-train --predict by record, tagctr-build by plan through
# --emit-counts / --from-counts.  The Hadoop Streaming lines of
# doc/scaling.md are run too, with sort(1) as the shuffle.

load common

# A small world, and one unsharded run of the whole pipeline.
setup_file() {
	command -v parallel >/dev/null 2>&1 || return 0
	W="$BATS_FILE_TMPDIR/w"
	ROOT="${ADSIG_ROOT:-$BATS_TEST_DIRNAME/..}"
	adsig_path
	mkdir -p "$W" && cd "$W" || return 1
	pas-synth --seed 5 --devices 40 --requests 240 --ads 300 --days 2 \
		--dim 8 --emit all --dir .
	pas-keygen --seed 1 --key-id 4 -o k
	cp "$ROOT/examples/egress-schema-20.json" schema.json
	pas-encode --seed 1 --key-config k.keyconfig world.ndjson > enc.ndjson
	pas-retrieve --secret-key k.sk --ads ads.ndjson --model model.json \
		enc.ndjson > ret.ndjson
	pas-bid --ads ads.ndjson --model model.json --schema schema.json \
		ret.ndjson > bid.ndjson
	pas-score --second-price bid.ndjson > score.ndjson
	egress-noise --seed 3 -p 0.5 --schema schema.json --limit 20 \
		score.ndjson > noised.ndjson
	# the last 3000 tag-CTR lines (all in the windows of --now below):
	# enough plans and windows, small enough for make check VALGRIND=1
	tail -3000 taglogs.ndjson > tags.ndjson
}

setup() {
	common_setup
	command -v parallel >/dev/null 2>&1 ||
		skip "GNU parallel is not installed (Debian package parallel)"
	W="$BATS_FILE_TMPDIR/w"
	cd "$W" || return 1
}

# shard FIELD CMD: runs CMD in 3 shards of standard input, a record going
# to the shard of the hash of its string field FIELD (a record without
# the field goes to one shard); the records of a shard keep their order.
shard() {
	local field="$1"
	shift
	parallel --will-cite --pipe -j3 --colsep "\"$field\":\"" \
		--shard '2 s/".*//' "$@"
}

# same WANT GOT: the same bytes after a bytewise sort, and not empty.
same() {
	[ -s "$1" ] || fail "$1 is empty"
	LC_ALL=C sort "$1" > "$T/want.sorted"
	LC_ALL=C sort "$2" > "$T/got.sorted"
	cmp "$T/want.sorted" "$T/got.sorted" ||
		fail "$2 differs from $1 after sort: $(diff "$T/want.sorted" "$T/got.sorted" | head -c 600)"
}

@test "sharding: the records really go to more than one shard" {
	run -0 bash -c "$(declare -f shard); shard device wc -l < world.ndjson"
	[ "${#lines[@]}" -eq 3 ]
	n=0
	for l in "${lines[@]}"; do [ "$l" -gt 0 ] && n=$((n + 1)); done
	[ "$n" -ge 2 ] || fail "shards: ${lines[*]}"
	[ $((lines[0] + lines[1] + lines[2])) -eq "$(wc -l < world.ndjson)" ]
}

@test "sharding: pas-encode by device (signals with their requests) == one run" {
	# examples/shard-by keeps each device's records in input order (time
	# order); parallel --shard does not (records of a shard can swap)
	"$ROOT/examples/shard-by" device 3 "$T/dev" world.ndjson
	[ "$(cat "$T"/dev.* | wc -l)" -eq "$(wc -l < world.ndjson)" ]
	for f in "$T"/dev.*; do [ -s "$f" ] || fail "$f is empty"; done
	parallel --will-cite -j3 pas-encode --seed 1 --key-config k.keyconfig -v \
		::: "$T"/dev.* > "$T/enc" 2> "$T/err"
	same enc.ndjson "$T/enc"
	# the shards' summaries add up to the whole: read = wrote + used
	run -0 awk '/^pas-encode: read/ { gsub(/,/, ""); r += $3; w += $5; u += $9 }
		END { print r, w, u }' "$T/err"
	assert_output "$(wc -l < world.ndjson) 240 $(grep -c '"type":"signals"' world.ndjson)"
}

@test "sharding: examples/shard-by keeps order, puts a value in one file, and checks its arguments" {
	printf '{"d":"a","i":1}\n{"d":"b","i":2}\n{"x":1}\n{"d":"a","i":3}\n{"d":7,"i":4}\n{"d":7,"i":5}\n' > "$T/in"
	"$ROOT/examples/shard-by" d 2 "$T/s" "$T/in"
	run -0 cat "$T/s.0" "$T/s.1"
	[ "${#lines[@]}" -eq 6 ]
	for f in "$T/s.0" "$T/s.1"; do
		# a value's records in one file, in order
		run -0 sh -c "grep -o '\"i\":[0-9]' $f | cut -d: -f2 | tr -d '\n'"
		[[ "$output" =~ ^1?2?3?4?5?$ ]] || fail "$f: $output"
	done
	[ "$(grep -c '"d":"a"' "$T/s.0")" -eq 2 ] || [ "$(grep -c '"d":"a"' "$T/s.1")" -eq 2 ]
	[ "$(grep -c '"d":7' "$T/s.0")" -eq 2 ] || [ "$(grep -c '"d":7' "$T/s.1")" -eq 2 ]
	grep -q '"x":1' "$T/s.0"
	run -64 "$ROOT/examples/shard-by" d 0 "$T/s" "$T/in"
	run -64 "$ROOT/examples/shard-by" d
}

@test "sharding: pas-retrieve by request == one run" {
	shard id pas-retrieve --secret-key k.sk --ads ads.ndjson \
		--model model.json < enc.ndjson > "$T/ret"
	same ret.ndjson "$T/ret"
}

@test "sharding: pas-bid by request == one run" {
	shard id pas-bid --ads ads.ndjson --model model.json \
		--schema schema.json < ret.ndjson > "$T/bid"
	same bid.ndjson "$T/bid"
}

@test "sharding: pas-score (without --budgets) by request == one run" {
	shard id pas-score --second-price < bid.ndjson > "$T/score"
	same score.ndjson "$T/score"
}

@test "sharding: egress-noise --seed by record == one run (the noise is keyed by id)" {
	shard id egress-noise --seed 3 -p 0.5 --schema schema.json --limit 20 \
		< score.ndjson > "$T/noised"
	same noised.ndjson "$T/noised"
	# p 0.5: some payloads were noised, so the test can tell
	egress-noise --seed 3 -p 0 --schema schema.json --limit 20 \
		score.ndjson > "$T/clean"
	! cmp -s noised.ndjson "$T/clean"
}

@test "sharding: the whole auction in one sharded pipe == one run of each stage" {
	shard id "pas-retrieve --secret-key k.sk --ads ads.ndjson --model model.json |
		pas-bid --ads ads.ndjson --model model.json --schema schema.json |
		pas-score --second-price |
		egress-noise --seed 3 -p 0.5 --schema schema.json --limit 20" \
		< enc.ndjson > "$T/noised"
	same noised.ndjson "$T/noised"
}

@test "sharding: pas-synth --outcomes-for by request == one run" {
	pas-synth --seed 5 --devices 40 --requests 240 --ads 300 --days 2 \
		--dim 8 --outcomes-for score.ndjson > "$T/want"
	shard id pas-synth --seed 5 --devices 40 --requests 240 --ads 300 \
		--days 2 --dim 8 --outcomes-for - < score.ndjson > "$T/got"
	same "$T/want" "$T/got"
}

@test "sharding: tagctr-build by plan through --emit-counts / --from-counts == one run" {
	local A="--now 1685750400 --window 6h --windows 4"
	tagctr-build $A tags.ndjson > "$T/want"
	[ "$(wc -l < "$T/want")" -gt 1000 ]
	mkdir "$T/counts"
	# map: one count file per shard; reduce: one --from-counts
	shard plan "tagctr-build $A --emit-counts > $T/counts/{#}.counts" \
		< tags.ndjson
	[ "$(ls "$T/counts" | wc -l)" -eq 3 ]
	tagctr-build $A --from-counts "$T"/counts/*.counts > "$T/got"
	# rows are sorted by the tool: equal even before a sort
	cmp "$T/want" "$T/got"
	# a combiner step in between changes nothing
	tagctr-build --emit-counts --from-counts "$T"/counts/*.counts > "$T/all.counts"
	tagctr-build $A --from-counts "$T/all.counts" | cmp "$T/want" -
	# channel similarities too, to the last bit: each vector is summed
	# in the order of the values' names, not of the input.  Counts of
	# the whole log read backwards meet the values in another order
	# (before that rule, many cosines differed in the last digit).
	tac taglogs.ndjson | tagctr-build --now 1685750400 --emit-counts > "$T/back.counts"
	for a in city hour; do
		tagctr-build --now 1685750400 --similarity $a taglogs.ndjson > "$T/sim.want"
		[ "$(wc -l < "$T/sim.want")" -eq 45 ]
		tagctr-build --now 1685750400 --similarity $a --from-counts "$T/back.counts" |
		    cmp "$T/sim.want" - || fail "--similarity $a from counts differs"
	done
}

@test "sharding: tagctr-rank by request == one run" {
	tagctr-build --now 1685750400 -o "$T/m" tags.ndjson
	head -600 tags.ndjson > "$T/req"
	tagctr-rank -m "$T/m" "$T/req" > "$T/want"
	shard channel tagctr-rank -m "$T/m" < "$T/req" > "$T/got"
	same "$T/want" "$T/got"
}

@test "sharding: pas-train --predict by row == one run (training itself is one run)" {
	egress-noise --decode --csv --schema schema.json --outcomes \
		<(pas-synth --seed 5 --devices 40 --requests 240 --ads 300 \
			--days 2 --dim 8 --outcomes-for score.ndjson) \
		--keep id noised.ndjson > "$T/rows.csv"
	[ "$(wc -l < "$T/rows.csv")" -gt 10 ]
	pas-train -l install --ignore id,click -o "$T/model.json" "$T/rows.csv"
	# rows as NDJSON, one per line, so they can be sharded by id
	python3 - "$T/rows.csv" > "$T/rows.ndjson" <<-'PY'
	import csv, json, sys
	for r in csv.DictReader(open(sys.argv[1])):
	    print(json.dumps(r, separators=(",", ":")))
	PY
	pas-train --predict "$T/model.json" "$T/rows.ndjson" > "$T/want"
	shard id pas-train --predict "$T/model.json" < "$T/rows.ndjson" > "$T/got"
	same "$T/want" "$T/got"
}

# The Hadoop Streaming lines of doc/scaling.md, with a shuffle made of
# awk (partition by the hash of field 1) and sort (the key comparator).
# hadoop_shuffle SORTKEYS REDUCER: map output on stdin, 3 reducers.
hadoop_shuffle() {
	local sortkeys="$1" reducer="$2" p
	awk -F '\t' -v d="$T/part" 'BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i }
		{ h = 0; for (i = 1; i <= length($1); i++) h = (h * 31 + ord[substr($1, i, 1)]) % 3
		  print > (d "." h) }'
	for p in 0 1 2; do
		[ -e "$T/part.$p" ] || continue
		# shellcheck disable=SC2086
		LC_ALL=C sort -s -t "$(printf '\t')" $sortkeys "$T/part.$p" |
			sh -c "$reducer"
	done
}

@test "sharding: pas-encode as doc/scaling.md runs it under Hadoop Streaming, sort as the shuffle" {
	local mapper='awk -f encode-key.awk'
	local reducer='sh encode-reduce.sh --seed 1 --key-config k.keyconfig'
	grep -qF -- "-mapper '$mapper'" "$ROOT/doc/scaling.md"
	grep -qF -- "-reducer '$reducer'" "$ROOT/doc/scaling.md"
	grep -qF -- "mapreduce.partition.keypartitioner.options=-k1,1" "$ROOT/doc/scaling.md"
	grep -qF -- "mapreduce.partition.keycomparator.options='-k2,2n -k3,3n'" "$ROOT/doc/scaling.md"
	cp "$ROOT/examples/hadoop/encode-key.awk" "$ROOT/examples/hadoop/encode-reduce.sh" .
	# Hadoop's TextInputFormat key: the byte offset of the line
	awk '{ printf "%d\t%s\n", off, $0; off += length($0) + 1 }' world.ndjson |
		sh -c "$mapper" > "$T/map"
	# partition by device (field 1), sort by ts and position
	hadoop_shuffle "-k2,2n -k3,3n" "$reducer" < "$T/map" > "$T/enc"
	same enc.ndjson "$T/enc"
}

@test "sharding: tagctr-build as doc/scaling.md runs it under Hadoop Streaming" {
	local A="--now 1685750400 --window 6h --windows 4"
	tagctr-build $A tags.ndjson > "$T/want"
	[ "$(wc -l < "$T/want")" -gt 1000 ]
	grep -qF -- "-mapper 'tagctr-build --emit-counts" "$ROOT/doc/scaling.md"
	grep -qF -- "-reducer 'tagctr-build --from-counts --emit-counts'" "$ROOT/doc/scaling.md"
	# three mappers on arbitrary splits of the input (not by plan)
	split -n l/3 tags.ndjson "$T/split."
	for f in "$T"/split.*; do tagctr-build $A --emit-counts "$f"; done > "$T/map"
	# count records have no tab: the whole line is the key
	hadoop_shuffle "" "tagctr-build --from-counts --emit-counts" < "$T/map" > "$T/red"
	tagctr-build $A --from-counts "$T/red" | cmp "$T/want" -
}
