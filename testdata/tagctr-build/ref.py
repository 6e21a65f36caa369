#!/usr/bin/env python3
"""An independent reference for tagctr-build (adsig(7) "Tag CTR with time
windows", "Dimension merging", "Dimension weights"), written from the design
text, not from the C code.  Prints the matrix rows and weight rows as NDJSON
in the tool's order.

usage: ref.py --now N --window S --weights 1,0.8,.. [-z 2] [--combine counts|bounds]
              [--no-dayparts] [--map ATTR=FILE] [--no-material-tag] LOGS.ndjson
"""
import csv, json, math, sys

def wilson(k, n, z):
    if n == 0:
        return 0.0
    p = k / n
    s = (p + z*z/(2*n) - z*math.sqrt(p*(1-p)/n + z*z/(4*n*n))) / (1 + z*z/n)
    return min(max(s, 0.0), 1.0)

args = sys.argv[1:]
opt = {"z": 2.0, "combine": "counts", "dayparts": True, "mtag": True, "maps": {}}
files = []
i = 0
while i < len(args):
    a = args[i]
    if a == "--now": opt["now"] = int(args[i+1]); i += 2
    elif a == "--window": opt["window"] = int(args[i+1]); i += 2
    elif a == "--weights": opt["w"] = [float(x) for x in args[i+1].split(",")]; i += 2
    elif a == "-z": opt["z"] = float(args[i+1]); i += 2
    elif a == "--combine": opt["combine"] = args[i+1]; i += 2
    elif a == "--no-dayparts": opt["dayparts"] = False; i += 1
    elif a == "--no-material-tag": opt["mtag"] = False; i += 1
    elif a == "--map":
        attr, path = args[i+1].split("=", 1)
        with open(path, newline="") as f:
            opt["maps"][attr] = {r["from"]: r["to"] for r in csv.DictReader(f)}
        i += 2
    else: files.append(a); i += 1

W = len(opt["w"]); L = opt["window"]; now = opt["now"]; z = opt["z"]

def merge(attr, v):
    if isinstance(v, bool): v = "true" if v else "false"
    elif isinstance(v, int): v = str(v)
    if attr in opt["maps"]:
        return opt["maps"][attr].get(v, v)
    if attr == "hour" and opt["dayparts"]:
        h = int(v)
        return ["00-05", "06-11", "12-17", "18-23"][h // 6]
    return v

# counts[(channel, plan, attr, value, tag)][window] = [n, k]; tag None = all lines
counts = {}
for path in files:
    for line in open(path):
        if not line.strip(): continue
        r = json.loads(line)
        ts = math.floor(r["ts"])
        if ts >= now: continue
        win = (now - 1 - ts) // L
        if win >= W or opt["w"][win] == 0: continue
        tags = set(r.get("tags") or [])
        if opt["mtag"]: tags.add("material:" + str(r["material"]))
        dims = [("*", "*")] + [(a, merge(a, v)) for a, v in (r.get("attrs") or {}).items() if v is not None]
        c = 1 if r["click"] else 0
        for a, v in dims:
            for t in list(tags) + [None]:
                e = counts.setdefault((r["channel"], r["plan"], a, v, t), [[0, 0] for _ in range(W)])
                e[win][0] += 1; e[win][1] += c

def folded(e):
    n = sum(opt["w"][i] * e[i][0] for i in range(W))
    k = sum(opt["w"][i] * e[i][1] for i in range(W))
    if opt["combine"] == "counts":
        ctr = wilson(k, n, z)
    else:
        ctr = sum(opt["w"][i] * wilson(e[i][1], e[i][0], z) for i in range(W)) / sum(opt["w"])
    return n, k, ctr

b = lambda s: s.encode()
plans = sorted({(c, p) for c, p, _, _, _ in counts}, key=lambda x: (b(x[0]), b(x[1])))
for c, p in plans:
    keys = sorted((k for k in counts if k[0] == c and k[1] == p and k[4] is not None),
                  key=lambda k: (b(k[2]), b(k[3]), b(k[4])))
    for k in keys:
        n, kk, ctr = folded(counts[k])
        print(json.dumps({"channel": c, "plan": p, "attr": k[2], "value": k[3], "tag": k[4],
                          "requests": n, "clicks": kk, "ctr": ctr}))
    attrs = sorted({k[2] for k in counts if k[0] == c and k[1] == p and k[2] != "*"}, key=b)
    stats = []
    for a in attrs:
        xs = []
        for k, e in counts.items():
            if k[:3] == (c, p, a) and k[4] is None:
                n, kk, _ = folded(e)
                xs.append((wilson(kk, n, z), n))
        sw = sum(w for _, w in xs)
        m = sum(x * w for x, w in xs) / sw if sw else 0.0
        sd = math.sqrt(sum(w * (x - m) ** 2 for x, w in xs) / sw) if sw else 0.0
        stats.append((a, m, sd, sd / m if m else 0.0))
    tot = sum(s[3] for s in stats)
    for a, m, sd, cv in stats:
        print(json.dumps({"type": "weights", "channel": c, "plan": p, "attr": a, "mean": m, "sd": sd,
                          "cv": cv, "weight": cv / tot if tot else 1 / len(stats)}))
