// Loaded with `node --require` into a measured child: at exit, write its peak RSS (KiB, from
// getrusage: the same figure as VmHWM in /proc/<pid>/status) to the file named by BENCH_RSS_OUT.
'use strict'
const out = process.env.BENCH_RSS_OUT
if (out) {
  process.on('exit', () => {
    try {
      require('node:fs').writeFileSync(out, String(process.resourceUsage().maxRSS))
    } catch {}
  })
}
