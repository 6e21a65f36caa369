// An example encodeSignals(signals, maxSize) as an ad-tech would write it:
// byte 0 is 2 (this layout's version), then for each key in the order given
// (ascending key bytes): the 4 key bytes, the number of values (max 255),
// the length of the newest value (latest creation_time, the later one on a
// tie) and its bytes; keys that no longer fit in maxSize are left out.
function encodeSignals(signals, maxSize) {
  const out = [2];
  for (const [key, values] of signals) {
    let newest = values[0];
    for (const v of values)
      if (v.creation_time >= newest.creation_time) newest = v;
    const entry = [...key, Math.min(values.length, 255),
      newest.signal_value.length, ...newest.signal_value];
    if (out.length + entry.length > maxSize) break;
    out.push(...entry);
  }
  return { status: 0, results: new Uint8Array(out) };
}
