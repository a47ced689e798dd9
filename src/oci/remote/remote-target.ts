/**
 * A registry over HTTP(S) as a `Target`: the files beside this one each hold one concern
 * (transport, auth, credentials, manifests, blobs, referrers); this one only wires them.
 */
import { UsageError } from '../../errors.js'
import { silentLogger, type Logger } from '../../log.js'
import type { ImageRef } from '../reference.js'
import type {
  BlobSource,
  IndexedBy,
  ListReferrersOptions,
  PushBlobOptions,
  PushedReferrers,
  PushManifestResult,
  PushReferrersOptions,
  ReadOptions,
  ReferrerManifest,
  ReferrersListing,
  Target,
  TimeBudget
} from '../target.js'
import type { Descriptor, ManifestBlob } from '../types.js'
import { fetchBlob, pushBlob } from './blobs.js'
import type { RepoContext } from './repo-context.js'
import { maskCredentials, resolveCredentials, type Credentials } from './credentials.js'
import { Deadline } from './deadline.js'
import { ReferrerIndexing, type RegistryPort } from './indexing.js'
import { proxySettings, type ProxySettings } from './proxy.js'
import { deleteManifest, fetchManifest, manifestExists, pushManifest } from './manifests.js'
import { listReferrers, pingReferrers, ReferrersState } from './referrers-listing.js'
import { Transport, type RequestCount } from './transport.js'

export type { Credentials } from './credentials.js'
export type { RequestCount } from './transport.js'
export { MAX_REFERRERS_PAGES } from './referrers-listing.js'

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
  private readonly transport: Transport
  private readonly ctx: RepoContext
  private readonly referrers = new ReferrersState()
  private readonly indexing: ReferrerIndexing

  constructor(ref: ImageRef, opts: RemoteOptions = {}) {
    if (ref.kind !== 'registry') throw new UsageError(`${ref.original} is an OCI layout, not a registry reference`)
    this.ref = ref
    const logger = opts.logger ?? silentLogger
    const env = opts.env ?? process.env
    const where = `${ref.registry}/${ref.repository}`
    if (opts.credentials) maskCredentials(opts.credentials)
    const given = opts.credentials && { source: 'inputs username/password', ...opts.credentials }
    this.transport = new Transport({
      registry: ref.registry,
      endpoint: ref.endpoint,
      repository: ref.repository,
      where,
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
    this.ctx = { ref, transport: this.transport, logger, where }
    this.indexing = new ReferrerIndexing(logger)
  }

  /** The repository's context, with `deadline` for retries and waits when one is given. */
  private within(deadline: TimeBudget | undefined): RepoContext {
    return deadline ? { ...this.ctx, transport: this.transport.within(Deadline.of(deadline)) } : this.ctx
  }

  /**
   * What indexing uses, each call within `deadline` when one is given. Manifests are read and
   * referrers listed through this object's own methods, so a wrapper around it sees those calls.
   */
  private port(deadline: TimeBudget | undefined): RegistryPort {
    if (!deadline) return this
    const ctx = this.within(deadline)
    return {
      describe: () => this.describe(),
      fetchManifest: reference => this.fetchManifest(reference, { deadline }),
      manifestExists: digest => manifestExists(ctx, digest),
      pushManifest: (bytes, mediaType, tag) => pushManifest(ctx, bytes, mediaType, tag),
      listReferrers: (subject, opts) => this.listReferrers(subject, { ...opts, deadline })
    }
  }

  describe(): string {
    return this.ctx.where
  }

  /** HTTP requests made so far (retries, redirects and token requests included), by kind. */
  get requestCount(): RequestCount {
    return { total: this.transport.count.total, byKind: { ...this.transport.count.byKind } }
  }

  fetchManifest(reference: string | Descriptor, opts: ReadOptions = {}): Promise<ManifestBlob> {
    return fetchManifest(this.within(opts.deadline), reference)
  }

  manifestExists(digest: string): Promise<boolean> {
    return manifestExists(this.ctx, digest)
  }

  pushManifest(bytes: Uint8Array, mediaType: string, tag?: string): Promise<PushManifestResult> {
    return pushManifest(this.ctx, bytes, mediaType, tag)
  }

  /**
   * Push referrers and keep them findable: the referrers API where the registry serves it (its
   * `OCI-Subject` answer confirmed by a listing), else the referrers tag schema (src/oci/remote/indexing.ts).
   */
  pushReferrers(subject: Descriptor, manifests: ReferrerManifest[], opts: PushReferrersOptions = {}): Promise<PushedReferrers> {
    return this.indexing.push(this.port(opts.deadline), subject, manifests, opts)
  }

  /** Make manifests already stored findable as referrers of `subject`: listed in its referrers tag only where this registry needs the tag schema. */
  indexReferrers(subject: Descriptor, referrers: () => Promise<Descriptor[]>, opts: PushReferrersOptions = {}): Promise<IndexedBy> {
    return this.indexing.index(this.port(opts.deadline), subject, referrers, opts, () => pingReferrers(this.ctx, this.referrers, subject.digest))
  }

  deleteManifest(digest: string): Promise<void> {
    return deleteManifest(this.ctx, digest)
  }

  fetchBlob(descriptor: Descriptor, maxBytes?: number): Promise<Uint8Array> {
    return fetchBlob(this.ctx, descriptor, maxBytes)
  }

  pushBlob(source: BlobSource, opts?: PushBlobOptions): Promise<Descriptor> {
    return pushBlob(this.ctx, source, opts)
  }

  listReferrers(subject: Descriptor, opts: ListReferrersOptions = {}): Promise<ReferrersListing> {
    return listReferrers(this.within(opts.deadline), this.referrers, subject, opts)
  }
}
