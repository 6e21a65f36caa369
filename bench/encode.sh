#!/bin/sh
# bench/encode.sh: pas-encode on a world of 100,000 devices, 1,000,000
# signal updates and 1,000,000 requests (time-ordered over 30 days, made
# by awk below).  Prints updates/s, sealed requests/s with -j 1 and -j 2,
# the one-core limit of two X25519 operations per seal measured on this
# machine, and peak memory.  There is no peer tool: the X25519 limit is
# the yardstick.  It prints the machine's price of page cache for new
# output first (bench/pagecost.sh).
# usage: sh bench/encode.sh [DEVICES UPDATES REQUESTS]
set -eu
cd "$(dirname "$0")/.."
nd=${1:-100000} nu=${2:-1000000} nr=${3:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: needs /usr/bin/time (Debian package time)"; exit 1; }

# Signals: 1-3 puts of 4-byte keys (of 40) with 15-byte values, sometimes an
# append; requests list 1-2 of 3 buyers.  Records interleave at random
# over 30 days, in time order.
awk -v nd="$nd" -v nu="$nu" -v nr="$nr" 'BEGIN {
	srand(7); A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for (i = 0; i < 40; i++) key[i] = "K" substr(A, i + 1, 1) "x" substr(A, (i * 7) % 64 + 1, 1)
	span = 30 * 86400; n = nu + nr; left_u = nu
	for (i = 0; i < n; i++) {
		ts = 1685577600 + int(i * span / n)
		d = int(rand() * nd)
		if (rand() * (n - i) < left_u) {
			left_u--
			nk = 1 + int(rand() * 3); body = ""
			for (k = 0; k < nk; k++) {
				v = ""; for (c = 0; c < 20; c++) v = v substr(A, 1 + int(rand() * 64), 1)
				body = body (k ? "," : "") "\"" key[(d + k * 13 + int(rand() * 5)) % 40] "\":\"" v "\""
			}
			upd = "{\"put\":{" body "}"
			if (rand() < 0.2) upd = upd ",\"append\":{\"Zm9v\":{\"values\":[\"" substr(v, 1, 8) "\"],\"max_signals\":5}}"
			printf "{\"type\":\"signals\",\"ts\":%d,\"device\":\"dev-%d\",\"buyer\":\"buyer%d.example\",\"app\":\"com.app%d\",\"update\":%s}}\n", ts, d, d % 3, d % 50, upd
		} else {
			b = "\"buyer" (d % 3) ".example\""
			if (rand() < 0.5) b = b ",\"buyer" ((d + 1) % 3) ".example\""
			printf "{\"type\":\"request\",\"id\":\"r-%d\",\"ts\":%d,\"device\":\"dev-%d\",\"channel\":\"ch-%d\",\"buyers\":[%s],\"ctx\":{\"app\":\"com.pub%d\",\"lang\":\"en\"}}\n", i, ts, d, d % 10, b, d % 20
		}
	}
}' > "$tmp/world.ndjson"
grep '"type":"signals"' "$tmp/world.ndjson" > "$tmp/signals.ndjson"
bin/pas-keygen --seed 1 -o "$tmp/k"

# The yardstick: X25519 base-point and variable-base operations per second
# on libsodium's ladder (the limit the issue names), and this build's own
# pair: both through lib/xbase's tables of multiples (xbase_pair, one
# inversion for the two).
cat > "$tmp/x.c" <<'C'
#include <stdio.h>
#include <time.h>
#include <sodium.h>
#include "xbase.h"
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return (double)t.tv_sec + (double)t.tv_nsec / 1e9; }
int main(void) {
	unsigned char sk[32], pk[32], ss[32], e[32]; int i, n = 20000; double a, t, u;
	if (sodium_init() < 0) return 1;
	randombytes_buf(sk, 32); crypto_scalarmult_base(pk, sk);
	a = now();
	for (i = 0; i < n; i++) { sk[0] = (unsigned char)i; crypto_scalarmult_base(pk, sk); if (crypto_scalarmult(ss, sk, pk) != 0) return 1; }
	t = now() - a;
	a = now();
	for (i = 0; i < n; i++) { sk[0] = (unsigned char)i; if (xbase_pair(e, ss, sk, pk) != 0) return 1; }
	u = now() - a;
	printf("%.1f %.0f %.0f\n", t / n * 1e6 / 2, n / t, n / u);
	return 0;
}
C
cc -O2 -Ilib -o "$tmp/x" "$tmp/x.c" lib/libadsig.a $(pkg-config --cflags --libs libsodium)
set -- $("$tmp/x"); x_us=$1 x_limit=$2 x_own=$3

# prints "seconds maxrss_kb cpu_seconds" (user + system: the figure that
# counts when the machine is shared)
measure() {
	$TIME -f "%e %M %U %S" -o "$tmp/t" sh -c "$1" > /dev/null 2> "$tmp/err" || { cat "$tmp/err"; echo "bench: failed: $1" >&2; exit 1; }
	awk '{ print $1, $2, $3 + $4 }' "$tmp/t"
}
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }

echo "pas-encode bench: $nd devices, $nu updates, $nr requests ($(wc -c < "$tmp/world.ndjson") bytes), $(nproc) cores"
. bench/pagecost.sh
pagecost 1024
set -- $(measure "bin/pas-encode -j 1 --key-config $tmp/k.json $tmp/signals.ndjson")
tu=$1 mu=$2 cu=$3
printf "updates only     %7.2f s  %9s updates/s    %7.1f MB peak (%d bytes per device); %s updates per CPU second\n" "$tu" "$(rate "$nu" "$tu")" "$(awk -v m="$mu" 'BEGIN { print m / 1024 }')" "$(awk -v m="$mu" -v n="$nd" 'BEGIN { printf "%d", m * 1024 / n }')" "$(rate "$nu" "$cu")"
for j in 1 2; do
	set -- $(measure "bin/pas-encode -j $j --seed 1 --key-config $tmp/k.json $tmp/world.ndjson > $tmp/out.$j")
	t=$1 m=$2 c=$3
	ts=$(awk -v t="$t" -v u="$tu" 'BEGIN { print t - u }')
	printf "world -j %d       %7.2f s  %9s sealed/s     %7.1f MB peak (%s requests/s with the updates' time taken out; %.1f CPU s)\n" "$j" "$t" "$(rate "$nr" "$t")" "$(awk -v m="$m" 'BEGIN { print m / 1024 }')" "$(rate "$nr" "$ts")" "$c"
	eval "t$j=$ts"
done
cmp "$tmp/out.1" "$tmp/out.2" || { echo "bench: -j 1 and -j 2 differ"; exit 1; }
echo "X25519: $x_us us per operation; two per seal: one core's limit is $(awk -v l="$x_limit" 'BEGIN { printf "%.0f", l }') seals/s"
echo "this build's two operations (lib/xbase tables, xbase_pair): $x_own seals/s alone"
awk -v n="$nr" -v t1="$t1" -v t2="$t2" -v l="$x_limit" 'BEGIN {
	printf "sealing -j 1 reaches %.0f%% of that limit; -j 2 is %.2fx -j 1 (%.0f%% of the one-core limit)\n", n / t1 / l * 100, t1 / t2, n / t2 / l * 100 }'
