/**
 * Retry policy: which answers are worth another try, and how long to wait.
 * https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3 (Retry-After: delay-seconds or HTTP-date)
 */

/** 408 Request Timeout, 429 Too Many Requests and the transient 5xx answers. */
export const RETRIABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

export function isRetriableStatus(status: number): boolean {
  return RETRIABLE_STATUSES.has(status)
}

/**
 * `Retry-After` in milliseconds: delay-seconds or an HTTP-date, as asked (not capped: whether the
 * wait fits is the command's deadline's decision, see deadline.ts). Undefined when absent or
 * unparseable (then the exponential backoff applies).
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined
  const v = value.trim()
  if (!v) return undefined
  if (/^\d+$/.test(v)) return Number(v) * 1000
  if (/^\d+\.\d+$/.test(v)) return Math.ceil(Number(v) * 1000) // lenient: fractional seconds
  // an HTTP-date names its day and month; anything else (`-1`, `soon`) is not one
  if (!/[A-Za-z]{3}/.test(v)) return undefined
  const at = Date.parse(v)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - now)
}
