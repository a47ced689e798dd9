/**
 * index.json of an OCI image layout: reading it, finding tags, and editing it without disturbing
 * entries this tool did not write. Tags are `org.opencontainers.image.ref.name` annotations.
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md#indexjson-file
 */
import { promises as fs } from 'node:fs'
import { join } from 'node:path'
import { OciError } from '../../errors.js'
import { Annotation } from '../media-types.js'
import { imageIndexSchema, type Descriptor } from '../types.js'
import { INDEX_FILE, writeFileAtomic } from './store.js'

/**
 * index.json as raw JSON. Edits work on the raw objects (not the zod output) so that foreign
 * entries keep their fields, their key order and any field this tool does not know.
 */
export interface RawIndex {
  schemaVersion: 2
  mediaType?: string
  manifests: Array<Descriptor & Record<string, unknown>>
  [key: string]: unknown
}

export async function readIndex(dir: string): Promise<RawIndex> {
  const path = join(dir, INDEX_FILE)
  let text: string
  try {
    text = await fs.readFile(path, 'utf8')
  } catch (e) {
    throw new OciError('NOT_FOUND', `oci:${dir}: no ${INDEX_FILE} in the layout, the layout is incomplete`, {
      hint: 'create it again, or check the path',
      op: 'read index',
      where: `oci:${dir}`,
      cause: e
    })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new OciError('INVALID_RESPONSE', `oci:${dir}: ${INDEX_FILE} is not valid JSON, the layout is damaged`, {
      op: 'read index',
      where: `oci:${dir}`,
      cause: e
    })
  }
  const parsed = imageIndexSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? issue.path.join('.') : '(root)'
    throw new OciError('INVALID_RESPONSE', `oci:${dir}: ${INDEX_FILE} is malformed at ${where}: ${issue?.message ?? 'invalid'}`, {
      op: 'read index',
      where: `oci:${dir}`
    })
  }
  return json as RawIndex
}

export async function writeIndex(dir: string, index: RawIndex): Promise<void> {
  await writeFileAtomic(join(dir, INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`)
}

export function refNameOf(d: Descriptor): string | undefined {
  return d.annotations?.[Annotation.RefName]
}

/** The entry tagged `tag`; the last one when a foreign writer left several. */
export function findTag(index: RawIndex, tag: string): Descriptor | undefined {
  for (let i = index.manifests.length - 1; i >= 0; i--) {
    const d = index.manifests[i]!
    if (refNameOf(d) === tag) return d
  }
  return undefined
}

/**
 * Point `tag` at `desc`: drops every other entry carrying that ref name (the tag moves), keeps all
 * other entries exactly. Returns false when the tag already pointed there (nothing to write).
 */
export function setTag(index: RawIndex, tag: string, desc: Descriptor): boolean {
  const current = index.manifests.filter(d => refNameOf(d) === tag)
  if (current.length === 1 && current[0]!.digest === desc.digest) return false
  const entry: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size }
  if (desc.artifactType) entry.artifactType = desc.artifactType
  if (desc.platform) entry.platform = desc.platform
  entry.annotations = { [Annotation.RefName]: tag }
  index.manifests = index.manifests.filter(d => refNameOf(d) !== tag)
  index.manifests.push(entry)
  return true
}

/**
 * Keep `desc` reachable from index.json without a tag (used for referrers, which must stay findable
 * when tags move). Returns false when an untagged entry for that digest is already there.
 */
export function addUntagged(index: RawIndex, desc: Descriptor): boolean {
  if (index.manifests.some(d => d.digest === desc.digest && refNameOf(d) === undefined)) return false
  const entry: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size }
  if (desc.artifactType) entry.artifactType = desc.artifactType
  index.manifests.push(entry)
  return true
}
