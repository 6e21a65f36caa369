#!/usr/bin/env python3
"""Independent checks of pas-synth output (standard library only).

  check.py valid DIM FILE...     every record valid per DESIGN.md / SPEC-PAS.md;
                                 prints "TYPE COUNT" lines
  check.py order FILE            ts never decreases
  check.py results WORLD ADS SEED   fake pas-score output: each request won by
                                 a random ad (its buyer's), 10% no winner
  check.py truth WORLD MODEL ADS OUTCOMES
                                 replays the signal updates of WORLD (the
                                 commands' semantics, written here again),
                                 computes pInstall of every outcome from the
                                 model file and the ads file, and compares it
                                 with the tool's p_install (1e-9 relative);
                                 prints "n installs clicks sum_p sum_p_var"
"""
import base64, binascii, json, math, re, sys

B64 = re.compile(r'^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$')

def die(msg, rec):
    sys.exit("check: %s: %s" % (msg, json.dumps(rec)[:300]))

def b64(s, maxlen, rec):
    if not isinstance(s, str) or not B64.match(s):
        die("not standard base64: %r" % s, rec)
    b = base64.b64decode(s, validate=True)
    if len(b) > maxlen:
        die("decodes to %d bytes (max %d)" % (len(b), maxlen), rec)
    return b

def check_update(u, rec):
    if not isinstance(u, dict) or not set(u) <= {"put", "put_if_not_present", "append", "remove", "update_encoder"}:
        die("bad update keys", rec)
    if len(json.dumps(u, separators=(",", ":"))) > 10240:
        die("update over 10240 bytes", rec)
    touched = []
    for cmd in ("put", "put_if_not_present"):
        for k, v in u.get(cmd, {}).items():
            touched.append(b64(k, 4, rec).ljust(4, b"\0")); b64(v, 100, rec)
    for k, v in u.get("append", {}).items():
        touched.append(b64(k, 4, rec).ljust(4, b"\0"))
        if not isinstance(v.get("max_signals"), int) or len(v["values"]) > v["max_signals"]:
            die("append values over max_signals", rec)
        for x in v["values"]:
            b64(x, 100, rec)
    for k in u.get("remove", []):
        touched.append(b64(k, 4, rec).ljust(4, b"\0"))
    if len(touched) != len(set(touched)):
        die("a key touched twice", rec)
    if "update_encoder" in u:
        e = u["update_encoder"]
        if e.get("action") != "REGISTER" or not isinstance(e.get("endpoint"), str):
            die("bad update_encoder", rec)

def need(rec, fields):
    for f in fields:
        if f not in rec:
            die("no field %s" % f, rec)

def valid(dim, files):
    counts = {}
    for fn in files:
        for line in open(fn):
            r = json.loads(line)
            if r.get("type") == "signals":
                t = "signals"
                need(r, ["ts", "device", "buyer", "app", "update"])
                if not isinstance(r["ts"], int): die("ts", r)
                check_update(r["update"], r)
            elif r.get("type") == "request":
                t = "request"
                need(r, ["id", "ts", "device", "channel", "plan", "buyers", "ctx", "buyer_signals"])
                need(r["ctx"], ["app", "lang", "geo", "os", "slot", "size", "floor"])
                for b in r["buyers"]:
                    if len(r["buyer_signals"][b]["context_embedding"]) != dim:
                        die("context_embedding size", r)
            elif r.get("type") == "two_tower":
                t = "model"
                if r["dim"] != dim or len(r["user"]) != dim: die("dim", r)
                for row in r["user"]:
                    if len(row) != len(r["features"]): die("row", r)
                need(r, ["context", "bias"])
            elif "ad_id" in r:
                t = "ad"
                need(r, ["buyer", "campaign", "advertiser", "category", "render_url", "targeting",
                         "budget", "value", "tags", "embedding"])
                if len(r["embedding"]) != dim: die("embedding", r)
                if not isinstance(r["budget"]["remaining"], (int, float)): die("budget", r)
                for k in r["targeting"]:
                    if k not in ("lang", "geo", "slot", "size") or not r["targeting"][k]: die("targeting", r)
            elif "material" in r:
                t = "taglog"
                need(r, ["ts", "channel", "plan", "tags", "attrs", "click"])
                need(r["attrs"], ["hour", "city", "browser", "os", "uid"])
                if not isinstance(r["click"], bool): die("click", r)
            else:
                die("unknown record", r)
            counts[t] = counts.get(t, 0) + 1
    for t in sorted(counts):
        print(t, counts[t])

def order(fn):
    last = None
    for i, line in enumerate(open(fn), 1):
        ts = json.loads(line)["ts"]
        if last is not None and ts < last:
            sys.exit("check: line %d: ts %d before %d" % (i, ts, last))
        last = ts
    print("ordered")

STATS = ("present", "count", "log_count", "recency", "fresh", "value", "log_value")

def key_of(name):
    k = name.rsplit(".", 1)[0]
    if len(k) == 10 and k.startswith("0x"):
        return binascii.unhexlify(k[2:])
    return k.encode().ljust(4, b"\0")

def num(v):
    return float(v) if re.fullmatch(rb"-?[0-9]+(\.[0-9]+)?", v) and len(v) <= 30 else 0.0

def feature(st, stat, ts):
    if st is None or st[0] == 0:
        return 0.0
    count, ctime, val = st
    h = (ts - ctime) // 3600 if ts > ctime else 0
    bucket = h.bit_length()
    v = num(val)
    return {"present": 1.0, "count": float(count), "log_count": math.log1p(count),
            "recency": bucket / 12, "fresh": (12 - min(bucket, 12)) / 12, "value": v,
            "log_value": math.copysign(math.log1p(abs(v)), v)}[stat]

def truth(world, model, ads, outcomes):
    m = json.load(open(model))
    ad = {}
    for line in open(ads):
        a = json.loads(line); ad[a["ad_id"]] = a
    specs = [(key_of(f), f.rsplit(".", 1)[1]) for f in m["features"]]
    store = {}      # (device, buyer, key) -> [count, ctime, value]
    x_at = {}       # (request id, buyer) -> x
    req = {}
    for line in open(world):
        r = json.loads(line)
        if r["type"] == "signals":
            u, ts = r["update"], r["ts"]
            dev, b = r["device"], r["buyer"]
            def k(s): return (dev, b, base64.b64decode(s).ljust(4, b"\0"))
            for kk, v in u.get("put", {}).items():
                store[k(kk)] = [1, ts, base64.b64decode(v)]
            for kk, v in u.get("put_if_not_present", {}).items():
                if store.get(k(kk), [0])[0] == 0:
                    store[k(kk)] = [1, ts, base64.b64decode(v)]
            for kk, v in u.get("append", {}).items():
                old = store.get(k(kk), [0])[0]
                store[k(kk)] = [min(old + len(v["values"]), v["max_signals"]), ts,
                                base64.b64decode(v["values"][-1])]
            for kk in u.get("remove", []):
                store.pop(k(kk), None)
        else:
            req[r["id"]] = r
            for b in r["buyers"]:
                x_at[(r["id"], b)] = [feature(store.get((r["device"], b, key)), stat, r["ts"])
                                      for key, stat in specs]
    n = inst = clk = 0
    sp = var = 0.0
    for line in open(outcomes):
        o = json.loads(line)
        r, b = req[o["id"]], o["buyer"]
        x = x_at[(o["id"], b)]
        u = [sum(w * xi for w, xi in zip(row, x)) for row in m["user"]]
        ctx = m.get("context", {})
        c = [0.0] * m["dim"]
        e = r.get("buyer_signals", {}).get(b, {}).get(ctx.get("embedding"))
        if e is not None:
            c = [ctx.get("scale", 1.0) * v for v in e]
        for f, tab in ctx.get("fields", {}).items():
            vec = tab.get(r["ctx"].get(f))
            if vec is not None:
                c = [ci + vi for ci, vi in zip(c, vec)]
        a = ad[o["ad_id"]]["embedding"]
        z = sum((ui + ci) * ai for ui, ci, ai in zip(u, c, a)) + m["bias"]
        p = 1 / (1 + math.exp(-z))
        if abs(p - o["p_install"]) > 1e-9 * p + 1e-15:
            sys.exit("check: %s: p_install %r, want %r" % (o["id"], o["p_install"], p))
        if o["install"] and not o["click"]:
            sys.exit("check: %s: an install without a click" % o["id"])
        n += 1; inst += o["install"]; clk += o["click"]; sp += p; var += p * (1 - p)
    print(n, inst, clk, sp, var)

def results(world, ads, seed):
    import random
    rnd = random.Random(int(seed))
    ad = [json.loads(l) for l in open(ads)]
    for line in open(world):
        r = json.loads(line)
        if r["type"] != "request":
            continue
        if rnd.random() < 0.1:
            r["auction"] = {"winner": None, "reason": "no_bids"}
        else:
            a = rnd.choice(ad)
            r["auction"] = {"winner": {"buyer": a["buyer"], "ad_id": a["ad_id"], "bid": 1.0,
                                       "price": 1.0, "score": 1.0}, "scored": 1}
        print(json.dumps(r, separators=(",", ":")))

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "valid":
        valid(int(sys.argv[2]), sys.argv[3:])
    elif cmd == "order":
        order(sys.argv[2])
    elif cmd == "results":
        results(*sys.argv[2:5])
    elif cmd == "truth":
        truth(*sys.argv[2:6])
