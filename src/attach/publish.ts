/**
 * Pushing referrers: blobs first, then manifests by digest, then (only where the registry does not
 * index referrers itself) the referrers tag schema. A consumer never sees a manifest whose blobs are
 * missing, and the fallback index never loses entries (src/oci/fallback.ts).
 */
import type { Logger } from '../log.js'
import { updateFallbackIndex, type FallbackResult } from '../oci/fallback.js'
import type { BlobSource, PushManifestResult, ReferrersListing, Target } from '../oci/target.js'
import type { Descriptor } from '../oci/types.js'
import { supersededIn } from './identity.js'
import { PushTiming } from './repair.js'
import { sleep } from '../retry.js'
import type { AttachmentKind } from '../result.js'
import type { BuiltManifest } from './manifest.js'

export interface PlannedArtifact {
  kind: AttachmentKind
  /** for messages: `metadata`, `sbom sbom.spdx.json`, `provenance` */
  label: string
  built: BuiltManifest
  blobs: Array<{ source: BlobSource; descriptor: Descriptor }>
  /** the writer's key for this artifact (src/attach/identity.ts): a later attempt with the same key supersedes it */
  key: string
  /** the metadata artifact's document digest, which its annotations must name when read back */
  documentDigest?: string
  /** an SBOM's or provenance's content (src/attach/dedupe.ts): the same content of the same writer is not attached twice */
  contentDigest?: string
  /** found already attached: `built.descriptor` is the listed entry, and there is nothing to push */
  existing?: boolean
}

/** Blob uploads at once: enough to overlap latency, few enough not to trip rate limits. */
export const BLOB_CONCURRENCY = 3

export interface PublishResult {
  /** who indexes the referrers written: the store (a layout, or a registry's referrers API) or us (the tag schema) */
  indexing: 'store' | 'tag-schema'
  fallback?: FallbackResult
  /** the referrers API listing read to confirm the registry indexes them */
  listing?: ReferrersListing
  /** when the manifest pushes ended and the slowest took: the read-back's repairs go by it */
  timing: PushTiming
}

/**
 * Run `fn` over `items`, `n` at a time. On a failure no new item starts, every started one is waited
 * for, and then the first error is thrown: nothing is written after the job has reported failure.
 */
async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0
  let failed = false
  const worker = async () => {
    while (!failed && i < items.length) {
      try {
        await fn(items[i++] as T)
      } catch (e) {
        failed = true
        throw e
      }
    }
  }
  const results = await Promise.allSettled(Array.from({ length: Math.min(n, items.length) }, worker))
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (rejected) throw rejected.reason
}

/**
 * Push the manifests (all with one subject). A registry that answers the first with `OCI-Subject`
 * indexes referrers itself, and some do that with a read-modify-write that loses manifests of one
 * subject pushed at once (one measured: 10 of 240 with 6 at once): there the rest go one after
 * another. Elsewhere (the tag schema, where we index; a layout, which locks) they go at once. On a
 * failure every started push is waited for, then the first error is thrown.
 */
async function pushManifests(target: Target, plans: PlannedArtifact[], timing: PushTiming): Promise<PushManifestResult[]> {
  const pushOne = async (p: PlannedArtifact): Promise<PushManifestResult> => {
    const r = await timing.time(() => target.pushManifest(p.built.bytes, p.built.descriptor.mediaType))
    if (r.descriptor.digest !== p.built.descriptor.digest) throw new Error(`internal: registry stored ${r.descriptor.digest} for ${p.built.descriptor.digest}`)
    return r
  }
  if (plans.length === 0) return []
  const first = await pushOne(plans[0] as PlannedArtifact)
  const rest = plans.slice(1)
  if (first.subjectAccepted) {
    const results = [first]
    for (const p of rest) results.push(await pushOne(p))
    return results
  }
  const settled = await Promise.allSettled(rest.map(pushOne))
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failure) throw failure.reason
  return [first, ...settled.map(r => (r as PromiseFulfilledResult<PushManifestResult>).value)]
}

export async function publish(
  target: Target,
  subject: Descriptor,
  plans: PlannedArtifact[],
  opts: { logger: Logger; prefix: string; settleMs?: number }
): Promise<PublishResult> {
  const blobs = new Map<string, { source: BlobSource; descriptor: Descriptor }>()
  for (const p of plans) for (const b of p.blobs) blobs.set(b.descriptor.digest, b)
  await pool([...blobs.values()], BLOB_CONCURRENCY, async b => {
    const pushed = await target.pushBlob(b.source, { mediaType: b.descriptor.mediaType })
    if (pushed.digest !== b.descriptor.digest) {
      throw new Error(`internal: blob digest changed while uploading (${b.descriptor.digest} → ${pushed.digest})`)
    }
  })
  const timing = new PushTiming()
  const results = await pushManifests(target, plans, timing)
  if (target.capabilities.referrersIndexedBy === 'store') return { indexing: 'store', timing }
  if (results.every(r => r.subjectAccepted)) {
    target.noteReferrersCapability('supported')
    // `OCI-Subject` has been sent by registries that do not serve the API (ECR did): confirm with a
    // listing, which verification then reuses, so an honest registry pays no extra request; read
    // late enough that it shows whether a registry's own index kept ours (src/attach/repair.ts)
    await sleep(timing.confirmDelay())
    const listing = await target.listReferrers(subject)
    if (listing.via === 'api') return { indexing: 'store', listing, timing }
    opts.logger.warning(`${target.describe()} answered OCI-Subject but does not serve the referrers API; maintaining the referrers tag schema instead`)
  }
  // No OCI-Subject: the client must maintain the referrers tag schema (distribution-spec v1.1,
  // "Pushing Manifests with Subject").
  target.noteReferrersCapability('unsupported')
  const fallback = await updateFallbackIndex(
    target,
    subject,
    plans.map(p => p.built.descriptor),
    {
      logger: opts.logger,
      superseded: entries => supersededIn(entries, opts.prefix),
      ...(opts.settleMs !== undefined ? { settleMs: opts.settleMs } : {})
    }
  )
  return { indexing: 'tag-schema', fallback, timing }
}
