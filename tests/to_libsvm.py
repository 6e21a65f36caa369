#!/usr/bin/env python3
"""CSV -> LIBSVM files for liblinear-train, independent of adsig: every
column except the label and split columns is categorical, one-hot
"col=value" numbered 1, 2, ... in order of first appearance.

    to_libsvm.py CSV LABEL SPLIT TRAIN.svm TEST.svm
"""
import csv, sys

src, label, split, trainp, testp = sys.argv[1:6]
index = {}
with open(src, newline="") as f, open(trainp, "w") as tr, open(testp, "w") as te:
    r = csv.reader(f)
    hdr = next(r)
    li, si = hdr.index(label), hdr.index(split)
    cols = [i for i in range(len(hdr)) if i not in (li, si)]
    for row in r:
        ids = []
        for i in cols:
            k = hdr[i] + "=" + row[i]
            if k not in index:
                index[k] = len(index) + 1
            ids.append(index[k])
        ids.sort()
        y = "+1" if float(row[li]) > 0 else "-1"
        (te if row[si] == "test" else tr).write(
            y + " " + " ".join("%d:1" % j for j in ids) + "\n")
