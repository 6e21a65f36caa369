#!/usr/bin/env python3
"""An independent model of SPEC-PAS.md section 6 (egress payloads), in the
Python standard library only, for the tests of egress-noise(1).

    egress_ref.py encode SCHEMA PAYLOADS LIMIT   wire form of each payload line
    egress_ref.py rows SCHEMA PAYLOADS           the expected decoded rows (NDJSON)
    egress_ref.py roundtrip SEED N DIR           N random schemas through egress-noise
    egress_ref.py flat SEED N                    N bare payload records (noise test)
    egress_ref.py stats SCHEMA P SEED CLEAN NOISED   the noise statistics

The wire form is written from the SPEC's words, not from lib/egress.c:
feature 0 in the least significant bits, bucket item 0 lowest, the last
histogram sub-feature highest, signed values in two's complement, the body
ceil(total/8) bytes big-endian, then the header byte (version << 5) | 0.
"""
import base64, json, math, random, sys


def leaves(schema):
    """(name, width, signed) per leaf, in wire order."""
    out = []
    for i, f in enumerate(schema["features"]):
        t = f["name"]
        if t == "boolean-feature":
            out.append(("f%d" % i, 1, False))
        elif t in ("unsigned-integer-feature", "signed-integer-feature"):
            out.append(("f%d" % i, f["size"], t.startswith("signed")))
        elif t == "bucket-feature":
            out += [("f%d_%d" % (i, j), 1, False) for j in range(f["size"])]
        else:
            out += [("f%d_%d" % (i, j), s["size"], s["name"].startswith("signed"))
                    for j, s in enumerate(f["value"])]
    return out


def values(schema, payload):
    """The leaf values of a payload, as Python integers (booleans 0/1)."""
    vals = []
    for f, p in zip(schema["features"], payload["features"]):
        v = p["value"]
        if f["name"] == "boolean-feature":
            vals.append(int(v))
        elif f["name"] == "bucket-feature":
            vals += [int(x["value"]) for x in v]
        elif f["name"] == "histogram-feature":
            vals += [x["value"] for x in v]
        else:
            vals.append(v)
    return vals


def encode(schema, payload, limit):
    lv = leaves(schema)
    total = sum(w for _, w, _ in lv)
    if total == 0 or total > limit:
        return ""
    n, off = 0, 0
    for (name, w, signed), v in zip(lv, values(schema, payload)):
        if signed and v < 0:
            v += 1 << w
        assert 0 <= v < (1 << w)
        n |= v << off
        off += w
    body = n.to_bytes((total + 7) // 8, "big")
    return base64.b64encode(body + bytes([schema["version"] << 5])).decode()


def row(schema, payload):
    return {name: v for (name, _, _), v in zip(leaves(schema), values(schema, payload))}


def random_value(rng, w, signed):
    if signed:
        return rng.randrange(-(1 << (w - 1)), 1 << (w - 1))
    # jansson holds integers up to 2^63-1 only
    return rng.randrange(0, 1 << min(w, 63))


def random_schema(rng):
    feats = []
    for _ in range(rng.randint(1, 6)):
        t = rng.choice(["boolean", "unsigned", "signed", "bucket", "histogram"])
        if t == "boolean":
            feats.append({"name": "boolean-feature"})
        elif t in ("unsigned", "signed"):
            feats.append({"name": t + "-integer-feature",
                          "size": rng.choice([1, 2, 3, 7, 8, 9, 17, 31, 32, 33, 63, 64])})
        elif t == "bucket":
            feats.append({"name": "bucket-feature", "size": rng.randint(1, 12)})
        else:
            subs = [{"name": rng.choice(["unsigned", "signed"]) + "-integer-feature",
                     "size": rng.choice([1, 2, 5, 8, 13, 64])}
                    for _ in range(rng.randint(1, 4))]
            feats.append({"name": "histogram-feature",
                          "size": sum(s["size"] for s in subs), "value": subs})
    return {"cddl_version": "1.0.0", "version": rng.randint(0, 7), "features": feats}


def random_payload(rng, schema):
    out = []
    for f in schema["features"]:
        t = f["name"]
        if t == "boolean-feature":
            v = rng.random() < 0.5
        elif t == "bucket-feature":
            v = [{"value": rng.random() < 0.5} for _ in range(f["size"])]
        elif t == "histogram-feature":
            v = [{"name": s["name"], "value": random_value(rng, s["size"],
                  s["name"].startswith("signed"))} for s in f["value"]]
        else:
            v = random_value(rng, f["size"], t.startswith("signed"))
        out.append({"name": t, "value": v})
    return {"features": out}


def dumps(x):
    return json.dumps(x, separators=(",", ":"))


def roundtrip(rng, n, d):
    """For n random schemas and 50 random payloads each: egress-noise -p 0
    must write the wire form of this model, and egress-noise --decode of
    that must give back the payload's values."""
    import subprocess
    bad = 0
    for k in range(n):
        s = random_schema(rng)
        path = "%s/schema%d.json" % (d, k)
        with open(path, "w") as f:
            f.write(dumps(s) + "\n")
        pays = [random_payload(rng, s) for _ in range(50)]
        recs = "".join(dumps({"temporary_unlimited_egress_payload": p}) + "\n" for p in pays)
        enc = subprocess.run(["egress-noise", "-p", "0", "--temporary-egress-schema", path],
                             input=recs, capture_output=True, text=True, check=True).stdout
        got = [json.loads(l)["temporary_unlimited_egress_payload"] for l in enc.splitlines()]
        want = [encode(s, p, float("inf")) for p in pays]
        if got != want:
            print("schema %d: wire differs: %s" % (k, dumps(s)))
            bad += 1
        dec = subprocess.run(["egress-noise", "--decode", "--temporary-egress-schema", path],
                             input=enc, capture_output=True, text=True, check=True).stdout
        if [json.loads(l) for l in dec.splitlines()] != [row(s, p) for p in pays]:
            print("schema %d: decoded rows differ: %s" % (k, dumps(s)))
            bad += 1
    print("%d schemas, %d failures" % (n, bad))
    sys.exit(1 if bad else 0)


def binom_interval(n, q, alpha):
    """The central 1-alpha interval [lo, hi] of Binomial(n, q), exactly."""
    def logpmf(k):
        return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
                + k * math.log(q) + (n - k) * math.log1p(-q))
    cdf, lo, hi = 0.0, None, None
    for k in range(n + 1):
        cdf += math.exp(logpmf(k))
        if lo is None and cdf > alpha / 2:
            lo = k
        if cdf >= 1 - alpha / 2:
            hi = k
            break
    return lo, hi


# Upper 0.1% points of the chi-square distribution (standard tables).
CHI2_999 = {1: 10.828, 2: 13.816, 3: 16.266, 7: 24.322, 15: 37.697, 31: 61.098}


def main():
    cmd = sys.argv[1]
    if cmd == "encode":
        schema = json.load(open(sys.argv[2]))
        limit = float("inf") if sys.argv[4] == "none" else int(sys.argv[4])
        for line in open(sys.argv[3]):
            print(encode(schema, json.loads(line), limit))
    elif cmd == "rows":
        schema = json.load(open(sys.argv[2]))
        for line in open(sys.argv[3]):
            print(dumps(row(schema, json.loads(line))))
    elif cmd == "roundtrip":
        roundtrip(random.Random(int(sys.argv[2])), int(sys.argv[3]), sys.argv[4])
    elif cmd == "flat":
        # bare payload records of the noise schema, values uniform
        rng = random.Random(int(sys.argv[2]))
        schema = json.load(open(sys.argv[4]))
        for k in range(int(sys.argv[3])):
            rec = {"id": "p-%d" % k,
                   "temporary_unlimited_egress_payload": random_payload(rng, schema)}
            print(dumps(rec))
    elif cmd == "stats":
        stats(json.load(open(sys.argv[2])), float(sys.argv[3]),
              sys.argv[4], sys.argv[5])


def stats(schema, p, clean_rows, noised_rows):
    """Changed fraction against p (1 - 2^-bits), and, for p = 1, uniformity
    of every leaf and every bucket/histogram feature by chi-square."""
    lv = leaves(schema)
    bits = sum(w for _, w, _ in lv)
    clean = [json.loads(l) for l in open(clean_rows)]
    noised = [json.loads(l) for l in open(noised_rows)]
    n = len(clean)
    changed = sum(1 for a, b in zip(clean, noised) if a != b)
    q = p * (1 - 2.0 ** -bits)
    ok = True
    if q > 0 and q < 1:
        lo, hi = binom_interval(n, q, 0.001)
        print("changed %d of %d, expected %.1f, 99.9%% interval [%d, %d]"
              % (changed, n, n * q, lo, hi))
        ok = lo <= changed <= hi
    if p == 1:
        groups = [[name] for name, _, _ in lv]
        for i, f in enumerate(schema["features"]):
            if f["name"] in ("bucket-feature", "histogram-feature"):
                groups.append([name for name, _, _ in lv
                               if name.startswith("f%d_" % i)])
        width = {name: w for name, w, _ in lv}
        for g in groups:
            cells = 1 << sum(width[c] for c in g)
            counts = {}
            for r in noised:
                key = tuple(r[c] for c in g)
                counts[key] = counts.get(key, 0) + 1
            e = n / cells
            chi2 = sum((counts.get(k, 0) - e) ** 2 / e for k in counts)
            chi2 += (cells - len(counts)) * e
            crit = CHI2_999[cells - 1]
            print("%s: %d values, chi2 %.2f, critical %.3f"
                  % ("+".join(g), cells, chi2, crit))
            ok = ok and chi2 <= crit
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
