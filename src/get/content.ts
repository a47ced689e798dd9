/**
 * The bytes `get` writes, from the candidate it picked: the metadata document exactly as stored (its
 * canonical JSON, checked against `<prefix>.digest`), or one layer of the manifest (an SBOM file as
 * attached, an in-toto statement, a Sigstore bundle), fetched and checked against its digest.
 * Nothing is re-serialized: digests are of exact bytes.
 */
import { InternalError, OciError } from '../errors.js'
import { decodeDocument, decodeDocumentBytes } from '../metadata/codec.js'
import { noDocumentProblem } from '../metadata/prefixes.js'
import type { BuildMetadata } from '../metadata/schema.js'
import { ArtifactType, EMPTY_DESCRIPTOR, MediaType } from '../oci/media-types.js'
import type { Reader } from '../oci/target.js'
import { isIndex, parseManifest, type Descriptor, type Manifest } from '../oci/types.js'
import type { Candidate, GetResult } from '../result.js'
import { classify, isSigstoreBundleType } from '../verify/classify.js'
import { MAX_METADATA_LAYER_BYTES, type StoredDocument } from '../verify/evidence.js'

/** Largest blob get reads: it is held in memory (SBOMs of hundreds of MiB exist; a registry could offer more). */
export const MAX_GET_BYTES = 512 * 1024 * 1024

export type Content = GetResult['content'] & { document?: BuildMetadata }

function isEmptyLayer(d: Descriptor): boolean {
  return d.mediaType === MediaType.Empty || d.digest === EMPTY_DESCRIPTOR.digest
}

/** A document the gate's evidence already read: the same bytes, not fetched again. */
function storedContent(s: StoredDocument): Content {
  const { document, documentDigest, canonical, layer } = s
  return layer
    ? { mediaType: layer.mediaType, digest: layer.digest, size: canonical.length, bytes: canonical, document }
    : { mediaType: MediaType.Json, digest: documentDigest, size: canonical.length, bytes: canonical, document }
}

/** The document under `prefix` in these annotations, as its exact canonical bytes. */
async function documentContent(target: Reader, annotations: Record<string, string> | undefined, manifest: Manifest, prefix: string): Promise<Content> {
  const dec = decodeDocument(annotations ?? {}, { prefix })
  if (!dec) throw new OciError('INVALID_RESPONSE', `get: ${noDocumentProblem(annotations, prefix)}`, { hint: 'check annotation-prefix' })
  if (dec.inline) return { mediaType: MediaType.Json, digest: dec.documentDigest, size: dec.canonical.length, bytes: dec.canonical, document: dec.document }
  const layer = isIndex(manifest) ? undefined : manifest.layers.find(l => l.digest === dec.documentDigest)
  if (!layer) throw new OciError('INVALID_RESPONSE', `get: the document layer ${dec.documentDigest} is not in the manifest`, { hint: 're-run attach' })
  const bytes = await target.fetchBlob(layer, MAX_METADATA_LAYER_BYTES)
  const full = decodeDocumentBytes(bytes, dec.documentDigest)
  return { mediaType: layer.mediaType, digest: layer.digest, size: bytes.length, bytes: full.canonical, document: full.document }
}

/** The layer that holds what was asked for: by predicate (in-toto, BuildKit), by media type, or the only one. */
export function chooseLayer(manifest: Manifest, kind: string, artifactType: string | undefined, where: string): Descriptor {
  if (isIndex(manifest)) throw new OciError('INVALID_RESPONSE', `get: ${where} is an index, not a manifest with layers`, { hint: 'read it with oras pull' })
  const layers = manifest.layers.filter(l => !isEmptyLayer(l))
  if (kind === 'sbom' || kind === 'provenance') {
    // a statement's predicate is named on its layer (BuildKit, in-toto referrers)
    const byPredicate = layers.filter(l => classify({ ...l, artifactType: ArtifactType.InToto }).has(kind))
    if (byPredicate.length === 1) return byPredicate[0]!
  }
  const wanted = artifactType && !isSigstoreBundleType(artifactType) ? artifactType : undefined
  const byType = layers.filter(l => (wanted ? l.mediaType === wanted : isSigstoreBundleType(l.mediaType)))
  if (byType.length === 1) return byType[0]!
  if (layers.length === 1) return layers[0]!
  const list = layers.map(l => `${l.digest} (${l.mediaType})`).join(', ')
  throw new OciError('INVALID_RESPONSE', `get: ${where} holds ${layers.length} layers (${list || 'none'}) and none is the one asked for`, {
    hint: 'read it with oras pull, which writes every layer'
  })
}

/**
 * Read the picked candidate. `manifest`: the referrer's or attestation's manifest when already
 * fetched; `subjectManifest`: the image's, for metadata in its own annotations; `stored`: its
 * document as the gate's evidence read it (readMetadata, same annotations and prefix).
 */
export async function readContent(
  target: Reader,
  picked: Candidate,
  kind: string,
  opts: { prefix: string; manifest?: Manifest; subjectManifest?: Manifest; stored?: StoredDocument; maxBytes?: number }
): Promise<Content> {
  const isDocument = picked.source === 'annotations' || kind === 'metadata' || picked.artifactType === ArtifactType.BuildMetadataV1
  if (isDocument && opts.stored) return storedContent(opts.stored)
  if (picked.source === 'annotations') {
    if (!opts.subjectManifest)
      throw new InternalError(`readContent: ${picked.descriptor.digest} is in the image's annotations, but no image manifest was given`)
    return documentContent(target, opts.subjectManifest.annotations, opts.subjectManifest, opts.prefix)
  }
  const manifest = opts.manifest ?? parseManifest((await target.fetchManifest(picked.descriptor)).bytes, `referrer ${picked.descriptor.digest}`)
  if (kind === 'metadata' || picked.artifactType === ArtifactType.BuildMetadataV1) {
    return documentContent(target, picked.descriptor.annotations ?? manifest.annotations, manifest, opts.prefix)
  }
  const where = picked.source === 'index-attestation' ? `BuildKit's attestation manifest ${picked.descriptor.digest}` : `referrer ${picked.descriptor.digest}`
  const layer = chooseLayer(manifest, kind, picked.artifactType, where)
  const bytes = await target.fetchBlob(layer, opts.maxBytes ?? MAX_GET_BYTES)
  return { mediaType: layer.mediaType, digest: layer.digest, size: bytes.length, bytes }
}
