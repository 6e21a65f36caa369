#!/bin/sh
# bench/report.sh: runs every bench/*.sh and writes one report, the
# machine's description and each bench's output verbatim under a heading.
#   usage: sh bench/report.sh [OUT]     (make bench; OUT is bench/RESULTS.md)
# The sizes are those the issues name (the benches' defaults, given here
# explicitly).  ADSIG_BENCH_SMALL=1 runs each bench at a small size
# instead: a check that they all run, not a result (the report says so).
# The report is written to a temporary file beside OUT and renamed into
# place only when every bench succeeded: a failed or interrupted run
# never leaves half a report, nor replaces the last one.
# Run it on an idle machine: the benches report CPU time where they can,
# but peers and wall clock suffer from other load (the report shows the
# load average before and after).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/bench/RESULTS.md}
small=${ADSIG_BENCH_SMALL:-0}
tmp=$(mktemp "$(dirname "$out")/.RESULTS.XXXXXX") || exit 73
trap 'rm -f "$tmp" "$tmp.run"' EXIT
trap 'exit 130' INT TERM

# sizes BENCH: the arguments of one bench (full size, or small)
sizes() {
	if [ "$small" = 1 ]; then
		case $1 in
		auction) echo 1000 ;;
		encode) echo 1000 10000 10000 ;;
		pas-synth) echo 500 ;;
		score) echo 2000 ;;
		train) echo 20000 ;;
		wilson) echo 20000 ;;
		esac
	else
		case $1 in
		auction) echo 100000 ;;
		encode) echo 100000 1000000 1000000 ;;
		pas-synth) echo 20000 ;;
		score) echo 100000 ;;
		train) echo 1000000 ;;
		wilson) echo 1000000 ;;
		esac
	fi
}
# tagctr.sh takes its size from the environment
if [ "$small" = 1 ]; then
	ADSIG_BENCH_LINES=${ADSIG_BENCH_LINES:-20000}
	export ADSIG_BENCH_LINES
fi

field() { sed -n "s/^$1[[:space:]]*:[[:space:]]*//p" | head -1; }
{
	echo "# adsig benchmark results"
	echo
	if [ "$small" = 1 ]; then
		echo "**Small sizes (ADSIG_BENCH_SMALL=1): a check that every bench runs, not a result.**"
		echo
	fi
	echo "Written by \`make bench\` (bench/report.sh): every bench/*.sh in one run,"
	echo "each one's output verbatim. Each bench measures adsig and its peer"
	echo "(awk/jq, DuckDB, LIBLINEAR, cat, or the X25519 limit) on the same input"
	echo "in the same run."
	echo
	echo "## Machine"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- CPU: $(LC_ALL=C lscpu 2>/dev/null | field 'Model name')"
	echo "- cores: $(nproc) online ($(LC_ALL=C lscpu 2>/dev/null | field 'Thread(s) per core') threads per core, $(LC_ALL=C lscpu 2>/dev/null | field 'Socket(s)') socket(s))"
	echo "- memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "- kernel: $(uname -srm)"
	echo "- compiler: $(${CC:-cc} --version 2>/dev/null | head -1)"
	echo "- build: CFLAGS as in the Makefile ($(head -c 200 "$root/.build-flags" 2>/dev/null | tr -s ' ' | cut -c1-120)...)"
	echo "- tree: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
	echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
} > "$tmp"

fail=""
for b in "$root"/bench/*.sh; do
	n=$(basename "$b" .sh)
	case $n in report|pagecost) continue ;; esac	# not benches
	# shellcheck disable=SC2046
	set -- $(sizes "$n")
	how="sh bench/$n.sh${*:+ $*}"
	[ "$n" = tagctr ] && [ -n "${ADSIG_BENCH_LINES:-}" ] &&
		how="ADSIG_BENCH_LINES=$ADSIG_BENCH_LINES $how"
	echo "bench: $how" >&2
	t0=$(date +%s)
	rc=0
	(cd "$root" && sh "bench/$n.sh" "$@") > "$tmp.run" 2>&1 || rc=$?
	t1=$(date +%s)
	{
		echo "## $n"
		echo
		echo "\`$how\` — $((t1 - t0)) s wall, exit $rc"
		echo
		echo '```'
		cat "$tmp.run"
		echo '```'
		echo
	} >> "$tmp"
	if [ "$rc" -ne 0 ]; then
		fail="$fail $n"
		echo "bench: $n failed (exit $rc):" >&2
		tail -20 "$tmp.run" >&2
	fi
done
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$tmp"

if [ -n "$fail" ]; then
	echo "bench: failed:$fail; $out not written" >&2
	exit 1
fi
chmod 644 "$tmp"
mv -f "$tmp" "$out" || exit 74
echo "bench: wrote $out" >&2
