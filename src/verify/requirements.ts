/**
 * What `require` may name, in one place: the keywords (case-insensitive), in-toto predicate type
 * URIs, and artifactType strings. inputs.ts validates with it; the gate evaluates what it returns.
 */

/** What attach writes, by kind: also what get reads and discover filters by name. */
export const ARTIFACT_KINDS = ['metadata', 'sbom', 'provenance'] as const
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number]
/**
 * The gate's keywords: the kinds of what attach writes, a cosign signature, and `private`: the
 * metadata document that passed carries a private part (and, with an identity, one it opens).
 */
export const REQUIREMENT_KEYWORDS = [...ARTIFACT_KINDS, 'signature', 'private'] as const
export type RequirementKeyword = (typeof REQUIREMENT_KEYWORDS)[number]
/** What verify requires when `require` names nothing (the input's default, and the gate's). */
export const DEFAULT_REQUIREMENT: RequirementKeyword = 'metadata'

/** True for metadata, sbom and provenance. */
export function isArtifactKind(s: string | undefined): s is ArtifactKind {
  return (ARTIFACT_KINDS as readonly string[]).includes(s as string)
}
/** What a referrer can be evidence of: the keywords but `private`, which is a part of the metadata document. */
export type EvidenceKind = Exclude<RequirementKeyword, 'private'>

export type Requirement =
  /** `name` is the keyword in lower case: rows and `missing` name it so */
  | { kind: RequirementKeyword; name: RequirementKeyword }
  /** an in-toto predicate type, matched exactly against statements (signed or not) and BuildKit's attestations */
  | { kind: 'predicate'; name: string; predicateType: string }
  /** a referrer's artifactType, matched exactly */
  | { kind: 'artifactType'; name: string; artifactType: string }

/** An artifactType: a media type, type/subtype. https://www.rfc-editor.org/rfc/rfc6838#section-4.2 */
const ARTIFACT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i
/**
 * A predicate type: a URI (in-toto's TypeURI), e.g. `https://slsa.dev/provenance/v1`. A scheme and
 * something after it; a media type has no `:`, so the two never overlap.
 * https://github.com/in-toto/attestation/blob/main/spec/v1/field_types.md#typeuri
 */
const PREDICATE_TYPE = /^[a-z][a-z0-9+.-]*:\S+$/i

/** The requirement a `require` entry names, or undefined when it names none (a usage error). */
export function parseRequirement(text: string): Requirement | undefined {
  const s = text.trim()
  const keyword = REQUIREMENT_KEYWORDS.find(k => k === s.toLowerCase())
  if (keyword) return { kind: keyword, name: keyword }
  if (PREDICATE_TYPE.test(s)) return { kind: 'predicate', name: s, predicateType: s }
  if (ARTIFACT_TYPE.test(s)) return { kind: 'artifactType', name: s, artifactType: s }
  return undefined
}

/** For messages: what `require` accepts. */
export const REQUIREMENT_FORMS = `${REQUIREMENT_KEYWORDS.join(', ')}, a predicate type URI (https://slsa.dev/provenance/v1) or an artifactType (type/subtype)`
