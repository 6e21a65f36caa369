#!/usr/bin/env python3
"""Writes basic.in.ndjson and basic.expected.tsv: the Wilson bounds of the
design contract computed independently of adsig, with Python floats.
Columns: id, lower (z=2), upper (z=2), lower (z=1.959963984540054)."""
import json, math
def S(k, n, z, sign):
    if n == 0:
        return 0.0 if sign < 0 else 1.0
    p = k / n
    return (p + z*z/(2*n) + sign*z*math.sqrt(p*(1-p)/n + z*z/(4*n*n))) / (1 + z*z/n)
cases = [(2, 2), (99, 100), (0, 0), (0, 10), (10, 10), (1.5, 2), (3, 1000), (50, 100)]
with open('basic.in.ndjson', 'w') as f, open('basic.expected.tsv', 'w') as g:
    for i, (k, n) in enumerate(cases):
        f.write(json.dumps({"id": "r-%d" % i, "k": k, "n": n}, separators=(',', ':')) + "\n")
        g.write("%s\t%.17g\t%.17g\t%.17g\n" % ("r-%d" % i, S(k, n, 2, -1), S(k, n, 2, 1),
                                              S(k, n, 1.959963984540054, -1)))
