/**
 * The annotation codec: a metadata document as reverse-domain annotations
 * (https://github.com/opencontainers/image-spec/blob/v1.1.0/annotations.md#rules), and back.
 *
 *   <prefix>           the document, encoded as <prefix>.encoding says
 *   <prefix>.version   the document's schemaVersion ("1")
 *   <prefix>.encoding  json | base64 | gzip+base64
 *   <prefix>.digest    sha256 of the canonical JSON (canonical.ts), whatever the encoding
 *
 * A document too large for annotations goes into a blob layer (the caller stores `canonical`), and the
 * annotations carry `summaryAnnotations` instead, with `<prefix>.layer` = "true".
 * Annotation rules: https://github.com/opencontainers/image-spec/blob/v1.1.0/annotations.md
 */
import { gunzipSync, gzipSync } from 'node:zlib'
import { OciError, UsageError } from '../errors.js'
import { digestOf } from '../oci/digest.js'
import { canonicalJson } from './canonical.js'
import { METADATA_SCHEMA_VERSION, buildMetadataSchema, type BuildMetadata } from './schema.js'

export { canonicalJson }

export const DEFAULT_ANNOTATION_PREFIX = 'dev.oci-build-metadata'

/**
 * Largest encoded payload kept in annotations. Annotations are copied into every referrers-API
 * descriptor and into the tag-schema `sha256-<hex>` index, which distribution caps at 4 MiB with all
 * other tools' entries in it, and registries need only accept manifests up to 4 MiB
 * (https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-manifests);
 * 64 KiB per document keeps room for dozens of referrers. Larger → blob layer.
 */
export const MAX_INLINE_DOCUMENT_BYTES = 64 * 1024

/**
 * Largest document a decoder will produce. A registry (or anyone who can push to it) controls what we
 * decode; 16 KiB of gzip can inflate to 16 MiB, so inflation stops at this limit instead of taking the
 * runner's memory. Also caps the blob path.
 */
export const MAX_DECODED_BYTES = 4 * 1024 * 1024

/**
 * Below this a document stays plain JSON: readable in `crane manifest`, registry UIs and `docker buildx
 * imagetools inspect`, and gzip's fixed cost (18 bytes of framing, then +33% base64) hardly pays. A
 * typical document without user fields is 1.5–3 KiB. At or above it, gzip+base64 (JSON compresses
 * 3–10×), provided it is actually smaller.
 */
export const GZIP_THRESHOLD_BYTES = 4 * 1024

export type Encoding = 'json' | 'base64' | 'gzip+base64'
export const ENCODINGS: readonly Encoding[] = ['json', 'base64', 'gzip+base64']

export interface EncodedDocument {
  annotations: Record<string, string>
  /** the payload's encoding; when `inline` is false, the blob holds `canonical` itself, i.e. json */
  encoding: Encoding
  /** `sha256:<hex>` of `canonical` */
  documentDigest: string
  canonical: Uint8Array
  /** false: store `canonical` as a blob layer; `annotations` is then the summary */
  inline: boolean
}

export interface EncodeOptions {
  prefix?: string
  maxInlineBytes?: number
}

export function annotationKeys(prefix = DEFAULT_ANNOTATION_PREFIX) {
  checkPrefix(prefix)
  return {
    payload: prefix,
    version: `${prefix}.version`,
    encoding: `${prefix}.encoding`,
    digest: `${prefix}.digest`,
    layer: `${prefix}.layer`
  }
}

export function encodeDocument(doc: BuildMetadata, opts: EncodeOptions = {}): EncodedDocument {
  const keys = annotationKeys(opts.prefix)
  const maxInline = opts.maxInlineBytes ?? MAX_INLINE_DOCUMENT_BYTES
  const valid = buildMetadataSchema.safeParse(doc)
  if (!valid.success)
    throw new UsageError(`refusing to encode an invalid metadata document: ${valid.error.issues.map(i => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  const text = canonicalJson(doc)
  const canonical = new Uint8Array(Buffer.from(text, 'utf8'))
  const documentDigest = digestOf(canonical)
  const { encoding, payload } = chooseEncoding(text, canonical)
  if (payload.length > maxInline) {
    return { annotations: summaryAnnotations(doc, documentDigest, opts), encoding: 'json', documentDigest, canonical, inline: false }
  }
  return {
    annotations: {
      [keys.payload]: payload,
      [keys.version]: String(doc.schemaVersion),
      [keys.encoding]: encoding,
      [keys.digest]: documentDigest
    },
    encoding,
    documentDigest,
    canonical,
    inline: true
  }
}

/**
 * Small: `json` when the text is printable ASCII, else `base64` (exact bytes survive tools that
 * re-escape or Unicode-normalize annotation values; the digest is over exact bytes:
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/descriptor.md#digests).
 * Large: `gzip+base64` when that is shorter.
 */
function chooseEncoding(text: string, canonical: Uint8Array): { encoding: Encoding; payload: string } {
  const ascii = /^[\x20-\x7e]*$/.test(text)
  const small: { encoding: Encoding; payload: string } = ascii
    ? { encoding: 'json', payload: text }
    : { encoding: 'base64', payload: Buffer.from(canonical).toString('base64') }
  if (canonical.length < GZIP_THRESHOLD_BYTES) return small
  // mtime 0 in the header (Node writes 0) keeps the output a function of the input
  const gz = gzipSync(canonical, { level: 9 }).toString('base64')
  return gz.length < small.payload.length ? { encoding: 'gzip+base64', payload: gz } : small
}

/** What a document too large for annotations leaves in them: enough to find, check and list it. */
export function summaryAnnotations(doc: BuildMetadata, documentDigest: string, opts: { prefix?: string } = {}): Record<string, string> {
  const keys = annotationKeys(opts.prefix)
  const p = keys.payload
  const out: Record<string, string | undefined> = {
    [keys.version]: String(doc.schemaVersion),
    [keys.digest]: documentDigest,
    [keys.layer]: 'true',
    [`${p}.created`]: doc.created,
    [`${p}.image`]: doc.image.original,
    [`${p}.repository`]: doc.source.repository,
    [`${p}.commit`]: doc.source.commit,
    [`${p}.ref`]: doc.source.ref,
    [`${p}.run-url`]: doc.ci.runUrl
  }
  return Object.fromEntries(Object.entries(out).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''))
}

export interface DecodedBytes {
  version: number
  documentDigest: string
  document: BuildMetadata
  canonical: Uint8Array
}
export interface InlineDecodedDocument extends DecodedBytes {
  inline: true
  encoding: Encoding
}
/** The annotations point at a blob layer: fetch the manifest's layer, then decodeDocumentBytes(bytes, documentDigest). */
export interface LayerDecodedDocument {
  inline: false
  version: number
  documentDigest: string
  summary: Record<string, string>
}
export type DecodedDocument = InlineDecodedDocument | LayerDecodedDocument

function corrupt(what: string, hint = 'the metadata was altered or written by another tool; re-run attach'): OciError {
  return new OciError('INVALID_RESPONSE', `metadata annotations: ${what}`, { op: 'decode metadata', hint })
}

/**
 * Read a document back from annotations. Undefined when none is there (neither `<prefix>` nor
 * `<prefix>.version`). Throws OciError: INVALID_RESPONSE (corrupt, unknown encoding, fails the schema),
 * DIGEST_MISMATCH, SIZE_EXCEEDED (over MAX_DECODED_BYTES), UNSUPPORTED (a newer version).
 */
export function decodeDocument(annotations: Record<string, string>, opts: { prefix?: string } = {}): DecodedDocument | undefined {
  const keys = annotationKeys(opts.prefix)
  const payload = annotations[keys.payload]
  const versionText = annotations[keys.version]
  if (payload === undefined && versionText === undefined) return undefined
  const version = readVersion(versionText, keys.version)
  const documentDigest = annotations[keys.digest]
  if (!documentDigest || !/^sha256:[a-f0-9]{64}$/.test(documentDigest))
    throw corrupt(`${keys.digest} is ${documentDigest === undefined ? 'missing' : 'not a sha256 digest'}`)
  if (payload === undefined) {
    if (annotations[keys.layer] !== 'true') throw corrupt(`${keys.version} is set but neither ${keys.payload} nor ${keys.layer} is`)
    const summary = Object.fromEntries(Object.entries(annotations).filter(([k]) => k.startsWith(`${keys.payload}.`)))
    return { inline: false, version, documentDigest, summary }
  }
  const encoding = annotations[keys.encoding] as Encoding | undefined
  if (!encoding || !ENCODINGS.includes(encoding)) {
    throw corrupt(
      `${keys.encoding} is ${encoding === undefined ? 'missing' : `"${String(encoding).slice(0, 40)}", which this tool does not know`} (expected one of ` +
        `${ENCODINGS.join(', ')})`
    )
  }
  const bytes = payloadBytes(payload, encoding)
  const decoded = decodeDocumentBytes(bytes, documentDigest)
  if (decoded.version !== version) throw corrupt(`${keys.version} says ${version} but the document says schemaVersion ${decoded.version}`)
  return { inline: true, encoding, ...decoded }
}

function readVersion(text: string | undefined, key: string): number {
  if (text === undefined || !/^[1-9][0-9]{0,5}$/.test(text))
    throw corrupt(`${key} is ${text === undefined ? 'missing' : `"${text.slice(0, 20)}", not a version number`}`)
  const version = Number(text)
  checkVersion(version)
  return version
}

function checkVersion(version: number): void {
  if (version > METADATA_SCHEMA_VERSION) {
    throw new OciError('UNSUPPORTED', `metadata version ${version} is newer than this tool reads (${METADATA_SCHEMA_VERSION})`, {
      op: 'decode metadata',
      hint: 'upgrade oci-build-metadata'
    })
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

function payloadBytes(payload: string, encoding: Encoding): Uint8Array {
  if (encoding === 'json') {
    if (payload.length > MAX_DECODED_BYTES) throw tooLarge()
    return new Uint8Array(Buffer.from(payload, 'utf8'))
  }
  // Buffer.from(…, 'base64') skips what it does not understand; a corrupt value must fail instead
  if (!BASE64.test(payload)) throw corrupt('the payload is not valid base64')
  if (payload.length > Math.ceil(MAX_DECODED_BYTES / 3) * 4) throw tooLarge()
  const raw = Buffer.from(payload, 'base64')
  if (encoding === 'base64') return new Uint8Array(raw)
  try {
    // maxOutputLength stops inflation as soon as the output passes the cap: a bomb costs at most that
    return new Uint8Array(gunzipSync(raw, { maxOutputLength: MAX_DECODED_BYTES }))
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) throw tooLarge()
    throw corrupt(`the payload is not valid gzip (${(e as Error).message})`)
  }
}

function tooLarge(): OciError {
  return new OciError('SIZE_EXCEEDED', `metadata document decodes to more than ${MAX_DECODED_BYTES} bytes (MAX_DECODED_BYTES), refusing to read it`, {
    op: 'decode metadata',
    hint: 'the annotations were not written by this tool or were tampered with'
  })
}

/** A document from its exact bytes (the blob-layer path, and the last step of decodeDocument). */
export function decodeDocumentBytes(bytes: Uint8Array, expectedDigest?: string): DecodedBytes {
  if (bytes.length > MAX_DECODED_BYTES) throw tooLarge()
  const documentDigest = digestOf(bytes)
  if (expectedDigest !== undefined && documentDigest !== expectedDigest) {
    throw new OciError('DIGEST_MISMATCH', `metadata document does not match its digest (expected ${expectedDigest}, got ${documentDigest})`, {
      op: 'decode metadata',
      hint: 'the metadata was altered after it was written; do not trust it'
    })
  }
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    throw corrupt('the document is not valid JSON')
  }
  const sv = (value as { schemaVersion?: unknown } | null)?.schemaVersion
  if (typeof sv !== 'number' || !Number.isInteger(sv) || sv < 1) throw corrupt('the document has no valid schemaVersion')
  checkVersion(sv)
  const parsed = buildMetadataSchema.safeParse(value)
  if (!parsed.success) {
    throw corrupt(
      `the document does not match schema version ${sv}: ${parsed.error.issues
        .slice(0, 5)
        .map(i => `${i.path.join('.') || '(document)'}: ${i.message}`)
        .join('; ')}`
    )
  }
  return { version: sv, documentDigest, document: parsed.data, canonical: bytes }
}

/**
 * An annotation prefix: reverse-domain notation, as the annotation spec asks of keys
 * (https://github.com/opencontainers/image-spec/blob/v1.1.0/annotations.md#rules): `com.example.build`.
 */
export const ANNOTATION_PREFIX_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+$/

function checkPrefix(prefix: string): void {
  if (!ANNOTATION_PREFIX_PATTERN.test(prefix)) {
    throw new UsageError(`annotation prefix "${prefix}" is not in reverse-domain notation`, {
      hint: `use e.g. ${DEFAULT_ANNOTATION_PREFIX} or com.example.build`
    })
  }
}
