# The map step of a sharded pas-encode under Hadoop Streaming (see
# doc/scaling.md): reads "POSITION<TAB>RECORD" (the byte offset Hadoop
# gives with -D stream.map.input.ignoreKey=false) and writes
# "DEVICE<TAB>TS<TAB>POSITION<TAB>RECORD", so a partitioner on field 1
# keeps a device's records together and a comparator on fields 2 and 3
# keeps them in time order.  A record without a device or ts has an
# empty key field (all go to one reducer; pas-encode passes them through).
BEGIN { FS = "\t" }
{
	rec = substr($0, length($1) + 2)
	dev = ""; ts = ""
	if (match(rec, /"device":"[^"]*"/))
		dev = substr(rec, RSTART + 10, RLENGTH - 11)
	if (match(rec, /"ts":-?[0-9.eE+-]+/))
		ts = substr(rec, RSTART + 5, RLENGTH - 5)
	printf "%s\t%s\t%s\t%s\n", dev, ts, $1, rec
}
