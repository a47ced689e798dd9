/**
 * Verification after attach: read back as a consumer would and compare with what was written.
 * Retries within verify-timeout, for registries that show writes late (GHCR, Docker Hub), and
 * pushes again a referrer that a registry's referrers API dropped (src/attach/repair.ts).
 */
import { retryWithin } from '../backoff.js'
import { describeError, isBug, isRegistryFailure } from '../errors.js'
import type { Logger } from '../log.js'
import { decodeDocument } from '../metadata/codec.js'
import type { Reader, ReferrerLister, ReferrerPusher, ReferrersListing, TimeBudget } from '../oci/target.js'
import { parseManifest, type Descriptor } from '../oci/types.js'
import type { PlannedArtifact } from './publish.js'
import { missingFrom, ReferrerRepair } from './repair.js'
import type { TagBefore } from './tag-guard.js'
import { findReferrers, type FoundReferrers } from '../image-reader/find-referrers.js'

export interface CheckResult {
  verified: boolean
  /** the last attempt could not read the registry at all (exit 3, not "missing") */
  failure?: unknown
  /** the referrers the last read saw */
  referrers: Descriptor[]
  via?: ReferrersListing['via']
  problems: string[]
  /** the kinds (metadata, sbom, provenance) of the artifacts that did not verify */
  unverified: PlannedArtifact['kind'][]
  attempts: number
  found?: FoundReferrers
}

export interface CheckOptions {
  timeoutMs: number
  prefix: string
  logger: Logger
  /** the listing that showed the pushes (publish), judged first */
  listing?: ReferrersListing
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

/** What is wrong with each plan's artifact as read back: one list of problems per plan (empty: verified). */
export function compareWithPlans(found: FoundReferrers, plans: PlannedArtifact[], prefix: string): string[][] {
  return plans.map(p => comparePlan(found, p, prefix))
}

function comparePlan(found: FoundReferrers, p: PlannedArtifact, prefix: string): string[] {
  const want = p.built.descriptor
  const r = found.referrers.find(x => x.descriptor.digest === want.digest)
  if (!r) {
    const ignored = found.ignored.find(i => i.digest === want.digest)
    if (ignored) return [`${p.label}: artifact ${want.digest} is listed but unusable (${ignored.reason})`]
    // else unlisted: a loss unless a later run of this same writer replaced it
    return missingFrom(found, want, prefix) ? [`${p.label}: artifact ${want.digest} is not listed among the referrers`] : []
  }
  const problems: string[] = []
  if (r.descriptor.artifactType !== want.artifactType) {
    problems.push(`${p.label}: artifactType is ${r.descriptor.artifactType ?? 'missing'}, expected ${want.artifactType}`)
  }
  const got = r.descriptor.annotations ?? {}
  const differing = Object.entries(want.annotations ?? {})
    .filter(([k, v]) => got[k] !== v)
    .map(([k]) => k)
  if (differing.length) problems.push(`${p.label}: annotations differ from what was written: ${differing.slice(0, 5).join(', ')}`)
  if (p.documentDigest) {
    try {
      const dec = decodeDocument(got, { prefix })
      if (!dec) problems.push('metadata: the referrer carries no metadata annotations')
      else if (dec.documentDigest !== p.documentDigest)
        problems.push(`metadata: document digest ${dec.documentDigest} is not the one written (${p.documentDigest})`)
    } catch (e) {
      if (isBug(e)) throw e
      problems.push(`metadata: ${describeError(e)}`)
    }
  }
  return problems
}

/** First wait between read-back attempts, and the cap of its doubling (registries that show writes late, GHCR and Docker Hub, settle within seconds). */
export const FIRST_RETRY_MS = 250
export const MAX_RETRY_MS = 4000

/**
 * Reads after writes: the target's retries and waits get verify-timeout from now, the same budget
 * as the read-back loop around them.
 */
function readBackDeadline(timeoutMs: number): TimeBudget {
  return { label: 'verify-timeout', ms: timeoutMs, startedAt: Date.now() }
}

/** The last attempt could not read the registry: say so (exit 3) instead of reporting what it could not see. */
function throwIfUnread<T extends { failure?: unknown }>(t: T): T {
  if (t.failure !== undefined) throw t.failure
  return t
}

export async function checkAttached(
  target: Reader & ReferrerLister & ReferrerPusher,
  subject: Descriptor,
  plans: PlannedArtifact[],
  opts: CheckOptions
): Promise<CheckResult> {
  let listing = opts.listing
  const deadline = readBackDeadline(opts.timeoutMs)
  // a referrer the referrers API keeps missing is pushed again (src/attach/repair.ts)
  const repair = new ReferrerRepair(target, subject, opts.logger, opts.now ?? Date.now, deadline)
  const read = (given: ReferrersListing | undefined) => findReferrers(target, subject, { logger: opts.logger, deadline, ...(given ? { listing: given } : {}) })
  const last = await retryWithin(
    opts.timeoutMs,
    async (attempts): Promise<CheckResult> => {
      const given = listing
      listing = undefined // only the first attempt may reuse a listing read by the writer
      try {
        let found = await read(given)
        let perPlan = compareWithPlans(found, plans, opts.prefix)
        if (perPlan.flat().length) {
          // a re-push comes back with the listing that confirms it: that is the next read
          const relisted = await repair.afterRead(found, plans, opts.prefix)
          if (relisted?.via === found.via) {
            found = await read(relisted)
            perPlan = compareWithPlans(found, plans, opts.prefix)
          }
        }
        const problems = perPlan.flat()
        const unverified = [...new Set(plans.filter((_, i) => perPlan[i]!.length > 0).map(p => p.kind))]
        return { verified: problems.length === 0, referrers: found.referrers.map(r => r.descriptor), via: found.via, problems, unverified, attempts, found }
      } catch (e) {
        if (isBug(e)) throw e
        return {
          verified: false,
          referrers: [],
          problems: [`reading referrers back: ${describeError(e)}`],
          unverified: [...new Set(plans.map(p => p.kind))],
          attempts,
          ...(isRegistryFailure(e) ? { failure: e } : {})
        }
      }
    },
    r => r.verified,
    {
      firstMs: FIRST_RETRY_MS,
      maxMs: MAX_RETRY_MS,
      ...(opts.sleep ? { sleep: opts.sleep } : {}),
      ...(opts.now ? { now: opts.now } : {}),
      onRetry: (r, n, delay) => opts.logger.info(`verification attempt ${n}: ${r.problems[0]}; retrying in ${delay} ms`)
    }
  )
  return throwIfUnread(last)
}

/**
 * Annotations mode, read back as a consumer: by the tag (it must have moved) or by the new digest;
 * the annotations must decode to the document written. A tag (`written.tag`) that still shows what
 * it pointed at before the push may be a registry showing the push late: read again. A tag that shows
 * a third manifest was moved by someone else after the push: said at once, and not moved back.
 * Returns the problems of the last attempt.
 */
export async function checkAnnotated(
  target: Reader,
  reference: string,
  written: { digest: string; documentDigest: string; tag?: TagBefore },
  opts: { timeoutMs: number; prefix: string; logger: Logger }
): Promise<string[]> {
  const deadline = readBackDeadline(opts.timeoutMs)
  const last = await retryWithin(
    opts.timeoutMs,
    async (): Promise<{ problems: string[]; failure?: unknown; final?: boolean }> => {
      try {
        const got = await target.fetchManifest(reference, { deadline })
        const now = got.descriptor.digest
        if (now !== written.digest) {
          if (written.tag && now !== written.tag.digest) {
            return {
              problems: [
                `tag ${reference} now points at ${now}: someone else moved it after this push of ${written.digest} (which stays pushed by digest); ` +
                  'it was not moved back'
              ],
              final: true
            }
          }
          return { problems: [`tag ${reference} resolves to ${now}, not the annotated ${written.digest}`] }
        }
        const m = parseManifest(got.bytes, `the annotated manifest ${now}`)
        const dec = decodeDocument(m.annotations ?? {}, { prefix: opts.prefix })
        if (!dec) return { problems: ['the annotated manifest carries no metadata'] }
        if (dec.documentDigest !== written.documentDigest) return { problems: [`document digest ${dec.documentDigest} is not the one written`] }
        return { problems: [] }
      } catch (e) {
        if (isBug(e)) throw e
        return { problems: [`reading the image back: ${describeError(e)}`], ...(isRegistryFailure(e) ? { failure: e } : {}) }
      }
    },
    r => r.problems.length === 0 || r.final === true,
    {
      firstMs: FIRST_RETRY_MS,
      maxMs: MAX_RETRY_MS,
      onRetry: (r, n, delay) => opts.logger.info(`verification attempt ${n}: ${r.problems[0]}; retrying in ${delay} ms`)
    }
  )
  return throwIfUnread(last).problems
}
