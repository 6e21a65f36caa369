#!/usr/bin/env python3
"""cmp.py GOT WANT: NDJSON records equal in order; reals within 1e-9 relative."""
import json, sys
a = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
b = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
if len(a) != len(b):
    sys.exit(f"{len(a)} records, want {len(b)}")
for i, (x, y) in enumerate(zip(a, b)):
    if list(x) != list(y):
        sys.exit(f"record {i+1}: keys {list(x)}, want {list(y)}")
    for k in y:
        if isinstance(y[k], float) or isinstance(x[k], float):
            if abs(x[k] - y[k]) > 1e-9 * abs(y[k]) + 1e-12:
                sys.exit(f"record {i+1}: {k} {x[k]!r}, want {y[k]!r}\n{x}\n{y}")
        elif x[k] != y[k]:
            sys.exit(f"record {i+1}: {k} {x[k]!r}, want {y[k]!r}")
