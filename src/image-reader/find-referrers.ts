/**
 * Reading referrers as a consumer would: list through the API, the tag schema or a layout scan, then
 * judge each descriptor. One that lacks the manifest's artifactType or annotations (some
 * registries drop them, or report config.mediaType) is completed from the manifest itself, fetched
 * and digest-checked; a manifest whose `subject` is not the image is ignored.
 */
import { isOciError } from '../errors.js'
import type { Logger } from '../log.js'
import { filterByArtifactType, isIncompleteReferrer, referrerDescriptor } from '../oci/referrer-descriptors.js'
import type { Reader, ReadOptions, ReferrerLister, ReferrersListing } from '../oci/target.js'
import { parseManifest, type Descriptor, type Manifest } from '../oci/types.js'

/** Referrers fetched to complete descriptors, at most, per listing: a hostile list cannot make us fetch forever. */
export const MAX_COMPLETIONS = 256

export interface FoundReferrer {
  descriptor: Descriptor
  /** the manifest, when it had to be (or was asked to be) fetched */
  manifest?: Manifest
  /** the descriptor as listed lacked artifactType or annotations and was completed from the manifest */
  completed: boolean
}

export interface FoundReferrers {
  via: ReferrersListing['via']
  referrers: FoundReferrer[]
  /** descriptors dropped, with why (subject mismatch, unreadable manifest) */
  ignored: Array<{ digest: string; reason: string }>
}

export interface FindOptions extends ReadOptions {
  artifactType?: string
  /** fetch these manifests even when their descriptors look complete (to check subject, read layers) */
  fetchIf?: (d: Descriptor) => boolean
  logger?: Logger
  /** a listing already read (the one that confirmed a push), to avoid reading twice */
  listing?: ReferrersListing
  /**
   * Manifests already fetched and digest-checked, by digest (BuildKit's OCI-form attestations,
   * read from the index, are also referrers of their platform): taken instead of fetching again
   * when the listing gives the same size
   */
  known?: ReadonlyMap<string, { descriptor: Descriptor; manifest?: Manifest }>
}

export async function findReferrers(target: Reader & ReferrerLister, subject: Descriptor, opts: FindOptions = {}): Promise<FoundReferrers> {
  const within: ReadOptions = opts.deadline ? { deadline: opts.deadline } : {}
  const listing = opts.listing ?? (await target.listReferrers(subject, { ...within, ...(opts.artifactType ? { artifactType: opts.artifactType } : {}) }))
  const out: FoundReferrers = { via: listing.via, referrers: [], ignored: [] }
  let fetched = 0
  const seen = new Set<string>()
  for (const d of listing.descriptors) {
    if (seen.has(d.digest)) continue
    seen.add(d.digest)
    const incomplete = isIncompleteReferrer(d)
    if (!incomplete && !opts.fetchIf?.(d)) {
      out.referrers.push({ descriptor: d, completed: false })
      continue
    }
    if (fetched >= MAX_COMPLETIONS) {
      // kept as listed rather than dropped: a complete descriptor past the cap still counts
      if (fetched === MAX_COMPLETIONS) opts.logger?.warning(`more than ${MAX_COMPLETIONS} referrers needed their manifests read; the rest are taken as listed`)
      fetched++
      if (!incomplete) out.referrers.push({ descriptor: d, completed: false })
      else out.ignored.push({ digest: d.digest, reason: `not inspected: more than ${MAX_COMPLETIONS} referrers needed fetching` })
      continue
    }
    fetched++
    try {
      const got = await manifestOf(target, d, opts.known, within)
      const m = got.manifest
      if (m.subject?.digest !== subject.digest) {
        out.ignored.push({ digest: d.digest, reason: `its subject is ${m.subject?.digest ?? 'missing'}, not the image` })
        continue
      }
      // what the listing said, completed from the manifest itself
      const completedDesc: Descriptor = { ...d, ...referrerDescriptor(m, d.digest, d.size, got.mediaType || d.mediaType) }
      out.referrers.push({ descriptor: completedDesc, manifest: m, completed: incomplete })
    } catch (e) {
      if (isOciError(e, 'NOT_FOUND')) {
        out.ignored.push({ digest: d.digest, reason: 'listed but its manifest is gone' })
        continue
      }
      if (isOciError(e, 'DIGEST_MISMATCH') || isOciError(e, 'INVALID_RESPONSE')) {
        out.ignored.push({ digest: d.digest, reason: (e as Error).message })
        opts.logger?.warning(`ignored referrer ${d.digest}: ${(e as Error).message}`)
        continue
      }
      throw e
    }
  }
  if (opts.artifactType) {
    const keep = new Set(
      filterByArtifactType(
        out.referrers.map(r => r.descriptor),
        opts.artifactType
      ).map(d => d.digest)
    )
    out.referrers = out.referrers.filter(r => keep.has(r.descriptor.digest))
  }
  return out
}

/** A referrer's manifest: the one already read when known (same digest and size), else fetched and digest-checked. */
async function manifestOf(target: Reader, d: Descriptor, known: FindOptions['known'], within: ReadOptions): Promise<{ manifest: Manifest; mediaType: string }> {
  const k = known?.get(d.digest)
  if (k?.manifest && k.descriptor.size === d.size) return { manifest: k.manifest, mediaType: k.descriptor.mediaType }
  const got = await target.fetchManifest({ mediaType: d.mediaType, digest: d.digest, size: d.size }, within)
  return { manifest: parseManifest(got.bytes, `referrer ${d.digest}`), mediaType: got.descriptor.mediaType }
}
