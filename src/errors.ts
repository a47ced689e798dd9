/**
 * Typed errors. Callers branch on `code` (a sentinel) or on the class, never on message text.
 * Every message a user sees names the image, the operation and what to do.
 */

/** Sentinel causes, after oras-go's errdef package. */
export type ErrorCode =
  | 'INVALID_INPUT' // bad usage or input: exit 2
  | 'INVALID_REFERENCE'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'DIGEST_MISMATCH'
  | 'SIZE_EXCEEDED'
  | 'INVALID_RESPONSE'
  | 'UNSUPPORTED'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'TOO_MANY_REQUESTS'
  | 'SERVER_ERROR'
  | 'CONFLICT'
  | 'VERIFICATION_FAILED'

/** One entry of a registry error body: `{"errors":[{"code":"...","message":"...","detail":...}]}`. */
export interface RegistryErrorEntry {
  code: string
  message?: string
  detail?: unknown
}

export interface OciErrorOptions {
  /** what was being done, e.g. `push manifest` */
  op?: string
  /** the image or repository it was done to, as the user would recognise it */
  subject?: string
  /** HTTP status where one was received */
  status?: number
  /** the registry's own error codes, kept verbatim */
  registryErrors?: RegistryErrorEntry[]
  /** what the user should do about it */
  hint?: string
  cause?: unknown
}

export class OciError extends Error {
  readonly code: ErrorCode
  readonly op?: string
  readonly subject?: string
  readonly status?: number
  readonly registryErrors: RegistryErrorEntry[]
  readonly hint?: string

  constructor(code: ErrorCode, message: string, opts: OciErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'OciError'
    this.code = code
    this.op = opts.op
    this.subject = opts.subject
    this.status = opts.status
    this.registryErrors = opts.registryErrors ?? []
    this.hint = opts.hint
  }

  /** True when the registry answered with this error code (e.g. `MANIFEST_BLOB_UNKNOWN`). */
  hasRegistryCode(code: string): boolean {
    return this.registryErrors.some(e => e.code === code)
  }
}

/** Bad usage or input (exit code 2). Raised before any side effect. */
export class UsageError extends OciError {
  constructor(message: string, opts: OciErrorOptions = {}) {
    super('INVALID_INPUT', message, opts)
    this.name = 'UsageError'
  }
}

export function isOciError(e: unknown, code?: ErrorCode): e is OciError {
  return e instanceof OciError && (code === undefined || e.code === code)
}

/** One line for a user: the message, the hint when there is one. Never a stack trace. */
export function describeError(e: unknown): string {
  if (e instanceof OciError) {
    const parts = [e.message]
    if (e.hint && !e.message.includes(e.hint)) parts.push(e.hint)
    return parts.join(' ').replace(/\s+/g, ' ').trim()
  }
  if (e instanceof Error) return (e.message || e.name).replace(/\s+/g, ' ').trim()
  return String(e)
}

/** Exit code of the contract: 2 bad usage or input, 1 everything else that failed. */
export function exitCodeFor(e: unknown): 1 | 2 {
  if (e instanceof OciError && (e.code === 'INVALID_INPUT' || e.code === 'INVALID_REFERENCE')) return 2
  return 1
}
