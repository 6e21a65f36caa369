#!/bin/sh
# Generates a small synthetic world into a folder, for `make demo` and
# for trying the pipeline by hand.
#   usage: examples/pas-world.sh [DIR [SEED]]
# DIR (default demo-out/world) receives world.ndjson (signal updates and
# requests in time order, the input of pas-encode), ads.ndjson (the
# buyers' catalog), model.json (the hidden true two_tower model),
# taglogs.ndjson (tag-CTR log lines) and world.flags, the flags that make
# this world again (pas-synth $(cat DIR/world.flags) --outcomes-for ...).
set -eu
dir=${1:-demo-out/world}
seed=${2:-42}
bin=$(dirname "$0")/../bin
PATH="$bin:$PATH"
flags="--seed $seed --devices 200 --requests 2000 --ads 120 --days 3 --dim 8 --taglogs 5000"
mkdir -p "$dir"
# shellcheck disable=SC2086
pas-synth $flags --emit all --dir "$dir"
echo "$flags" > "$dir/world.flags"
echo "pas-world: $(wc -l < "$dir/world.ndjson") signal updates and requests," \
    "$(wc -l < "$dir/ads.ndjson") ads, $(wc -l < "$dir/taglogs.ndjson") tag-CTR lines in $dir"
