#!/usr/bin/env python3
"""AUC (ties count one half) and mean log loss of probabilities, written
here from their definitions, for comparing with LIBLINEAR.

    binmetrics.py LABELS PROBS   -> {"auc":..,"logloss":..}
LABELS: a LIBSVM file (first field +1/-1) or one 0/1 per line.
PROBS: liblinear-predict -b 1 output (header "labels 1 -1") or one p per line.
"""
import json, math, sys

ys = []
for l in open(sys.argv[1]):
    t = l.split(None, 1)[0] if l.strip() else None
    if t is not None:
        ys.append(1 if float(t) > 0 else 0)
ps, col = [], 0
for l in open(sys.argv[2]):
    f = l.split()
    if f[0] == "labels":
        col = f[1:].index("1") + 1
        continue
    ps.append(float(f[col]))
assert len(ps) == len(ys), (len(ps), len(ys))
order = sorted(range(len(ps)), key=lambda i: ps[i])
rank, i = [0.0] * len(ps), 0
while i < len(order):
    j = i
    while j + 1 < len(order) and ps[order[j + 1]] == ps[order[i]]:
        j += 1
    for k in range(i, j + 1):
        rank[order[k]] = (i + j) / 2 + 1
    i = j + 1
npos = sum(ys)
nneg = len(ys) - npos
auc = (sum(r for r, y in zip(rank, ys) if y) - npos * (npos + 1) / 2) / (npos * nneg)
eps = 1e-15
ll = -sum(math.log(min(max(p, eps), 1 - eps)) if y else math.log(1 - min(max(p, eps), 1 - eps))
          for p, y in zip(ps, ys)) / len(ys)
print(json.dumps({"auc": auc, "logloss": ll}))
