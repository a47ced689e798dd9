/**
 * Planning what to attach: pure functions from the document, SBOMs and provenance to manifests.
 * Everything is computed before the first write, so bad input never leaves half a result behind.
 */
import { basename } from 'node:path'
import { encodeDocument } from '../metadata/codec.js'
import type { BuildMetadata } from '../metadata/schema.js'
import { digestOf } from '../oci/digest.js'
import { Annotation, ArtifactType, EMPTY_DESCRIPTOR, EMPTY_JSON } from '../oci/media-types.js'
import type { Descriptor } from '../oci/types.js'
import type { DetectedSbom } from '../sbom-provenance/sbom.js'
import { sbomAnnotations } from '../sbom-provenance/sbom.js'
import { provenanceAnnotations, provenanceBytes, type InTotoStatementV1 } from '../sbom-provenance/provenance.js'
import { contentDigestKey } from './dedupe.js'
import { attachmentKey, identityAnnotations, type WriterIdentity } from './identity.js'
import { buildArtifactManifest } from './manifest.js'
import type { PlannedArtifact } from './publish.js'

/** Media type of the layer that holds a document too large for annotations. */
export const METADATA_LAYER_MEDIA_TYPE = ArtifactType.BuildMetadataV1

export interface PlanContext {
  subject: Descriptor
  prefix: string
  /** extra annotations from the user, already validated */
  userAnnotations: Record<string, string>
  created: string
  /** who writes: the key's identity and the attempt (src/attach/identity.ts) */
  writer: WriterIdentity
}

function keyed(ctx: PlanContext, kind: string, extra = ''): { key: string; annotations: Record<string, string> } {
  const key = attachmentKey(ctx.writer, ctx.subject.digest, kind, extra)
  return { key, annotations: identityAnnotations(ctx.prefix, key, ctx.writer) }
}

export function planMetadata(doc: BuildMetadata, ctx: PlanContext): { plan: PlannedArtifact; annotations: Record<string, string> } {
  const enc = encodeDocument(doc, { prefix: ctx.prefix })
  const { key, annotations: identity } = keyed(ctx, 'metadata')
  const annotations: Record<string, string> = {
    ...ctx.userAnnotations,
    [Annotation.Created]: ctx.created,
    ...enc.annotations,
    ...identity
  }
  const blobs: PlannedArtifact['blobs'] = []
  let layers: Descriptor[] | undefined
  if (!enc.inline) {
    const layer: Descriptor = {
      mediaType: METADATA_LAYER_MEDIA_TYPE,
      digest: enc.documentDigest,
      size: enc.canonical.length,
      annotations: { [Annotation.Title]: 'build-metadata.json' }
    }
    layers = [layer]
    blobs.push({ source: { bytes: enc.canonical }, descriptor: layer })
  }
  const built = buildArtifactManifest({ artifactType: ArtifactType.BuildMetadataV1, subject: ctx.subject, annotations, ...(layers ? { layers } : {}) })
  blobs.push(emptyBlob()) // the config, and the only layer when the document is inline
  return { plan: { kind: 'metadata', label: 'metadata', built, blobs, key, documentDigest: enc.documentDigest }, annotations }
}

export function planSbom(s: DetectedSbom, ctx: PlanContext): PlannedArtifact {
  const layer: Descriptor = { mediaType: s.mediaType, digest: s.digest, size: s.size, annotations: { [Annotation.Title]: basename(s.path) } }
  const { key, annotations: identity } = keyed(ctx, 'sbom', basename(s.path))
  const annotations = { ...sbomAnnotations(s, ctx.created, ctx.prefix), ...identity, [contentDigestKey(ctx.prefix)]: s.digest }
  const built = buildArtifactManifest({ artifactType: s.artifactType, subject: ctx.subject, annotations, layers: [layer] })
  return {
    kind: 'sbom',
    label: `sbom ${basename(s.path)}`,
    built,
    blobs: [{ source: { path: s.path, digest: s.digest, size: s.size }, descriptor: layer }, emptyBlob()],
    key,
    contentDigest: s.digest
  }
}

export function planProvenance(statement: InTotoStatementV1, ctx: PlanContext): { plan: PlannedArtifact; bytes: Uint8Array } {
  const bytes = provenanceBytes(statement)
  const layer: Descriptor = {
    mediaType: ArtifactType.InToto,
    digest: digestOf(bytes),
    size: bytes.length,
    annotations: { [Annotation.Title]: 'provenance.intoto.json' }
  }
  const { key, annotations: identity } = keyed(ctx, 'provenance')
  // the statement records no build times: the same build gives the same bytes (a CI re-run names
  // another invocation, so its provenance is new content)
  const contentDigest = layer.digest
  const annotations = { ...provenanceAnnotations(ctx.created), ...identity, [contentDigestKey(ctx.prefix)]: contentDigest }
  const built = buildArtifactManifest({ artifactType: ArtifactType.InToto, subject: ctx.subject, annotations, layers: [layer] })
  return {
    plan: { kind: 'provenance', label: 'provenance', built, blobs: [{ source: { bytes }, descriptor: layer }, emptyBlob()], key, contentDigest },
    bytes
  }
}

/** The empty config (and empty layer) every artifact references: `{}`, digest known in advance. */
function emptyBlob(): PlannedArtifact['blobs'][number] {
  return { source: { bytes: EMPTY_JSON }, descriptor: { mediaType: EMPTY_DESCRIPTOR.mediaType, digest: EMPTY_DESCRIPTOR.digest, size: EMPTY_DESCRIPTOR.size } }
}

/** The annotations actions/attest gives a bundle referrer; the gate and `gh attestation verify --bundle-from-oci` read them. */
const BUNDLE_CONTENT_ANNOTATION = 'dev.sigstore.bundle.content'

/**
 * A signed statement as its own referrer, in the form actions/attest pushes it: artifactType and the
 * only layer `application/vnd.dev.sigstore.bundle.v0.3+json` (the bundle JSON, byte for byte), the
 * empty config, and the predicate type in `dev.sigstore.bundle.predicateType`.
 */
export function planBundle(kind: 'metadata' | 'provenance', bundle: Uint8Array, predicateType: string, ctx: PlanContext): PlannedArtifact {
  const layer: Descriptor = { mediaType: ArtifactType.SigstoreBundleV03, digest: digestOf(bundle), size: bundle.length }
  const { key, annotations: identity } = keyed(ctx, `${kind}-bundle`)
  const annotations = {
    [BUNDLE_CONTENT_ANNOTATION]: 'dsse-envelope',
    [Annotation.SigstoreBundlePredicateType]: predicateType,
    [Annotation.Created]: ctx.created,
    ...identity
  }
  const built = buildArtifactManifest({ artifactType: ArtifactType.SigstoreBundleV03, subject: ctx.subject, annotations, layers: [layer] })
  return { kind, label: `signed ${kind}`, built, blobs: [{ source: { bytes: bundle }, descriptor: layer }, emptyBlob()], key }
}
