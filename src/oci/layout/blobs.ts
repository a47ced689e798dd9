/**
 * Blobs of an OCI image layout: `blobs/<alg>/<hex>`, written atomically, streamed from files, and
 * verified against their digest on every read
 * (https://github.com/opencontainers/image-spec/blob/v1.1.0/descriptor.md#digests).
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md#blobs
 */
import { createReadStream, createWriteStream, promises as fs } from 'node:fs'
import { dirname, join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { OciError } from '../../errors.js'
import { digestOf, newHash, parseDigest, verifyBytes } from '../digest.js'
import { BLOBS_DIR, blobPath, exists, tempPathFor, writeFileAtomic } from './store.js'

/** Chunk size for streamed copies: small enough that memory stays flat whatever the file size. */
const STREAM_CHUNK_BYTES = 256 * 1024

export async function blobExists(dir: string, digest: string): Promise<boolean> {
  return exists(blobPath(dir, digest))
}

/**
 * The whole blob, verified against `digest`. NOT_FOUND when absent, SIZE_EXCEEDED over `maxBytes`
 * (checked on the file's size before reading), DIGEST_MISMATCH when the bytes on disk differ.
 */
export async function readBlob(dir: string, digest: string, what: string, maxBytes?: number): Promise<Uint8Array> {
  const path = blobPath(dir, digest)
  let size: number
  try {
    size = (await fs.stat(path)).size
  } catch {
    throw new OciError('NOT_FOUND', `oci:${dir}: ${what} ${digest} not found (no file ${join(BLOBS_DIR, ...digest.split(':'))}), the layout is incomplete`, {
      hint: 'copy the image into it again',
      op: 'read blob',
      where: `oci:${dir}@${digest}`
    })
  }
  if (maxBytes !== undefined && size > maxBytes) {
    throw new OciError('SIZE_EXCEEDED', `oci:${dir}: ${what} ${digest} is ${size} bytes, more than the limit of ${maxBytes}`, {
      op: 'read blob',
      where: `oci:${dir}@${digest}`
    })
  }
  const bytes = new Uint8Array(await fs.readFile(path))
  verifyBytes(bytes, digest, `oci:${dir}: ${what} ${digest}`)
  return bytes
}

/** Store bytes under their digest unless a blob with that digest and size is already there. */
export async function writeBlobBytes(dir: string, bytes: Uint8Array, algorithm = 'sha256'): Promise<string> {
  const digest = digestOf(bytes, algorithm)
  const path = blobPath(dir, digest)
  // bytes in memory are small: compare them, so a damaged copy on disk is repaired rather than kept
  const current = await fs.readFile(path).catch(() => undefined)
  if (current && Buffer.compare(current, bytes) === 0) return digest
  await fs.mkdir(dirname(path), { recursive: true })
  await writeFileAtomic(path, bytes)
  return digest
}

/**
 * Copy a file into the layout while hashing it: read stream → hash → temp file, then rename to
 * `blobs/<alg>/<hex>`. Never holds the file in memory. When `expected` is given and already
 * present, nothing is read; when the content does not match it, nothing is stored.
 */
export async function writeBlobFile(dir: string, file: string, expected?: string): Promise<{ digest: string; size: number }> {
  if (expected) {
    const path = blobPath(dir, expected)
    const st = await fs.stat(path).catch(() => undefined)
    if (st?.isFile()) return { digest: expected, size: st.size }
  }
  const algorithm = expected ? parseDigest(expected).algorithm : 'sha256'
  const hash = newHash(algorithm)
  let size = 0
  const blobsDir = join(dir, BLOBS_DIR)
  await fs.mkdir(blobsDir, { recursive: true })
  // same file system as the final place: the rename below is atomic
  const tmp = tempPathFor(join(blobsDir, 'x'))
  try {
    await pipeline(
      createReadStream(file, { highWaterMark: STREAM_CHUNK_BYTES }),
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk)
          size += chunk.length
          cb(null, chunk)
        }
      }),
      createWriteStream(tmp, { flags: 'wx' })
    )
    const digest = `${algorithm}:${hash.digest('hex')}`
    if (expected && digest !== expected) {
      throw new OciError(
        'DIGEST_MISMATCH',
        `${file}: content does not match the digest given for it (expected ${expected}, got ${digest}), the file changed while it was being read`,
        {
          op: 'push blob',
          where: `oci:${dir}`
        }
      )
    }
    const path = blobPath(dir, digest)
    if (await intactSize(path, size)) {
      await fs.rm(tmp, { force: true })
    } else {
      await fs.mkdir(dirname(path), { recursive: true })
      await fs.rename(tmp, path)
    }
    return { digest, size }
  } catch (e) {
    await fs.rm(tmp, { force: true })
    throw e
  }
}

async function intactSize(path: string, size: number): Promise<boolean> {
  const st = await fs.stat(path).catch(() => undefined)
  return !!st?.isFile() && st.size === size
}
