# bench/pagecost.sh: sourced by the benches that write large outputs.
#
# pagecost MB: writes MB megabytes of zeros to a new scratch file in
# $tmp, deletes it, and prints the system time that cost per 4 KB: the
# kernel's price of page cache for new output on this machine, which
# every stage that writes a file pays on top of its own work.
#
# On a virtual machine that hands freed memory back to its host (virtio
# balloon free page reporting) that price includes a host fault per new
# page: on the machine of bench/RESULTS.md about 2.5 us per KB, ten
# times the copy, and it returns within seconds of any warming (freed
# pages go back to the host).  A stage's figure with -o FILE therefore
# carries that price; its figure writing to a pipe does not.
pagecost() {
	sync
	$TIME -f "%S" -o "$tmp/pagecost.t" dd if=/dev/zero of="$tmp/pagecost" \
	    bs=1M count="$1" 2> /dev/null ||
	    { echo "bench: cannot write $1 MB to $tmp" >&2; exit 1; }
	rm -f "$tmp/pagecost"
	sync
	awk -v mb="$1" '{ printf "(page cache for new output here: %.1f us of system time per 4 KB; dd of %d MB)\n", $1 / (mb * 256) * 1e6, mb }' "$tmp/pagecost.t"
}
