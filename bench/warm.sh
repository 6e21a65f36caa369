# bench/warm.sh: sourced by the benches that write large outputs.
#
# warm MB: writes MB megabytes of zeros to a scratch file in $tmp and
# deletes it, so that the page cache the bench's outputs take next is
# memory this machine has touched before, and prints what that cost.
#
# Why: on a virtual machine whose host backs guest memory only when the
# guest first touches it (a Firecracker microVM, for one), a page of
# page cache that is new to the guest costs its writer's system time a
# host fault, here about 13 us per 4 KB, several times the copy itself.
# A machine that has run for a while has touched its memory and pays
# none of it; without this step a stage's figure would depend on how
# much memory earlier stages of the run had touched first.  The line
# printed shows the cost on this machine: small when it was warm already.
warm() {
	sync
	$TIME -f "%S" -o "$tmp/warm.t" dd if=/dev/zero of="$tmp/warm" bs=1M \
	    count="$1" 2> /dev/null || { echo "bench: cannot write $1 MB to $tmp" >&2; exit 1; }
	rm -f "$tmp/warm"
	sync
	awk -v mb="$1" '{ printf "(memory warmed: %d MB written and deleted first, %.2f s of system time, %.1f us per 4 KB)\n", mb, $1, $1 / (mb * 256) * 1e6 }' "$tmp/warm.t"
}
