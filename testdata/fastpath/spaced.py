#!/usr/bin/env python3
"""The same records with white space (jansson's path in the tools): a
space after every ',' and ':' outside strings, every other byte as it
was (escapes, number spellings, duplicate keys).  With --canon, every
line is rewritten in one canonical form instead, so that two outputs can
be compared by value: json.dumps of the parsed line, members in their
order; lines that are no JSON are kept as they are."""
import json
import sys


def spaced(line):
    out, in_str, esc = [], False, False
    for ch in line:
        out.append(ch)
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in ",:":
            out.append(" ")
    return "".join(out)


canon = len(sys.argv) > 1 and sys.argv[1] == "--canon"
for line in sys.stdin:
    line = line.rstrip("\n")
    if not canon:
        print(spaced(line))
        continue
    try:
        print(json.dumps(json.loads(line), ensure_ascii=False))
    except ValueError:
        print(line)
