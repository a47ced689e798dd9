/**
 * Repairing a referrer the registry dropped. Some registries that serve the referrers API keep
 * their referrers index as a read-modify-write inside the registry, so manifests of one subject
 * pushed at once (by this attach, or by other jobs attaching to the same image) lose each other's
 * entries: one spec-faithful registry measured here lost 10 of 240 with 6 pushed at once. The
 * manifest is stored; only the index forgot it. Pushing the same bytes again is idempotent
 * (distribution-spec v1.1.0, "Pushing Manifests": the digest names the content) and makes the
 * registry index it again.
 *
 * Two rules keep ours:
 * - Confirm late enough. Another writer's read-modify-write that read the index before our manifest
 *   landed and writes it back after drops ours; if our read came between the two, we would have
 *   confirmed an entry that is lost a moment later. Such a registry updates its index inside the
 *   PUT, before it answers, so a read-modify-write takes at most about as long as a PUT: a read that
 *   starts CONFIRM_FACTOR times the slowest PUT we saw after our last push comes after every
 *   read-modify-write that overlapped it (PushTiming). On an honest registry this costs a few
 *   milliseconds of waiting and no request: the confirming listing is the one verification reuses.
 * - Repair what is missing. When the read-back through the API still misses one of ours
 *   REPUSH_AFTER_MS after the push (past the read-after-write lag of registries that show writes
 *   late), it is pushed again, one after another, and read again (late enough); at most
 *   MAX_REPUSHES times, then the read-back fails as before.
 * The bound rests on the other writers' read-modify-writes being no slower than our PUTs; a
 * registry stalled far longer than that can still drop an entry after it was confirmed.
 */
import type { Logger } from '../log.js'
import { sleep as defaultSleep } from '../retry.js'
import type { Target } from '../oci/target.js'
import type { FoundReferrers } from '../read/referrers.js'
import { supersededIn } from './identity.js'
import type { PlannedArtifact } from './publish.js'

/**
 * How long after a push (or a re-push) a referrer may be missing from the API's listing before it is
 * pushed again. Registries that show writes late (Docker Hub) do so within a moment, and pushing
 * too early costs only one PUT of bytes the registry already has, so the read-back's third read
 * (0.75 s after the first: check.ts's FIRST_RETRY_MS doubling) is where a re-push may start.
 */
export const REPUSH_AFTER_MS = 750
/** Re-pushes before the read-back gives up and reports the referrer as not listed. */
export const MAX_REPUSHES = 3

/** A read that confirms pushes starts this many times the slowest PUT after the last push. */
export const CONFIRM_FACTOR = 2
/** Upper bound of that wait (a registry that once took long to answer a PUT). */
export const MAX_CONFIRM_WAIT_MS = 5000

/** When the manifest pushes of one attach (to one subject) ended, and how long the slowest took. */
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

/** Ours, pushed by this attach, that the listing lacks: not listed, not listed-but-unusable, not replaced by a later run of ours. */
export function droppedFrom(found: FoundReferrers, plans: PlannedArtifact[], prefix: string): PlannedArtifact[] {
  const listed = new Set(found.referrers.map(r => r.descriptor.digest))
  const ignored = new Set(found.ignored.map(i => i.digest))
  const descriptors = found.referrers.map(r => r.descriptor)
  return plans.filter(p => {
    const d = p.built.descriptor
    if (p.existing || listed.has(d.digest) || ignored.has(d.digest)) return false
    return !supersededIn([...descriptors, d], prefix).has(d.digest)
  })
}

/** One read-back's repairs: re-push what the API keeps missing, spaced by REPUSH_AFTER_MS. */
export class ReferrerRepair {
  private lastPush: number
  private repushes = 0

  constructor(
    private readonly target: Target,
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly timing: PushTiming = new PushTiming(now),
    private readonly sleep: (ms: number) => Promise<void> = defaultSleep
  ) {
    this.lastPush = now()
  }

  /** After a read: true when something was pushed again (read again before judging). */
  async afterRead(found: FoundReferrers, plans: PlannedArtifact[], prefix: string): Promise<boolean> {
    if (found.via !== 'api' || this.repushes >= MAX_REPUSHES) return false
    const waited = this.now() - this.lastPush
    if (waited < REPUSH_AFTER_MS) return false
    const dropped = droppedFrom(found, plans, prefix)
    if (dropped.length === 0) return false
    this.repushes++
    for (const p of dropped) {
      this.logger.info(
        `${p.label}: ${p.built.descriptor.digest} is stored but the referrers API has not listed it ${waited} ms after the push (a registry that ` +
          `loses referrers pushed at once); pushing the same manifest again (${this.repushes} of ${MAX_REPUSHES})`
      )
      await this.timing.time(() => this.target.pushManifest(p.built.bytes, p.built.descriptor.mediaType))
    }
    this.lastPush = this.now()
    // the next read confirms only once the read-modify-writes overlapping these pushes are over
    await this.sleep(this.timing.confirmDelay())
    return true
  }
}
