/**
 * Test host names that resolve to 127.0.0.1 inside a process, never through /etc/hosts: a
 * subprocess gets them with `--import HOSTS_PRELOAD` and `OBM_TEST_HOSTS`; the test process itself
 * with `useTestHosts` (dns.lookup replaced for the listed names only, until the returned undo).
 * Names under `.test` (RFC 6761) can never be real hosts.
 */
import dns from 'node:dns'
import { join, resolve } from 'node:path'

export const HOSTS_PRELOAD = resolve(join('__fixtures__', 'hosts-preload.mjs'))

/** The node arguments and environment that make `names` resolve to 127.0.0.1 in a subprocess. */
export function hostsFor(names: string[]): { nodeArgs: string[]; env: Record<string, string> } {
  return { nodeArgs: ['--import', `file://${HOSTS_PRELOAD}`], env: { OBM_TEST_HOSTS: names.join(',') } }
}

/** Make `names` resolve to 127.0.0.1 in this process; returns the undo. */
export function useTestHosts(names: string[]): () => void {
  const set = new Set(names.map(n => n.toLowerCase()))
  const real = dns.lookup
  const fake = ((hostname: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (...a: unknown[]) => void
    const opts = (typeof options === 'function' ? {} : typeof options === 'number' ? { family: options } : (options ?? {})) as { all?: boolean }
    if (!set.has(String(hostname).toLowerCase())) return (real as (...a: unknown[]) => void).call(dns, hostname, opts, cb)
    if (opts.all) process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }])
    else process.nextTick(cb, null, '127.0.0.1', 4)
  }) as typeof dns.lookup
  dns.lookup = fake
  return () => {
    if (dns.lookup === fake) dns.lookup = real
  }
}
