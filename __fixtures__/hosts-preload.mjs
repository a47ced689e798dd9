// A process-local hosts entry: `node --import <this file>` resolves each name listed in
// OBM_TEST_HOSTS (comma separated) to 127.0.0.1, for this process only. It replaces dns.lookup,
// the resolver net.connect and tls.connect use (and with them undici), so the code under test
// connects by name exactly as it would to a real host, SNI and certificate checks included.
// Nothing else is touched: /etc/hosts stays as it is, other names resolve as usual.
import dns from 'node:dns'

const names = new Set(
  (process.env.OBM_TEST_HOSTS ?? '')
    .split(',')
    .map(s => s.trim().toLowerCase())
    .filter(Boolean)
)
const real = dns.lookup

export function lookup(hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options
    options = {}
  }
  if (typeof options === 'number') options = { family: options }
  if (!names.has(String(hostname).toLowerCase())) return real.call(dns, hostname, options, callback)
  if (options?.all) process.nextTick(callback, null, [{ address: '127.0.0.1', family: 4 }])
  else process.nextTick(callback, null, '127.0.0.1', 4)
}

if (names.size) dns.lookup = lookup
