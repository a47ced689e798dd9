/**
 * What `get` may read, and which one it reads. The candidates are the gate's evidence
 * (src/verify/evidence.ts collectEvidence: referrers classified as the gate classifies them,
 * metadata in the image's own annotations, BuildKit's attestation manifests in the index), so what
 * `verify --require sbom` counts is what `get --artifact-type sbom` can read.
 *
 * Several of one kind (a re-run, an SPDX and a CycloneDX file, one SBOM per platform): the newest by
 * `org.opencontainers.image.created` (the document's `created` for metadata) is read, as
 * `regctl artifact get --latest` does, and the others are listed in a note. When the newest cannot
 * be told (equal or missing times), get refuses (exit 2) and lists them, to be chosen by `artifact`
 * (their digest), `artifact-type` or `platform`: a release script must not get an arbitrary one.
 */
import { OciError, UsageError } from '../errors.js'
import { Annotation } from '../oci/media-types.js'
import type { Descriptor, Manifest } from '../oci/types.js'
import type { FoundReferrers } from '../image-reader/find-referrers.js'
import type { IndexAttestation } from '../image-reader/index-attestations.js'
import { platformLabel, type Candidate } from '../result.js'
import { isSigstoreBundleType } from '../verify/classify.js'
import type { Evidence } from '../verify/gate.js'
import { privatePartOf } from '../metadata/schema.js'

/** `SBOM`, `provenance`, `metadata`, `referrer of type application/x` for messages. */
export function kindName(kind: string): string {
  if (!kind) return 'referrer'
  if (kind === 'sbom') return 'SBOM'
  if (kind === 'metadata') return 'metadata document'
  if (kind === 'private') return 'private part'
  if (kind === 'provenance') return 'provenance statement'
  return `referrer of artifactType ${kind}`
}

/**
 * One evidence entry as a candidate: `descriptor` is the manifest it was read from (its annotations
 * give the title and creation time), `scope` where it belongs (the index, the image, a platform).
 */
export function toCandidate(e: Evidence, annotations: Record<string, string> | undefined, scope: string, descriptor: Candidate['descriptor']): Candidate {
  const created = e.document?.created ?? annotations?.[Annotation.Created]
  const title = annotations?.[Annotation.Title]
  return {
    descriptor,
    source: e.source,
    scope,
    ...(e.artifactType ? { artifactType: e.artifactType } : {}),
    ...(created ? { created } : {}),
    ...(title ? { title } : {})
  }
}

/**
 * Where the evidence of this digest was read: its referrer, else BuildKit's attestation manifest in
 * the index (an OCI-form attestation is both: `about` names the platform it describes).
 */
export function carrierOf(
  digest: string,
  found: FoundReferrers,
  attestations: IndexAttestation[]
): { descriptor?: Descriptor; manifest?: Manifest; about?: string } {
  const r = found.referrers.find(x => x.descriptor.digest === digest)
  const a = attestations.find(x => x.descriptor.digest === digest)
  const descriptor = r?.descriptor ?? a?.descriptor
  const manifest = r?.manifest ?? a?.manifest
  return { ...(descriptor ? { descriptor } : {}), ...(manifest ? { manifest } : {}), ...(a?.about ? { about: a.about } : {}) }
}

/** Does this evidence answer `kind`? Metadata: a readable document (bundles hold statements, not the document's bytes). */
export function answers(e: Evidence, kind: string): boolean {
  // the private part: a metadata document that has one
  if (kind === 'private') return answers(e, 'metadata') && privatePartOf(e.document!) !== undefined
  if (kind === 'metadata') return e.kinds.has('metadata') && e.document !== undefined && !isSigstoreBundleType(e.artifactType)
  if (kind === 'sbom' || kind === 'provenance') return e.kinds.has(kind)
  return e.artifactType === kind
}

/** `sha256:1234… (application/spdx+json, linux/amd64, sbom.spdx.json, created 2026-01-02T03:04:05Z)` */
export function describeCandidate(c: Candidate): string {
  const parts = [c.artifactType ?? c.descriptor.mediaType, c.scope, c.title, c.created ? `created ${c.created}` : 'no created time']
  return `${c.descriptor.digest} (${parts.filter(Boolean).join(', ')})`
}

/** Milliseconds since the epoch, or undefined for a missing or unreadable time. */
function time(c: Candidate): number | undefined {
  const t = c.created ? Date.parse(c.created) : Number.NaN
  return Number.isFinite(t) ? t : undefined
}

export interface Picked {
  picked: Candidate
  others: Candidate[]
}

/**
 * Choose among the candidates of one kind (see the top of the file). `image` and `what` are for
 * messages; `present` says what is there instead, for the "nothing of that kind" line.
 */
export function pickCandidate(candidates: Candidate[], opts: { kind: string; image: string; artifact?: string; present: string; problems: string[] }): Picked {
  const what = kindName(opts.kind)
  if (opts.artifact) {
    const hit = candidates.find(c => c.descriptor.digest === opts.artifact)
    if (!hit)
      throw new OciError('NOT_FOUND', `get: ${opts.artifact} is not a ${what} of ${opts.image}`, {
        hint: candidates.length ? `choose one of: ${candidates.map(c => c.descriptor.digest).join(', ')}` : `${opts.present}; list them with discover`
      })
    return { picked: hit, others: candidates.filter(c => c !== hit) }
  }
  if (candidates.length === 0) {
    const why = opts.problems.length ? ` (${opts.problems.join('; ')})` : ''
    throw new OciError('NOT_FOUND', `get: no ${what} is attached to ${opts.image}${why}`, { hint: `${opts.present}; list them with discover` })
  }
  if (candidates.length === 1) return { picked: candidates[0]!, others: [] }
  const newest = Math.max(...candidates.map(c => time(c) ?? Number.NEGATIVE_INFINITY))
  const atNewest = candidates.filter(c => (time(c) ?? Number.NEGATIVE_INFINITY) === newest)
  if (atNewest.length > 1 || newest === Number.NEGATIVE_INFINITY) {
    const scopes = new Set(candidates.map(c => c.scope))
    const narrow = scopes.size > 1 ? `platform (one of ${[...scopes].join(', ')})` : ''
    throw new UsageError(
      `get: ${candidates.length} ${what}s are attached to ${opts.image} and none is the newest: ${candidates.map(describeCandidate).join('; ')}`,
      { hint: `choose one by its digest with artifact (--artifact sha256:…)${narrow ? `, or narrow them by ${narrow.replace(/, $/, '')}` : ''}` }
    )
  }
  const picked = atNewest[0]!
  return { picked, others: candidates.filter(c => c !== picked) }
}

/** `linux/amd64` (or `linux/arm64/v8`) matches a platform descriptor; a label without the variant matches when only one does. */
export function matchPlatform(platforms: Descriptor[], wanted: string): Descriptor[] {
  const exact = platforms.filter(p => platformLabel(p) === wanted)
  if (exact.length) return exact
  return platforms.filter(p => p.platform && `${p.platform.os}/${p.platform.architecture}` === wanted)
}
