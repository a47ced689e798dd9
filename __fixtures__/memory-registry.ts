/**
 * An in-memory registry for unit tests of what sits above the HTTP client (publishing, the
 * read-back, evidence collection): no network, and time is a virtual clock the test owns.
 *
 * It answers as the registries the integration suite meets do:
 * - a spec registry (`referrersApi`, default): `OCI-Subject` on every push of a manifest with a
 *   `subject`, and a referrers listing of every stored manifest that names the subject, each with
 *   its artifactType (else config.mediaType) and all its annotations;
 * - distribution (`referrersApi: false`): neither; a listing reads the referrers tag `sha256-<hex>`;
 * - ECR as it was (`referrersApi: false, subjectHeader: true`): `OCI-Subject` without the API.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-manifests-with-subject
 *
 * Manifests and blobs are kept byte for byte under the sha256 of their bytes; a miss is NOT_FOUND,
 * as the HTTP client reports a 404. Every call is recorded in order, with the virtual time.
 */
import { createHash } from 'node:crypto'
import { OciError } from '../src/errors.js'
import { ReferrerIndexing } from '../src/oci/remote/indexing.js'
import type { BlobSource, IndexedBy, PushManifestResult, PushReferrersOptions, ReferrerManifest, ReferrersListing, Target } from '../src/oci/target.js'
import type { Descriptor, ManifestBlob } from '../src/oci/types.js'
import { silentLogger, type Logger } from '../src/log.js'
import { parseReference } from '../src/oci/reference.js'

const INDEX = 'application/vnd.oci.image.index.v1+json'

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`

/** Virtual time: `sleep` moves the clock on at once, so waits cost nothing and are measurable. */
export class VirtualClock {
  t = 0
  now = (): number => this.t
  sleep = async (ms: number): Promise<void> => {
    this.t += Math.max(0, ms)
    await new Promise(r => setImmediate(r))
  }
}

export interface MemoryRegistryOptions {
  /** serve the referrers API (default true) */
  referrersApi?: boolean
  /** answer OCI-Subject to a push of a manifest with a subject (default: referrersApi) */
  subjectHeader?: boolean
  /** how long each manifest PUT takes, on the clock (default 0) */
  putMs?: number
  clock?: VirtualClock
}

export interface Call {
  /** `PUT manifest`, `PUT blob`, `GET manifest`, `GET blob`, `GET referrers`, `HEAD manifest` */
  op: string
  /** the digest or tag asked for */
  ref: string
  at: number
}

interface Stored {
  bytes: Uint8Array
  mediaType: string
  parsed: { subject?: { digest: string }; artifactType?: string; config?: { mediaType?: string }; annotations?: Record<string, string> }
}

export class MemoryRegistry {
  readonly clock: VirtualClock
  readonly manifests = new Map<string, Stored>()
  readonly tags = new Map<string, string>()
  readonly blobs = new Map<string, Uint8Array>()
  readonly calls: Call[] = []
  /** a push of this digest (manifest or blob) fails with the error, once, answered at once */
  readonly failures = new Map<string, Error>()
  /**
   * How many pushes of a referrer the registry's own index loses (as a registry whose index is a
   * racy read-modify-write does): stored, but not listed until a push after those.
   */
  readonly lose = new Map<string, number>()
  private readonly dropped = new Set<string>()
  /** manifests with a subject being pushed now, and the most at once so far */
  inFlight = 0
  maxInFlight = 0
  private readonly api: boolean
  private readonly subjectHeader: boolean
  private readonly putMs: number

  constructor(opts: MemoryRegistryOptions = {}) {
    this.api = opts.referrersApi ?? true
    this.subjectHeader = opts.subjectHeader ?? this.api
    this.putMs = opts.putMs ?? 0
    this.clock = opts.clock ?? new VirtualClock()
  }

  private record(op: string, ref: string): void {
    this.calls.push({ op, ref, at: this.clock.now() })
  }

  /** The calls of one kind, in order. */
  callsOf(op: string): Call[] {
    return this.calls.filter(c => c.op === op)
  }

  describe(): string {
    return 'memory.test/app'
  }

  /** Store bytes as they are, without a call being recorded (arranging a test). */
  put(bytes: Uint8Array, mediaType: string, tag?: string): Descriptor {
    const digest = sha256(bytes)
    this.manifests.set(digest, { bytes, mediaType, parsed: JSON.parse(new TextDecoder().decode(bytes)) })
    if (tag) this.tags.set(tag, digest)
    return { mediaType, digest, size: bytes.length }
  }

  putBlob(bytes: Uint8Array): string {
    const digest = sha256(bytes)
    this.blobs.set(digest, bytes)
    return digest
  }

  async fetchManifest(reference: string | Descriptor): Promise<ManifestBlob> {
    const ref = typeof reference === 'string' ? reference : reference.digest
    this.record('GET manifest', ref)
    await new Promise(r => setImmediate(r))
    const digest = ref.includes(':') ? ref : this.tags.get(ref)
    const m = digest ? this.manifests.get(digest) : undefined
    if (!digest || !m) throw new OciError('NOT_FOUND', `fetch manifest ${ref} from ${this.describe()}: not found`)
    return { descriptor: { mediaType: m.mediaType, digest, size: m.bytes.length }, bytes: m.bytes }
  }

  async manifestExists(digest: string): Promise<boolean> {
    this.record('HEAD manifest', digest)
    return this.manifests.has(digest)
  }

  async fetchBlob(descriptor: Descriptor, maxBytes?: number): Promise<Uint8Array> {
    this.record('GET blob', descriptor.digest)
    await new Promise(r => setImmediate(r))
    const b = this.blobs.get(descriptor.digest)
    if (!b) throw new OciError('NOT_FOUND', `fetch blob ${descriptor.digest} from ${this.describe()}: not found`)
    if (maxBytes !== undefined && b.length > maxBytes) throw new OciError('SIZE_EXCEEDED', `blob ${descriptor.digest} is over ${maxBytes} bytes`)
    return b
  }

  async pushBlob(source: BlobSource, opts: { mediaType?: string } = {}): Promise<Descriptor> {
    if (!('bytes' in source)) throw new Error('memory registry: blobs from files are not supported')
    const digest = sha256(source.bytes)
    this.record('PUT blob', digest)
    await new Promise(r => setImmediate(r))
    const failure = this.failures.get(digest)
    if (failure) {
      this.failures.delete(digest)
      throw failure
    }
    this.blobs.set(digest, source.bytes)
    return { mediaType: opts.mediaType ?? 'application/octet-stream', digest, size: source.bytes.length }
  }

  async pushManifest(bytes: Uint8Array, mediaType: string, tag?: string): Promise<PushManifestResult> {
    const digest = sha256(bytes)
    this.record('PUT manifest', tag ?? digest)
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as Stored['parsed']
    const referrer = parsed.subject !== undefined
    if (referrer) this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight)
    try {
      // a refused push is answered at once; a stored one takes putMs
      const failure = this.failures.get(digest)
      if (failure) {
        this.failures.delete(digest)
        throw failure
      }
      await this.clock.sleep(this.putMs)
      this.manifests.set(digest, { bytes, mediaType, parsed })
      const losses = this.lose.get(digest) ?? 0
      if (losses > 0) {
        this.lose.set(digest, losses - 1)
        this.dropped.add(digest)
      } else this.dropped.delete(digest)
      if (tag) this.tags.set(tag, digest)
      return { descriptor: { mediaType, digest, size: bytes.length }, subjectAccepted: referrer && this.subjectHeader }
    } finally {
      if (referrer) this.inFlight--
    }
  }

  async deleteManifest(digest: string): Promise<void> {
    this.record('DELETE manifest', digest)
    this.manifests.delete(digest)
  }

  /** The API's listing, or the referrers tag's index where there is no API (as the HTTP client reads them). */
  async listReferrers(subject: Descriptor, opts: { artifactType?: string } = {}): Promise<ReferrersListing> {
    this.record('GET referrers', subject.digest)
    await new Promise(r => setImmediate(r))
    let descriptors: Descriptor[]
    let via: ReferrersListing['via']
    if (this.api) {
      via = 'api'
      descriptors = []
      for (const [digest, m] of this.manifests) {
        if (m.parsed.subject?.digest !== subject.digest || this.dropped.has(digest)) continue
        const artifactType = m.parsed.artifactType ?? m.parsed.config?.mediaType
        descriptors.push({
          mediaType: m.mediaType,
          digest,
          size: m.bytes.length,
          ...(artifactType ? { artifactType } : {}),
          ...(m.parsed.annotations ? { annotations: { ...m.parsed.annotations } } : {})
        })
      }
    } else {
      via = 'tag-schema'
      descriptors = this.referrersTag(subject.digest)
    }
    if (opts.artifactType) descriptors = descriptors.filter(d => d.artifactType === opts.artifactType)
    return { descriptors, via, filtersApplied: false }
  }

  /** The entries of the index under the subject's referrers tag (none when there is no such tag). */
  referrersTag(subjectDigest: string): Descriptor[] {
    const digest = this.tags.get(`sha256-${subjectDigest.slice('sha256:'.length)}`)
    const m = digest ? this.manifests.get(digest) : undefined
    if (!m) return []
    return (JSON.parse(new TextDecoder().decode(m.bytes)) as { manifests: Descriptor[] }).manifests
  }

  /** Arrange the referrers tag of a subject as another tool left it. */
  putReferrersTag(subjectDigest: string, manifests: Descriptor[]): void {
    const bytes = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests }))
    this.put(bytes, INDEX, `sha256-${subjectDigest.slice('sha256:'.length)}`)
  }

  /**
   * This registry as a `Target`, with the remote target's own referrer indexing on top (what
   * RemoteTarget does over HTTP), on this registry's clock.
   */
  target(logger: Logger = silentLogger): Target {
    const indexing = new ReferrerIndexing(logger, { now: this.clock.now, sleep: this.clock.sleep, random: () => 0.5 })
    return {
      ref: parseReference('memory.test/app:latest'),
      describe: () => this.describe(),
      fetchManifest: r => this.fetchManifest(r),
      manifestExists: d => this.manifestExists(d),
      fetchBlob: (d, max) => this.fetchBlob(d, max),
      pushBlob: (s, o) => this.pushBlob(s, o),
      pushManifest: (b, mt, tag) => this.pushManifest(b, mt, tag),
      listReferrers: (s, o) => this.listReferrers(s, o),
      deleteManifest: d => this.deleteManifest(d),
      pushReferrers: (subject: Descriptor, manifests: ReferrerManifest[], opts?: PushReferrersOptions) => indexing.push(this, subject, manifests, opts),
      indexReferrers: (subject: Descriptor, referrers: () => Promise<Descriptor[]>, opts: PushReferrersOptions = {}): Promise<IndexedBy> =>
        indexing.index(this, subject, referrers, opts, async () => (this.api ? 'supported' : 'unsupported'))
    }
  }
}
