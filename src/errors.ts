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
  | 'TLS' // a certificate (or TLS handshake) problem: never retried
  | 'PROXY' // the proxy could not be reached or would not open a tunnel
  | 'TIMEOUT'
  | 'TOO_MANY_REQUESTS'
  | 'SERVER_ERROR'
  | 'CONFLICT'
  | 'VERIFICATION_FAILED'
  | 'NOT_A_REGISTRY' // the host answers, but no registry API is there: exit 3

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

/**
 * One line for a user, in one format: what failed, then `: `, the cause, then `. ` and what to do
 * (the hint), ending with a period. Never a stack trace.
 */
export function describeError(e: unknown): string {
  if (e instanceof OciError) return sentence(e.message, e.hint)
  if (e instanceof Error) return sentence(e.message || e.name)
  return sentence(String(e))
}

/** `message. Hint.`: whitespace collapsed, the hint capitalised, one final period. */
export function sentence(message: string, hint?: string): string {
  let line = message
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s.;:,]+$/, '')
  const h = hint
    ?.replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s.;:,]+$/, '')
  if (h && !line.includes(h)) line += `. ${h.charAt(0).toUpperCase()}${h.slice(1)}`
  return /[.!?]$/.test(line) ? line : `${line}.`
}

/** The exit codes of the contract (README, --help, the `exit-code` output). */
export const ExitCode = {
  /** done; verification or the gate passed */
  OK: 0,
  /** verification or the gate found something missing or wrong */
  FAILED: 1,
  /** bad usage or input, found before anything was written */
  USAGE: 2,
  /** the registry could not be read or written: network, TLS, proxy, refused credentials, throttled, unavailable */
  REGISTRY: 3
} as const

/** Failures that another try may not meet: the registry was unreachable, slow, throttling or failing. */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['NETWORK', 'TIMEOUT', 'TOO_MANY_REQUESTS', 'SERVER_ERROR'])

/** The one list of transient failures, for every retry loop that looks beyond HTTP statuses. */
export function isTransient(e: unknown): boolean {
  return e instanceof OciError && TRANSIENT.has(e.code)
}

/**
 * distribution refuses a manifest (400 MANIFEST_BLOB_UNKNOWN or DIGEST_INVALID) whose blob another
 * client is still uploading and linking: a moment later the same PUT succeeds.
 */
export function isBlobLinkRace(e: unknown): boolean {
  return e instanceof OciError && (e.hasRegistryCode('MANIFEST_BLOB_UNKNOWN') || e.hasRegistryCode('DIGEST_INVALID'))
}

/** Causes that say nothing about the image, only that the registry could not be asked. */
const UNAVAILABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'NETWORK',
  'TLS',
  'PROXY',
  'TIMEOUT',
  'TOO_MANY_REQUESTS',
  'SERVER_ERROR',
  'UNAUTHORIZED',
  'DENIED',
  'NOT_A_REGISTRY'
])

/**
 * True when the registry could not be read or written: it was not reached, refused the
 * credentials, throttled, failed, or refused a request (any HTTP error but 404). A gate that meets
 * one must say so (exit 3), never report what it could not look at as missing.
 */
export function isRegistryFailure(e: unknown): e is OciError {
  if (!(e instanceof OciError)) return false
  if (UNAVAILABLE.has(e.code)) return true
  return e.status !== undefined && e.status >= 400 && e.code !== 'NOT_FOUND' && e.code !== 'INVALID_INPUT'
}

/** Exit code of the contract for an error that ended the command. */
export function exitCodeFor(e: unknown): 1 | 2 | 3 {
  if (e instanceof OciError && (e.code === 'INVALID_INPUT' || e.code === 'INVALID_REFERENCE')) return ExitCode.USAGE
  if (isRegistryFailure(e)) return ExitCode.REGISTRY
  return ExitCode.FAILED
}
