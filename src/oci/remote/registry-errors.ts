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

/** What is known about the credentials a request carried, for the 401/403 messages. */
export interface CredentialState {
  /** credentials were found (inputs, config.json, GITHUB_TOKEN) */
  found: boolean
  /** where they came from: `inputs`, `config.json`, `GITHUB_TOKEN`, … */
  source?: string
}

function hintFor(code: ErrorCode, ctx: HttpErrorContext, auth?: CredentialState): string | undefined {
  switch (code) {
    case 'UNAUTHORIZED':
      if (auth?.found) return `check that they are current and meant for ${ctx.registry}, or give others with username and password`
      return `give username and password, or run docker login ${ctx.registry}`
    case 'DENIED':
      if (auth?.found && auth.source === 'GITHUB_TOKEN')
        return 'give the workflow packages: read (verify) or packages: write (attach) permission for this package'
      if (auth?.found) return 'check that these credentials may read (pull) or write (push) this repository'
      return `give username and password that may read (pull) or write (push) this repository, or run docker login ${ctx.registry}`
    case 'TOO_MANY_REQUESTS':
      return 'the registry rate-limits this client: authenticate, or retry later'
    case 'SERVER_ERROR':
      return 'the registry failed; retry later'
    case 'SIZE_EXCEEDED':
      return 'the registry refuses content of this size'
    case 'TIMEOUT':
      return 'the registry did not answer in time; retry later'
    case 'NOT_FOUND':
      return notFoundHint(ctx)
    case 'CONFLICT':
      return 'another writer changed it at the same moment; run again'
    case 'DIGEST_MISMATCH':
      return 'the registry computed another digest than the one sent; run again, and report it if it repeats'
    default:
      // UNSUPPORTED: 400, 405, 416, … — the registry will not take this request as it is
      return WRITES.test(ctx.op)
        ? 'check that the repository exists and accepts pushes from these credentials (some registries need it created first; mirrors are read-only)'
        : 'check that the image names a registry that serves the OCI distribution API (v2), and report it with the --debug output if it does'
  }
}

/** Operations that write: a refusal of one is about the repository's permissions or kind. */
const WRITES = /^(push|start upload|delete|mount)\b/

/** What to do about a 404: a missing tag or digest, repository, or blob. */
function notFoundHint(ctx: HttpErrorContext): string {
  if (/^(fetch|check) blob\b/.test(ctx.op)) return `the registry lost a blob that a manifest names; push the image to ${ctx.where} again`
  if (/^(fetch|check) manifest\b/.test(ctx.op)) return `check the tag or digest in image, and that the image was pushed to ${ctx.where}`
  return `check the repository ${ctx.where} in image, and that it exists on this registry`
}

/** The cause for 401/403, naming whether credentials were found and where they came from. */
function authCause(code: ErrorCode, status: number, registry: string, auth?: CredentialState): string | undefined {
  if (!auth || (code !== 'UNAUTHORIZED' && code !== 'DENIED')) return undefined
  if (!auth.found) return `${WHAT[code]} (${status}), and no credentials were found for ${registry}`
  const from = auth.source ? ` (from ${auth.source})` : ''
  if (code === 'UNAUTHORIZED') return `the registry refused the credentials given for ${registry}${from} (${status})`
  return `the registry denied access (${status}) to the credentials given for ${registry}${from}`
}

export interface HttpErrorContext {
  /** `push manifest`, `fetch blob sha256:…` */
  op: string
  /** `localhost:5000/app` */
  where: string
  /** the registry host, for the `docker login` hint */
  registry: string
  /** a preposition for the message: `to` for writes, `from` for reads */
  preposition?: 'to' | 'from' | 'in' | 'on' | 'of' | undefined
}

export function whereOf(ctx: HttpErrorContext): string {
  return `${ctx.op} ${ctx.preposition ?? 'in'} ${ctx.where}`
}

/** `(404 MANIFEST_UNKNOWN)`, `(400 MANIFEST_INVALID "manifest invalid: too big")`: the status and the registry's own words. */
function statusDetail(status: number, first: RegistryErrorEntry | undefined): string {
  if (!first) return `(${status})`
  const msg = first.message?.trim()
  const same = !msg || msg.toLowerCase() === first.code.toLowerCase().replace(/_/g, ' ')
  return `(${status} ${first.code}${same ? '' : ` "${msg.replace(/"/g, "'").slice(0, 200)}"`})`
}

/**
 * `push manifest v1 to localhost:5000/app: authentication required (401), and no credentials were
 * found for localhost:5000` with the hint `give username and password, or run docker login …`.
 */
export function httpError(
  ctx: HttpErrorContext,
  status: number,
  body?: Uint8Array,
  override?: { code?: ErrorCode; hint?: string; auth?: CredentialState }
): OciError {
  const registryErrors = parseRegistryErrors(body)
  const code = override?.code ?? codeForStatus(status, registryErrors)
  const first = registryErrors[0]
  const hint = override?.hint ?? hintFor(code, ctx, override?.auth)
  const cause = authCause(code, status, ctx.registry, override?.auth) ?? `${WHAT[code] ?? 'failed'} ${statusDetail(status, first)}`
  const message = `${whereOf(ctx)}: ${cause}`
  return new OciError(code, message, { op: ctx.op, where: ctx.where, status, registryErrors, ...(hint ? { hint } : {}) })
}

/**
 * The host answered, but not as a registry: `/v2/` is not there (a web server, a proxy's error page,
 * the wrong port). The registry could not be asked (exit 3), rather than "not found" (exit 1).
 */
export function notARegistry(ctx: HttpErrorContext, origin: string, pingStatus: number): OciError {
  return new OciError('NOT_A_REGISTRY', `${whereOf(ctx)}: ${origin} is not a registry (GET /v2/ answered ${pingStatus}, without the registry API header)`, {
    op: ctx.op,
    where: ctx.where,
    status: 404,
    hint: 'check the registry host and port in image (e.g. ghcr.io/owner/app:tag), and that no proxy or load balancer answers in its place'
  })
}

/** The same error with more said about its cause (the hint stays last, in describeError). */
export function withCause(error: OciError, more: string): OciError {
  return new OciError(error.code, `${error.message}${more}`, {
    ...(error.op !== undefined ? { op: error.op } : {}),
    ...(error.where !== undefined ? { where: error.where } : {}),
    ...(error.status !== undefined ? { status: error.status } : {}),
    registryErrors: error.registryErrors,
    ...(error.hint !== undefined ? { hint: error.hint } : {}),
    ...(error.cause !== undefined ? { cause: error.cause } : {})
  })
}
