#!/usr/bin/env python3
# Independent reference for tests/unit/test_lr.c: minimises LIBLINEAR's
#   f(w) = 0.5*|w|^2 + C * sum_i log(1 + exp(-y_i w.x_i))
# (bias feature of value 1 appended, regularised) by plain Newton's
# method on dense rows, in pure Python, and prints the optimum.
# Run: python3 tests/unit/lr_reference.py
import math

# The rows of test_lr.c: (label, {feature index: value}); 5 features.
ROWS = [
    (+1, {0: 1, 3: 0.5}),
    (+1, {0: 1, 4: 2.0}),
    (-1, {0: 1, 3: -1.0}),
    (+1, {1: 1, 3: 1.5}),
    (-1, {1: 1, 4: -0.5}),
    (-1, {1: 1}),
    (+1, {2: 1, 3: 2.0, 4: 1.0}),
    (-1, {2: 1, 3: -0.5}),
    (+1, {2: 1}),
    (-1, {0: 1, 4: -1.0}),
]
NFEAT = 5

def dense(x):
    v = [0.0] * (NFEAT + 1)
    for j, a in x.items():
        v[j] += a
    v[NFEAT] = 1.0          # bias feature, -B 1
    return v

def solve(A, b):
    n = len(b)
    M = [row[:] + [b[i]] for i, row in enumerate(A)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(M[r][c]))
        M[c], M[p] = M[p], M[c]
        for r in range(n):
            if r != c:
                k = M[r][c] / M[c][c]
                for q in range(c, n + 1):
                    M[r][q] -= k * M[c][q]
    return [M[i][n] / M[i][i] for i in range(n)]

def newton(C):
    X = [dense(x) for _, x in ROWS]
    Y = [y for y, _ in ROWS]
    n = NFEAT + 1
    w = [0.0] * n
    for it in range(100):
        g = w[:]
        H = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
        for x, y in zip(X, Y):
            z = y * sum(a * b for a, b in zip(w, x))
            s = 1.0 / (1.0 + math.exp(-z))
            for j in range(n):
                g[j] += C * (s - 1.0) * y * x[j]
            d = s * (1.0 - s)
            for i in range(n):
                for j in range(n):
                    H[i][j] += C * d * x[i] * x[j]
        gn = math.sqrt(sum(a * a for a in g))
        if gn < 1e-15:
            break
        step = solve(H, [-a for a in g])
        w = [a + b for a, b in zip(w, step)]
    f = 0.5 * sum(a * a for a in w)
    for x, y in zip(X, Y):
        z = y * sum(a * b for a, b in zip(w, x))
        f += C * math.log1p(math.exp(-z))
    return w, f, gn

for C in (1.0, 4.0):
    w, f, gn = newton(C)
    print("C = %r  f = %r  |g| = %.3g" % (C, f, gn))
    print("  { " + ", ".join(repr(a) for a in w) + " }")
