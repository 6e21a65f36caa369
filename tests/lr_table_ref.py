#!/usr/bin/env python3
"""Independent references for pas-train(1), in the Python standard library:

    lr_table_ref.py fit CSV LABEL C [NUMERIC,..]
        the exact optimum of LIBLINEAR's objective
        0.5 |w|^2 + C sum log(1 + exp(-y w.x)) over the CSV's rows, one-hot
        "col=value" for categorical columns (a blank is the value ""),
        "col" for numeric ones, a bias feature of value 1; by Newton's
        method on dense matrices.  Prints {"bias":..,"weights":{name:w}}.
    lr_table_ref.py score MODEL CSV
        p for every row, computed from the model file as adsig(5) defines
        it (names, buckets, FNV-1a-64 hashing), one per line.
"""
import csv, json, math, sys


def rows_of(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        hdr = next(r)
        for row in r:
            yield dict(zip(hdr, row))


def fit(path, label, C, numeric):
    data, names = [], {}
    for row in rows_of(path):
        x = {}
        for k, v in row.items():
            if k == label:
                continue
            if k in numeric:
                if v == "":
                    continue
                n, val = k, float(v)
            else:
                n, val = k + "=" + v, 1.0
            names.setdefault(n, len(names))
            x[names[n]] = x.get(names[n], 0.0) + val
        data.append((1 if float(row[label]) > 0 else -1, x))
    d = len(names) + 1
    w = [0.0] * d
    for _ in range(100):
        g = w[:]
        H = [[1.0 if i == j else 0.0 for j in range(d)] for i in range(d)]
        for y, x in data:
            v = [(j, a) for j, a in x.items()] + [(d - 1, 1.0)]
            z = sum(w[j] * a for j, a in v)
            s = 1 / (1 + math.exp(-y * z))
            for j, a in v:
                g[j] += C * (s - 1) * y * a
            for j, a in v:
                for k, b in v:
                    H[j][k] += C * s * (1 - s) * a * b
        # solve H step = g by Gaussian elimination with partial pivoting
        M = [H[i] + [g[i]] for i in range(d)]
        for c in range(d):
            p = max(range(c, d), key=lambda i: abs(M[i][c]))
            M[c], M[p] = M[p], M[c]
            for i in range(c + 1, d):
                f = M[i][c] / M[c][c]
                for k in range(c, d + 1):
                    M[i][k] -= f * M[c][k]
        step = [0.0] * d
        for i in range(d - 1, -1, -1):
            step[i] = (M[i][d] - sum(M[i][k] * step[k] for k in range(i + 1, d))) / M[i][i]
        w = [a - b for a, b in zip(w, step)]
        if math.sqrt(sum(a * a for a in g)) < 1e-13:
            break
    inv = {i: n for n, i in names.items()}
    print(json.dumps({"bias": w[-1], "weights": {inv[i]: w[i] for i in range(d - 1)}}))


def fnv1a(s):
    h = 0xcbf29ce484222325
    for c in s.encode():
        h ^= c
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def p_of(m, row):
    """p of model m (parsed JSON) for row, a dict of cell texts ("" blank)."""
    hs = m.get("hash_size", 0)
    wt = m["hashed_weights"] if hs else m["weights"]

    def weight(name):
        return wt.get(str(fnv1a(name) % hs), 0.0) if hs else wt.get(name, 0.0)

    z = m["bias"]
    for c in m["columns"]:
        v = row.get(c["name"], "")
        if c["kind"] == "categorical" or (c["kind"] == "bucket" and v == ""):
            z += weight(c["name"] + "=" + v)
        elif c["kind"] == "numeric":
            if v != "":
                z += weight(c["name"]) * float(v)
        else:
            k = sum(1 for e in c["edges"] if e <= float(v))
            z += weight("%s@%d" % (c["name"], k))
    return 1 / (1 + math.exp(-z))


def score(model_path, path):
    m = json.load(open(model_path))
    for row in rows_of(path):
        print(repr(p_of(m, row)))


if __name__ == "__main__":
    if sys.argv[1] == "fit":
        fit(sys.argv[2], sys.argv[3], float(sys.argv[4]),
            set(sys.argv[5].split(",")) if len(sys.argv) > 5 else set())
    else:
        score(sys.argv[2], sys.argv[3])
