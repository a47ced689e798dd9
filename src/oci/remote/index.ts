/**
 * A registry over HTTP(S) as a `Target`: the files beside this one each hold one concern
 * (transport, auth, credentials, manifests, blobs, referrers); this one only wires them.
 */
import { UsageError } from '../../errors.js'
import { silentLogger, type Logger } from '../../log.js'
import type { ImageRef } from '../reference.js'
import type { BlobSource, ListReferrersOptions, PushBlobOptions, PushManifestResult, ReferrersCapability, ReferrersListing, Target } from '../target.js'
import type { Descriptor, ManifestBlob } from '../types.js'
import { blobExists, fetchBlob, pushBlob } from './blobs.js'
import type { RepoContext } from './context.js'
import { maskCredentials, resolveCredentials, type Credentials } from './credentials.js'
import { Deadline } from './deadline.js'
import { proxySettings, type ProxySettings } from './proxy.js'
import { deleteManifest, fetchManifest, manifestExists, pushManifest } from './manifests.js'
import { listReferrers, pingReferrers, ReferrersState } from './referrers.js'
import { Transport, type RequestCount } from './transport.js'

export type { Credentials } from './credentials.js'
export type { RequestCount } from './transport.js'
export { MAX_REFERRERS_PAGES } from './referrers.js'

export interface RemoteOptions {
  /** from inputs; else resolveCredentials() is used */
  credentials?: Credentials
  /** hosts allowed over plain HTTP besides loopback (loopback → http by default) */
  insecureRegistries?: string[]
  /** per request, without progress (an idle timeout: large uploads may take longer in total); default 30000 */
  timeoutMs?: number
  /** default 4 */
  retries?: number
  /** base of the exponential backoff in ms (default 250); tests shorten it */
  backoffBaseMs?: number
  logger?: Logger
  /** for DOCKER_CONFIG / GITHUB_TOKEN / HOME (default process.env) */
  env?: NodeJS.ProcessEnv
  userAgent?: string
  /** proxies; default: read from `env` (HTTPS_PROXY, HTTP_PROXY, NO_PROXY in either case) */
  proxy?: ProxySettings
  /** the deadline of retries and waits; default DEFAULT_DEADLINE_SECONDS from construction */
  deadline?: Deadline
}

export class RemoteTarget implements Target {
  readonly ref: ImageRef
  readonly capabilities = { referrersIndexedBy: 'registry', deletesManifests: true } as const
  private readonly transport: Transport
  private readonly ctx: RepoContext
  private readonly referrers = new ReferrersState()

  constructor(ref: ImageRef, opts: RemoteOptions = {}) {
    if (ref.kind !== 'registry') throw new UsageError(`${ref.original} is an OCI layout, not a registry reference`)
    this.ref = ref
    const logger = opts.logger ?? silentLogger
    const env = opts.env ?? process.env
    const subject = `${ref.registry}/${ref.repository}`
    if (opts.credentials) maskCredentials(opts.credentials)
    const given = opts.credentials && { source: 'inputs username/password', ...opts.credentials }
    this.transport = new Transport({
      registry: ref.registry,
      endpoint: ref.endpoint,
      repository: ref.repository,
      subject,
      credentials: () => (given ? Promise.resolve(given) : resolveCredentials(ref.registry, env, logger)),
      logger,
      proxy: opts.proxy ?? proxySettings(env),
      deadline: opts.deadline ?? new Deadline(),
      ...(opts.insecureRegistries ? { insecureRegistries: opts.insecureRegistries } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
      ...(opts.backoffBaseMs !== undefined ? { backoffBaseMs: opts.backoffBaseMs } : {}),
      ...(opts.userAgent ? { userAgent: opts.userAgent } : {})
    })
    this.ctx = { ref, transport: this.transport, logger, subject }
  }

  describe(): string {
    return this.ctx.subject
  }

  restartDeadline(ms: number, label: string): void {
    this.transport.deadline.restart(ms, label)
  }

  /** HTTP requests made so far (retries, redirects and token requests included), by kind. */
  get requestCount(): RequestCount {
    return { total: this.transport.count.total, byKind: { ...this.transport.count.byKind } }
  }

  fetchManifest(reference: string | Descriptor): Promise<ManifestBlob> {
    return fetchManifest(this.ctx, reference)
  }

  manifestExists(digest: string): Promise<boolean> {
    return manifestExists(this.ctx, digest)
  }

  async pushManifest(bytes: Uint8Array, mediaType: string, tag?: string): Promise<PushManifestResult> {
    const result = await pushManifest(this.ctx, bytes, mediaType, tag)
    // a hint only (ECR has sent it without serving the API): reads still confirm with a ping
    if (result.subjectAccepted) this.referrers.note('supported', 'header')
    return result
  }

  deleteManifest(digest: string): Promise<void> {
    return deleteManifest(this.ctx, digest)
  }

  blobExists(digest: string): Promise<boolean> {
    return blobExists(this.ctx, digest)
  }

  fetchBlob(descriptor: Descriptor, maxBytes?: number): Promise<Uint8Array> {
    return fetchBlob(this.ctx, descriptor, maxBytes)
  }

  pushBlob(source: BlobSource, opts?: PushBlobOptions): Promise<Descriptor> {
    return pushBlob(this.ctx, source, opts)
  }

  /**
   * Record what is known about the referrers API. `source: 'header'` (default; a PUT answered
   * `OCI-Subject`) is a hint that a ping still confirms before reads trust it; `'ping'` is final.
   */
  noteReferrersCapability(c: ReferrersCapability, source: 'header' | 'ping' = 'header'): void {
    this.referrers.note(c, source)
  }

  referrersCapability(): Promise<ReferrersCapability> {
    return pingReferrers(this.ctx, this.referrers, this.ref.digest)
  }

  listReferrers(subject: Descriptor, opts?: ListReferrersOptions): Promise<ReferrersListing> {
    return listReferrers(this.ctx, this.referrers, subject, opts)
  }
}
