#!/usr/bin/env python3
"""An independent reference for tagctr-rank: ref.py MATRIX MATERIALS.csv REQUESTS K
(day parts on, identity tags on).  Prints "id<TAB>material<TAB>m:r,m:r,..."."""
import csv, json, sys
rows, W = {}, {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("type") == "weights":
        W.setdefault((r["channel"], r["plan"]), {})[r["attr"]] = r["weight"]
    else:
        rows[(r["channel"], r["plan"], r["attr"], r["value"], r["tag"])] = r["ctr"]
tags = {}
for r in csv.DictReader(open(sys.argv[2])):
    tags.setdefault(r["material"], set()).update(t for t in r["tags"].split("|") if t)
K = int(sys.argv[4])
def merge(a, v):
    v = str(v)
    return ["00-05", "06-11", "12-17", "18-23"][int(v) // 6] if a == "hour" else v
for l in open(sys.argv[3]):
    q = json.loads(l)
    ch, pl = q["channel"], q["plan"]
    if (ch, pl) not in W:
        pools = [c for (c, p) in W if p == pl and ch in c.split("+")]
        if not pools:
            print(f"{q['id']}\tnull\t"); continue
        ch = pools[0]
    cands = q.get("materials")
    if cands is None:
        cands = sorted({k[4][9:] for k in rows if k[:4] == (ch, pl, "*", "*") and k[4].startswith("material:")})
    sc = []
    for m in dict.fromkeys(cands):
        T = tags.get(m, set()) | {"material:" + m}
        R = 0.0
        for d, w in W[(ch, pl)].items():
            a = q.get("attrs", {}).get(d)
            s = 0.0
            for t in T:
                c = rows.get((ch, pl, d, merge(d, a), t)) if a is not None else None
                if c is None: c = rows.get((ch, pl, "*", "*", t), 0.0)
                s += c
            R += w * s
        sc.append((-R, m.encode(), m, R))
    sc.sort()
    top = sc[:K]
    print(f"{q['id']}\t{top[0][2] if top else 'null'}\t" + ",".join(f"{m}:{R!r}" for _, _, m, R in top))
