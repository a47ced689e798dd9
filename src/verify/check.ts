/**
 * Verification after attach: read back as a consumer would and compare with what was written.
 * Retries within verify-timeout, for registries that show writes late (GHCR, Docker Hub).
 */
import { describeError } from '../errors.js'
import type { Logger } from '../log.js'
import { decodeDocument } from '../metadata/codec.js'
import type { ReferrersListing, Target } from '../oci/target.js'
import type { Descriptor } from '../oci/types.js'
import type { PlannedArtifact } from '../attach/publish.js'
import { findReferrers, type FoundReferrers } from './referrers.js'

export interface CheckResult {
  verified: boolean
  /** the referrers the last read saw */
  referrers: Descriptor[]
  via?: ReferrersListing['via']
  problems: string[]
  attempts: number
  found?: FoundReferrers
}

export interface CheckOptions {
  timeoutMs: number
  prefix: string
  logger: Logger
  /** the documentDigest written, for the metadata plan */
  documentDigest?: string
  /** a listing already read (the tag-schema writer's confirming read) */
  listing?: ReferrersListing
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

export function compareWithPlans(found: FoundReferrers, plans: PlannedArtifact[], prefix: string, documentDigest?: string): string[] {
  const problems: string[] = []
  for (const p of plans) {
    const want = p.built.descriptor
    const r = found.referrers.find(x => x.descriptor.digest === want.digest)
    if (!r) {
      const ignored = found.ignored.find(i => i.digest === want.digest)
      problems.push(`${p.label}: artifact ${want.digest} is ${ignored ? `listed but unusable (${ignored.reason})` : 'not listed among the referrers'}`)
      continue
    }
    if (r.descriptor.artifactType !== want.artifactType) {
      problems.push(`${p.label}: artifactType is ${r.descriptor.artifactType ?? 'missing'}, expected ${want.artifactType}`)
    }
    const got = r.descriptor.annotations ?? {}
    const differing = Object.entries(want.annotations ?? {}).filter(([k, v]) => got[k] !== v).map(([k]) => k)
    if (differing.length) problems.push(`${p.label}: annotations differ from what was written: ${differing.slice(0, 5).join(', ')}`)
    if (p.kind === 'metadata' && documentDigest) {
      try {
        const dec = decodeDocument(got, { prefix })
        if (!dec) problems.push('metadata: the referrer carries no metadata annotations')
        else if (dec.documentDigest !== documentDigest) problems.push(`metadata: document digest ${dec.documentDigest} is not the one written (${documentDigest})`)
      } catch (e) {
        problems.push(`metadata: ${describeError(e)}`)
      }
    }
  }
  return problems
}

export async function checkAttached(target: Target, subject: Descriptor, plans: PlannedArtifact[], opts: CheckOptions): Promise<CheckResult> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>(r => setTimeout(r, ms)))
  const now = opts.now ?? Date.now
  const deadline = now() + opts.timeoutMs
  let listing = opts.listing
  let attempts = 0
  let last: CheckResult = { verified: false, referrers: [], problems: ['not verified'], attempts: 0 }
  for (let delay = 250; ; delay = Math.min(delay * 2, 4000)) {
    attempts++
    try {
      const found = await findReferrers(target, subject, { logger: opts.logger, ...(listing ? { listing } : {}) })
      const problems = compareWithPlans(found, plans, opts.prefix, opts.documentDigest)
      last = { verified: problems.length === 0, referrers: found.referrers.map(r => r.descriptor), via: found.via, problems, attempts, found }
    } catch (e) {
      last = { verified: false, referrers: [], problems: [`reading referrers back: ${describeError(e)}`], attempts }
    }
    listing = undefined
    if (last.verified || now() + delay > deadline) return last
    opts.logger.info(`verification attempt ${attempts}: ${last.problems[0]}; retrying in ${delay} ms`)
    await sleep(delay)
  }
}
