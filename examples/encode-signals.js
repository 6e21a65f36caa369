// Runs an ad-tech's encodeSignals() under node as a pas-encode co-process:
//   pas-encode --udf-exec 'node examples/encode-signals.js ENCODER.js' ...
// Each request line {"signals":[{KEYHEX:[{val,time,app}]}],"maxSize":N} is
// turned into the Map the platform passes (Uint8Array keys and values), and
// the answer {status, results} goes back with results as hex, one line each.
const fs = require('fs'), vm = require('vm'), readline = require('readline');
vm.runInThisContext(fs.readFileSync(process.argv[2], 'utf8'));
const unhex = (h) => Uint8Array.from(h.match(/../g) || [], (b) => parseInt(b, 16));
const hex = (a) => Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const req = JSON.parse(line), signals = new Map();
  for (const group of req.signals)
    for (const k in group)
      signals.set(unhex(k), group[k].map((e) => ({ signal_value: unhex(e.val),
        creation_time: e.time, package_name: e.app.trim() })));
  let ans;
  try {
    const r = encodeSignals(signals, req.maxSize);
    ans = { status: r.status, results: r.status === 0 ? hex(r.results) : '' };
  } catch (err) {
    ans = { status: 1, results: '' };
  }
  process.stdout.write(JSON.stringify(ans) + '\n');
});
