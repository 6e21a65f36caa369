"""Compares pas-score's output and summary with reference.py's.
usage: python3 compare.py SCORED SUMMARY REFERENCE
Auctions exactly (winner, reason; price to 1e-12 relative), summary rows
by key with numbers to 1e-9 relative.  Prints what differs, exits 1."""
import json
import sys

scored = [json.loads(l) for l in open(sys.argv[1])]
summary = [json.loads(l) for l in open(sys.argv[2])]
ref = [json.loads(l) for l in open(sys.argv[3])]
ref_auctions = [r for r in ref if "id" in r]
ref_rows = [r for r in ref if "type" in r]
bad = 0


def near(x, y, tol):
    if x is None or y is None:
        return x is None and y is None
    return abs(x - y) <= tol * abs(y) + 1e-15


reqs = [r for r in scored if r.get("type") == "request"]
if len(reqs) != len(ref_auctions):
    print("requests: %d, reference %d" % (len(reqs), len(ref_auctions)))
    bad = 1
for got, want in zip(reqs, ref_auctions):
    au = got["auction"]
    w = au["winner"]
    ok = got["id"] == want["id"] and "bids" not in got
    if want["winner"] is None:
        ok = ok and w is None and au["reason"] == want["reason"]
    else:
        ok = ok and w is not None and w["buyer"] == want["winner"] and \
            near(w["price"], want["price"], 1e-12)
    if not ok:
        bad = 1
        print("differs:", got["id"], au, want)
if len(summary) != len(ref_rows):
    print("summary rows: %d, reference %d" % (len(summary), len(ref_rows)))
    bad = 1
for got, want in zip(summary, ref_rows):
    if list(got) != list(want):
        print("keys differ:", list(got), list(want))
        bad = 1
        continue
    for k in want:
        g, x = got[k], want[k]
        same = near(g, x, 1e-9) if isinstance(x, float) or isinstance(g, float) else g == x
        if not same:
            print("summary differs:", want["type"], want["buyer"], want["campaign"], k, g, x)
            bad = 1
sys.exit(bad)
