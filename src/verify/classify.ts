/**
 * What a referrer is evidence of, whoever attached it: our metadata, SBOMs from any tool (SPDX,
 * CycloneDX; plain, as in-toto attestations or Sigstore bundles), provenance (in-toto / Sigstore
 * bundles with a SLSA predicate, BuildKit attestation manifests), cosign signatures.
 *
 * Annotations and artifactTypes are what anyone with push access says about a referrer: they decide
 * what a presence gate counts and which manifests to fetch, never what a signed gate trusts (that is
 * the verified statement's predicate type, src/verify/evidence.ts).
 */
import { isBuildKitAttestation } from '../oci/buildkit-attestations.js'
import { Annotation, ArtifactType } from '../oci/media-types.js'
import type { Descriptor, Manifest } from '../oci/types.js'
import { isIndex } from '../oci/types.js'
import type { EvidenceKind } from './requirements.js'

export type { EvidenceKind } from './requirements.js'

const SBOM_TYPES = new Set<string>([
  ArtifactType.Spdx,
  ArtifactType.Spdx3,
  ArtifactType.CycloneDx,
  ArtifactType.CycloneDxXml,
  ArtifactType.SpdxTagValue,
  'application/vnd.syft+json'
])
const SBOM_PREDICATES = [/^https:\/\/spdx\.dev\/Document/, /^https:\/\/cyclonedx\.org\/bom/, /^https:\/\/syft\.dev\/bom/]
const PROVENANCE_PREDICATES = [/^https:\/\/slsa\.dev\/provenance\//]
/** our signed metadata statement (src/sbom-provenance/metadata-statement.ts), any version */
const METADATA_PREDICATES = [/^https:\/\/oci-build-metadata\.dev\/attestation\/build-metadata\/v\d+$/]
/**
 * cosign v3's image signature: an in-toto statement over the image digest with this predicate, in a
 * Sigstore bundle (`cosign sign` with the new bundle format, the default since cosign 3.0).
 * https://github.com/sigstore/cosign/blob/main/CHANGELOG.md#v300
 */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1'

/**
 * A Sigstore bundle's media type, any version: `…bundle.v0.3+json` (actions/attest, cosign) and the
 * older `…bundle+json;version=0.x`.
 */
export function isSigstoreBundleType(mediaType: string | undefined): boolean {
  return /^application\/vnd\.dev\.sigstore\.bundle/.test(mediaType ?? '')
}

/** Is this referrer a Sigstore bundle? */
export function isSigstoreBundle(d: Descriptor): boolean {
  return isSigstoreBundleType(d.artifactType)
}

export function isMetadataPredicate(p: string | undefined): boolean {
  return p !== undefined && METADATA_PREDICATES.some(r => r.test(p))
}

/** What a statement with this predicate type is evidence of. */
export function kindsOfPredicate(p: string): EvidenceKind[] {
  const kinds: EvidenceKind[] = []
  if (SBOM_PREDICATES.some(r => r.test(p))) kinds.push('sbom')
  if (PROVENANCE_PREDICATES.some(r => r.test(p))) kinds.push('provenance')
  if (isMetadataPredicate(p)) kinds.push('metadata')
  if (p === COSIGN_SIGN_PREDICATE) kinds.push('signature')
  return kinds
}

/** The predicate types a referrer announces (in its annotations, or its manifest's and layers' when given). */
export function predicateTypes(d: Descriptor, m?: Manifest): string[] {
  const out: string[] = []
  const take = (a?: Record<string, string>) => {
    if (!a) return
    for (const k of [Annotation.InTotoPredicateType, Annotation.SigstoreBundlePredicateType, 'predicateType']) if (a[k]) out.push(a[k] as string)
  }
  take(d.annotations)
  if (m) {
    take(m.annotations)
    // BuildKit attestation manifests name each statement's predicate on its layer
    if (!isIndex(m)) for (const l of m.layers) take(l.annotations)
  }
  return [...new Set(out)]
}

/** Manifests the gate must read to classify: BuildKit attestations and attestations without a predicate annotation. */
export function needsManifest(d: Descriptor): boolean {
  if (isBuildKitAttestation(d)) return true
  if ((d.artifactType === ArtifactType.InToto || isSigstoreBundle(d)) && predicateTypes(d).length === 0) return true
  return false
}

/** Does this referrer carry in-toto statements (plain, in a Sigstore bundle, or BuildKit's)? */
export function carriesStatements(d: Descriptor): boolean {
  return d.artifactType === ArtifactType.InToto || isSigstoreBundle(d) || isBuildKitAttestation(d)
}

/** What a referrer announces itself to be: by artifactType, and for statements by the predicate types it names. */
export function classify(d: Descriptor, m?: Manifest): Set<EvidenceKind> {
  const kinds = new Set<EvidenceKind>()
  const at = d.artifactType ?? ''
  if (at === ArtifactType.BuildMetadataV1) kinds.add('metadata')
  if (SBOM_TYPES.has(at)) kinds.add('sbom')
  if (carriesStatements(d)) for (const p of predicateTypes(d, m)) for (const k of kindsOfPredicate(p)) kinds.add(k)
  return kinds
}
