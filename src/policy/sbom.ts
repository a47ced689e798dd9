/**
 * The SBOM as a policy sees it (`sbom`): its format, spec version, how many components it lists, and
 * the document itself when it is small. Pure: from the bytes read (src/policy/variables.ts).
 *
 * Components: CycloneDX `components` (nested ones included), SPDX 2 `packages`, SPDX 3 the
 * `software_Package` elements of `@graph`. An SBOM in an in-toto statement (BuildKit, attestations)
 * is its predicate.
 */
import { FULL_PARSE_MAX_BYTES } from '../sbom-provenance/sbom.js'

/** SBOMs up to this size are read and parsed to count components (the size SBOM detection parses whole). */
export const MAX_POLICY_SBOM_BYTES = FULL_PARSE_MAX_BYTES
/**
 * The document itself is handed to the policy up to this size: CEL over a larger one costs memory and
 * time a release gate should not spend; `sbom.components` still counts up to MAX_POLICY_SBOM_BYTES.
 */
export const MAX_POLICY_SBOM_DOCUMENT_BYTES = 1024 * 1024

export interface SbomSummary {
  format: 'cyclonedx' | 'spdx' | 'unknown'
  specVersion: string | null
  /** null: not counted (larger than MAX_POLICY_SBOM_BYTES, or not JSON) */
  components: number | null
  /** null: larger than MAX_POLICY_SBOM_DOCUMENT_BYTES, or not JSON */
  document: unknown
  /** the referrer (or attestation) it came from, and its artifactType */
  digest: string
  artifactType: string | null
}

function countCycloneDx(list: unknown): number {
  if (!Array.isArray(list)) return 0
  return list.reduce((n: number, c) => n + 1 + countCycloneDx((c as { components?: unknown } | null)?.components), 0)
}

/** The summary of JSON text already parsed (`doc`), or of what is known without it. */
export function summarize(
  doc: unknown,
  size: number,
  fallback: { format: SbomSummary['format']; specVersion: string | null },
  where: { digest: string; artifactType: string | null }
): SbomSummary {
  let d = doc as Record<string, unknown> | null
  // an in-toto statement (BuildKit's attestation, an SBOM attestation): the SBOM is its predicate
  if (d && typeof d._type === 'string' && /in-toto/.test(d._type) && d.predicate && typeof d.predicate === 'object') d = d.predicate as Record<string, unknown>
  const base = { ...where, document: d && size <= MAX_POLICY_SBOM_DOCUMENT_BYTES ? d : null }
  if (d && d.bomFormat === 'CycloneDX')
    return { ...base, format: 'cyclonedx', specVersion: typeof d.specVersion === 'string' ? d.specVersion : null, components: countCycloneDx(d.components) }
  if (d && typeof d.spdxVersion === 'string')
    return { ...base, format: 'spdx', specVersion: d.spdxVersion.replace(/^SPDX-/, ''), components: Array.isArray(d.packages) ? d.packages.length : 0 }
  if (d && Array.isArray(d['@graph'])) {
    const graph = d['@graph'] as Array<Record<string, unknown>>
    const info = graph.find(x => x?.type === 'CreationInfo')
    return {
      ...base,
      format: 'spdx',
      specVersion: typeof info?.specVersion === 'string' ? info.specVersion : fallback.specVersion,
      components: graph.filter(x => x?.type === 'software_Package').length
    }
  }
  return { ...base, document: null, format: fallback.format, specVersion: fallback.specVersion, components: null }
}

/** What the artifactType says when the content cannot be read. */
export function formatOfType(artifactType: string | undefined): SbomSummary['format'] {
  if (/cyclonedx/i.test(artifactType ?? '')) return 'cyclonedx'
  if (/spdx/i.test(artifactType ?? '')) return 'spdx'
  return 'unknown'
}
