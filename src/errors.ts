/**
 * Typed errors. Callers branch on `code` (a sentinel) or on the class, never on message text.
 * Every message a user sees names the image, the operation and what to do.
 */
import { VERSION } from './version.js'

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
  /** the repository or layout it was done to, as the user would recognise it (`localhost:5000/app`, `oci:dir`); not an OCI subject */
  where?: string
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
  readonly op?: string | undefined
  readonly where?: string | undefined
  readonly status?: number | undefined
  readonly registryErrors: RegistryErrorEntry[]
  readonly hint?: string | undefined

  constructor(code: ErrorCode, message: string, opts: OciErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'OciError'
    this.code = code
    this.op = opts.op
    this.where = opts.where
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
  /** each problem on its own, when there are several (the message joins them): the action gives each its own ::error:: */
  readonly problems: string[]

  constructor(message: string, opts: OciErrorOptions & { problems?: string[] } = {}) {
    super('INVALID_INPUT', message, opts)
    this.name = 'UsageError'
    this.problems = opts.problems ?? [message]
  }

  /**
   * Several problems found at once, in one error: its message is one line, the problems joined by
   * `; ` (a script reads one `error` output, the CLI prints one `error:` line), and `problems`
   * keeps them apart.
   */
  static of(problems: string[]): UsageError {
    return new UsageError(problems.join('; '), { problems: [...problems] })
  }
}

/** Where a bug is reported; the README uses the same placeholder until the repository is published. */
export const ISSUES_URL = 'https://github.com/<owner>/oci-build-metadata/issues'

/**
 * A bug: an invariant of this tool broken (`registry stored another digest than the one pushed`).
 * Exit code 4, with a line that asks for a bug report, never exit 1 ("something is missing").
 * Errors nothing classified (a TypeError from wrong code) are treated alike (see isBug).
 */
export class InternalError extends Error {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'InternalError'
  }
}

/**
 * A Node.js system error (ENOENT, EACCES, ENOSPC, …): the machine refused something, which is no
 * bug of ours. It carries `syscall` and a string `code`.
 * https://nodejs.org/api/errors.html#class-systemerror
 */
function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  // by shape, not instanceof: an error from another realm (a vm context, a worker) is one too
  const s = e as NodeJS.ErrnoException | null
  return typeof s === 'object' && s !== null && typeof s.code === 'string' && typeof s.syscall === 'string'
}

/**
 * True for an error that no code path classified: an InternalError, a TypeError or RangeError from
 * code that is wrong, anything thrown that is not an OciError or a system error. A catch that turns
 * failures into a verdict ("missing", "could not be read") rethrows these: a bug is not a finding.
 */
export function isBug(e: unknown): boolean {
  return !(e instanceof OciError) && !isSystemError(e)
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
  if (isBug(e)) return bugLine(e)
  return sentence((e as Error).message || (e as Error).name)
}

/** describeError without its final period, for a line that goes on (`problem; problem`). */
export function describeClause(e: unknown): string {
  return describeError(e).replace(/\.$/, '')
}

/**
 * The one line for a bug: what broke (the error's class and message, which name no secret: they
 * come from this tool's code, and every line is redacted before it is printed), and a request for
 * a bug report. The stack goes to the debug log only (src/cli-main.ts, src/action.ts).
 */
function bugLine(e: unknown): string {
  const err = e as Error | null
  const what =
    typeof err === 'object' && err !== null && typeof err.message === 'string'
      ? `${err.name}: ${err.message || '(no message)'}`
      : `thrown ${typeof e}: ${String(e)}`
  return sentence(
    `internal error in oci-build-metadata ${VERSION} (${what})`,
    `this is a bug, not a problem with the image or the inputs: please report it at ${ISSUES_URL} with this line and the command that ran ` +
      '(--debug, or step debug logging in GitHub Actions, adds where it failed)'
  )
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
  REGISTRY: 3,
  /** a bug in this tool (InternalError, or an error nothing classified): the line asks for a bug report */
  INTERNAL: 4
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
export function exitCodeFor(e: unknown): 1 | 2 | 3 | 4 {
  if (e instanceof OciError && (e.code === 'INVALID_INPUT' || e.code === 'INVALID_REFERENCE')) return ExitCode.USAGE
  if (isRegistryFailure(e)) return ExitCode.REGISTRY
  if (isBug(e)) return ExitCode.INTERNAL
  return ExitCode.FAILED
}
