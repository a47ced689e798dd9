/**
 * Registry answers → typed errors. The registry's own codes are kept verbatim; the message names
 * the operation, the repository and what to do.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#error-codes
 */
import { OciError, type ErrorCode, type RegistryErrorEntry } from '../../errors.js'

/** Error bodies are small; a larger one is not an error body (an HTML page, a proxy's dump). */
export const MAX_ERROR_BODY_BYTES = 64 * 1024

/** `{"errors":[{"code":"...","message":"...","detail":...}]}`; anything else → []. */
export function parseRegistryErrors(body: Uint8Array | string | undefined): RegistryErrorEntry[] {
  if (!body || body.length === 0) return []
  let json: unknown
  try {
    json = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body))
  } catch {
    return []
  }
  const errors = (json as { errors?: unknown })?.errors
  if (!Array.isArray(errors)) return []
  const out: RegistryErrorEntry[] = []
  for (const e of errors) {
    if (!e || typeof e !== 'object' || typeof (e as { code?: unknown }).code !== 'string') continue
    const { code, message, detail } = e as { code: string; message?: unknown; detail?: unknown }
    out.push({ code, ...(typeof message === 'string' ? { message } : {}), ...(detail !== undefined ? { detail } : {}) })
  }
  return out
}

const SIZE_CODES = new Set(['SIZE_INVALID', 'MANIFEST_TOO_BIG', 'BLOB_TOO_BIG'])

/** The sentinel for an HTTP status, refined by the registry's codes where the status is ambiguous. */
export function codeForStatus(status: number, registryErrors: RegistryErrorEntry[] = []): ErrorCode {
  const codes = registryErrors.map(e => e.code)
  if (status === 401) return 'UNAUTHORIZED'
  if (status === 403) return 'DENIED'
  if (status === 404) return 'NOT_FOUND'
  if (status === 409) return 'CONFLICT'
  if (status === 413) return 'SIZE_EXCEEDED'
  if (status === 429) return 'TOO_MANY_REQUESTS'
  if (status === 408) return 'TIMEOUT'
  if (status >= 500) return 'SERVER_ERROR'
  if (codes.some(c => SIZE_CODES.has(c))) return 'SIZE_EXCEEDED'
  if (codes.includes('DIGEST_INVALID')) return 'DIGEST_MISMATCH'
  if (codes.includes('UNAUTHORIZED')) return 'UNAUTHORIZED'
  if (codes.includes('DENIED')) return 'DENIED'
  if (codes.includes('TOOMANYREQUESTS')) return 'TOO_MANY_REQUESTS'
  if (codes.some(c => c.endsWith('_UNKNOWN'))) return 'NOT_FOUND'
  // 400 MANIFEST_INVALID, 405 UNSUPPORTED, 416 …: the registry will not take this request as it is
  return 'UNSUPPORTED'
}

const WHAT: Partial<Record<ErrorCode, string>> = {
  UNAUTHORIZED: 'authentication required',
  DENIED: 'access denied',
  NOT_FOUND: 'not found',
  CONFLICT: 'conflict',
  SIZE_EXCEEDED: 'too large',
  TOO_MANY_REQUESTS: 'rate limited',
  TIMEOUT: 'request timed out',
  SERVER_ERROR: 'registry error',
  DIGEST_MISMATCH: 'digest rejected',
  UNSUPPORTED: 'request refused'
}

function hintFor(code: ErrorCode, registry: string): string | undefined {
  switch (code) {
    case 'UNAUTHORIZED':
      return `set username/password or run docker login ${registry}`
    case 'DENIED':
      return 'check that the credentials may read (pull) or write (push) this repository'
    case 'TOO_MANY_REQUESTS':
      return 'the registry rate-limits this client: authenticate or retry later'
    case 'SERVER_ERROR':
      return 'the registry failed; retry later'
    case 'SIZE_EXCEEDED':
      return 'the registry refuses content of this size'
    case 'TIMEOUT':
      return 'the registry did not answer in time; retry later or raise the timeout'
    default:
      return undefined
  }
}

export interface HttpErrorContext {
  /** `push manifest`, `fetch blob sha256:…` */
  op: string
  /** `localhost:5000/app` */
  subject: string
  /** the registry host, for the `docker login` hint */
  registry: string
  /** a preposition for the message: `to` for writes, `from` for reads */
  preposition?: 'to' | 'from' | 'in' | 'on' | 'of'
}

/** `push manifest to localhost:5000/app: authentication required (401): set username/password or run docker login`. */
export function httpError(ctx: HttpErrorContext, status: number, body?: Uint8Array, override?: { code?: ErrorCode; hint?: string }): OciError {
  const registryErrors = parseRegistryErrors(body)
  const code = override?.code ?? codeForStatus(status, registryErrors)
  const first = registryErrors[0]
  const detail = first ? `: ${first.code}${first.message ? ` ${first.message}` : ''}` : ''
  const hint = override?.hint ?? hintFor(code, ctx.registry)
  const where = `${ctx.op} ${ctx.preposition ?? 'in'} ${ctx.subject}`
  const message = `${where}: ${WHAT[code] ?? 'failed'} (${status})${detail}${hint ? `: ${hint}` : ''}`
  return new OciError(code, message, { op: ctx.op, subject: ctx.subject, status, registryErrors, ...(hint ? { hint } : {}) })
}

/** A connection that failed or timed out before an answer. */
export function networkError(ctx: HttpErrorContext, cause: unknown, timedOut: boolean, timeoutMs: number): OciError {
  const where = `${ctx.op} ${ctx.preposition ?? 'in'} ${ctx.subject}`
  if (timedOut) {
    const hint = 'the registry did not answer in time; retry later or raise the timeout'
    return new OciError('TIMEOUT', `${where}: no answer within ${timeoutMs} ms: ${hint}`, { op: ctx.op, subject: ctx.subject, hint, cause })
  }
  const reason = describeCause(cause)
  const hint = `check that ${ctx.registry} is reachable`
  return new OciError('NETWORK', `${where}: network error (${reason}): ${hint}`, { op: ctx.op, subject: ctx.subject, hint, cause })
}

function describeCause(e: unknown): string {
  const parts: string[] = []
  let cur: unknown = e
  for (let depth = 0; cur && depth < 4; depth++) {
    const err = cur as { code?: string; message?: string; cause?: unknown }
    const text = err.code ? `${err.code}` : err.message
    if (text && !parts.includes(text)) parts.push(text)
    cur = err.cause
  }
  return parts.join(': ') || 'connection failed'
}
