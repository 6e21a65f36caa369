"""Writes N request records as pas-bid writes them (DESIGN.md "Records"):
the request, the candidates of pas-retrieve (K per buyer, default 5), the bids
of pas-bid (one per buyer, 3 buyers) with their egress payloads; and the
ad catalog with budgets.  Deterministic (random.seed(1)).
usage: python3 score-gen.py N REQUESTS_OUT CATALOG_OUT [K]"""
import json
import random
import sys

n = int(sys.argv[1])
k = int(sys.argv[4]) if len(sys.argv) > 4 else 5
random.seed(1)
buyers = ["adtech%d.example" % i for i in range(1, 4)]
ads = []
for b in range(3):
    for j in range(200):
        ads.append({"ad_id": "a-%d-%d" % (b, j), "buyer": buyers[b],
                    "campaign": "c-%d-%d" % (b, j % 10),
                    "advertiser": "adv-%d" % (j % 17),
                    "category": random.choice(["games/rpg", "games/puzzle", "news", "shopping/shoes"]),
                    "render_url": "https://ads.example/%d/%d" % (b, j),
                    "budget": {"remaining": round(random.uniform(0.5, 50), 2)},
                    "value": round(random.uniform(0.5, 5), 2)})
dumps = lambda o: json.dumps(o, separators=(",", ":"))
with open(sys.argv[3], "w") as f:
    for a in ads:
        f.write(dumps(a) + "\n")
payload = {"features": [{"name": "unsigned-integer-feature", "value": 3},
                        {"name": "boolean-feature", "value": True}]}
with open(sys.argv[2], "w") as f:
    for i in range(n):
        r = {"type": "request", "id": "r-%d" % i, "ts": 1685580000 + i,
             "device": "d-%d" % (i % 5000), "channel": "ch-%d" % (i % 7),
             "plan": "p-%d" % (i % 13), "buyers": buyers,
             "ctx": {"app": "com.pub.news", "lang": "en", "geo": "US", "os": "android",
                     "slot": "interstitial", "size": "320x480", "floor": 0.5},
             "buyer_signals": {b: {"context_embedding": [round(random.gauss(0, 1), 6) for _ in range(8)]}
                               for b in buyers}}
        cands, bids = {}, []
        for bi, b in enumerate(buyers):
            pick = random.sample(range(200), k)
            cl = []
            for j in pick:
                a = ads[bi * 200 + j]
                cl.append({"ad_id": a["ad_id"], "render_url": a["render_url"],
                           "score": round(random.random(), 9),
                           "meta": {"campaign": a["campaign"], "advertiser": a["advertiser"],
                                    "category": a["category"], "value": a["value"]}})
            cands[b] = cl
            a = ads[bi * 200 + pick[0]]
            p = random.random() * 0.01
            bids.append({"buyer": b, "ad_id": a["ad_id"], "render_url": a["render_url"],
                         "campaign": a["campaign"], "advertiser": a["advertiser"],
                         "category": a["category"], "bid": round(p * a["value"] * 1000, 6),
                         "p_install": p, "egress_payload": payload,
                         "temporary_unlimited_egress_payload": payload})
        r["candidates"] = cands
        r["bids"] = bids
        f.write(dumps(r) + "\n")
