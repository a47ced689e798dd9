/**
 * What a request to a registry is, and what comes back: the shapes transport.ts sends and answers.
 */
import type { Logger } from '../../log.js'
import type { Access } from './challenge.js'
import type { Credentials } from './credentials.js'
import type { Deadline } from './deadline.js'
import type { HttpErrorContext } from './registry-errors.js'
import type { ProxySettings } from './proxy.js'

export type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE'

export interface RequestSpec {
  method: Method
  /** absolute URL, or a path (`/v2/...`) on the registry */
  url: string
  /** for `requestCount.byKind`: `manifest.get`, `blob.put`, … */
  kind: string
  headers?: Record<string, string>
  /** called once per attempt: retries and auth retries resend the body from the start */
  body?: () => Uint8Array | ReadableStream<Uint8Array> | string
  access: Access
  /** safe to send again after a failure or a retriable status */
  idempotent: boolean
  /** statuses that are answers, not errors (others throw a typed error) */
  ok: number[]
  /** read the body of an ok answer, at most this many bytes (else SIZE_EXCEEDED) */
  readBody?: number
  ctx: HttpErrorContext
  /** send no Authorization and do not answer challenges (the token endpoint itself) */
  noAuth?: boolean
  /**
   * Answers that are neither errors nor retried, beyond `ok` (the referrers API: a redirect to
   * another origin or an HTML page means "no API here"). Their body is read like an ok answer's.
   */
  answers?: (status: number, headers: Headers) => boolean
  /** `answer`: a redirect to another origin is returned as the reply instead of followed */
  crossOriginRedirects?: 'follow' | 'answer'
}

export interface Reply {
  status: number
  headers: Headers
  /** the URL that answered (after redirects) */
  url: string
  body: Uint8Array
}

export interface RequestCount {
  total: number
  byKind: Record<string, number>
}

export interface TransportOptions {
  registry: string
  /** host[:port] to talk to */
  endpoint: string
  repository: string
  /** `localhost:5000/app`, for messages */
  where: string
  insecureRegistries?: string[]
  timeoutMs?: number
  retries?: number
  /** base of the exponential backoff; tests shorten it */
  backoffBaseMs?: number
  logger?: Logger
  userAgent?: string
  credentials: () => Promise<Credentials | undefined>
  /** from HTTPS_PROXY / HTTP_PROXY / NO_PROXY (proxySettings); default: no proxy */
  proxy?: ProxySettings
  /** the command's deadline for retries and waits; default DEFAULT_DEADLINE_SECONDS from now */
  deadline?: Deadline
}
