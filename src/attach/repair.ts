/**
 * Repairing a referrer the registry dropped. Some registries that serve the referrers API keep
 * their referrers index as a read-modify-write inside the registry, so manifests of one subject
 * pushed at once (by this attach, or by other jobs attaching to the same image) lose each other's
 * entries: one spec-faithful registry measured here lost 10 of 240 with 6 pushed at once. The
 * manifest is stored; only the index forgot it. Pushing the same bytes again is idempotent
 * (distribution-spec v1.1.0, "Pushing Manifests": the digest names the content) and makes the
 * registry index it again.
 *
 * The target pushes this writer's own referrers of one subject one after another there, and confirms
 * with a listing late enough that it shows whether the registry's index kept them
 * (src/oci/remote/indexing.ts). Others' pushes can still drop ours, so: when the read-back through
 * the API still misses one of ours REPUSH_AFTER_MS after the push (past the read-after-write lag of
 * registries that show writes late), it is pushed again through the same path, and the listing that
 * confirms the re-push is judged at once; at most MAX_REPUSHES times, then the read-back fails as
 * before. A registry stalled far longer than our PUTs can still drop an entry after it was confirmed.
 */
import type { Logger } from '../log.js'
import type { ReferrerPusher, ReferrersListing, TimeBudget } from '../oci/target.js'
import type { Descriptor } from '../oci/types.js'
import type { FoundReferrers } from '../image-reader/find-referrers.js'
import { supersededIn } from './identity.js'
import { supersededRule, type PlannedArtifact } from './publish.js'

/**
 * How long after a push (or a re-push) a referrer may be missing from the API's listing before it is
 * pushed again. Registries that show writes late (Docker Hub) do so within a moment, and pushing
 * too early costs only one PUT of bytes the registry already has, so the read-back's third read
 * (0.75 s after the first: check.ts's FIRST_RETRY_MS doubling) is where a re-push may start.
 */
export const REPUSH_AFTER_MS = 750
/** Re-pushes before the read-back gives up and reports the referrer as not listed. */
export const MAX_REPUSHES = 3

/**
 * One of ours that the listing lacks: not listed, not listed-but-unusable, and not replaced by a later
 * run of this same writer (which may have deleted it meanwhile: that is no loss).
 */
export function missingFrom(found: FoundReferrers, d: Descriptor, prefix: string): boolean {
  if (found.referrers.some(r => r.descriptor.digest === d.digest) || found.ignored.some(i => i.digest === d.digest)) return false
  return !supersededIn([...found.referrers.map(r => r.descriptor), d], prefix).has(d.digest)
}

/** Ours, pushed by this attach, that the listing lacks (missingFrom). */
export function droppedFrom(found: FoundReferrers, plans: PlannedArtifact[], prefix: string): PlannedArtifact[] {
  return plans.filter(p => !p.existing && missingFrom(found, p.built.descriptor, prefix))
}

/** One read-back's repairs: re-push what the API keeps missing, spaced by REPUSH_AFTER_MS. */
export class ReferrerRepair {
  private lastPush: number
  private repushes = 0

  constructor(
    private readonly target: ReferrerPusher,
    private readonly subject: Descriptor,
    private readonly logger: Logger,
    private readonly now: () => number,
    /** the read-back's: re-pushes are reads after writes too */
    private readonly deadline: TimeBudget
  ) {
    this.lastPush = now()
  }

  /** After a read: the listing that confirms a re-push when something was pushed again (judge it before reading again). */
  async afterRead(found: FoundReferrers, plans: PlannedArtifact[], prefix: string): Promise<ReferrersListing | undefined> {
    if (found.via !== 'api' || this.repushes >= MAX_REPUSHES) return undefined
    const waited = this.now() - this.lastPush
    if (waited < REPUSH_AFTER_MS) return undefined
    const dropped = droppedFrom(found, plans, prefix)
    if (dropped.length === 0) return undefined
    this.repushes++
    for (const p of dropped) {
      this.logger.info(
        `${p.label}: ${p.built.descriptor.digest} is stored but the referrers API has not listed it ${waited} ms after the push (a registry that ` +
          `loses referrers pushed at once); pushing the same manifest again (${this.repushes} of ${MAX_REPUSHES})`
      )
    }
    const pushed = await this.target.pushReferrers(
      this.subject,
      dropped.map(p => p.built),
      { deadline: this.deadline, superseded: supersededRule(prefix) }
    )
    this.lastPush = this.now()
    return pushed.listing
  }
}
