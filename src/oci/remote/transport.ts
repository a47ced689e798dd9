/**
 * HTTP for one registry: scheme choice, idle timeouts, bounded retries with backoff, manual
 * redirects that never carry `Authorization` to another origin, authorization, request counts.
 */
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { OciError } from '../../errors.js'
import { silentLogger, type Logger } from '../../log.js'
import { isLoopbackHost } from '../reference.js'
import { Authorizer, type RawRequest, type RawResponse } from './auth.js'
import { repositoryScope, type Access } from './challenge.js'
import type { Credentials } from './credentials.js'
import { httpError, MAX_ERROR_BODY_BYTES, networkError, type HttpErrorContext } from './errors.js'
import { sameOrigin } from './link.js'
import { backoffDelay, DEFAULT_BACKOFF_BASE_MS, isRetriableStatus, parseRetryAfter, sleep } from './retry.js'

export const DEFAULT_TIMEOUT_MS = 30_000
export const DEFAULT_RETRIES = 4
/** Blob storage redirects once or twice; a longer chain is a loop. */
export const MAX_REDIRECTS = 5

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
  /** token scopes beyond this repository's (e.g. the source of a cross-repository mount) */
  extraScopes?: string[]
  /** safe to send again after a failure or a retriable status */
  idempotent: boolean
  /** statuses that are answers, not errors (others throw a typed error) */
  ok: number[]
  /** read the body of an ok answer, at most this many bytes (else SIZE_EXCEEDED) */
  readBody?: number
  ctx: HttpErrorContext
  /** send no Authorization and do not answer challenges (the token endpoint itself) */
  noAuth?: boolean
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
  subject: string
  insecureRegistries?: string[]
  timeoutMs?: number
  retries?: number
  /** base of the exponential backoff; tests shorten it */
  backoffBaseMs?: number
  logger?: Logger
  userAgent?: string
  credentials: () => Promise<Credentials | undefined>
}

/** `http` for loopback and hosts the user listed as insecure; `https` for everything else. */
export function schemeFor(endpoint: string, insecure: string[] = []): 'http' | 'https' {
  if (isLoopbackHost(endpoint)) return 'http'
  const host = endpoint.replace(/:\d+$/, '')
  return insecure.some(h => h === endpoint || h === host) ? 'http' : 'https'
}

/** An abort signal that fires after `ms` without progress; `touch()` on each chunk. */
class IdleTimer {
  readonly controller = new AbortController()
  timedOut = false
  private timer: NodeJS.Timeout | undefined
  private cleared = false
  constructor(private readonly ms: number) {
    this.touch()
  }
  touch(): void {
    if (this.cleared) return // a stream pulled after its answer came must not start a timer that holds the process open
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timedOut = true
      this.controller.abort(new Error(`idle for ${this.ms} ms`))
    }, this.ms)
  }
  clear(): void {
    this.cleared = true
    if (this.timer) clearTimeout(this.timer)
  }
}

/** Wrap an upload stream so that each chunk sent counts as progress for the idle timer. */
function withProgress(stream: ReadableStream<Uint8Array>, timer: IdleTimer): ReadableStream<Uint8Array> {
  const reader = stream.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read()
      timer.touch()
      if (done) controller.close()
      else controller.enqueue(value)
    },
    cancel(reason) {
      return reader.cancel(reason)
    }
  })
}

/** Read at most `max` bytes; more → SIZE_EXCEEDED (the connection is cancelled, not drained). */
async function readCapped(res: Response, max: number, timer: IdleTimer, tooBig: () => OciError): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN)
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => {})
    throw tooBig()
  }
  if (!res.body) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = res.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    timer.touch()
    if (done) break
    total += value.length
    if (total > max) {
      await reader.cancel().catch(() => {})
      throw tooBig()
    }
    chunks.push(value)
  }
  const out = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => {})
}

export class Transport {
  readonly origin: string
  readonly count: RequestCount = { total: 0, byKind: {} }
  readonly auth: Authorizer
  private readonly timeoutMs: number
  private readonly retries: number
  private readonly backoffBaseMs: number
  private readonly logger: Logger
  private readonly userAgent: string
  private readonly insecure: string[]

  constructor(private readonly opts: TransportOptions) {
    this.insecure = opts.insecureRegistries ?? []
    this.origin = `${schemeFor(opts.endpoint, this.insecure)}://${opts.endpoint}`
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.retries = Math.max(0, opts.retries ?? DEFAULT_RETRIES)
    this.backoffBaseMs = opts.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS
    this.logger = opts.logger ?? silentLogger
    this.userAgent = opts.userAgent ?? 'oci-build-metadata'
    this.auth = new Authorizer(opts.registry, opts.subject, opts.credentials, req => this.raw(req), this.logger)
  }

  url(path: string): string {
    return new URL(path, this.origin).toString()
  }

  private countOne(kind: string): void {
    this.count.total++
    this.count.byKind[kind] = (this.count.byKind[kind] ?? 0) + 1
  }

  /** Redirects may not downgrade to plain HTTP except to loopback or a listed insecure host. */
  private checkScheme(url: URL, ctx: HttpErrorContext): void {
    if (url.protocol === 'https:') return
    if (url.protocol === 'http:' && schemeFor(url.host, this.insecure) === 'http') return
    throw new OciError('INVALID_RESPONSE', `${ctx.op} ${ctx.preposition ?? 'in'} ${ctx.subject}: refusing to follow a redirect to ${url.protocol}//${url.host}: plain HTTP is only used for loopback and insecure registries`, { op: ctx.op, subject: ctx.subject })
  }

  /**
   * Send with retries. Ok statuses return a Reply (body read when `readBody`); other statuses
   * throw a typed OciError carrying the registry's error codes.
   */
  async request(spec: RequestSpec): Promise<Reply> {
    let lastError: unknown
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      let retryAfterMs: number | undefined
      try {
        const reply = await this.attempt(spec)
        if (spec.ok.includes(reply.status)) return reply
        const error = httpError(spec.ctx, reply.status, reply.body)
        if (!spec.idempotent || !isRetriableStatus(reply.status) || attempt === this.retries) throw error
        lastError = error
        retryAfterMs = parseRetryAfter(reply.headers.get('retry-after'))
        this.logger.debug(`${spec.method} ${spec.kind}: ${reply.status}, retrying (${attempt + 1}/${this.retries})`)
      } catch (e) {
        if (!(e instanceof AttemptNetworkError)) throw e
        const error = networkError(spec.ctx, e.cause, e.timedOut, this.timeoutMs)
        if (!spec.idempotent || attempt === this.retries) throw error
        lastError = error
        this.logger.debug(`${spec.method} ${spec.kind}: ${error.code} (${(e.cause as Error)?.message}), retrying (${attempt + 1}/${this.retries})`)
      }
      await sleep(backoffDelay(attempt, retryAfterMs, this.backoffBaseMs))
    }
    throw lastError
  }

  /** One attempt: auth, redirects and an auth retry on 401; network failures → AttemptNetworkError. */
  private async attempt(spec: RequestSpec): Promise<Reply> {
    const scopes = [repositoryScope(this.opts.repository, spec.access), ...(spec.extraScopes ?? [])]
    let url = new URL(spec.url, this.origin)
    let method: Method = spec.method
    let withBody = spec.body !== undefined
    let authRetried = false
    let redirects = 0
    for (;;) {
      const ours = !spec.noAuth && sameOrigin(url.toString(), this.origin)
      const headers: Record<string, string> = { 'user-agent': this.userAgent, 'accept-encoding': 'identity', ...spec.headers }
      if (!withBody) {
        delete headers['content-type']
        delete headers['content-length']
      }
      // credentials only ever go to the registry's own origin (never to blob storage after a redirect)
      if (ours) {
        const authorization = await this.auth.authorization(scopes, url.toString())
        if (authorization) headers.authorization = authorization
      }
      const timer = new IdleTimer(this.timeoutMs)
      let res: Response
      try {
        this.countOne(spec.kind)
        let body: Uint8Array | ReadableStream<Uint8Array> | string | undefined = withBody ? spec.body!() : undefined
        if (body instanceof ReadableStream) body = withProgress(body, timer)
        res =
          body instanceof ReadableStream
            ? await sendStream(url, method, headers, body, timer.controller.signal)
            : await fetch(url, {
                method,
                headers,
                redirect: 'manual',
                signal: timer.controller.signal,
                ...(body !== undefined ? { body } : {})
              } as RequestInit)
      } catch (e) {
        timer.clear()
        throw new AttemptNetworkError(e, timer.timedOut)
      }
      // path only: upload locations carry session state in the query, and no header is ever logged
      this.logger.debug(`${method} ${url.protocol}//${url.host}${url.pathname} → ${res.status}`)
      try {
        if (res.status === 401 && ours && !authRetried) {
          await discard(res)
          authRetried = true
          if (await this.auth.onChallenge(res.headers.get('www-authenticate'), scopes)) continue
          return { status: 401, headers: res.headers, url: url.toString(), body: new Uint8Array(0) }
        }
        if ([301, 302, 303, 307, 308].includes(res.status) && res.headers.get('location')) {
          await discard(res)
          if (++redirects > MAX_REDIRECTS) {
            throw new OciError('INVALID_RESPONSE', `${spec.ctx.op} ${spec.ctx.preposition ?? 'in'} ${spec.ctx.subject}: more than ${MAX_REDIRECTS} redirects`, { op: spec.ctx.op, subject: spec.ctx.subject })
          }
          const next = new URL(res.headers.get('location')!, url)
          this.checkScheme(next, spec.ctx)
          // 303, and 301/302 after a POST, turn into GET (RFC 9110 §15.4); 307/308 keep the method and body
          if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
            if (method !== 'HEAD') method = 'GET'
            withBody = false
          }
          url = next
          continue
        }
        const isOk = spec.ok.includes(res.status)
        const max = isOk ? spec.readBody : MAX_ERROR_BODY_BYTES
        let body: Uint8Array = new Uint8Array(0)
        if (max !== undefined && method !== 'HEAD') {
          body = await readCapped(res, max, timer, () =>
            isOk
              ? new OciError('SIZE_EXCEEDED', `${spec.ctx.op} ${spec.ctx.preposition ?? 'from'} ${spec.ctx.subject}: the answer is larger than the limit of ${max} bytes`, { op: spec.ctx.op, subject: spec.ctx.subject, status: res.status })
              : new OciError('INVALID_RESPONSE', 'error body too large')
          ).catch(e => {
            if (e instanceof OciError && e.code === 'INVALID_RESPONSE' && !isOk) return new Uint8Array(0)
            throw e
          })
        } else await discard(res)
        return { status: res.status, headers: res.headers, url: url.toString(), body }
      } catch (e) {
        if (e instanceof OciError) throw e
        throw new AttemptNetworkError(e, timer.timedOut)
      } finally {
        timer.clear()
      }
    }
  }

  /** Unauthorized request (the token endpoint): timeouts, retries on transient failures, counting. */
  async raw(req: RawRequest): Promise<RawResponse> {
    const u = new URL(req.url)
    this.checkScheme(u, { op: 'authenticate', subject: this.opts.subject, preposition: 'to', registry: this.opts.registry })
    const reply = await this.request({
      method: req.method,
      url: req.url,
      kind: 'token',
      headers: req.headers,
      ...(req.body !== undefined ? { body: () => req.body! } : {}),
      access: 'pull',
      idempotent: true,
      ok: [200, 400, 401, 403, 404],
      readBody: 1024 * 1024,
      ctx: { op: 'authenticate', subject: this.opts.subject, registry: this.opts.registry, preposition: 'to' },
      noAuth: true
    })
    return { status: reply.status, headers: reply.headers, body: reply.body }
  }
}

/** Internal: an attempt that got no answer (connection refused/reset, timeout, body cut short). */
class AttemptNetworkError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly timedOut: boolean
  ) {
    super('network error')
  }
}

/**
 * A streamed request body over node:http(s): Node 20's fetch (undici) keeps every chunk of a streamed
 * request body in memory until the request ends (nodejs/undici#4058), so a 512 MiB upload would hold
 * 512 MiB. The answer comes back as a fetch Response so the caller is the same for both paths.
 */
async function sendStream(url: URL, method: string, headers: Record<string, string>, body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<Response> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise<Response>((resolve, reject) => {
    const req = send(url, { method, headers, signal }, res => {
      const h = new Headers()
      for (const [k, v] of Object.entries(res.headers)) {
        if (Array.isArray(v)) for (const x of v) h.append(k, x)
        else if (v !== undefined) h.set(k, v)
      }
      const status = res.statusCode ?? 0
      const nullBody = method === 'HEAD' || status === 204 || status === 205 || status === 304
      if (nullBody) res.resume()
      resolve(new Response(nullBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, headers: h }))
    })
    req.on('error', reject)
    pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>), req).catch(reject)
  })
}
