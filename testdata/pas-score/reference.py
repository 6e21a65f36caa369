"""A second, independent implementation of pas-score(1) for the tests:
the auction (rules, floor, budgets, first/second price, ties, reasons)
and the summary, written from the man page with the standard library.
usage: python3 reference.py [--second-price] [--blocked F] [--budgets F]
                            [--outcomes F] REQUESTS > expected.ndjson
Writes per request {"id":..,"winner":..,"price":..,"reason":..}, then the
summary rows as pas-score --summary writes them (as JSON)."""
import argparse
import json

ap = argparse.ArgumentParser()
ap.add_argument("--second-price", action="store_true")
ap.add_argument("--blocked")
ap.add_argument("--budgets")
ap.add_argument("--outcomes")
ap.add_argument("requests")
a = ap.parse_args()


def lines(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


advs, cats = set(), set()
if a.blocked:
    for r in lines(a.blocked):
        if r.get("advertiser"):
            advs.add(r["advertiser"])
        else:
            cats.add(r["category"].rstrip("/"))


def blocked(b):
    if b.get("advertiser") in advs:
        return True
    c = b.get("category")
    if c is None:
        return False
    parts = c.split("/")
    return any("/".join(parts[:i]) in cats for i in range(1, len(parts) + 1))


budget = None
if a.budgets:
    budget = {}
    for r in lines(a.budgets):
        rem = (r.get("budget") or {}).get("remaining")
        if rem is not None:
            budget[r["ad_id"]] = rem

outcome = {}
if a.outcomes:
    for o in lines(a.outcomes):
        outcome[o["id"]] = o


def pays(ad, price):
    if budget is None or ad not in budget:
        return True
    return budget[ad] >= price / 1000 * (1 - 1e-9)


rows = {}


def row(key):
    return rows.setdefault(key, {"bids": 0, "wins": 0, "impressions": 0,
                                 "clicks": 0, "installs": 0, "spend": 0.0})


def price_of(bid, floor, nxt):
    if not a.second_price:
        return bid
    if nxt is not None:
        return max(floor, nxt)
    return floor if floor > 0 else bid


for r in lines(a.requests):
    if r.get("type") != "request":
        continue
    floor = (r.get("ctx") or {}).get("floor") or 0
    valid = [b for b in (r.get("bids") or []) if b["bid"] > 0]
    for b in valid:
        for k in (("total",), ("buyer", b["buyer"])) + (
                (("campaign", b["buyer"], b["campaign"]),) if b.get("campaign") else ()):
            row(k)["bids"] += 1
    allowed = [b for b in valid if not blocked(b)]
    above = [b for b in allowed if b["bid"] >= floor]
    above.sort(key=lambda b: (-b["bid"], b["buyer"].encode(), b["ad_id"].encode()))
    winner, price, nxt = None, None, None
    for b in reversed(above):          # from the lowest up
        p = price_of(b["bid"], floor, nxt)
        if not pays(b["ad_id"], p):
            continue
        winner, price, nxt = b, p, b["bid"]
    if winner is None:
        reason = ("budget_exhausted" if above else "below_floor" if allowed
                  else "blocked" if valid else "no_bids")
        print(json.dumps({"id": r["id"], "winner": None, "price": None, "reason": reason}))
        continue
    if budget is not None and winner["ad_id"] in budget:
        budget[winner["ad_id"]] = max(0.0, budget[winner["ad_id"]] - price / 1000)
    print(json.dumps({"id": r["id"], "winner": winner["buyer"], "price": price, "reason": None}))
    o = outcome.get(r["id"])
    if o is not None and o["ad_id"] != winner["ad_id"]:
        o = None
    keys = [("total",), ("buyer", winner["buyer"])]
    if winner.get("campaign"):
        keys.append(("campaign", winner["buyer"], winner["campaign"]))
    for k in keys:
        x = row(k)
        x["wins"] += 1
        x["spend"] += price / 1000
        if not a.outcomes:
            x["impressions"] += 1
        elif o is not None:
            x["impressions"] += o["impression"]
            x["clicks"] += o["click"]
            x["installs"] += o["install"]


def ratio(x, y):
    return None if y == 0 else x / y


order = sorted(rows, key=lambda k: ({"total": 0, "buyer": 1, "campaign": 2}[k[0]],
                                    [s.encode() for s in k[1:]]))
for k in order:
    x = rows[k]
    out = {"type": k[0], "buyer": k[1] if len(k) > 1 else None,
           "campaign": k[2] if len(k) > 2 else None, "bids": x["bids"],
           "wins": x["wins"], "win_rate": ratio(x["wins"], x["bids"]),
           "impressions": x["impressions"], "spend": x["spend"],
           "cpm": ratio(1000 * x["spend"], x["impressions"])}
    if a.outcomes:
        out.update({"clicks": x["clicks"], "installs": x["installs"],
                    "ctr": ratio(x["clicks"], x["impressions"]),
                    "cvr": ratio(x["installs"], x["clicks"]),
                    "cpc": ratio(x["spend"], x["clicks"]),
                    "cpa": ratio(x["spend"], x["installs"])})
    print(json.dumps(out))
