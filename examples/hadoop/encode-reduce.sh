#!/bin/sh
# The reduce step of a sharded pas-encode under Hadoop Streaming (see
# doc/scaling.md): drops the three key fields of examples/hadoop/encode-key.awk
# and runs pas-encode with the arguments given.  (Streaming runs its
# -reducer without a shell, so the pipe lives here.)
cut -f 4- | pas-encode "$@"
