/**
 * The metadata document as an in-toto statement, so that it can be signed like provenance: the
 * predicate is the document itself, under a predicate type of ours that carries the document's
 * schema version.
 * https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md
 */
import { canonicalJson } from '../metadata/canonical.js'
import { buildMetadataSchema, type BuildMetadata } from '../metadata/schema.js'
import { parseDigest } from '../oci/digest.js'
import { IN_TOTO_STATEMENT_V1, type InTotoStatementV1 } from './provenance.js'

/** Predicate type of a signed metadata document, version 1 (the document's schemaVersion). */
export const BUILD_METADATA_PREDICATE_V1 = 'https://oci-build-metadata.dev/attestation/build-metadata/v1'

/** The predicate type of a document: its schemaVersion is the predicate's version (`…/v2` with a private part). */
export function metadataPredicate(doc: Pick<BuildMetadata, 'schemaVersion'>): string {
  return BUILD_METADATA_PREDICATE_V1.replace(/v1$/, `v${doc.schemaVersion}`)
}

export function metadataStatement(doc: BuildMetadata): InTotoStatementV1<BuildMetadata> {
  const { algorithm, hex } = parseDigest(doc.image.digest)
  return {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{ name: doc.image.name, digest: { [algorithm]: hex } }],
    predicateType: metadataPredicate(doc),
    predicate: doc
  }
}

export function statementBytes(s: InTotoStatementV1<unknown>): Uint8Array {
  return new Uint8Array(Buffer.from(canonicalJson(s), 'utf8'))
}

/** The document a signed metadata statement carries, or why it carries none. */
export function documentOfStatement(statement: unknown): { document: BuildMetadata } | { problem: string } {
  const s = statement as Partial<InTotoStatementV1<unknown>> | null
  if (!s || typeof s !== 'object' || s._type !== IN_TOTO_STATEMENT_V1) return { problem: 'its payload is not an in-toto statement v1' }
  const version = (s.predicate as { schemaVersion?: unknown } | undefined)?.schemaVersion
  const expected = metadataPredicate({ schemaVersion: typeof version === 'number' ? (version as BuildMetadata['schemaVersion']) : 1 })
  if (s.predicateType !== expected) return { problem: `its predicate type is ${String(s.predicateType)}, not ${expected}` }
  const parsed = buildMetadataSchema.safeParse(s.predicate)
  if (!parsed.success)
    return {
      problem: `its predicate is not a metadata document: ${parsed.error.issues
        .slice(0, 3)
        .map(i => `${i.path.join('.') || '(document)'}: ${i.message}`)
        .join('; ')}`
    }
  return { document: parsed.data }
}

/** Does the statement name this digest among its subjects? */
export function statementNames(statement: unknown, digest: string): boolean {
  const { algorithm, hex } = parseDigest(digest)
  const subjects = (statement as { subject?: Array<{ digest?: Record<string, string> }> } | null)?.subject
  return Array.isArray(subjects) && subjects.some(x => x?.digest?.[algorithm] === hex)
}
