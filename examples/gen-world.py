#!/usr/bin/env python3
"""A small seeded world for pas-train(1) and egress-ablate(1), in the Python
standard library only, until pas-synth(1) writes such worlds itself.

Every feature f<i> is categorical with CARD values (0 .. CARD-1, drawn
uniformly).  The true model is logistic and uses only the features of
--used: each used feature's values get weights drawn from N(0, --scale),
the others none, and the bias is set for a base rate near --rate.  The
label is drawn from that model, so the truly used features are known.

    gen-world.py table  [options]   CSV: f0..f<K-1>, label, split
    gen-world.py egress [options] PREFIX
        PREFIX.schema.json   an egress schema: feature i unsigned of
                             ceil(log2 CARD) bits (CARD a power of two)
        PREFIX.payloads.ndjson   bare payload records {"id","temporary_unlimited_egress_payload"}
        PREFIX.outcomes.ndjson   their outcomes {"type":"outcome","id","click","install"}
    gen-world.py truth  [options]   the true model as JSON

Options: --rows N (10000), --features K (8), --card C (8), --used LIST
(1,4,6), --scale S (1.0), --rate R (0.2), --seed N (1), --test F (0.25:
the fraction of rows whose split column is "test").
"""
import argparse, json, math, random, sys


def world(a):
    rng = random.Random(a.seed)
    used = [int(x) for x in a.used.split(",")] if a.used else []
    w = {i: [rng.gauss(0, a.scale) for _ in range(a.card)] for i in used}
    # centre each used feature's weights, then set the bias for the rate
    for i in used:
        m = sum(w[i]) / a.card
        w[i] = [x - m for x in w[i]]
    bias = math.log(a.rate / (1 - a.rate))
    return rng, used, w, bias


def rows(a):
    rng, used, w, bias = world(a)
    for _ in range(a.rows):
        x = [rng.randrange(a.card) for _ in range(a.features)]
        z = bias + sum(w[i][x[i]] for i in used)
        y = 1 if rng.random() < 1 / (1 + math.exp(-z)) else 0
        split = "test" if rng.random() < a.test else "train"
        yield x, y, split


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["table", "egress", "truth"])
    p.add_argument("prefix", nargs="?")
    p.add_argument("--rows", type=int, default=10000)
    p.add_argument("--features", type=int, default=8)
    p.add_argument("--card", type=int, default=8)
    p.add_argument("--used", default="1,4,6")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--rate", type=float, default=0.2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--test", type=float, default=0.25)
    a = p.parse_intermixed_args()
    out = sys.stdout
    if a.mode == "truth":
        _, used, w, bias = world(a)
        json.dump({"used": used, "bias": bias,
                   "weights": {"f%d" % i: w[i] for i in used}}, out)
        out.write("\n")
    elif a.mode == "table":
        out.write(",".join(["f%d" % i for i in range(a.features)] + ["label", "split"]) + "\n")
        for x, y, split in rows(a):
            out.write(",".join(map(str, x)) + ",%d,%s\n" % (y, split))
    else:
        bits = max(1, math.ceil(math.log2(a.card)))
        if 1 << bits != a.card:
            sys.exit("gen-world.py: egress: --card must be a power of two")
        schema = {"cddl_version": "1.0.0", "version": 1,
                  "features": [{"name": "unsigned-integer-feature", "size": bits}
                               for _ in range(a.features)]}
        with open(a.prefix + ".schema.json", "w") as f:
            f.write(json.dumps(schema) + "\n")
        with open(a.prefix + ".payloads.ndjson", "w") as f, \
                open(a.prefix + ".outcomes.ndjson", "w") as g:
            for k, (x, y, _) in enumerate(rows(a)):
                pl = {"features": [{"name": "unsigned-integer-feature", "value": v}
                                   for v in x]}
                f.write(json.dumps({"id": "r-%d" % k,
                                    "temporary_unlimited_egress_payload": pl},
                                   separators=(",", ":")) + "\n")
                g.write(json.dumps({"type": "outcome", "id": "r-%d" % k,
                                    "click": bool(y), "install": bool(y)},
                                   separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
