/**
 * Files of an OCI image layout: paths, atomic writes and the per-directory lock.
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md
 */
import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { OciError } from '../../errors.js'
import { parseDigest } from '../digest.js'

/** image-layout.md#oci-layout-file: the only version defined by image-spec 1.x. */
export const LAYOUT_VERSION = '1.0.0'
export const OCI_LAYOUT_FILE = 'oci-layout'
export const INDEX_FILE = 'index.json'
export const BLOBS_DIR = 'blobs'

export function blobPath(dir: string, digest: string): string {
  const { algorithm, hex } = parseDigest(digest)
  return join(dir, BLOBS_DIR, algorithm, hex)
}

/** A temp name next to `target`, so that the rename stays on one file system and is atomic. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`)
}

/**
 * Write a whole file atomically: temp file in the same directory, fsync, rename. A reader sees the
 * old file or the new one, never a partial write (index.json is read by other tools concurrently).
 */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const tmp = tempPathFor(target)
  const fh = await fs.open(tmp, 'wx')
  try {
    await fh.writeFile(data)
    await fh.sync()
  } catch (e) {
    await fh.close().catch(() => {})
    await fs.rm(tmp, { force: true })
    throw e
  }
  await fh.close()
  try {
    await fs.rename(tmp, target)
  } catch (e) {
    await fs.rm(tmp, { force: true })
    throw e
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path)
    return true
  } catch {
    return false
  }
}

/** Throws NOT_FOUND with a message that says what to do when `dir` is not an OCI layout. */
export async function assertLayout(dir: string): Promise<void> {
  let st
  try {
    st = await fs.stat(dir)
  } catch {
    throw new OciError('NOT_FOUND', `oci:${dir}: no OCI layout at ${dir} (the directory does not exist); create one with \`oci-build-metadata\` writing to oci:${dir}, \`oras copy --to-oci-layout\` or \`skopeo copy … oci:${dir}\`, or check the path`, {
      op: 'open layout',
      subject: `oci:${dir}`
    })
  }
  if (!st.isDirectory()) {
    throw new OciError('NOT_FOUND', `oci:${dir}: no OCI layout at ${dir} (it is not a directory); check the path`, { op: 'open layout', subject: `oci:${dir}` })
  }
  let text: string
  try {
    text = await fs.readFile(join(dir, OCI_LAYOUT_FILE), 'utf8')
  } catch {
    throw new OciError('NOT_FOUND', `oci:${dir}: no OCI layout at ${dir} (missing ${OCI_LAYOUT_FILE} file); create one with \`oras copy --to-oci-layout\` or \`skopeo copy … oci:${dir}\`, or check the path`, {
      op: 'open layout',
      subject: `oci:${dir}`
    })
  }
  let version: unknown
  try {
    version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion
  } catch (e) {
    throw new OciError('INVALID_RESPONSE', `oci:${dir}: ${OCI_LAYOUT_FILE} is not valid JSON; the layout is damaged`, { op: 'open layout', subject: `oci:${dir}`, cause: e })
  }
  if (typeof version !== 'string' || !version.startsWith('1.')) {
    throw new OciError('UNSUPPORTED', `oci:${dir}: unsupported imageLayoutVersion ${JSON.stringify(version)} in ${OCI_LAYOUT_FILE}; only 1.x layouts are supported`, {
      op: 'open layout',
      subject: `oci:${dir}`
    })
  }
}

/**
 * Create `oci-layout`, an empty `index.json` and `blobs/sha256` unless present. Never overwrites an
 * existing index.json: re-running on a layout keeps what is there.
 */
export async function initLayout(dir: string): Promise<void> {
  // under the index lock: a second writer creating the same layout must not replace an index.json
  // that the first one has already written tags into
  await withLayoutLock(dir, () => initLayoutUnlocked(dir))
}

async function initLayoutUnlocked(dir: string): Promise<void> {
  await fs.mkdir(join(dir, BLOBS_DIR, 'sha256'), { recursive: true })
  if (!(await exists(join(dir, OCI_LAYOUT_FILE)))) {
    await writeFileAtomic(join(dir, OCI_LAYOUT_FILE), JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION }))
  }
  if (!(await exists(join(dir, INDEX_FILE)))) {
    await writeFileAtomic(
      join(dir, INDEX_FILE),
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] })
    )
  }
}

const locks = new Map<string, Promise<unknown>>()

/**
 * Serialize edits of one layout's index.json within this process. Every caller re-reads the file
 * inside the lock, so parallel tag/push calls never lose each other's updates. (Another process
 * writing the same layout at once is not guarded: the layout spec defines no lock file.)
 */
export async function withLayoutLock<T>(layoutDir: string, fn: () => Promise<T>): Promise<T> {
  const dir = resolve(layoutDir)
  const prev = locks.get(dir) ?? Promise.resolve()
  const run = prev.then(fn, fn)
  const tail = run.catch(() => undefined)
  locks.set(dir, tail)
  try {
    return await run
  } finally {
    if (locks.get(dir) === tail) locks.delete(dir)
  }
}
