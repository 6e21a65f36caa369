#!/usr/bin/env python3
"""Variants of NDJSON records for the fast-path tests.

usage: mutate.py SEED N < records > variants

Writes N lines, each a record of the input changed at random in ways a
tool's fast path must either read exactly as jansson does or leave to
jansson: members deleted or given another type, strings with escapes,
integers for reals and reals for integers, -0, nested values replaced,
keys repeated (a duplicate key), members reordered, and some lines left
as they were.  Lines are written compactly (as the tools write them);
the test writes each also with white space, which forces the jansson
path, and compares what the tool makes of both.
"""
import json
import random
import sys

seed, n = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(seed)
recs = [json.loads(l) for l in sys.stdin if l.strip()]

ODD = [None, True, False, 0, -1, 7, 2.5, -0.0, 1e300, "", "x", "\u00e9\"\\",
       [], [1, "a"], {}, {"k": 1}]


def paths(v, here=()):
    yield here
    if isinstance(v, dict):
        for k, x in v.items():
            yield from paths(x, here + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from paths(x, here + (i,))


def get(v, p):
    for k in p:
        v = v[k]
    return v


def mutate(r):
    ps = [p for p in paths(r) if p]
    for _ in range(rnd.choice([1, 1, 1, 2, 3])):
        if not ps:
            break
        p = rnd.choice(ps)
        try:
            parent = get(r, p[:-1])
            k = p[-1]
            old = parent[k]
        except (KeyError, IndexError, TypeError):
            continue
        c = rnd.randrange(7)
        if c == 0 and isinstance(parent, dict):
            del parent[k]
        elif c == 1:
            parent[k] = rnd.choice(ODD)
        elif c == 2 and isinstance(old, str):
            parent[k] = old + rnd.choice(["\\", "\"", "\u00e9", "\n", "/"])
        elif c == 3 and isinstance(old, (int, float)) and \
                not isinstance(old, bool):
            parent[k] = float(old) if isinstance(old, int) else int(old)
        elif c == 4 and isinstance(old, list) and old:
            parent[k] = old[:rnd.randrange(len(old))]
        elif c == 5 and isinstance(parent, dict):
            items = list(parent.items())
            rnd.shuffle(items)
            parent.clear()
            parent.update(items)
        else:
            parent[k] = rnd.choice(ODD)
    return r


for i in range(n):
    r = json.loads(json.dumps(rnd.choice(recs)))
    if rnd.random() < 0.8:
        r = mutate(r)
    line = json.dumps(r, separators=(",", ":"), ensure_ascii=False)
    if rnd.random() < 0.03 and line.startswith("{\""):
        # a duplicate key: jansson rejects it, so must the fast path
        k = line[1:line.index("\"", 2) + 1]
        line = "{" + k + ":1," + line[1:]
    print(line)
