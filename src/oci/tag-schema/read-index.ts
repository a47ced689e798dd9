/**
 * The index under the referrers tag, as the tag-schema writer (writer.ts) reads, merges and
 * repairs it.
 */
import { OciError } from '../../errors.js'
import { MediaType } from '../media-types.js'
import { absentIfNotFound, editReferrersIndex, referrersTagName, readReferrersTag } from '../referrer-descriptors.js'
import type { Reader } from '../target.js'
import type { Descriptor, ImageIndex } from '../types.js'

export interface ReadIndex {
  index?: ImageIndex
  digest?: string
  /** the tag resolved to the subject itself (GitLab): read as empty */
  aliasOfSubject?: boolean
}

/** Read the tag-schema index. A tag that is missing, or resolves to the subject itself (GitLab), is empty. */
export async function readTagSchemaIndex(target: Pick<Reader, 'describe' | 'fetchManifest'>, subject: Descriptor): Promise<ReadIndex> {
  const got = await readReferrersTag(
    absentIfNotFound(tag => target.fetchManifest(tag)),
    subject.digest
  )
  if (got.state === 'alias') return { aliasOfSubject: true }
  if (got.state === 'index') return { index: got.index, digest: got.digest }
  if (got.state === 'other') {
    throw new OciError(
      'CONFLICT',
      `update referrers tag ${referrersTagName(subject.digest)} in ${target.describe()}: ${got.problem}; refusing to overwrite it`,
      {
        op: 'update referrers tag',
        where: target.describe(),
        hint: 'remove or rename that tag, or use a registry with the referrers API'
      }
    )
  }
  return {}
}

/** The merged index: `cur` verbatim (deduped), carried entries it lost appended verbatim, ours added. */
export function merge(
  cur: ImageIndex | undefined,
  restore: Descriptor[],
  add: Descriptor[],
  remove: string[]
): { bytes: Uint8Array; manifests: Descriptor[]; changed: boolean } {
  const base: ImageIndex | undefined = cur
    ? { ...cur, manifests: [...(cur.manifests ?? []), ...restore] }
    : restore.length
      ? { schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: restore }
      : undefined
  const edit = editReferrersIndex(base, add, remove)
  const changed = !cur || JSON.stringify(cur.manifests ?? []) !== JSON.stringify(edit.index.manifests) || cur.mediaType !== MediaType.ImageIndex
  return { bytes: edit.bytes, manifests: edit.index.manifests, changed }
}

/**
 * A registry that checks an index's children (distribution) refuses to re-add an entry whose
 * manifest was deleted meanwhile: forget carried entries that no longer exist.
 */
export async function dropVanished(
  target: Pick<Reader, 'manifestExists'>,
  restore: Descriptor[],
  carried: Map<string, Descriptor>,
  log: (m: string) => void
): Promise<void> {
  for (const d of restore) {
    const exists = await target.manifestExists(d.digest).catch(() => true)
    if (!exists) {
      carried.delete(d.digest)
      log(`${d.digest} was deleted from the repository; no longer restoring it`)
    }
  }
}
