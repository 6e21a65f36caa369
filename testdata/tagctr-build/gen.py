#!/usr/bin/env python3
"""Random tag-CTR log lines for tests: gen.py SEED N [CSV]."""
import json, random, sys
seed, n = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(seed)
mats = {f"m{i}": rnd.sample(["rpg", "anime", "puzzle", "cards", "race", "a,b"], rnd.randrange(0, 3)) for i in range(8)}
for i in range(n):
    m = rnd.choice(sorted(mats))
    attrs = {"hour": rnd.randrange(24), "city": rnd.choice(["Shenzhen", "Guangzhou", "Hangzhou", "Ningbo", "Lhasa"]),
             "os": rnd.choice(["ios", "android"])}
    if rnd.random() < 0.2: del attrs["os"]
    rec = {"ts": 3600 * 100 - rnd.randrange(3600 * 130) + rnd.choice([0, 0.5]), "channel": rnd.choice(["c1", "c2", "c3"]),
           "plan": rnd.choice(["p1", "p2"]), "material": m, "tags": mats[m], "attrs": attrs,
           "click": rnd.random() < 0.3}
    print(json.dumps(rec, separators=(",", ":")))
