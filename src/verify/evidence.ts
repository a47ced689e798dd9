/**
 * Gathering the gate's evidence for one subject: its referrers (completed where incomplete), the
 * attestations BuildKit put inside its index, and metadata in its own annotations (annotations mode).
 */
import type { Logger } from '../log.js'
import { annotationKeys, decodeDocument, decodeDocumentBytes } from '../metadata/codec.js'
import type { BuildMetadata } from '../metadata/schema.js'
import { Annotation, ArtifactType } from '../oci/media-types.js'
import type { ReferrersListing, Target } from '../oci/target.js'
import { isIndex, parseManifest, type Descriptor, type Manifest } from '../oci/types.js'
import { describeError, isRegistryFailure } from '../errors.js'
import { classify, needsManifest } from './classify.js'
import type { Evidence } from './gate.js'
import { findReferrers, type FoundReferrers } from './referrers.js'

/** Largest metadata layer read back (the document is JSON; anything larger is not ours). */
export const MAX_METADATA_LAYER_BYTES = 4 * 1024 * 1024

export interface MetadataReading {
  document?: BuildMetadata
  documentDigest?: string
  problem?: string
}

/** Decode our document from annotations, or from the layer they point at. */
export async function readMetadata(target: Target, annotations: Record<string, string> | undefined, manifest: Manifest | undefined, prefix: string, manifestDigest?: string): Promise<MetadataReading> {
  try {
    const dec = decodeDocument(annotations ?? {}, { prefix })
    if (!dec) return { problem: 'it carries no metadata annotations' }
    if (dec.inline) return { document: dec.document, documentDigest: dec.documentDigest }
    let m = manifest
    if (!m && manifestDigest) {
      const got = await target.fetchManifest(manifestDigest)
      m = parseManifest(got.bytes)
    }
    const layer = m && !isIndex(m) ? m.layers.find(l => l.digest === dec.documentDigest) : undefined
    if (!layer) return { problem: `its document layer ${dec.documentDigest} is not in the manifest` }
    const bytes = await target.fetchBlob(layer, MAX_METADATA_LAYER_BYTES)
    const full = decodeDocumentBytes(bytes, dec.documentDigest)
    return { document: full.document, documentDigest: full.documentDigest }
  } catch (e) {
    // a registry that could not be read is not a missing document (exit 3, not 1)
    if (isRegistryFailure(e)) throw e
    return { problem: describeError(e) }
  }
}

export interface SubjectEvidence {
  evidence: Evidence[]
  found: FoundReferrers
}

export async function collectEvidence(
  target: Target,
  subject: { descriptor: Descriptor; manifest?: Manifest; indexAttestations?: Descriptor[] },
  opts: { prefix: string; logger?: Logger; listing?: ReferrersListing; platformDigest?: string }
): Promise<SubjectEvidence> {
  const found = await findReferrers(target, subject.descriptor, {
    fetchIf: d => needsManifest(d) || d.artifactType === ArtifactType.BuildMetadataV1,
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.listing ? { listing: opts.listing } : {})
  })
  const evidence: Evidence[] = []
  for (const r of found.referrers) {
    const kinds = classify(r.descriptor, r.manifest)
    const e: Evidence = { digest: r.descriptor.digest, kinds, source: 'referrer', ...(r.descriptor.artifactType ? { artifactType: r.descriptor.artifactType } : {}) }
    if (kinds.has('metadata')) {
      const md = await readMetadata(target, r.descriptor.annotations, r.manifest, opts.prefix, r.descriptor.digest)
      if (md.document) {
        e.document = md.document
        if (md.document.image.digest !== subject.descriptor.digest) {
          delete e.document
          e.problem = `it describes ${md.document.image.digest}, not this image`
        }
      } else e.problem = md.problem ?? 'unreadable'
    }
    evidence.push(e)
  }
  // metadata written in annotations mode lives in the image's own annotations
  const keys = annotationKeys(opts.prefix)
  const own = subject.manifest?.annotations
  if (own && (own[keys.payload] !== undefined || own[keys.version] !== undefined)) {
    const md = await readMetadata(target, own, subject.manifest, opts.prefix)
    evidence.push({
      digest: subject.descriptor.digest,
      kinds: new Set(['metadata']),
      source: 'annotations',
      ...(md.document ? { document: md.document } : { problem: md.problem ?? 'unreadable' })
    })
  }
  // BuildKit attestation manifests inside the index, for the index or for one platform: the legacy
  // form names its platform manifest in `vnd.docker.reference.digest`, the OCI-artifact form in its
  // `subject` (and may carry the annotation too)
  for (const a of subject.indexAttestations ?? []) {
    const refd = a.annotations?.[Annotation.DockerReferenceDigest]
    if (opts.platformDigest && refd !== undefined && refd !== opts.platformDigest) continue
    try {
      const got = await target.fetchManifest(a)
      const m = parseManifest(got.bytes)
      const about = refd ?? m.subject?.digest
      if (opts.platformDigest && about !== opts.platformDigest) continue
      evidence.push({ digest: a.digest, kinds: classify(a, m), source: 'index-attestation', artifactType: ArtifactType.BuildKitAttestation })
    } catch (e) {
      if (isRegistryFailure(e)) throw e
      opts.logger?.warning(`could not read attestation manifest ${a.digest}: ${describeError(e)}`)
    }
  }
  return { evidence, found }
}

/**
 * Evidence for one platform of an index (platforms: each): its own referrers, BuildKit's
 * attestations for it, and what the index carries for every platform in it — its SBOMs, provenance
 * and other referrers, and its metadata when the document lists this platform.
 */
export function withIndexEvidence(platform: Evidence[], index: Evidence[], platformDigest: string): Evidence[] {
  const seen = new Set(platform.map(e => e.digest))
  const fromIndex = index
    .filter(e => e.source !== 'index-attestation' && !seen.has(e.digest))
    .map((e): Evidence => {
      const out: Evidence = { ...e, of: 'index' }
      if (e.document && !e.document.image.platforms?.some(p => p.digest === platformDigest)) {
        delete out.document
        out.problem = `it describes the index without listing platform ${platformDigest}`
      }
      return out
    })
  return [...platform, ...fromIndex]
}
