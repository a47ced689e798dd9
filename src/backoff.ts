/**
 * The one backoff, the one sleep, the one poll-until-done loop and the one wait-for-all of the
 * project. Every retry loop (HTTP requests, upload sessions, the manifest/blob linking race, the
 * referrers tag writer, the layout lock, reads after writes) waits `backoffDelay` between tries.
 */

/** The longest step of the exponential backoff. */
export const MAX_BACKOFF_MS = 10_000
export const DEFAULT_BACKOFF_BASE_MS = 250

export interface BackoffOptions {
  /** the ceiling of the first wait; it doubles with every attempt */
  baseMs?: number
  /** the ceiling never grows past this */
  maxMs?: number
  random?: () => number
}

/**
 * Wait before retry number `attempt` (0-based): exponential, capped, with "equal jitter" (half the
 * ceiling fixed, half random: never zero, still spreads clients that failed together). AWS
 * Architecture Blog, "Exponential Backoff And Jitter".
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const { baseMs = DEFAULT_BACKOFF_BASE_MS, maxMs = MAX_BACKOFF_MS, random = Math.random } = opts
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt)
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/**
 * Run `attempt` until `done` says so or the next wait would pass `timeoutMs`; returns the last
 * result. Waits double from `firstMs` up to `maxMs`, without jitter: one reader polling what it
 * wrote itself has nobody to spread from.
 */
export async function retryWithin<T>(
  timeoutMs: number,
  attempt: (n: number) => Promise<T>,
  done: (t: T) => boolean,
  opts: { firstMs: number; maxMs: number; sleep?: (ms: number) => Promise<void>; now?: () => number; onRetry?: (t: T, n: number, delayMs: number) => void }
): Promise<T> {
  const wait = opts.sleep ?? sleep
  const now = opts.now ?? Date.now
  const deadline = now() + timeoutMs
  for (let n = 1; ; n++) {
    const t = await attempt(n)
    const delay = backoffDelay(n - 1, { baseMs: opts.firstMs, maxMs: opts.maxMs, random: () => 1 })
    if (done(t) || now() + delay > deadline) return t
    opts.onRetry?.(t, n, delay)
    await wait(delay)
  }
}

/**
 * Wait for every promise, then throw the first rejection in array order (not the first in time);
 * else their values in order. Nothing started is still running when the caller reports a failure.
 */
export async function allOrFirstError<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises)
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failure) throw failure.reason
  return settled.map(r => (r as PromiseFulfilledResult<T>).value)
}
