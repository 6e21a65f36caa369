#!/bin/sh
# A map-only Hadoop Streaming job for the auction stages (doc/scaling.md):
# the files named here are shipped with -files.  The distributed cache
# may give the secret key mode 0644, which pas-retrieve refuses (77).
set -e
install -m 600 k.sk sk
pas-retrieve --secret-key sk --ads ads.ndjson --model model.json |
	pas-bid --ads ads.ndjson --model model.json --schema schema.json |
	pas-score --second-price |
	egress-noise --seed 3 --schema schema.json --limit 20
