/**
 * Resolving the subject once: the digest is what we act on; the tag is kept for the record.
 */
import type { ImageRef } from '../oci/reference.js'
import type { Reader } from '../oci/target.js'
import { isIndex, parseManifest, type Descriptor, type ImageIndex, type Manifest } from '../oci/types.js'
import { isBuildKitAttestation } from '../oci/buildkit-attestations.js'

export interface Subject {
  descriptor: Descriptor
  /** the manifest's exact bytes as fetched (digest-checked) */
  bytes: Uint8Array
  manifest: Manifest
  /** the index itself, when the subject is one */
  index?: ImageIndex
  /** platform manifests of an index (attestation manifests and unknown/unknown left out) */
  platforms: Descriptor[]
  /** manifests inside the index that BuildKit marks as attestations */
  indexAttestations: Descriptor[]
}

/** `digest`: the one to act on (the inputs agreed it with the reference); else the tag. */
export async function resolveSubject(target: Reader, ref: ImageRef, digest: string | undefined): Promise<Subject> {
  const reference = digest ?? ref.tag ?? 'latest'
  // one GET rather than HEAD: the bytes are needed for indexes, the gate and annotations mode alike
  const got = await target.fetchManifest(reference)
  const descriptor: Descriptor = { mediaType: got.descriptor.mediaType, digest: got.descriptor.digest, size: got.descriptor.size }
  const manifest = parseManifest(got.bytes, `manifest of ${ref.original}`)
  const index: ImageIndex | undefined = isIndex(manifest) ? manifest : undefined
  const platforms = (index?.manifests ?? []).filter(d => !isBuildKitAttestation(d) && !(d.platform?.os === 'unknown' && d.platform?.architecture === 'unknown'))
  const indexAttestations = (index?.manifests ?? []).filter(isBuildKitAttestation)
  return { descriptor, bytes: got.bytes, manifest, ...(index ? { index } : {}), platforms, indexAttestations }
}
