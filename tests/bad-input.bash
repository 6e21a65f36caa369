# The tools of tests/bad-input.bats as a table.  bad_fixtures DIR makes
# every tool's good input in DIR; bad_spec TOOLCASE sets:
#   CMD    the command line (an array) before the input operand
#   GOOD   a file of good records (NDJSON), the input all cases start from
#   KIND   wrote (a filter: read = wrote + rejected) or used (a consumer:
#          read = used + rejected)
#   VIA    operand (the input is an operand) or an option name (the
#          input is that option's value: pas-synth --outcomes-for)
#   NUM, NAN, TYPE  sed expressions that turn a good line into one with
#          a number out of range, a NaN, a wrong type
#   TYPE_OK  when the wrong type is not a bad record: what the summary
#          says instead (exit 0)
#   PASSTHRU  1 when records the tool does not act on pass through
#          untouched (so {"none":1} is not a bad record)
#   EMPTY_RC, EMPTY_MSG  exit status and message for empty input (0 and
#          none: an empty input is an empty run)
# To add a tool, add its name to BAD_TOOLS and a case to bad_spec.

BAD_TOOLS="wilson egress-noise pas-train egress-ablate tagctr-build
	tagctr-rank pas-score pas-encode pas-encode-open pas-synth-outcomes
	pas-retrieve pas-bid"

bad_fixtures() {
	local d="$1" root="$ROOT" i
	mkdir -p "$d" && cd "$d" || return 1
	# wilson
	for i in 1 2 3 4; do
		printf '{"id":"r-%s","k":%s,"n":10}\n' "$i" "$i"
	done > wilson.ndjson
	# egress-noise
	cp "$root/testdata/egress-noise/spec.json" schema.json
	P='{"features":[{"name":"unsigned-integer-feature","value":2},{"name":"boolean-feature","value":true},{"name":"histogram-feature","value":[{"name":"signed-integer-feature","value":-1}]}]}'
	for i in 1 2 3 4; do
		printf '{"id":"r-%s","egress_payload":%s}\n' "$i" "$P"
	done > egress-noise.ndjson
	# pas-train and egress-ablate: 400 rows of a known world
	python3 "$root/examples/gen-world.py" table --rows 400 --features 3 \
	    --card 4 --used 1,2 --scale 1.5 --seed 3 | cut -d, -f1-4 > rows.csv
	python3 - rows.csv > rows.ndjson <<'PY'
import csv, json, sys
for r in csv.DictReader(open(sys.argv[1])):
    print(json.dumps({k: (int(v) if v.lstrip("-").isdigit() else v)
                      for k, v in r.items()}, separators=(",", ":")))
PY
	cp rows.ndjson pas-train.ndjson
	cp rows.ndjson egress-ablate.ndjson
	# tagctr-build and tagctr-rank
	cp "$root/testdata/tagctr-build/tiny_tag.ndjson" tagctr-build.ndjson
	tagctr-build --now 3600 --window 1800 --windows 2 --weights 1,0.5 \
	    -o matrix.ndjson tagctr-build.ndjson || return 1
	printf 'material,tags\nm1,rpg\nm2,rpg|anime\n' > materials.csv
	for i in 1 2 3 4; do
		printf '{"id":"r%s","channel":"c1","plan":"p1","attrs":{"hour":%s,"os":"ios"}}\n' "$i" "$i"
	done > tagctr-rank.ndjson
	# pas-score
	for i in 1 2 3 4; do
		printf '{"type":"request","id":"r-%s","ctx":{"floor":0.5},"bids":[{"buyer":"adtech1.example","ad_id":"a-1","campaign":"c-1","bid":2.0}]}\n' "$i"
	done > pas-score.ndjson
	# pas-encode, and its --open
	pas-keygen --seed 1 -o k || return 1
	cp "$root/testdata/pas-encode/clock.ndjson" pas-encode.ndjson
	pas-encode --seed 1 --key-config k.keyconfig pas-encode.ndjson |
	    grep auction_input > pas-encode-open.ndjson
	# pas-retrieve (sealed requests of a small world) and pas-bid (its
	# output: candidates and tee)
	pas-synth --seed 3 --devices 3 --requests 6 --ads 20 --days 1 --dim 2 \
	    --emit all --dir w || return 1
	pas-encode --seed 1 --key-config k.keyconfig w/world.ndjson |
	    grep auction_input | head -4 > pas-retrieve.ndjson
	pas-retrieve --secret-key k.sk --ads w/ads.ndjson --model w/model.json \
	    pas-retrieve.ndjson > pas-bid.ndjson || return 1
	# pas-synth --outcomes-for
	pas-synth --seed 3 --devices 2 --requests 4 --days 1 --emit requests |
	    sed 's/}$/,"auction":{"winner":{"buyer":"adtech1.example","ad_id":"a-1","bid":1.5,"price":1.5,"score":1.5},"scored":1}}/' \
	    > pas-synth-outcomes.ndjson
}

bad_spec() {
	VIA=operand KIND=wrote NUM= NAN= TYPE= TYPE_OK= PASSTHRU= EMPTY_RC=0 EMPTY_MSG=
	case "$1" in
	wilson)
		CMD=(wilson)
		NUM='s/"k":[0-9]*/"k":1e400/' NAN='s/"k":[0-9]*/"k":NaN/'
		TYPE='s/"k":[0-9]*/"k":"one"/' ;;
	egress-noise)
		CMD=(egress-noise -p 0 --seed 1 --schema schema.json)
		NUM='s/"value":2/"value":1e400/' NAN='s/"value":2/"value":NaN/'
		# a payload of the wrong type is an invalid payload ("" and
		# counted, egress-noise(1)), not a bad record
		TYPE='s/"value":true/"value":"yes"/' TYPE_OK='invalid 1' ;;
	pas-train)
		CMD=(pas-train -l label --seed 1) KIND=used
		NUM='s/"label":[01]/"label":1e400/'
		NAN='s/"label":[01]/"label":NaN/'
		TYPE='s/"label":[01]/"label":[1]/'
		EMPTY_RC=65 EMPTY_MSG='pas-train: no training rows' ;;
	egress-ablate)
		CMD=(egress-ablate -l label --seed 1 --repeats 1 --sizes 1)
		KIND=used
		NUM='s/"label":[01]/"label":1e400/'
		NAN='s/"label":[01]/"label":NaN/'
		TYPE='s/"label":[01]/"label":[1]/'
		EMPTY_RC=65 EMPTY_MSG='egress-ablate: split 1 has no train rows' ;;
	tagctr-build)
		CMD=(tagctr-build --now 3600 --window 1800 --windows 2) KIND=used
		NUM='s/"ts":[0-9]*/"ts":1e400/' NAN='s/"ts":[0-9]*/"ts":NaN/'
		TYPE='s/"click":[a-z]*/"click":"yes"/' ;;
	tagctr-rank)
		CMD=(tagctr-rank -m matrix.ndjson --materials materials.csv)
		NUM='s/"hour":[0-9]*/"hour":1e400/'
		NAN='s/"hour":[0-9]*/"hour":NaN/'
		TYPE='s/"attrs":{[^}]*}/"attrs":5/' ;;
	pas-score)
		CMD=(pas-score) PASSTHRU=1
		NUM='s/"bid":2.0/"bid":1e400/' NAN='s/"bid":2.0/"bid":NaN/'
		TYPE='s/"bid":2.0/"bid":"two"/' ;;
	pas-encode)
		CMD=(pas-encode --seed 1 --key-config k.keyconfig) PASSTHRU=1
		NUM='s/"ts":[0-9]*/"ts":1e400/' NAN='s/"ts":[0-9]*/"ts":NaN/'
		TYPE='s/"device":"[^"]*"/"device":5/' ;;
	pas-encode-open)
		CMD=(pas-encode --open --secret-key k.sk) PASSTHRU=1
		NUM='s/"ts":[0-9]*/"ts":1e400/' NAN='s/"ts":[0-9]*/"ts":NaN/'
		TYPE='s/"ciphertext":"[^"]*"/"ciphertext":5/' ;;
	pas-synth-outcomes)
		CMD=(pas-synth --seed 3 --devices 2 --requests 4 --days 1)
		VIA=--outcomes-for
		NUM='s/"price":1.5/"price":1e400/'
		NAN='s/"price":1.5/"price":NaN/'
		TYPE='s/"winner":{/"winner":5,"x":{/' ;;
	pas-retrieve)
		CMD=(pas-retrieve --secret-key k.sk --ads w/ads.ndjson
		    --model w/model.json) PASSTHRU=1
		NUM='s/"key_id":[0-9]*/"key_id":1e400/'
		NAN='s/"key_id":[0-9]*/"key_id":NaN/'
		TYPE='s/"ciphertext":"[^"]*"/"ciphertext":5/' ;;
	pas-bid)
		CMD=(pas-bid --ads w/ads.ndjson --model w/model.json) PASSTHRU=1
		NUM='s/"user_embedding":\[[-0-9.e]*/"user_embedding":[1e400/'
		NAN='s/"user_embedding":\[[-0-9.e]*/"user_embedding":[NaN/'
		TYPE='s/"tee":{/"tee":5,"x":{/' ;;
	*) return 1 ;;
	esac
	GOOD="$1.ndjson"
}

# bad_run FILE [extra args]: runs the tool of the current spec on FILE.
bad_run() {
	local f="$1"
	shift
	if [ "$VIA" = operand ]; then
		"${CMD[@]}" "$@" "$f"
	else
		"${CMD[@]}" "$@" "$VIA" "$f"
	fi
}
