/**
 * The variables a `policy` expression sees, with their CEL types, so that a typo in a field name or a
 * comparison of a string with a number is found when the expression is checked — before the gate
 * sends a request — and not when it runs. Pure data: src/policy/cel.ts hands it to the CEL library.
 *
 * The values are JSON, as Kubernetes hands objects to admission policies written in CEL: strings,
 * integers (`int`), lists and maps; times are RFC 3339 strings (`timestamp(metadata.created)`), and
 * `now` is the gate's clock. A variable that may be absent (no provenance on the image, no identity
 * for `private`) is `dyn` and null when absent: test it with `provenance != null`.
 */

/** A field type of the metadata document (src/metadata/schema.ts): a CEL type name, or a nested object. */
export type FieldType = string | { [field: string]: FieldType }

/**
 * The metadata document, version 2 (version 1 is the same without `private`), field by field. A unit
 * test walks the document's JSON Schema and fails when a field is missing here or typed otherwise.
 */
export const METADATA_FIELDS: { [field: string]: FieldType } = {
  schemaVersion: 'int',
  created: 'string',
  image: {
    original: 'string',
    registry: 'string',
    repository: 'string',
    name: 'string',
    tag: 'string',
    digest: 'string',
    mediaType: 'string',
    size: 'int',
    platforms: 'list<map<string, string>>'
  },
  source: { repository: 'string', url: 'string', commit: 'string', ref: 'string', refName: 'string', refType: 'string' },
  ci: {
    provider: 'string',
    serverUrl: 'string',
    event: 'string',
    workflow: 'string',
    workflowRef: 'string',
    job: 'string',
    jobId: 'string',
    jobUrl: 'string',
    runId: 'string',
    runNumber: 'string',
    runAttempt: 'string',
    runUrl: 'string',
    actor: 'string',
    triggeringActor: 'string',
    runner: { os: 'string', arch: 'string', environment: 'string' }
  },
  opencontainers: 'map<string, string>',
  user: 'map<string, dyn>',
  private: { version: 'int', format: 'string', ciphertext: 'string' }
}

/** The image the gate ran on: the reference as given, its digest, and for an index its platforms as `os/architecture[/variant]`. */
export const IMAGE_FIELDS: { [field: string]: FieldType } = {
  reference: 'string',
  name: 'string',
  tag: 'string',
  digest: 'string',
  mediaType: 'string',
  platforms: 'list<string>'
}

/**
 * The variables, in the order the README lists them. `provenance`, `sbom` and `private` are null when
 * absent; `signer` is a map from requirement (`metadata`, `provenance`, `signature`, a predicate
 * type) to who signed the evidence that served it, empty when no signature was verified.
 */
export const POLICY_VARIABLES = ['metadata', 'provenance', 'sbom', 'image', 'signer', 'private', 'now'] as const
export type PolicyVariable = (typeof POLICY_VARIABLES)[number]

/** Why a variable is null, for a failed row's reason. */
export const WHY_NULL: Record<PolicyVariable, string> = {
  metadata: 'no metadata document passed the gate',
  provenance: 'no provenance statement on the image',
  sbom: 'no SBOM on the image',
  image: '',
  signer: '',
  private: 'the metadata document that passed has no private part the identity opens',
  now: ''
}
