// Runs a seller's scoreAd() under node as a pas-score co-process:
//   pas-score --udf-exec 'node examples/score-ad.js SELLER.js' ...
// Each request line {"fn":"scoreAd","args":[...]} calls scoreAd with its six
// arguments; the return value goes back as one JSON line (null when scoreAd
// throws or returns nothing: pas-score counts that as a failed call).
const fs = require('fs'), vm = require('vm'), readline = require('readline');
vm.runInThisContext(fs.readFileSync(process.argv[2], 'utf8'));
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let ans = null;
  try {
    ans = scoreAd(...JSON.parse(line).args);
  } catch (err) {
    process.stderr.write('scoreAd: ' + err + '\n');
  }
  process.stdout.write(JSON.stringify(ans === undefined ? null : ans) + '\n');
});
