/**
 * HTTP for one registry: scheme choice, proxies (proxy.ts, dispatcher.ts), idle timeouts, retries
 * with backoff inside the command's deadline (deadline.ts), manual redirects that never carry
 * `Authorization` to another origin, authorization, request counts.
 */
import { OciError } from '../../errors.js'
import { silentLogger, type Logger } from '../../log.js'
import { isRedirect, schemeFor } from './http-rules.js'
import { Authorizer, MAX_TOKEN_RESPONSE_BYTES, type RawRequest, type RawResponse } from './auth.js'
import { repositoryScope } from './challenge.js'
import { Deadline, formatSeconds } from './deadline.js'
export type { Reply, RequestCount, RequestSpec, TransportOptions } from './request.js'
import { discard, IdleTimer, readCapped, withProgress } from './bodies.js'
import { send, SendError, type Answer, type Body } from './dispatcher.js'
import { httpError, MAX_ERROR_BODY_BYTES, whereOf, withCause, type HttpErrorContext } from './registry-errors.js'
import { RegistryCheck } from './registry-check.js'
import { networkFailure } from './network-failures.js'
import type { Method, Reply, RequestCount, RequestSpec, TransportOptions } from './request.js'
import { sameOrigin } from './link.js'
import { NO_PROXY_SETTINGS, type ProxyServer, type ProxySettings } from './proxy.js'
import { backoffDelay, DEFAULT_BACKOFF_BASE_MS, sleep } from '../../backoff.js'
import { isRetriableStatus, parseRetryAfter } from './retry-policy.js'

export const DEFAULT_TIMEOUT_MS = 30_000
export const DEFAULT_RETRIES = 4
/** Blob storage redirects once or twice; a longer chain is a loop. */
export const MAX_REDIRECTS = 5
/** Waits this long or longer are a warning (the user sees why the job stands still); shorter ones are info. */
export const ANNOUNCE_WAIT_MS = 3000

/** One leg of a request: where, how, and whether the body still goes along (a 303 drops it). */
interface Hop {
  url: URL
  method: Method
  withBody: boolean
}

export class Transport {
  readonly origin: string
  readonly count: RequestCount = { total: 0, byKind: {} }
  readonly auth: Authorizer
  /** retries and waits stop here; a read-back uses its own (within) */
  readonly deadline: Deadline
  private readonly timeoutMs: number
  private readonly retries: number
  private readonly backoffBaseMs: number
  private readonly logger: Logger
  private readonly userAgent: string
  private readonly insecure: string[]
  private readonly proxy: ProxySettings
  /** is there an OCI registry at this origin at all? asked once, when a 404 looks like no registry sent it */
  private readonly registryCheck: RegistryCheck

  constructor(private readonly opts: TransportOptions) {
    this.insecure = opts.insecureRegistries ?? []
    this.origin = `${schemeFor(opts.endpoint, this.insecure)}://${opts.endpoint}`
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.retries = Math.max(0, opts.retries ?? DEFAULT_RETRIES)
    this.backoffBaseMs = opts.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS
    this.logger = opts.logger ?? silentLogger
    this.userAgent = opts.userAgent ?? 'oci-build-metadata'
    this.proxy = opts.proxy ?? NO_PROXY_SETTINGS
    this.deadline = opts.deadline ?? new Deadline()
    this.auth = new Authorizer(opts.registry, opts.where, opts.credentials, req => this.raw(req), this.logger)
    this.registryCheck = new RegistryCheck(spec => this.request(spec), this.origin, opts)
  }

  /**
   * This transport, with its connections, tokens and counts, whose retries and waits end at
   * `deadline` instead (a read-back's verify-timeout). Token requests keep the transport's own.
   */
  within(deadline: Deadline): Transport {
    const scoped = Object.create(this) as Transport
    Object.defineProperty(scoped, 'deadline', { value: deadline })
    return scoped
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
    throw new OciError(
      'INVALID_RESPONSE',
      `${whereOf(ctx)}: refusing to follow a redirect to ${url.protocol}//${url.host}, plain HTTP is only used for loopback and insecure registries`,
      { op: ctx.op, where: ctx.where, hint: `if ${url.host} may be reached over plain HTTP, list it in insecure-registries` }
    )
  }

  /**
   * Wait before another try, if the wait ends before the deadline; else the command gives up now
   * with `error`, saying how long the registry asked for and which deadline that would pass.
   */
  async wait(ms: number, why: string, error: OciError, tries: number, asked = false): Promise<void> {
    if (!this.deadline.allows(ms)) {
      const wanted = asked ? `the registry asked to wait ${formatSeconds(ms)} (Retry-After)` : `another try in ${formatSeconds(ms)}`
      throw withCause(error, `; gave up after ${tries} ${tries === 1 ? 'try' : 'tries'}: ${wanted} would pass ${this.deadline.describe()}`)
    }
    const text = `${why}; waiting ${formatSeconds(ms)} before trying again (${formatSeconds(this.deadline.remainingMs())} left of ${this.deadline.describe()})`
    if (ms >= ANNOUNCE_WAIT_MS) this.logger.warning(text)
    else this.logger.info(text)
    await sleep(ms)
  }

  /**
   * Send with retries. Ok statuses return a Reply (body read when `readBody`); other statuses
   * throw a typed OciError carrying the registry's error codes.
   */
  async request(spec: RequestSpec): Promise<Reply> {
    for (let attempt = 0; ; attempt++) {
      let error: OciError
      let retryAfterMs: number | undefined
      let why: string
      try {
        const reply = await this.attempt(spec)
        if (spec.ok.includes(reply.status) || spec.answers?.(reply.status, reply.headers)) return reply
        error = await this.statusError(spec, reply)
        if (!spec.idempotent || !isRetriableStatus(reply.status)) throw error
        retryAfterMs = parseRetryAfter(reply.headers.get('retry-after'))
        why =
          `${whereOf(spec.ctx)}: the registry answered ` +
          `${reply.status}${retryAfterMs !== undefined ? ` and asked to wait ${formatSeconds(retryAfterMs)} (Retry-After)` : ''}`
      } catch (e) {
        if (!(e instanceof AttemptNetworkError)) throw e
        const failure = networkFailure(spec.ctx, e.url, e.cause, e.timedOut, this.timeoutMs, e.proxy)
        if (!spec.idempotent || !failure.retriable) throw failure.error
        error = failure.error
        why = error.message
      }
      if (attempt >= this.retries) throw attempt === 0 ? error : withCause(error, `, after ${attempt + 1} tries`)
      await this.wait(
        retryAfterMs ?? backoffDelay(attempt, { baseMs: this.backoffBaseMs }),
        `${why} (try ${attempt + 1} of ${this.retries + 1})`,
        error,
        attempt + 1,
        retryAfterMs !== undefined
      )
    }
  }

  /** The error for a status that is not an answer; 401/403 say whether credentials were found, and where. */
  private async statusError(spec: RequestSpec, reply: Reply): Promise<OciError> {
    const notRegistry = reply.status === 404 && !spec.noAuth ? await this.registryCheck.explain404(spec.ctx, reply) : undefined
    if (notRegistry) return notRegistry
    if ((reply.status === 401 || reply.status === 403) && !spec.noAuth) {
      return httpError(spec.ctx, reply.status, reply.body, { auth: await this.auth.credentialState() })
    }
    return httpError(spec.ctx, reply.status, reply.body)
  }

  /** One exchange: redirects and one auth challenge answered by hand; no answer → AttemptNetworkError. */
  private async attempt(spec: RequestSpec): Promise<Reply> {
    const scopes = [repositoryScope(this.opts.repository, spec.access)]
    let hop: Hop = { url: new URL(spec.url, this.origin), method: spec.method, withBody: spec.body !== undefined }
    let authRetried = false
    let redirects = 0
    for (;;) {
      const ours = !spec.noAuth && sameOrigin(hop.url.toString(), this.origin)
      const { res, timer } = await this.sendOnce(spec, hop, ours ? scopes : undefined)
      try {
        if (res.status === 401 && ours && !authRetried) {
          await discard(res)
          authRetried = true
          if (await this.auth.onChallenge(res.headers.get('www-authenticate'), scopes)) continue
          return { status: 401, headers: res.headers, url: hop.url.toString(), body: new Uint8Array(0) }
        }
        const next = this.redirectOf(spec, res, hop)
        if (next === 'answer') {
          await discard(res)
          return { status: res.status, headers: res.headers, url: hop.url.toString(), body: new Uint8Array(0) }
        }
        if (next) {
          await discard(res)
          if (++redirects > MAX_REDIRECTS) {
            throw new OciError('INVALID_RESPONSE', `${whereOf(spec.ctx)}: more than ${MAX_REDIRECTS} redirects`, {
              op: spec.ctx.op,
              where: spec.ctx.where,
              hint: 'the registry (or a proxy before it) redirects in a loop; check its configuration'
            })
          }
          this.checkScheme(next.url, spec.ctx)
          hop = next
          continue
        }
        return await this.readReply(spec, res, timer, hop)
      } catch (e) {
        if (e instanceof OciError) throw e
        throw new AttemptNetworkError(e, timer.timedOut, hop.url, res.proxy)
      } finally {
        timer.clear()
      }
    }
  }

  /** Send one request; credentials only ever go to the registry's own origin (`scopes` given). */
  private async sendOnce(spec: RequestSpec, hop: Hop, scopes: string[] | undefined): Promise<{ res: Answer; timer: IdleTimer }> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, 'accept-encoding': 'identity', ...spec.headers }
    if (!hop.withBody) {
      delete headers['content-type']
      delete headers['content-length']
    }
    if (scopes) {
      const authorization = await this.auth.authorization(scopes, hop.url.toString())
      if (authorization) headers.authorization = authorization
    }
    const timer = new IdleTimer(this.timeoutMs)
    let res: Answer
    try {
      this.countOne(spec.kind)
      let body: Body | undefined = hop.withBody ? spec.body!() : undefined
      if (body instanceof ReadableStream) body = withProgress(body, timer)
      res = await send(hop.url, hop.method, headers, body, timer.controller.signal, this.proxy)
    } catch (e) {
      timer.clear()
      throw e instanceof SendError
        ? new AttemptNetworkError(e.cause, timer.timedOut, hop.url, e.proxy)
        : new AttemptNetworkError(e, timer.timedOut, hop.url, undefined)
    }
    // path only: upload locations carry session state in the query, and no header is ever logged
    const via = res.proxy ? ` (via ${res.proxy.display})` : ''
    this.logger.debug(`${hop.method} ${hop.url.protocol}//${hop.url.host}${hop.url.pathname} → ${res.status}${via}`)
    return { res, timer }
  }

  /** Where a redirect leads (undefined: not one; `answer`: a cross-origin one the caller wants to see). */
  private redirectOf(spec: RequestSpec, res: Answer, hop: Hop): Hop | 'answer' | undefined {
    const location = res.headers.get('location')
    if (!isRedirect(res.status) || !location) return undefined
    const url = new URL(location, hop.url)
    if (spec.crossOriginRedirects === 'answer' && !sameOrigin(url.toString(), hop.url.toString())) return 'answer'
    // 303, and 301/302 after a POST, turn into GET (RFC 9110 §15.4); 307/308 keep the method and body
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && hop.method === 'POST')) {
      return { url, method: hop.method === 'HEAD' ? 'HEAD' : 'GET', withBody: false }
    }
    return { url, method: hop.method, withBody: hop.withBody }
  }

  /** The answer: its body read up to `readBody` when it is one the caller takes, a little of it when not. */
  private async readReply(spec: RequestSpec, res: Answer, timer: IdleTimer, hop: Hop): Promise<Reply> {
    const isOk = spec.ok.includes(res.status) || spec.answers?.(res.status, res.headers) === true
    const max = isOk ? spec.readBody : MAX_ERROR_BODY_BYTES
    let body: Uint8Array = new Uint8Array(0)
    if (max !== undefined && hop.method !== 'HEAD') {
      body = await readCapped(res, max, timer, () =>
        isOk
          ? new OciError(
              'SIZE_EXCEEDED',
              `${spec.ctx.op} ${spec.ctx.preposition ?? 'from'} ${spec.ctx.where}: the answer is larger than the limit of ${max} bytes`,
              { op: spec.ctx.op, where: spec.ctx.where, status: res.status }
            )
          : new OciError('INVALID_RESPONSE', 'error body too large')
      ).catch(e => {
        if (e instanceof OciError && e.code === 'INVALID_RESPONSE' && !isOk) return new Uint8Array(0)
        throw e
      })
    } else await discard(res)
    return { status: res.status, headers: res.headers, url: hop.url.toString(), body }
  }

  /** Unauthorized request (the token endpoint): timeouts, retries on transient failures, counting. */
  async raw(req: RawRequest): Promise<RawResponse> {
    const u = new URL(req.url)
    this.checkScheme(u, { op: 'authenticate', where: this.opts.where, preposition: 'to', registry: this.opts.registry })
    const reply = await this.request({
      method: req.method,
      url: req.url,
      kind: 'token',
      headers: req.headers,
      ...(req.body !== undefined ? { body: () => req.body! } : {}),
      access: 'pull',
      idempotent: true,
      ok: [200, 400, 401, 403, 404],
      readBody: MAX_TOKEN_RESPONSE_BYTES,
      ctx: { op: 'authenticate', where: this.opts.where, registry: this.opts.registry, preposition: 'to' },
      noAuth: true
    })
    return { status: reply.status, headers: reply.headers, body: reply.body }
  }
}

/** Internal: an attempt that got no answer (connection refused/reset, TLS, proxy, timeout, body cut short). */
class AttemptNetworkError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly timedOut: boolean,
    readonly url: URL,
    readonly proxy: ProxyServer | undefined
  ) {
    super('network error')
  }
}
