/**
 * Files of an OCI image layout: paths, atomic writes and the per-directory lock.
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md
 */
import { backoffDelay, sleep } from '../../backoff.js'
import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { OciError } from '../../errors.js'
import { parseDigest } from '../digest.js'

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
  let st: Awaited<ReturnType<typeof fs.stat>> | undefined
  try {
    st = await fs.stat(dir)
  } catch {
    throw new OciError('NOT_FOUND', `oci:${dir}: no OCI layout at ${dir} (the directory does not exist)`, {
      hint: `create one with \`oras copy --to-oci-layout\` or \`skopeo copy … oci:${dir}\`, or check the path`,
      op: 'open layout',
      where: `oci:${dir}`
    })
  }
  if (!st.isDirectory()) {
    throw new OciError('NOT_FOUND', `oci:${dir}: no OCI layout at ${dir} (it is not a directory)`, {
      hint: 'check the path',
      op: 'open layout',
      where: `oci:${dir}`
    })
  }
  let text: string
  try {
    text = await fs.readFile(join(dir, OCI_LAYOUT_FILE), 'utf8')
  } catch {
    throw new OciError('NOT_FOUND', `oci:${dir}: no OCI layout at ${dir} (missing ${OCI_LAYOUT_FILE} file)`, {
      hint: `create one with \`oras copy --to-oci-layout\` or \`skopeo copy … oci:${dir}\`, or check the path`,
      op: 'open layout',
      where: `oci:${dir}`
    })
  }
  let version: unknown
  try {
    version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion
  } catch (e) {
    throw new OciError('INVALID_RESPONSE', `oci:${dir}: ${OCI_LAYOUT_FILE} is not valid JSON, the layout is damaged`, {
      op: 'open layout',
      where: `oci:${dir}`,
      cause: e
    })
  }
  if (typeof version !== 'string' || !version.startsWith('1.')) {
    throw new OciError('UNSUPPORTED', `oci:${dir}: unsupported imageLayoutVersion ${JSON.stringify(version)} in ${OCI_LAYOUT_FILE}`, {
      hint: 'only 1.x layouts are supported',
      op: 'open layout',
      where: `oci:${dir}`
    })
  }
}

const locks = new Map<string, Promise<unknown>>()

/** The lock file beside index.json that serializes writers across processes. */
export const LOCK_FILE = 'index.json.lock'
/**
 * A lock older than this is taken over even when its pid still runs (a pid reused since, or a writer
 * on another machine sharing the directory): no write under the lock takes this long. A lock whose
 * process is gone is taken over at once.
 */
export const STALE_LOCK_MS = 30_000
/** How long to wait for another process's lock before giving up with an error. */
export const LOCK_WAIT_MS = 60_000

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Take the cross-process lock: create the lock file exclusively (O_EXCL is atomic on local file
 * systems), holding our pid. A lock whose process is gone, or that is older than STALE_LOCK_MS, is
 * removed. The layout spec defines no lock, so this only guards writers that use this tool; other
 * tools never see the file as part of the layout (it is not in index.json or blobs/).
 */
async function acquireFileLock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE)
  const started = Date.now()
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await fs.open(path, 'wx')
      await fh.writeFile(`${process.pid} ${new Date().toISOString()}\n`)
      await fh.close()
      return () => fs.rm(path, { force: true })
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ENOENT') return async () => {} // no layout directory: the write under the lock fails on its own
      if (code !== 'EEXIST') throw e
    }
    try {
      const [text, st] = await Promise.all([fs.readFile(path, 'utf8'), fs.stat(path)])
      const pid = Number(text.split(' ')[0])
      if ((Number.isInteger(pid) && pid > 0 && pid !== process.pid && !pidAlive(pid)) || Date.now() - st.mtimeMs > STALE_LOCK_MS) {
        await fs.rm(path, { force: true })
        continue
      }
    } catch {
      continue // released between our open and our read
    }
    if (Date.now() - started > LOCK_WAIT_MS) {
      throw new OciError('CONFLICT', `oci:${dir}: another process has held ${LOCK_FILE} for over ${LOCK_WAIT_MS / 1000} s`, {
        op: 'lock layout',
        where: `oci:${dir}`,
        hint: `if no other oci-build-metadata is running, remove ${path}`
      })
    }
    await sleep(backoffDelay(attempt, { baseMs: 10, maxMs: 200 }))
  }
}

/**
 * Serialize edits of one layout's index.json: within this process by a promise chain, across
 * processes by a lock file. Every caller re-reads index.json inside the lock, so parallel tag/push
 * calls never lose each other's updates.
 */
export async function withLayoutLock<T>(layoutDir: string, fn: () => Promise<T>): Promise<T> {
  const dir = resolve(layoutDir)
  const prev = locks.get(dir) ?? Promise.resolve()
  const locked = async (): Promise<T> => {
    const release = await acquireFileLock(dir)
    try {
      return await fn()
    } finally {
      await release()
    }
  }
  const run = prev.then(locked, locked)
  const tail = run.catch(() => undefined)
  locks.set(dir, tail)
  try {
    return await run
  } finally {
    if (locks.get(dir) === tail) locks.delete(dir)
  }
}
