/**
 * Gathering the gate's evidence for one subject: its referrers (completed where incomplete), the
 * attestations BuildKit put inside its index, and metadata in its own annotations (annotations mode).
 */
import type { Logger } from '../log.js'
import { annotationKeys, decodeDocument, decodeDocumentBytes } from '../metadata/codec.js'
import { noDocumentProblem } from '../metadata/prefixes.js'
import type { BuildMetadata } from '../metadata/schema.js'
import { ArtifactType } from '../oci/media-types.js'
import type { ReferrersListing, Target } from '../oci/target.js'
import { isIndex, parseManifest, type Descriptor, type Manifest } from '../oci/types.js'
import { describeError, isRegistryFailure } from '../errors.js'
import type { BundleCheck } from '../sign/sigstore-verify.js'
import { documentOfStatement, statementNames } from '../supply/metadata-statement.js'
import { classify, isMetadataPredicate, isSigstoreBundle, isSigstoreBundleType, needsManifest, predicateTypes } from './classify.js'
import type { Evidence } from './gate.js'
import type { IndexAttestation } from '../read/attestations.js'
import { findReferrers, type FoundReferrers } from '../read/referrers.js'

/** Largest metadata layer read back (the document is JSON; anything larger is not ours). */
export const MAX_METADATA_LAYER_BYTES = 4 * 1024 * 1024

export interface MetadataReading {
  document?: BuildMetadata
  documentDigest?: string
  problem?: string
}

/** Decode our document from annotations, or from the layer they point at. */
export async function readMetadata(
  target: Target,
  annotations: Record<string, string> | undefined,
  manifest: Manifest | undefined,
  prefix: string,
  manifestDigest?: string
): Promise<MetadataReading> {
  try {
    const dec = decodeDocument(annotations ?? {}, { prefix })
    if (!dec) return { problem: noDocumentProblem(annotations, prefix) }
    if (dec.inline) return { document: dec.document, documentDigest: dec.documentDigest }
    let m = manifest
    if (!m && manifestDigest) {
      const got = await target.fetchManifest(manifestDigest)
      m = parseManifest(got.bytes)
    }
    const layer = m && !isIndex(m) ? m.layers.find(l => l.digest === dec.documentDigest) : undefined
    if (!layer) return { problem: `its document layer ${dec.documentDigest} is not in the manifest` }
    const bytes = await target.fetchBlob(layer, MAX_METADATA_LAYER_BYTES)
    const full = decodeDocumentBytes(bytes, dec.documentDigest)
    return { document: full.document, documentDigest: full.documentDigest }
  } catch (e) {
    // a registry that could not be read is not a missing document (exit 3, not 1)
    if (isRegistryFailure(e)) throw e
    return { problem: describeError(e) }
  }
}

export interface SubjectEvidence {
  evidence: Evidence[]
  found: FoundReferrers
}

/** Largest Sigstore bundle read (a bundle holds its statement; ours hold at most a metadata document). */
export const MAX_BUNDLE_BYTES = MAX_METADATA_LAYER_BYTES * 2

/** Verifies one bundle's bytes against the trusted root (src/sign/sigstore-verify.ts, loaded on demand). */
export type BundleVerifier = (bytes: Uint8Array) => BundleCheck

/**
 * A Sigstore bundle referrer: read its bundle layer; a signed metadata statement gives its document;
 * with a verifier, the signature is checked and the statement must name this image.
 */
async function readBundle(
  target: Target,
  e: Evidence,
  manifest: Manifest | undefined,
  subjectDigest: string,
  verify: BundleVerifier | undefined
): Promise<void> {
  const layer = manifest && !isIndex(manifest) ? (manifest.layers.find(l => isSigstoreBundleType(l.mediaType)) ?? manifest.layers[0]) : undefined
  if (!layer) {
    e.signature = { state: 'invalid', problem: 'its manifest holds no bundle layer' }
    return
  }
  let bytes: Uint8Array
  try {
    bytes = await target.fetchBlob(layer, MAX_BUNDLE_BYTES)
  } catch (err) {
    if (isRegistryFailure(err)) throw err
    if (verify) e.signature = { state: 'invalid', problem: `its bundle cannot be read (${describeError(err)})` }
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
      ? { state: 'signed', identity: check.identity }
      : { state: 'invalid', problem: `its statement is signed for another image, not ${subjectDigest}`, identity: check.identity }
  } else {
    try {
      const b = JSON.parse(new TextDecoder().decode(bytes)) as { dsseEnvelope?: { payload?: string } }
      statement = JSON.parse(Buffer.from(b.dsseEnvelope?.payload ?? '', 'base64').toString('utf8'))
    } catch {
      statement = undefined
    }
  }
  if (e.kinds.has('metadata')) {
    const got = documentOfStatement(statement)
    if ('document' in got) {
      if (got.document.image.digest === subjectDigest) e.document = got.document
      else e.problem = `it describes ${got.document.image.digest}, not this image`
    } else e.problem = got.problem
  }
}

export async function collectEvidence(
  target: Target,
  subject: { descriptor: Descriptor; manifest?: Manifest; indexAttestations?: IndexAttestation[] },
  opts: { prefix: string; logger?: Logger; listing?: ReferrersListing; platformDigest?: string; verifyBundle?: BundleVerifier }
): Promise<SubjectEvidence> {
  // bundles are read when they carry our metadata, or when a signer is required
  const readsBundle = (d: Descriptor) => isSigstoreBundle(d) && (opts.verifyBundle !== undefined || predicateTypes(d).some(isMetadataPredicate))
  const found = await findReferrers(target, subject.descriptor, {
    fetchIf: d => needsManifest(d) || d.artifactType === ArtifactType.BuildMetadataV1 || readsBundle(d),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.listing ? { listing: opts.listing } : {})
  })
  const evidence: Evidence[] = []
  for (const r of found.referrers) {
    const kinds = classify(r.descriptor, r.manifest)
    const e: Evidence = {
      digest: r.descriptor.digest,
      kinds,
      source: 'referrer',
      ...(r.descriptor.artifactType ? { artifactType: r.descriptor.artifactType } : {})
    }
    if (isSigstoreBundle(r.descriptor)) {
      if (readsBundle(r.descriptor) && (kinds.has('metadata') || kinds.has('provenance')))
        await readBundle(target, e, r.manifest, subject.descriptor.digest, opts.verifyBundle)
    } else if (kinds.has('metadata')) {
      const md = await readMetadata(target, r.descriptor.annotations, r.manifest, opts.prefix, r.descriptor.digest)
      if (md.document) {
        e.document = md.document
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
    evidence.push({
      digest: subject.descriptor.digest,
      kinds: new Set(['metadata']),
      source: 'annotations',
      ...(md.document ? { document: md.document } : { problem: md.problem ?? 'unreadable' })
    })
  }
  // BuildKit attestation manifests inside the index (read once by the command), for the index or
  // for the one platform they describe
  for (const a of subject.indexAttestations ?? []) {
    if (!a.manifest || (opts.platformDigest && a.about !== opts.platformDigest)) continue
    evidence.push({
      digest: a.descriptor.digest,
      kinds: classify(a.descriptor, a.manifest),
      source: 'index-attestation',
      artifactType: ArtifactType.BuildKitAttestation
    })
  }
  return { evidence, found }
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
