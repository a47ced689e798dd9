/**
 * Referrers in an OCI image layout. A layout has no referrers API, so they are found by scanning
 * every manifest reachable from index.json for a `subject`, merged with the referrers tag schema's
 * tag-schema index (`sha256-<hex>`), which regctl and ORAS also write into layouts.
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/manifest.md#image-manifest-property-descriptions (subject)
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#referrers-tag-schema
 */
import { MAX_MANIFEST_BYTES } from '../limits.js'
import type { Logger } from '../../log.js'
import { isBug, isOciError, OciError } from '../../errors.js'
import { MANIFEST_MEDIA_TYPES, MediaType } from '../media-types.js'
import { editReferrersIndex, referrersTagName, filterByArtifactType, readReferrersTag, referrerDescriptor, type ReferrersTag } from '../referrer-descriptors.js'
import { isIndex, parseManifest, type Descriptor, type ImageIndex, type Manifest } from '../types.js'
import { readBlob, writeBlobBytes } from './blobs.js'
import { findTag, setTag, type RawIndex } from './index-file.js'

function isManifestDescriptor(d: Descriptor): boolean {
  return MANIFEST_MEDIA_TYPES.includes(d.mediaType) || d.mediaType === MediaType.LegacyArtifactManifest
}

/**
 * Every manifest reachable from the layout's index.json (descending into nested indexes), with
 * its parsed content. Blobs that are missing (partial layouts, e.g. one platform copied) are
 * skipped; blobs that fail their digest check are skipped with a warning: a damaged manifest
 * must not be listed as a referrer.
 */
export async function* walkManifests(
  dir: string,
  index: RawIndex,
  logger: Logger
): AsyncGenerator<{ desc: Descriptor; manifest: Manifest; bytes: Uint8Array }> {
  const seen = new Set<string>()
  const queue: Descriptor[] = [...index.manifests]
  while (queue.length) {
    const d = queue.shift()!
    if (seen.has(d.digest) || !isManifestDescriptor(d)) continue
    seen.add(d.digest)
    let bytes: Uint8Array
    let manifest: Manifest
    try {
      bytes = await readBlob(dir, d.digest, 'manifest', MAX_MANIFEST_BYTES)
      manifest = parseManifest(bytes, `oci:${dir}: manifest ${d.digest}`)
    } catch (e) {
      if (isBug(e)) throw e
      if (isOciError(e, 'NOT_FOUND')) logger.debug(`layout scan: ${d.digest} is not in oci:${dir}, skipped`)
      else logger.warning(`layout scan: skipped ${d.digest}: ${(e as Error).message}`)
      continue
    }
    yield { desc: d, manifest, bytes }
    if (isIndex(manifest)) queue.push(...manifest.manifests)
  }
}

/** The referrers tag of `subjectDigest` in the layout, through the one reader (src/oci/referrer-descriptors.ts). */
async function readLayoutReferrersTag(dir: string, index: RawIndex, subjectDigest: string): Promise<ReferrersTag> {
  return readReferrersTag(async tag => {
    const entry = findTag(index, tag)
    if (!entry) return undefined
    const bytes = await readBlob(dir, entry.digest, 'referrers index', MAX_MANIFEST_BYTES)
    return { descriptor: { mediaType: entry.mediaType, digest: entry.digest, size: bytes.length }, bytes }
  }, subjectDigest)
}

/** The index to edit, or an error when something else holds the tag (it is not ours to overwrite). */
async function editableTagSchemaIndex(dir: string, index: RawIndex, subjectDigest: string): Promise<ImageIndex | undefined> {
  const got = await readLayoutReferrersTag(dir, index, subjectDigest)
  if (got.state === 'other') {
    throw new OciError('CONFLICT', `oci:${dir}: update referrers tag ${referrersTagName(subjectDigest)}: ${got.problem}; refusing to overwrite it`, {
      op: 'update referrers tag',
      where: `oci:${dir}`,
      hint: 'remove or rename that tag'
    })
  }
  return got.state === 'index' ? got.index : undefined
}

export async function scanReferrers(
  dir: string,
  index: RawIndex,
  subjectDigest: string,
  artifactType: string | undefined,
  logger: Logger
): Promise<Descriptor[]> {
  const found: Descriptor[] = []
  const byDigest = new Set<string>()
  for await (const { desc, manifest, bytes } of walkManifests(dir, index, logger)) {
    if (manifest.subject?.digest !== subjectDigest) continue
    byDigest.add(desc.digest)
    found.push(referrerDescriptor(manifest, desc.digest, bytes.length))
  }
  let tagged: ImageIndex | undefined
  try {
    const got = await readLayoutReferrersTag(dir, index, subjectDigest)
    if (got.state === 'other') logger.warning(`oci:${dir}: ${got.problem}; ignoring it`)
    tagged = got.state === 'index' ? got.index : undefined
  } catch (e) {
    if (isBug(e)) throw e
    logger.warning(`oci:${dir}: ignored the referrers tag ${referrersTagName(subjectDigest)}: ${(e as Error).message}`)
  }
  for (const d of tagged?.manifests ?? []) {
    if (byDigest.has(d.digest)) continue
    byDigest.add(d.digest)
    found.push(d)
  }
  return filterByArtifactType(found, artifactType)
}

/**
 * Add a referrer to the subject's tag-schema index (tag `sha256-<hex>`), keeping every entry another
 * tool put there. Must run inside the layout lock, on the index.json it re-read; mutates `index`
 * and returns whether index.json needs writing.
 */
export async function addToTagSchemaIndex(dir: string, index: RawIndex, subjectDigest: string, referrer: Descriptor): Promise<boolean> {
  const existing = await editableTagSchemaIndex(dir, index, subjectDigest)
  const edit = editReferrersIndex(existing, [referrer])
  if (!edit.changed && existing) return false
  const digest = await writeBlobBytes(dir, edit.bytes)
  return setTag(index, referrersTagName(subjectDigest), { mediaType: MediaType.ImageIndex, digest, size: edit.bytes.length })
}

/** Take one referrer out of the subject's tag-schema index. Same locking rules as addToTagSchemaIndex. */
export async function removeFromTagSchemaIndex(dir: string, index: RawIndex, subjectDigest: string, referrer: string): Promise<boolean> {
  const existing = await editableTagSchemaIndex(dir, index, subjectDigest)
  if (!existing?.manifests.some(d => d.digest === referrer)) return false
  const edit = editReferrersIndex(existing, [], [referrer])
  const digest = await writeBlobBytes(dir, edit.bytes)
  return setTag(index, referrersTagName(subjectDigest), { mediaType: MediaType.ImageIndex, digest, size: edit.bytes.length })
}
