/**
 * Artifact manifests, built as bytes once and never re-serialized afterwards: the digest is of
 * exact bytes (https://github.com/opencontainers/image-spec/blob/v1.1.0/descriptor.md#digests).
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/manifest.md#guidelines-for-artifact-usage
 * There is no separate artifact manifest type any more: an image manifest with `artifactType`, the
 * empty config and a `subject`.
 */
import { digestOf } from '../oci/digest.js'
import { EMPTY_DESCRIPTOR, MediaType } from '../oci/media-types.js'
import { cleanDescriptor, type Descriptor, type ImageManifest } from '../oci/types.js'

export interface BuiltManifest {
  bytes: Uint8Array
  manifest: ImageManifest
  /** the descriptor a referrers list must hold for it: artifactType and all annotations included */
  descriptor: Descriptor
}

export interface ArtifactSpec {
  artifactType: string
  subject: Descriptor
  annotations: Record<string, string>
  /** payload layers; none → the empty descriptor, as the spec advises for annotation-only artifacts */
  layers?: Descriptor[]
}

export function buildArtifactManifest(spec: ArtifactSpec): BuiltManifest {
  const config = { mediaType: EMPTY_DESCRIPTOR.mediaType, digest: EMPTY_DESCRIPTOR.digest, size: EMPTY_DESCRIPTOR.size }
  const layers = spec.layers?.length ? spec.layers.map(l => cleanDescriptor(l)) : [config]
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ImageManifest,
    artifactType: spec.artifactType,
    config,
    layers,
    subject: { mediaType: spec.subject.mediaType, digest: spec.subject.digest, size: spec.subject.size },
    annotations: sortKeys(spec.annotations)
  }
  const bytes = new TextEncoder().encode(JSON.stringify(manifest))
  return {
    bytes,
    manifest,
    descriptor: {
      mediaType: MediaType.ImageManifest,
      digest: digestOf(bytes),
      size: bytes.length,
      artifactType: spec.artifactType,
      annotations: manifest.annotations
    }
  }
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
