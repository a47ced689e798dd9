/**
 * Media types and well-known values.
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/media-types.md
 */

export const MediaType = {
  ImageManifest: 'application/vnd.oci.image.manifest.v1+json',
  ImageIndex: 'application/vnd.oci.image.index.v1+json',
  ImageConfig: 'application/vnd.oci.image.config.v1+json',
  Empty: 'application/vnd.oci.empty.v1+json',
  Layer: 'application/vnd.oci.image.layer.v1.tar',
  LayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /** Dropped from image-spec 1.1 before release; read, never written. */
  LegacyArtifactManifest: 'application/vnd.oci.artifact.manifest.v1+json',
  Json: 'application/json'
} as const

/** The project's own artifact types. Versioned; no media-type parameters (ECR rejects them). */
export const ArtifactType = {
  BuildMetadataV1: 'application/vnd.oci-build-metadata.v1+json',
  Spdx: 'application/spdx+json',
  /** SPDX 3 JSON-LD: https://www.iana.org/assignments/media-types/application/spdx3+json */
  Spdx3: 'application/spdx3+json',
  CycloneDx: 'application/vnd.cyclonedx+json',
  CycloneDxXml: 'application/vnd.cyclonedx+xml',
  SpdxTagValue: 'text/spdx',
  InToto: 'application/vnd.in-toto+json',
  SigstoreBundleV03: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  BuildKitAttestation: 'application/vnd.docker.attestation.manifest.v1+json'
} as const

export const MANIFEST_MEDIA_TYPES: readonly string[] = [MediaType.ImageManifest, MediaType.ImageIndex, MediaType.DockerManifest, MediaType.DockerManifestList]

export const INDEX_MEDIA_TYPES: readonly string[] = [MediaType.ImageIndex, MediaType.DockerManifestList]

export function isIndexMediaType(mt: string | undefined): boolean {
  return mt !== undefined && INDEX_MEDIA_TYPES.includes(mt)
}

/** `Accept` for manifest requests: OCI and Docker, manifests and indexes. */
export const MANIFEST_ACCEPT = [...MANIFEST_MEDIA_TYPES, MediaType.LegacyArtifactManifest].join(', ')

/**
 * The empty descriptor: content `{}`.
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/manifest.md#guidance-for-an-empty-descriptor
 */
export const EMPTY_JSON = new Uint8Array([0x7b, 0x7d])
export const EMPTY_DESCRIPTOR = Object.freeze({
  mediaType: MediaType.Empty,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  data: 'e30='
})

/** Well-known annotation keys. https://github.com/opencontainers/image-spec/blob/v1.1.0/annotations.md */
export const Annotation = {
  Created: 'org.opencontainers.image.created',
  Source: 'org.opencontainers.image.source',
  Revision: 'org.opencontainers.image.revision',
  Version: 'org.opencontainers.image.version',
  Url: 'org.opencontainers.image.url',
  RefName: 'org.opencontainers.image.ref.name',
  Title: 'org.opencontainers.image.title',
  Licenses: 'org.opencontainers.image.licenses',
  Description: 'org.opencontainers.image.description',
  /** BuildKit marks its attestation manifests inside an index with these */
  DockerReferenceType: 'vnd.docker.reference.type',
  DockerReferenceDigest: 'vnd.docker.reference.digest',
  InTotoPredicateType: 'in-toto.io/predicate-type',
  SigstoreBundlePredicateType: 'dev.sigstore.bundle.predicateType'
} as const
