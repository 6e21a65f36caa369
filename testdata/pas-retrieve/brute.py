#!/usr/bin/env python3
"""An independent brute-force replay of pas-retrieve, pas-bid and pas-score
(standard library only), for tests/pas-retrieve.bats and tests/pas-bid.bats.

usage: brute.py MODEL ADS OPENED K RETRIEVED BIDS SCORED [SECOND_SCORED]

OPENED is `pas-encode --open --decode` of the encoded requests: the
decoded payloads.  For every request and buyer it computes x (adsig(5),
from the decoded key/count/bucket/value), u = U x, c, and the expected
bid pInstall x value x 1000 of EVERY ad of the buyer that passes
targeting and the catalog budget; then checks
  - RETRIEVED: the candidates are exactly the top K (score desc, ad_id
    asc), scores within 1e-9, and tee.user_embedding = u;
  - BIDS: each buyer's bid is its best ad over all ads (the brute-force
    best bid), p_install, and no record holds "tee";
  - SCORED: the winner is the best bid over all buyers when it reaches
    the floor (else reason below_floor / no_bids), first price = bid;
  - SECOND_SCORED: price = max(floor, second best bid), or the bid.
Every stage has the same number of records.  Prints a summary line.
"""
import json, math, re, sys

FIELDS = ("lang", "geo", "slot", "size")

def close(a, b, tol=1e-9):
    return abs(a - b) <= tol * abs(b) + 1e-12

def num(v):
    return float(v) if re.fullmatch(rb"-?[0-9]+(\.[0-9]+)?", v) and len(v) <= 30 else 0.0

def key_of(name):
    k = name.rsplit(".", 1)[0]
    if len(k) == 10 and k.startswith("0x"):
        return bytes.fromhex(k[2:])
    return k.encode().ljust(4, b"\0")

def feature(ent, stat):
    if ent is None:
        return 0.0
    count, bucket, val = ent
    v = num(val)
    return {"present": 1.0, "count": float(count), "log_count": math.log1p(count),
            "recency": bucket / 12, "fresh": (12 - min(bucket, 12)) / 12, "value": v,
            "log_value": math.copysign(math.log1p(abs(v)), v)}[stat]

def sigmoid(z):
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    e = math.exp(z)
    return e / (1 + e)

def main():
    model, ads_f, opened_f, k = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    retr_f, bids_f, scored_f = sys.argv[5], sys.argv[6], sys.argv[7]
    second_f = sys.argv[8] if len(sys.argv) > 8 else None
    m = json.load(open(model))
    specs = [(key_of(f), f.rsplit(".", 1)[1]) for f in m["features"]]
    ads = {}
    for line in open(ads_f):
        a = json.loads(line)
        ads.setdefault(a["buyer"], []).append(a)
    opened = [json.loads(l) for l in open(opened_f)]
    retr = [json.loads(l) for l in open(retr_f)]
    bids = [json.loads(l) for l in open(bids_f)]
    scored = [json.loads(l) for l in open(scored_f)]
    second = [json.loads(l) for l in open(second_f)] if second_f else None
    n = len(opened)
    assert len(retr) == n and len(bids) == n and len(scored) == n, "records lost"
    if second is not None:
        assert len(second) == n
    ctxm = m.get("context", {})
    stats = {"requests": 0, "buyers": 0, "candidates": 0, "bids": 0, "won": 0, "no_winner": 0}
    for i in range(n):
        o, r, b, s = opened[i], retr[i], bids[i], scored[i]
        assert "tee" not in b and "tee" not in s, "tee left the boundary"
        if o.get("type") != "request":
            continue
        stats["requests"] += 1
        assert "auction_input" not in r
        bi = o["auction_input_opened"]["buyer_input"]
        allbids = []
        for buyer in o.get("buyers", list(bi)):
            stats["buyers"] += 1
            got = r["candidates"][buyer]
            if buyer not in bi:
                assert got == [] and buyer not in r["tee"], (o["id"], buyer)
                continue
            ent = {}
            for e in bi[buyer]["decoded"]:
                kb = bytes.fromhex(e["key"])
                ent.setdefault(kb, (e["count"], e["bucket"], bytes.fromhex(e["value"])))
            x = [feature(ent.get(kk), st) for kk, st in specs]
            u = [sum(w * xi for w, xi in zip(row, x)) for row in m["user"]]
            tu = r["tee"][buyer]["user_embedding"]
            assert all(close(a, b_) for a, b_ in zip(tu, u)), (o["id"], buyer, tu, u)
            c = [0.0] * m["dim"]
            e = o.get("buyer_signals", {}).get(buyer, {}).get(ctxm.get("embedding"))
            if e is not None:
                c = [ctxm.get("scale", 1.0) * v for v in e]
            for f, tab in ctxm.get("fields", {}).items():
                vec = tab.get(o["ctx"].get(f))
                if vec is not None:
                    c = [ci + vi for ci, vi in zip(c, vec)]
            scores = []
            for a in ads.get(buyer, []):
                t = a.get("targeting") or {}
                if any(t.get(f) is not None and o["ctx"].get(f) not in t[f] for f in FIELDS):
                    continue
                rem = (a.get("budget") or {}).get("remaining")
                if rem is not None and not rem > 0:
                    continue
                z = sum((ui + ci) * ai for ui, ci, ai in zip(u, c, a["embedding"])) + m["bias"]
                p = sigmoid(z)
                scores.append((-(p * a["value"] * 1000), a["ad_id"], p))
            scores.sort()
            want = scores[:k]
            assert [g["ad_id"] for g in got] == [w[1] for w in want], \
                (o["id"], buyer, [g["ad_id"] for g in got], want)
            for g, w in zip(got, want):
                assert close(g["score"], -w[0]), (o["id"], g, w)
            stats["candidates"] += len(got)
            if want and -want[0][0] > 0:
                allbids.append((-want[0][0], buyer, want[0][1], want[0][2]))
        mine = {x["buyer"]: x for x in b["bids"]}
        assert set(mine) == {x[1] for x in allbids}, (o["id"], mine, allbids)
        for bid, buyer, ad, p in allbids:
            assert mine[buyer]["ad_id"] == ad and close(mine[buyer]["bid"], bid) \
                and close(mine[buyer]["p_install"], p), (o["id"], mine[buyer], bid, ad)
        stats["bids"] += len(allbids)
        floor = o["ctx"].get("floor") or 0
        allbids.sort(key=lambda t: (-t[0], t[1], t[2]))
        a = s["auction"]
        if not allbids:
            assert a["winner"] is None and a["reason"] == "no_bids", (o["id"], a)
        elif allbids[0][0] < floor:
            assert a["winner"] is None and a["reason"] == "below_floor", (o["id"], a)
        else:
            w = a["winner"]
            assert (w["buyer"], w["ad_id"]) == allbids[0][1:3] and close(w["bid"], allbids[0][0]) \
                and close(w["price"], allbids[0][0]), (o["id"], w, allbids[0])
            if second is not None:
                valid = [t for t in allbids if t[0] >= floor]
                want_p = max(floor, valid[1][0]) if len(valid) > 1 else (floor or valid[0][0])
                w2 = second[i]["auction"]["winner"]
                assert close(w2["price"], want_p), (o["id"], w2, want_p)
        if a["winner"] is None:
            stats["no_winner"] += 1
            assert a.get("reason"), o["id"]
        else:
            stats["won"] += 1
    print(" ".join("%s %d" % kv for kv in stats.items()))

main()
