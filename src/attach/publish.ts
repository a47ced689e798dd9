/**
 * Pushing referrers: blobs first, then the manifests, which the target keeps findable (the referrers
 * API, the tag schema, a layout's own index: src/oci/target.ts ReferrerPusher). A consumer never
 * sees a manifest whose blobs are missing.
 */
import { allOrFirstError } from '../backoff.js'
import { InternalError } from '../errors.js'
import type { BlobSource, PushedReferrers, Pusher, ReferrerPusher } from '../oci/target.js'
import type { Descriptor } from '../oci/types.js'
import { supersededIn } from './identity.js'
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
  await allOrFirstError(Array.from({ length: Math.min(n, items.length) }, worker))
}

/** This writer's rule for what its later attempts supersede, as the tag schema applies it (src/oci/tag-schema/writer.ts). */
export function supersededRule(prefix: string): (entries: Descriptor[]) => Set<string> {
  return entries => supersededIn(entries, prefix)
}

/**
 * Push the plans' blobs (BLOB_CONCURRENCY at once), then their manifests (all with one subject);
 * returns who indexes them and the listing that shows them, which the read-back starts from.
 */
export async function publish(
  target: Pusher & ReferrerPusher,
  subject: Descriptor,
  plans: PlannedArtifact[],
  opts: { prefix: string; settleMs?: number }
): Promise<PushedReferrers> {
  const blobs = new Map<string, { source: BlobSource; descriptor: Descriptor }>()
  for (const p of plans) for (const b of p.blobs) blobs.set(b.descriptor.digest, b)
  await pool([...blobs.values()], BLOB_CONCURRENCY, async b => {
    const pushed = await target.pushBlob(b.source, { mediaType: b.descriptor.mediaType })
    if (pushed.digest !== b.descriptor.digest) {
      throw new InternalError(`the blob's digest changed while uploading (${b.descriptor.digest} → ${pushed.digest})`)
    }
  })
  return target.pushReferrers(
    subject,
    plans.map(p => p.built),
    { superseded: supersededRule(opts.prefix), ...(opts.settleMs !== undefined ? { settleMs: opts.settleMs } : {}) }
  )
}
