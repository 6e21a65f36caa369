#!/usr/bin/env python3
"""An independent check of pas-bid --model with a logistic model.

    lr_check.py MODEL SCHEMA ADS BIDS [DECODED]

For every bid of BIDS (pas-bid's output): the columns of the
egress_payload the bid carries, decoded by tests/egress_ref.py from the
SPEC's words (f<i>, f<i>_<j>, integers in decimal), scored from the model
file by tests/lr_table_ref.py's p_of, equal its p_install; its bid is
p x value x 1000; and since the payload holds no ad, every candidate of
the buyer has that p, so the bid goes to the candidate of highest value
(ties: the bytewise smaller ad_id).

DECODED, if given, holds egress-noise --decode --keep id,auction rows of
the same bids after pas-score and egress-noise: each row must equal the
columns egress_ref.py reads from the winner's payload in BIDS.

Prints "bids N distinct p K decoded R".
"""
import json, os, sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "tests"))
import egress_ref  # noqa: E402
import lr_table_ref  # noqa: E402


def main():
    model = json.load(open(sys.argv[1]))
    schema = json.load(open(sys.argv[2]))
    value = {}
    for line in open(sys.argv[3]):
        ad = json.loads(line)
        value[ad["ad_id"]] = ad["value"]
    bids, ps, byid = 0, set(), {}
    for line in open(sys.argv[4]):
        r = json.loads(line)
        if r.get("type") != "request":
            continue
        for b in r["bids"]:
            row = egress_ref.row(schema, b["egress_payload"])
            p = lr_table_ref.p_of(model, {k: str(v) for k, v in row.items()})
            got = b["p_install"]
            assert abs(got - p) <= 1e-12 * p, (r["id"], b["buyer"], got, p)
            want = p * value[b["ad_id"]] * 1000
            assert abs(b["bid"] - want) <= 1e-12 * want, (r["id"], b, want)
            cands = [c["ad_id"] for c in r["candidates"][b["buyer"]]]
            best = min(cands, key=lambda a: (-value[a], a.encode()))
            assert b["ad_id"] == best, (r["id"], b["ad_id"], best)
            byid[(r["id"], b["buyer"])] = row
            bids += 1
            ps.add(got)
    decoded = 0
    if len(sys.argv) > 5:
        for line in open(sys.argv[5]):
            d = json.loads(line)
            rid, auction = d.pop("id"), d.pop("auction")
            want = byid[(rid, auction["winner"]["buyer"])]
            assert d == want, (rid, d, want)
            decoded += 1
    print("bids %d distinct p %d decoded %d" % (bids, len(ps), decoded))


if __name__ == "__main__":
    main()
