/**
 * Gathering the gate's evidence for one subject: its referrers (completed where incomplete), the
 * attestations BuildKit put inside its index, and metadata in its own annotations (annotations mode).
 */
import type { Logger } from '../log.js'
import { annotationKeys, decodeDocument, decodeDocumentBytes } from '../metadata/codec.js'
import { noDocumentProblem } from '../metadata/prefixes.js'
import type { BuildMetadata } from '../metadata/schema.js'
import { Annotation, ArtifactType } from '../oci/media-types.js'
import { digestOf } from '../oci/digest.js'
import { canonicalJson } from '../metadata/canonical.js'
import type { Reader, ReferrerLister, ReferrersListing } from '../oci/target.js'
import { isIndex, parseManifest, type Descriptor, type Manifest } from '../oci/types.js'
import { describeError, isBug, isRegistryFailure } from '../errors.js'
import type { BundleCheck } from '../sign/sigstore-verify.js'
import { documentOfStatement, statementNames } from '../sbom-provenance/metadata-statement.js'
import { IN_TOTO_STATEMENT_V1 } from '../sbom-provenance/provenance.js'
import { classify, isMetadataPredicate, isSigstoreBundle, isSigstoreBundleType, kindsOfPredicate, needsManifest, predicateTypes } from './classify.js'
import type { Evidence } from './gate.js'
import type { IndexAttestation } from '../image-reader/index-attestations.js'
import { findReferrers, type FoundReferrers } from '../image-reader/find-referrers.js'

/** Largest metadata layer read back (the document is JSON; anything larger is not ours). */
export const MAX_METADATA_LAYER_BYTES = 4 * 1024 * 1024

/** A document as read: its exact canonical bytes and, when it is not inline, the layer that held them (what `get` writes). */
export interface StoredDocument {
  document: BuildMetadata
  documentDigest: string
  canonical: Uint8Array
  layer?: Descriptor
}

export interface MetadataReading {
  document?: BuildMetadata
  documentDigest?: string
  problem?: string
  /** set with `document`: the bytes it was decoded from */
  stored?: StoredDocument
}

/** Decode our document from annotations, or from the layer they point at. */
export async function readMetadata(
  target: Reader,
  annotations: Record<string, string> | undefined,
  manifest: Manifest | undefined,
  prefix: string,
  manifestDigest?: string
): Promise<MetadataReading> {
  try {
    const dec = decodeDocument(annotations ?? {}, { prefix })
    if (!dec) return { problem: noDocumentProblem(annotations, prefix) }
    if (dec.inline) {
      const stored = { document: dec.document, documentDigest: dec.documentDigest, canonical: dec.canonical }
      return { document: dec.document, documentDigest: dec.documentDigest, stored }
    }
    let m = manifest
    if (!m && manifestDigest) {
      const got = await target.fetchManifest(manifestDigest)
      m = parseManifest(got.bytes)
    }
    const layer = m && !isIndex(m) ? m.layers.find(l => l.digest === dec.documentDigest) : undefined
    if (!layer) return { problem: `its document layer ${dec.documentDigest} is not in the manifest` }
    const bytes = await target.fetchBlob(layer, MAX_METADATA_LAYER_BYTES)
    const full = decodeDocumentBytes(bytes, dec.documentDigest)
    const stored = { document: full.document, documentDigest: full.documentDigest, canonical: full.canonical, layer }
    return { document: full.document, documentDigest: full.documentDigest, stored }
  } catch (e) {
    // a registry that could not be read is not a missing document (exit 3, not 1), nor is a bug (exit 4)
    if (isRegistryFailure(e) || isBug(e)) throw e
    return { problem: describeError(e) }
  }
}

export interface SubjectEvidence {
  evidence: Evidence[]
  found: FoundReferrers
  /** the metadata documents read, by the digest of their evidence: the exact bytes, which `get` writes without reading them again */
  documents: Map<string, StoredDocument>
}

/** Largest Sigstore bundle read (a bundle holds its statement; ours hold at most a metadata document). */
export const MAX_BUNDLE_BYTES = MAX_METADATA_LAYER_BYTES * 2
/**
 * Sigstore bundles read per subject, at most: each costs a manifest and a blob request. A gate with a
 * signer reads every bundle (annotations are not evidence); more than this on one image is not a
 * release but an attack on the gate's time.
 */
export const MAX_BUNDLES_READ = 64

/** Verifies one bundle's bytes against the trusted root (src/sign/sigstore-verify.ts, loaded on demand). */
export type BundleVerifier = (bytes: Uint8Array) => BundleCheck

/** The in-toto statement types a bundle may carry (cosign's `attest` still writes v0.1). */
const STATEMENT_TYPES = new Set([IN_TOTO_STATEMENT_V1, 'https://in-toto.io/Statement/v0.1'])

function predicateTypeOf(statement: unknown): string | undefined {
  const s = statement as { _type?: unknown; predicateType?: unknown } | null
  return s && typeof s === 'object' && STATEMENT_TYPES.has(s._type as string) && typeof s.predicateType === 'string' ? s.predicateType : undefined
}

/**
 * The statement in a parsed bundle's DSSE envelope, read without checking its signature (a presence
 * gate): undefined when it has no payload; a payload that is not JSON throws.
 */
export function bundlePayload(bundle: unknown): unknown {
  const payload = (bundle as { dsseEnvelope?: { payload?: string } } | null)?.dsseEnvelope?.payload
  return payload ? JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) : undefined
}

/** The statement inside a bundle's bytes, unverified; undefined when it cannot be read. */
function unverifiedStatement(bytes: Uint8Array): unknown {
  try {
    return bundlePayload(JSON.parse(new TextDecoder().decode(bytes)))
  } catch {
    return undefined
  }
}

/**
 * A Sigstore bundle referrer: what it serves is decided by its statement — verified when a verifier
 * is given, then it must also name this image — and never by its annotations, which are kept only to
 * say so when they disagree. A signed metadata statement gives its document.
 */
async function readBundle(target: Reader, e: Evidence, manifest: Manifest | undefined, subjectDigest: string, verify: BundleVerifier | undefined) {
  const layer = manifest && !isIndex(manifest) ? (manifest.layers.find(l => isSigstoreBundleType(l.mediaType)) ?? manifest.layers[0]) : undefined
  if (!layer) {
    e.signature = { state: 'invalid', problem: 'its manifest holds no bundle layer' }
    return
  }
  let bytes: Uint8Array
  try {
    bytes = await target.fetchBlob(layer, MAX_BUNDLE_BYTES)
  } catch (err) {
    if (isRegistryFailure(err) || isBug(err)) throw err
    e.signature = { state: 'invalid', problem: `its bundle cannot be read (${describeError(err)})` }
    return
  }
  let statement: unknown
  if (verify) {
    const check = verify(bytes)
    if (!check.verified) {
      e.signature = { state: 'invalid', problem: check.problem, ...(check.identity ? { identity: check.identity } : {}) }
      return
    }
    statement = check.statement
    e.signature = statementNames(statement, subjectDigest)
      ? { state: 'verified', identity: check.identity }
      : { state: 'invalid', problem: `its statement is signed for another image, not ${subjectDigest}`, identity: check.identity }
  } else {
    statement = unverifiedStatement(bytes)
    e.signature = { state: 'unchecked' }
    if (statement !== undefined && !statementNames(statement, subjectDigest)) {
      e.kinds = new Set()
      e.problem = `its statement is about another image, not ${subjectDigest}`
      return
    }
  }
  const pt = predicateTypeOf(statement)
  if (statement !== undefined) e.statement = statement
  const announced = e.predicateTypes ?? []
  e.kinds = new Set(pt ? kindsOfPredicate(pt) : [])
  e.predicateTypes = pt ? [pt] : []
  if (announced.some(a => a !== pt)) e.announced = announced
  else delete e.announced
  if (e.kinds.has('metadata')) {
    const got = documentOfStatement(statement)
    if (!('document' in got)) e.problem = got.problem
    else if (got.document.image.digest !== subjectDigest) e.problem = `it describes ${got.document.image.digest}, not this image`
    else {
      e.document = got.document
      e.documentDigest = digestOf(canonicalJson((statement as { predicate: unknown }).predicate))
    }
  }
}

export async function collectEvidence(
  target: Reader & ReferrerLister,
  subject: { descriptor: Descriptor; manifest?: Manifest; indexAttestations?: IndexAttestation[] },
  opts: { prefix: string; logger?: Logger; listing?: ReferrersListing; platformDigest?: string; verifyBundle?: BundleVerifier }
): Promise<SubjectEvidence> {
  // with a verifier every bundle is read (its statement decides); without, those whose statement we
  // need: our metadata, and bundles that announce no predicate type at all
  const wantsBundle = (d: Descriptor) =>
    isSigstoreBundle(d) && (opts.verifyBundle !== undefined || predicateTypes(d).length === 0 || predicateTypes(d).some(isMetadataPredicate))
  // a bundle's manifest is read only to read its bundle, at most MAX_BUNDLES_READ of them
  let bundleManifests = 0
  const found = await findReferrers(target, subject.descriptor, {
    fetchIf: d =>
      isSigstoreBundle(d)
        ? (wantsBundle(d) || needsManifest(d)) && ++bundleManifests <= MAX_BUNDLES_READ
        : needsManifest(d) || d.artifactType === ArtifactType.BuildMetadataV1,
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.listing ? { listing: opts.listing } : {}),
    // BuildKit's OCI-form attestations are referrers of their platform too: read once, from the index
    known: new Map((subject.indexAttestations ?? []).map(a => [a.descriptor.digest, a]))
  })
  const evidence: Evidence[] = []
  const documents = new Map<string, StoredDocument>()
  let bundlesRead = 0
  for (const r of found.referrers) {
    const d = r.descriptor
    const created = d.annotations?.[Annotation.Created]
    const e: Evidence = {
      digest: d.digest,
      kinds: classify(d, r.manifest),
      predicateTypes: predicateTypes(d, r.manifest),
      source: 'referrer',
      ...(d.artifactType ? { artifactType: d.artifactType } : {}),
      ...(created ? { created } : {})
    }
    if (isSigstoreBundle(d) && wantsBundle(d)) {
      if (++bundlesRead > MAX_BUNDLES_READ) {
        if (bundlesRead === MAX_BUNDLES_READ + 1)
          opts.logger?.warning(`more than ${MAX_BUNDLES_READ} Sigstore bundles on ${subject.descriptor.digest}: the rest are not read`)
        e.signature = { state: 'invalid', problem: `not read: more than ${MAX_BUNDLES_READ} Sigstore bundles on the image` }
      } else await readBundle(target, e, r.manifest, subject.descriptor.digest, opts.verifyBundle)
    } else if (isSigstoreBundle(d)) e.signature = { state: 'unchecked' }
    else if (e.kinds.has('metadata')) {
      const md = await readMetadata(target, d.annotations, r.manifest, opts.prefix, d.digest)
      if (md.stored) documents.set(d.digest, md.stored)
      if (md.document) {
        e.document = md.document
        if (md.documentDigest) e.documentDigest = md.documentDigest
        if (md.document.image.digest !== subject.descriptor.digest) {
          delete e.document
          e.problem = `it describes ${md.document.image.digest}, not this image`
        }
      } else e.problem = md.problem ?? 'unreadable'
    }
    evidence.push(e)
  }
  // metadata written in annotations mode lives in the image's own annotations
  const keys = annotationKeys(opts.prefix)
  const own = subject.manifest?.annotations
  if (own && (own[keys.payload] !== undefined || own[keys.version] !== undefined)) {
    const md = await readMetadata(target, own, subject.manifest, opts.prefix)
    if (md.stored) documents.set(subject.descriptor.digest, md.stored)
    evidence.push({
      digest: subject.descriptor.digest,
      kinds: new Set(['metadata']),
      source: 'annotations',
      ...(md.document
        ? { document: md.document, ...(md.documentDigest ? { documentDigest: md.documentDigest } : {}) }
        : { problem: md.problem ?? 'unreadable' })
    })
  }
  // BuildKit attestation manifests inside the index (read once by the command), for the index or
  // for the one platform they describe
  for (const a of subject.indexAttestations ?? []) {
    if (!a.manifest || (opts.platformDigest && a.about !== opts.platformDigest)) continue
    evidence.push({
      digest: a.descriptor.digest,
      kinds: classify(a.descriptor, a.manifest),
      predicateTypes: predicateTypes(a.descriptor, a.manifest),
      source: 'index-attestation',
      artifactType: ArtifactType.BuildKitAttestation
    })
  }
  return { evidence, found, documents }
}

/**
 * Evidence for one platform of an index (platforms: each): its own referrers, BuildKit's
 * attestations for it, and what the index carries for every platform in it — its SBOMs, provenance
 * and other referrers, and its metadata when the document lists this platform.
 */
export function withIndexEvidence(platform: Evidence[], index: Evidence[], platformDigest: string): Evidence[] {
  const seen = new Set(platform.map(e => e.digest))
  const fromIndex = index
    .filter(e => e.source !== 'index-attestation' && !seen.has(e.digest))
    .map((e): Evidence => {
      const out: Evidence = { ...e, of: 'index' }
      if (e.document && !e.document.image.platforms?.some(p => p.digest === platformDigest)) {
        delete out.document
        out.problem = `it describes the index without listing platform ${platformDigest}`
      }
      return out
    })
  return [...platform, ...fromIndex]
}
