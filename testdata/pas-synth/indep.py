#!/usr/bin/env python3
# Independence checks of a pas-synth world (signals and requests of one
# buyer on stdin, the number of devices as argument), independent of the
# C code:
#   ratio = Var(number of categories a device used) / sum over categories
#           of Var(used c); 1 when "used c" are uncorrelated (the sum of
#           their pairwise covariances is 0).  A category is used when
#           the device opened one of its apps (an append of o<cat>).
#   z     = (requests whose publisher is of the device's most used
#           category - expectation with publishers uniform) / its sd.
import base64, json, math, sys
cats = ["gam", "soc", "shp", "fin", "trv", "nws", "mus", "fit"]
names = ["games", "social", "shopping", "finance", "travel", "news", "music", "fitness"]
ndev = int(sys.argv[1])
npub = int(sys.argv[2])
opens = {}
reqs = []
for line in sys.stdin:
    r = json.loads(line)
    if r["type"] == "signals":
        for k in r["update"].get("append", {}):
            key = base64.b64decode(k).decode()
            if key[0] == "o":
                opens.setdefault(r["device"], [0] * 8)[cats.index(key[1:])] += 1
    else:
        reqs.append((r["device"], r["ctx"]["app"]))
rows = [opens.get("d-%d" % (i + 1), [0] * 8) for i in range(ndev)]
p = [sum(r[c] > 0 for r in rows) / ndev for c in range(8)]
s = [sum(x > 0 for x in r) for r in rows]
m = sum(s) / ndev
ratio = sum((x - m) ** 2 for x in s) / (ndev - 1) / sum(q * (1 - q) for q in p)
# publisher j is of category j mod 8 (pas-synth(1))
share = [sum(1 for j in range(npub) if j % 8 == c) / npub for c in range(8)]
hit = e = v = 0.0
for dev, app in reqs:
    o = opens.get(dev, [0] * 8)
    top = max(range(8), key=lambda c: o[c])
    hit += ("." + names[top]) in app
    e += share[top]
    v += share[top] * (1 - share[top])
print("%.4f %.2f" % (ratio, (hit - e) / math.sqrt(v)))
