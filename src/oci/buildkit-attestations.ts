/**
 * BuildKit's attestation manifests inside an image index: the legacy form, an `unknown/unknown`
 * entry naming its platform manifest in `vnd.docker.reference.digest`; since BuildKit 0.32 the
 * OCI-artifact form, with `artifactType` and `subject` = the platform manifest.
 * https://github.com/moby/buildkit/blob/master/docs/attestations/attestation-storage.md
 */
import { Annotation, ArtifactType } from './media-types.js'
import type { Descriptor, Manifest } from './types.js'

/** Is this (a referrer, or a manifest inside an index) a BuildKit attestation manifest? */
export function isBuildKitAttestation(d: Descriptor): boolean {
  return d.artifactType === ArtifactType.BuildKitAttestation || d.annotations?.[Annotation.DockerReferenceType] === 'attestation-manifest'
}

/** The platform manifest an attestation describes: its annotation (legacy), else its `subject`. */
export function attestedDigest(entry: Descriptor, manifest: Manifest | undefined): string | undefined {
  return entry.annotations?.[Annotation.DockerReferenceDigest] ?? manifest?.subject?.digest
}
