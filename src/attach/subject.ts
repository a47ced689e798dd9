/**
 * Resolving the subject once: the digest is what we act on (seed 003); the tag is kept for the record.
 */
import { UsageError } from '../errors.js'
import type { ImageRef } from '../oci/reference.js'
import type { Target } from '../oci/target.js'
import { isIndex, parseManifest, type Descriptor, type ImageIndex, type Manifest } from '../oci/types.js'
import { isBuildKitAttestation } from '../verify/classify.js'

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

/** The digest to act on: `digest` input and a digest in the reference must agree. */
export function subjectDigest(ref: ImageRef, digestInput: string | undefined): string | undefined {
  if (digestInput && ref.digest && digestInput !== ref.digest) {
    throw new UsageError(`input digest ${digestInput} does not match the digest in image "${ref.original}" (${ref.digest})`, { hint: 'give one, or make them agree' })
  }
  return digestInput ?? ref.digest
}

export async function resolveSubject(target: Target, ref: ImageRef, digestInput: string | undefined): Promise<Subject> {
  const digest = subjectDigest(ref, digestInput)
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
