"""Random requests as pas-bid writes them, with ties, floors, blocked
advertisers and categories, zero bids and small budgets, plus the matching
catalog, rules and outcomes.  usage: python3 gen.py SEED N DIR"""
import json
import os
import random
import sys

seed, n, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rnd = random.Random(seed)
buyers = ["adtech%d.example" % i for i in range(1, 5)] + ["Zeta", "alpha"]
cats = ["games", "games/rpg", "games/rpg/x", "gamesx", "news", "shopping/shoes"]
ads = [{"ad_id": "a-%d" % i, "buyer": rnd.choice(buyers), "campaign": "c-%d" % (i % 7),
        "advertiser": "adv-%d" % (i % 5), "category": rnd.choice(cats),
        "budget": {"remaining": rnd.choice([0.001, 0.002, 0.005, 0.01, 1.0])}}
       for i in range(40)]
ads.append({"ad_id": "a-free", "buyer": "alpha"})     # no budget
w = lambda f, rows: open(os.path.join(d, f), "w").write(
    "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows))
w("catalog.ndjson", ads)
w("blocked.ndjson", [{"advertiser": "adv-3"}, {"category": "games/rpg/"}])
reqs, outs = [], []
for i in range(n):
    bs = []
    for b in rnd.sample(buyers, rnd.randint(0, 4)):
        ad = rnd.choice([x for x in ads if x["buyer"] == b] or ads)
        bid = rnd.choice([0, -1, 0.3, 0.5, 0.5, 1.0, 1.0, 1.5, 2.0, round(rnd.uniform(0.1, 3), 3)])
        x = {"buyer": b, "ad_id": ad["ad_id"], "render_url": "https://r/%s" % ad["ad_id"],
             "bid": bid, "p_install": 0.01,
             "egress_payload": {"features": [{"name": "boolean-feature", "value": True}]},
             "temporary_unlimited_egress_payload": {"features": []}}
        for k in ("campaign", "advertiser", "category"):
            if k in ad:
                x[k] = ad[k]
        bs.append(x)
    ctx = {"app": "com.pub", "floor": rnd.choice([0, 0.5, 0.5, 1.0])}
    if rnd.random() < 0.1:
        del ctx["floor"]
    r = {"type": "request", "id": "r-%d" % i, "ctx": ctx, "bids": bs}
    if rnd.random() < 0.05:
        del r["bids"]
    reqs.append(r)
    if bs:
        o = rnd.choice(bs)
        outs.append({"type": "outcome", "id": r["id"], "ad_id": o["ad_id"],
                     "impression": rnd.random() < 0.9, "click": rnd.random() < 0.3,
                     "install": rnd.random() < 0.1, "ts": 1685580003})
w("requests.ndjson", reqs)
w("outcomes.ndjson", outs)
