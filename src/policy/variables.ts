/**
 * The values a policy reads, gathered for one scope of the gate (the image, or one platform) after
 * its evidence is in. Only the variables the expressions name are gathered: a policy on `metadata`
 * sends no request beyond the gate's own; `provenance` and `sbom` read the one statement or SBOM the
 * gate's row for that requirement would take (with a signer: the verified one), digest-checked.
 *
 * Values are JSON as CEL reads it: integers become CEL `int` (bigint), as Kubernetes hands JSON to
 * admission policies; everything else is as parsed.
 */
import { describeError, isRegistryFailure } from '../errors.js'
import type { Logger } from '../log.js'
import type { BuildMetadata } from '../metadata/schema.js'
import type { ImageRef } from '../oci/reference.js'
import type { Reader } from '../oci/target.js'
import type { Descriptor, Manifest } from '../oci/types.js'
import type { IndexAttestation } from '../image-reader/index-attestations.js'
import type { FoundReferrers } from '../image-reader/find-referrers.js'
import { platformLabel } from '../result.js'
import { carrierOf, toCandidate } from '../get/candidates.js'
import { readContent } from '../get/content.js'
import { isSigstoreBundleType } from '../verify/classify.js'
import { evaluateGate, type Evidence, type Policy } from '../verify/gate.js'
import { bundlePayload } from '../verify/evidence.js'
import { pathOf } from '../sign/signer.js'
import type { PolicyVariable } from './declarations.js'
import { formatOfType, MAX_POLICY_SBOM_BYTES, summarize } from './sbom.js'

/** Largest provenance statement read for a policy (a bundle holds one; BuildKit's are a few KiB). */
export const MAX_POLICY_STATEMENT_BYTES = 4 * 1024 * 1024

/** JSON as CEL reads it: safe integers as `int` (bigint), the rest as is. */
export function toCel(v: unknown): unknown {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v
  if (Array.isArray(v)) return v.map(toCel)
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toCel(x)]))
  return v
}

export interface ScopeFacts {
  target: Reader
  ref: ImageRef
  /** the image as resolved: the index (with its platforms) or the manifest */
  subject: { descriptor: Descriptor; platforms: Descriptor[] }
  evidence: Evidence[]
  found: FoundReferrers
  attestations: IndexAttestation[]
  policy: Policy
  prefix: string
  /** the document that passed the gate (chooseMetadata) */
  metadata?: BuildMetadata
  /** its private part, opened with the identity given */
  private?: Record<string, unknown>
  logger: Logger
  /**
   * The layers read so far in this verify, by kind and evidence digest (one map for every scope):
   * with `platforms: each` the index's SBOM and provenance serve every platform and are read once.
   */
  layerReads: Map<string, Promise<Uint8Array>>
}

/** The evidence the gate's row for this requirement takes (with a signer: the verified one). */
function evidenceFor(requirement: string, f: ScopeFacts): Evidence | undefined {
  const row = evaluateGate([requirement], f.evidence, f.policy)[0]
  return row?.found ? f.evidence.find(e => e.digest === row.evidence) : undefined
}

function manifestOf(e: Evidence, f: ScopeFacts): { descriptor: Descriptor; manifest?: Manifest } {
  const { descriptor, manifest } = carrierOf(e.digest, f.found, f.attestations)
  return { descriptor: descriptor ?? { mediaType: '', digest: e.digest, size: 0 }, ...(manifest ? { manifest } : {}) }
}

/** The bytes of the layer a gate row's evidence holds for `kind`, fetched and digest-checked (as get reads it). */
function layerOf(e: Evidence, kind: 'sbom' | 'provenance', f: ScopeFacts, maxBytes: number): Promise<Uint8Array> {
  const key = `${kind} ${e.digest}`
  let read = f.layerReads.get(key)
  if (!read) {
    read = readLayer(e, kind, f, maxBytes)
    f.layerReads.set(key, read)
  }
  return read
}

async function readLayer(e: Evidence, kind: 'sbom' | 'provenance', f: ScopeFacts, maxBytes: number): Promise<Uint8Array> {
  const { descriptor, manifest } = manifestOf(e, f)
  const content = await readContent(f.target, toCandidate(e, descriptor.annotations, 'image', descriptor), kind, {
    prefix: f.prefix,
    maxBytes,
    ...(manifest ? { manifest } : {})
  })
  return content.bytes
}

const json = (b: Uint8Array): unknown => JSON.parse(Buffer.from(b).toString('utf8'))

async function provenanceOf(f: ScopeFacts): Promise<unknown> {
  const e = evidenceFor('provenance', f)
  if (!e) return null
  if (e.statement !== undefined) return e.statement
  const bytes = await layerOf(e, 'provenance', f, MAX_POLICY_STATEMENT_BYTES)
  const value = json(bytes)
  return isSigstoreBundleType(e.artifactType) ? (bundlePayload(value) ?? null) : value
}

async function sbomOf(f: ScopeFacts): Promise<unknown> {
  const e = evidenceFor('sbom', f)
  if (!e) return null
  const { descriptor } = manifestOf(e, f)
  const where = { digest: e.digest, artifactType: e.artifactType ?? null }
  const fallback = { format: formatOfType(e.artifactType), specVersion: descriptor.annotations?.[`${f.prefix}.sbom.spec-version`] ?? null }
  let bytes: Uint8Array
  try {
    bytes = await layerOf(e, 'sbom', f, MAX_POLICY_SBOM_BYTES)
  } catch (err) {
    if (isRegistryFailure(err)) throw err
    f.logger.info(`policy: the SBOM ${e.digest} is not read (${describeError(err)}); sbom.components and sbom.document are null`)
    return summarize(null, 0, fallback, where)
  }
  let doc: unknown = null
  try {
    doc = json(bytes)
  } catch {
    // XML or tag-value: the format and version only
  }
  return summarize(doc, bytes.length, fallback, where)
}

/** Who signed the evidence of each requirement the gate can name, when its signature was verified. */
function signerOf(f: ScopeFacts): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const req of ['metadata', 'provenance', 'sbom', 'signature']) {
    const e = evidenceFor(req, f)
    if (e?.signature?.state !== 'verified') continue
    const id = e.signature.identity
    out[req] = {
      identity: pathOf(id.san),
      san: id.san,
      ...(id.issuer ? { issuer: id.issuer } : {}),
      ...(id.sourceRepository ? { repository: id.sourceRepository } : {}),
      digest: e.digest
    }
  }
  return out
}

function imageOf(f: ScopeFacts): Record<string, unknown> {
  return {
    reference: f.ref.original,
    name: f.ref.name,
    ...(f.ref.tag ? { tag: f.ref.tag } : {}),
    digest: f.subject.descriptor.digest,
    mediaType: f.subject.descriptor.mediaType,
    platforms: f.subject.platforms.map(platformLabel)
  }
}

/** Every variable, gathered where the expressions read it; null (or empty) elsewhere. */
export async function gatherVariables(reads: Set<PolicyVariable>, f: ScopeFacts): Promise<Record<PolicyVariable, unknown>> {
  return {
    metadata: f.metadata ? toCel(f.metadata) : null,
    provenance: reads.has('provenance') ? toCel(await provenanceOf(f)) : null,
    sbom: reads.has('sbom') ? toCel(await sbomOf(f)) : null,
    image: toCel(imageOf(f)),
    signer: reads.has('signer') ? signerOf(f) : {},
    private: f.private ? toCel(f.private) : null,
    now: f.policy.now
  }
}
