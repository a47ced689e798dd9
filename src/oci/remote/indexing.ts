/**
 * Keeping pushed referrers findable on a registry (oras-go's `pushWithIndexing`, regclient's
 * `referrerPut`): through the referrers API where the registry serves it, else through the
 * referrers tag schema, which this client keeps with the never-lose protocol of src/oci/tag-schema/writer.ts.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-manifests-with-subject
 *
 * - A registry that answers a push with `OCI-Subject` says it indexes referrers itself. Some do that
 *   with a read-modify-write inside the registry that loses manifests of one subject pushed at once
 *   (one spec-faithful registry measured here lost 10 of 240 with 6 at once): there the rest of the
 *   pushes go one after another. Elsewhere (the tag schema, where we index) they go at once.
 * - `OCI-Subject` has been sent by registries that do not serve the API (ECR did): a listing
 *   confirms, and is handed back, so the read-back reuses it and an honest registry pays no extra
 *   request. A listing that shows no API means the tag schema after all.
 * - Confirm late enough. Another writer's read-modify-write that read the registry's index before
 *   our manifest landed and writes it back after drops ours; a listing taken between the two would
 *   confirm an entry that is lost a moment later. Such a registry updates its index inside the PUT,
 *   before it answers, so a read-modify-write takes at most about as long as a PUT: a listing that
 *   starts CONFIRM_FACTOR times the slowest PUT we saw after our last push comes after every
 *   read-modify-write that overlapped it (PushTiming). On an honest registry this costs a few
 *   milliseconds of waiting and no request. The bound rests on the other writers'
 *   read-modify-writes being no slower than our PUTs. What a registry drops all the same is pushed
 *   again by the read-back (src/attach/repair.ts), through this same path.
 */
import { InternalError } from '../../errors.js'
import type { Logger } from '../../log.js'
import { allOrFirstError, sleep as defaultSleep } from '../../backoff.js'
import { writeTagSchemaIndex, type TagSchemaStore } from '../tag-schema/writer.js'
import type {
  IndexedBy,
  PushedReferrers,
  PushManifestResult,
  PushReferrersOptions,
  ReferrerLister,
  ReferrerManifest,
  ReferrersCapability,
  ReferrersListing
} from '../target.js'
import type { Descriptor } from '../types.js'

/** A listing that confirms pushes starts this many times the slowest PUT after the last push. */
export const CONFIRM_FACTOR = 2
/** Upper bound of that wait (a registry that once took long to answer a PUT). */
export const MAX_CONFIRM_WAIT_MS = 5000

/** What indexing needs of a registry: its manifests, its referrers listing, a name for messages. */
export type RegistryPort = TagSchemaStore & ReferrerLister

/** When the manifest pushes to one subject ended, and how long the slowest took. */
export class PushTiming {
  private slowestMs = 0
  private endedAt: number

  constructor(private readonly now: () => number = Date.now) {
    this.endedAt = now()
  }

  /** Run one push, timed. */
  async time<T>(push: () => Promise<T>): Promise<T> {
    const started = this.now()
    const out = await push()
    const ended = this.now()
    this.slowestMs = Math.max(this.slowestMs, ended - started)
    this.endedAt = Math.max(this.endedAt, ended)
    return out
  }

  /** How long to wait before a read that may confirm what was pushed (0 when that time has passed). */
  confirmDelay(): number {
    return Math.max(0, this.endedAt + Math.min(MAX_CONFIRM_WAIT_MS, CONFIRM_FACTOR * this.slowestMs) - this.now())
  }
}

/** Time, for tests: a virtual clock instead of the real one. */
export interface IndexingClock {
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

/**
 * Push the manifests (all with one subject): the first alone; after an `OCI-Subject` answer the rest
 * one after another, else at once. On a failure every started push is waited for, then the first
 * error is thrown.
 */
async function pushInOrder(reg: RegistryPort, manifests: ReferrerManifest[], timing: PushTiming): Promise<PushManifestResult[]> {
  const pushOne = async (m: ReferrerManifest): Promise<PushManifestResult> => {
    const r = await timing.time(() => reg.pushManifest(m.bytes, m.descriptor.mediaType))
    if (r.descriptor.digest !== m.descriptor.digest) throw new InternalError(`pushManifest stored ${r.descriptor.digest} for ${m.descriptor.digest}`)
    return r
  }
  const [head, ...rest] = manifests
  if (!head) return []
  const first = await pushOne(head)
  if (first.subjectAccepted) {
    const results = [first]
    for (const m of rest) results.push(await pushOne(m))
    return results
  }
  return [first, ...(await allOrFirstError(rest.map(pushOne)))]
}

/** One registry's referrer indexing: what its pushes showed, and when the pushes to each subject ended. */
export class ReferrerIndexing {
  private readonly timings = new Map<string, PushTiming>()
  /** how the referrers pushed last were indexed: the API, or the tag schema we keep */
  private indexedBy: Exclude<IndexedBy, 'layout'> | undefined
  private readonly now: () => number
  private readonly sleep: (ms: number) => Promise<void>

  constructor(
    private readonly logger: Logger,
    private readonly clock: IndexingClock = {}
  ) {
    this.now = clock.now ?? Date.now
    this.sleep = clock.sleep ?? defaultSleep
  }

  /** Pushes to one subject share a timing: a re-push waits out the overlaps of the first pushes too. */
  private timingOf(subject: Descriptor): PushTiming {
    const known = this.timings.get(subject.digest)
    if (known) return known
    const t = new PushTiming(this.now)
    this.timings.set(subject.digest, t)
    return t
  }

  private found(by: Exclude<IndexedBy, 'layout'>, listing: ReferrersListing): PushedReferrers {
    this.indexedBy = by
    return { indexedBy: by, listing }
  }

  async push(reg: RegistryPort, subject: Descriptor, manifests: ReferrerManifest[], opts: PushReferrersOptions = {}): Promise<PushedReferrers> {
    if (manifests.length === 0) {
      const listing = await reg.listReferrers(subject)
      return this.found(listing.via === 'api' ? 'registry' : 'tag-schema', listing)
    }
    const timing = this.timingOf(subject)
    const results = await pushInOrder(reg, manifests, timing)
    if (results.every(r => r.subjectAccepted)) {
      await this.sleep(timing.confirmDelay())
      const listing = await reg.listReferrers(subject)
      if (listing.via === 'api') return this.found('registry', listing)
      this.logger.warning(`${reg.describe()} answered OCI-Subject but does not serve the referrers API; maintaining the referrers tag schema instead`)
    }
    // no OCI-Subject: the client keeps the referrers tag schema (distribution-spec v1.1,
    // "Pushing Manifests with Subject")
    const written = await this.writeTagSchema(
      reg,
      subject,
      manifests.map(m => m.descriptor),
      opts
    )
    return this.found('tag-schema', written)
  }

  /**
   * List manifests already stored in `subject`'s referrers tag where we keep it. Where the registry
   * indexes referrers itself (as the last push showed, else as a ping says) nothing is asked or written.
   */
  async index(
    reg: RegistryPort,
    subject: Descriptor,
    referrers: () => Promise<Descriptor[]>,
    opts: PushReferrersOptions,
    ping: () => Promise<ReferrersCapability>
  ): Promise<IndexedBy> {
    const by = this.indexedBy ?? ((await ping()) === 'supported' ? 'registry' : 'tag-schema')
    if (by === 'registry') return by
    const add = await referrers()
    if (add.length) await this.writeTagSchema(reg, subject, add, opts)
    return by
  }

  private async writeTagSchema(reg: RegistryPort, subject: Descriptor, add: Descriptor[], opts: PushReferrersOptions): Promise<ReferrersListing> {
    const written = await writeTagSchemaIndex(reg, subject, add, {
      logger: this.logger,
      sleep: this.sleep,
      now: this.now,
      ...(this.clock.random ? { random: this.clock.random } : {}),
      ...(opts.superseded ? { superseded: opts.superseded } : {}),
      ...(opts.settleMs !== undefined ? { settleMs: opts.settleMs } : {})
    })
    return { descriptors: written.descriptors, via: 'tag-schema', filtersApplied: false }
  }
}
