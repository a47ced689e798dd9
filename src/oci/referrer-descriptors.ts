/**
 * Pure referrers logic: the tag schema's tag name, edits to a tag-schema index, and judging whether a
 * referrers descriptor can be trusted as it is.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#referrers-tag-schema
 */
import { isBug, isOciError } from '../errors.js'
import { MediaType } from './media-types.js'
import { parseDigest } from './digest.js'
import { cleanDescriptor, isIndex, manifestMediaType, parseManifest, type Descriptor, type ImageIndex, type Manifest, type ManifestBlob } from './types.js'

/** Tag schema: `<alg>-<ref>`, alg truncated to 32 characters and ref to 64. */
export function referrersTagName(digest: string): string {
  const { algorithm, hex } = parseDigest(digest)
  return `${algorithm.slice(0, 32)}-${hex.slice(0, 64)}`
}

/** What the referrers tag of a subject holds. */
export type ReferrersTag =
  | { state: 'absent' }
  /** the tag resolves to the subject itself (GitLab resolves `sha256-<hex>` to the image): no index */
  | { state: 'alias' }
  | { state: 'index'; index: ImageIndex; digest: string }
  /** something other than a referrers index is tagged there: never to be read as one, nor overwritten */
  | { state: 'other'; digest: string; problem: string }

/**
 * The one reader of the referrers tag schema, for a registry and a layout alike: `fetch` returns the
 * manifest tagged `tag` (digest-checked), or undefined when there is none.
 */
export async function readReferrersTag(fetch: (tag: string) => Promise<ManifestBlob | undefined>, subjectDigest: string): Promise<ReferrersTag> {
  const tag = referrersTagName(subjectDigest)
  const got = await fetch(tag)
  if (!got) return { state: 'absent' }
  if (got.descriptor.digest === subjectDigest) return { state: 'alias' }
  try {
    const m = parseManifest(got.bytes, `referrers index ${tag}`)
    if (isIndex(m)) return { state: 'index', index: m, digest: got.descriptor.digest }
    return { state: 'other', digest: got.descriptor.digest, problem: `the tag ${tag} holds a manifest that is not a referrers index` }
  } catch (e) {
    if (isBug(e)) throw e
    return { state: 'other', digest: got.descriptor.digest, problem: `the tag ${tag} holds something that is not a referrers index (${(e as Error).message})` }
  }
}

/** A registry's manifest read for readReferrersTag: a tag it answers NOT_FOUND for is no tag (undefined), not an error. */
export function absentIfNotFound(fetch: (tag: string) => Promise<ManifestBlob>): (tag: string) => Promise<ManifestBlob | undefined> {
  return async tag => {
    try {
      return await fetch(tag)
    } catch (e) {
      if (isOciError(e, 'NOT_FOUND')) return undefined
      throw e
    }
  }
}

export interface IndexEdit {
  /** the new index bytes to push */
  bytes: Uint8Array
  index: ImageIndex
  /** false when the index already held exactly these entries: nothing to push */
  changed: boolean
}

/**
 * Add descriptors to a tag-schema index (and optionally remove some by digest), keeping every entry
 * another tool put there, in order, with whatever fields it had. Dedupes by digest: a re-run does
 * not pile up duplicates; a newer descriptor for the same digest replaces the old one in place.
 */
export function editReferrersIndex(existing: ImageIndex | undefined, add: Descriptor[], remove: string[] = []): IndexEdit {
  const before = existing?.manifests ?? []
  const removeSet = new Set(remove)
  const out: Descriptor[] = []
  const seen = new Map<string, number>()
  for (const d of before) {
    if (removeSet.has(d.digest)) continue
    if (seen.has(d.digest)) continue // an earlier writer's duplicate: keep the first
    seen.set(d.digest, out.length)
    out.push(d)
  }
  for (const d of add) {
    const clean = cleanDescriptor(d)
    const at = seen.get(d.digest)
    if (at !== undefined) out[at] = { ...out[at], ...clean }
    else {
      seen.set(d.digest, out.length)
      out.push(clean)
    }
  }
  const index: ImageIndex = {
    ...(existing ?? {}),
    schemaVersion: 2,
    mediaType: MediaType.ImageIndex,
    manifests: out
  }
  const changed = !existing || JSON.stringify(existing.manifests) !== JSON.stringify(out) || existing.mediaType !== MediaType.ImageIndex
  return { bytes: new TextEncoder().encode(JSON.stringify(index)), index, changed }
}

/**
 * A referrers descriptor is complete when it carries the manifest's own `artifactType` and its
 * annotations. Registries have been seen dropping annotations and reporting `config.mediaType`
 * (https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-referrers asks for
 * both); then the manifest must be fetched and judged from itself.
 */
export function isIncompleteReferrer(d: Descriptor): boolean {
  if (!d.artifactType) return true
  if (!d.annotations || Object.keys(d.annotations).length === 0) return true
  // a config media type reported as artifactType: only trust it when it is not a known config type
  return d.artifactType === MediaType.ImageConfig || d.artifactType === MediaType.Empty || d.artifactType === MediaType.DockerConfig
}

/** Client-side artifactType filter, for registries that do not say they applied it. */
export function filterByArtifactType(ds: Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType ? ds.filter(d => d.artifactType === artifactType) : ds
}

/** `artifactType` of a manifest as a referrers descriptor must report it (falls back to config.mediaType). */
export function effectiveArtifactType(m: { artifactType?: string | undefined; config?: { mediaType: string } | undefined }): string | undefined {
  return m.artifactType ?? m.config?.mediaType
}

/**
 * The descriptor a referrers listing gives for a manifest: its media type, its `artifactType` (an
 * image manifest without one: its config's media type) and its annotations.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-referrers
 * `mediaType`: as fetched or listed, when known; else the one the manifest declares or implies.
 */
export function referrerDescriptor(m: Manifest, digest: string, size: number, mediaType: string = manifestMediaType(m)): Descriptor {
  const d: Descriptor = { mediaType, digest, size }
  const artifactType = isIndex(m) ? m.artifactType : effectiveArtifactType(m)
  if (artifactType) d.artifactType = artifactType
  if (m.annotations && Object.keys(m.annotations).length) d.annotations = { ...m.annotations }
  return d
}
